"""The value parts of a product: the listing a merchant submits, and what R-REV-15 keeps of
a product's life once listed: its earlier submissions, its price changes and its
delisting (R-REV-8, R-REV-15)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, StrictInt, StrictStr, StringConstraints

from review.domain.categories import product_category_issues
from review.domain.errors import Conflict, Invalid, NotAllowed
from review.domain.issues import Issue
from review.domain.store import Store
from review.domain.store_parts import Decided
from shared.categories import CategoryList
from shared.contract.types import ContractModel, Money, UtcDateTime
from shared.inputs import MULTI_LINE, ONE_LINE

ProductStatus = Literal["under_review", "approved", "rejected", "delisted"]
#: R-REV-15: a price change waits for review, is decided, or is withdrawn when the product
#: is delisted meanwhile.
PriceChangeStatus = Literal["under_review", "approved", "rejected", "withdrawn"]
Delister = Literal["merchant", "operator"]

Text = Annotated[StrictStr, StringConstraints(max_length=5000), MULTI_LINE]
Url = Annotated[StrictStr, StringConstraints(max_length=5000), ONE_LINE]
ShortLine = Annotated[StrictStr, StringConstraints(max_length=255), ONE_LINE]


class ProductListing(ContractModel):
    """The body of `POST /products` and of `PUT /products/{id}` (CONTRACT.md); shape only,
    substance in `listing_issues`.

    `price` is the supply price the platform pays for a full-managed product (R-REV-8).
    """

    store_id: Annotated[StrictStr, StringConstraints(max_length=100), ONE_LINE]
    title: ShortLine
    description: Text
    category: ShortLine
    images: Annotated[list[Url], Field(max_length=50)]
    price: Money
    weight_grams: StrictInt


def listing_issues(listing: ProductListing, store: Store, categories: CategoryList) -> list[Issue]:
    """R-REV-8: name, description, images, price and weight complete and accurate; the
    category a code of the list (R-REV-11) and of the store."""
    issues = [
        Issue(field=field, problem=f"the {field} is missing; fill it in")
        for field, value in (("title", listing.title), ("description", listing.description))
        if not value.strip()
    ]
    issues += product_category_issues(
        listing.category.strip(), store.application.categories, categories
    )
    if not listing.images:
        issues.append(Issue(field="images", problem="add at least one image URL"))
    for index, url in enumerate(listing.images):
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            issues.append(
                Issue(field=f"images[{index}]", problem="not an http(s) URL; link the image")
            )
    if listing.price.amount_minor <= 0:
        issues.append(Issue(field="price", problem="give a price above zero"))
    if listing.weight_grams <= 0:
        issues.append(Issue(field="weight_grams", problem="give the weight in grams, above zero"))
    return issues


def listed_fields(
    merchant_id: str, listing: ProductListing, store: Store, categories: CategoryList
) -> dict[str, Any]:
    """R-REV-8: the fields of a listing of one's own approved store, once complete."""
    if store.id != listing.store_id:
        raise ValueError("the store passed is not the listing's store")
    if store.merchant_id != merchant_id:
        raise NotAllowed("the store belongs to another merchant")
    if store.status != "approved":
        raise Conflict(f"the store is {store.status}; list products once it is approved")
    issues = listing_issues(listing, store, categories)
    if issues:
        raise Invalid("the product information is incomplete; correct it", issues)
    return {
        "store_id": store.id,
        "merchant_id": merchant_id,
        "store_type": store.store_type,
        "title": listing.title.strip(),
        "description": listing.description.strip(),
        "category": listing.category.strip(),
        "images": [url.strip() for url in listing.images],
        "price": listing.price,
        "weight_grams": listing.weight_grams,
    }


def price_change_issues(approved: Money, asked: Money) -> list[Issue]:
    """R-REV-15: a new supply price is above zero, in the approved price's currency (the
    platform pays in one currency per product) and differs from the approved price."""
    if asked.currency != approved.currency:
        return [
            Issue(
                field="price.currency",
                problem=f"keep the approved price's currency, {approved.currency}",
            )
        ]
    if asked.amount_minor <= 0:
        return [Issue(field="price.amount_minor", problem="give a price above zero")]
    if asked.amount_minor == approved.amount_minor:
        return [Issue(field="price", problem="this is the approved price; give a new one")]
    return []


class PriceChange(Decided):
    """R-REV-15: a new supply price of a listed product, reviewed like a listing; the
    approved price stays the one sold until this one is approved."""

    price: Money
    status: PriceChangeStatus = "under_review"
    submitted_at: UtcDateTime
    withdrawn_at: UtcDateTime | None = None


class Delisting(BaseModel):
    """R-REV-15: why, by whom and when a listed product was taken off sale."""

    reason: str
    delisted_by: Delister
    actor_id: str
    delisted_at: UtcDateTime


class ProductSubmission(Decided):
    """R-REV-15: one earlier submission of a product and how it ended (its decision, and
    its delisting if it was delisted), kept when the merchant revises the product."""

    listing: ProductListing
    submitted_at: UtcDateTime
    outcome: ProductStatus
    delisting: Delisting | None = None
    superseded_at: UtcDateTime
