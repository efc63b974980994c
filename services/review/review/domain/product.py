"""A product listing under the platform's review: the Product aggregate (R-REV-8, R-REV-9)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, StrictInt, StrictStr, StringConstraints

from review.domain.categories import product_category_issues
from review.domain.errors import Conflict, Invalid, NotAllowed
from review.domain.issues import Issue
from review.domain.overdue import Decision, UnderReview
from review.domain.store import Store
from review.domain.store_parts import Decided
from shared.categories import CategoryList
from shared.clock import utc_ms
from shared.contract.events import ProductApproved, ProductRejected
from shared.contract.types import ContractModel, Money, StoreType, UtcDateTime
from shared.inputs import MULTI_LINE, ONE_LINE
from shared.policy import Policy

ProductStatus = Literal["under_review", "approved", "rejected"]
Text = Annotated[StrictStr, StringConstraints(max_length=5000), MULTI_LINE]
Url = Annotated[StrictStr, StringConstraints(max_length=5000), ONE_LINE]
ShortLine = Annotated[StrictStr, StringConstraints(max_length=255), ONE_LINE]


class ProductListing(ContractModel):
    """The body of `POST /products` (CONTRACT.md); shape only, substance in `listing_issues`.

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


class ProductFields(BaseModel):
    """What a product is, as listed, reviewed and shown (`ProductPublic`)."""

    store_id: str
    merchant_id: str
    store_type: StoreType
    title: str
    description: str
    category: str
    images: list[str]
    price: Money
    weight_grams: int


class Product(UnderReview, Decided, ProductFields):
    status: ProductStatus = "under_review"
    submitted_at: UtcDateTime

    @classmethod
    def submit(
        cls,
        product_id: str,
        merchant_id: str,
        listing: ProductListing,
        store: Store,
        now: datetime,
        categories: CategoryList,
    ) -> Product:
        """R-REV-8: list a product of one's own approved store; it waits for review."""
        if store.id != listing.store_id:
            raise ValueError("the store passed is not the listing's store")
        if store.merchant_id != merchant_id:
            raise NotAllowed("the store belongs to another merchant")
        if store.status != "approved":
            raise Conflict(f"the store is {store.status}; list products once it is approved")
        issues = listing_issues(listing, store, categories)
        if issues:
            raise Invalid("the product information is incomplete; correct it", issues)
        return cls(
            id=product_id,
            store_id=store.id,
            merchant_id=merchant_id,
            store_type=store.store_type,
            title=listing.title.strip(),
            description=listing.description.strip(),
            category=listing.category.strip(),
            images=[url.strip() for url in listing.images],
            price=listing.price,
            weight_grams=listing.weight_grams,
            submitted_at=utc_ms(now),
        )

    def decide(
        self,
        decision: Decision,
        reason: str | None,
        operator_id: str,
        policy: Policy,
        now: datetime,
    ) -> None:
        """R-REV-9: the platform approves a product before it can be sold, or rejects it."""
        reason = self._decidable(decision, reason, "product")
        now = utc_ms(now)
        self.status = "approved" if decision == "approve" else "rejected"
        self._stamp(reason, operator_id, policy, now)
        if decision == "reject" and reason is not None:
            self.record(ProductRejected(**self._event_fields(), reason=reason, rejected_at=now))
        else:
            self.record(
                ProductApproved(
                    **self._event_fields(),
                    description=self.description,
                    images=self.images,
                    approved_at=now,
                )
            )

    def _event_fields(self) -> dict[str, Any]:
        return {
            "product_id": self.id,
            "store_id": self.store_id,
            "merchant_id": self.merchant_id,
            "store_type": self.store_type,
            "title": self.title,
            "category": self.category,
            "price": self.price,
            "weight_grams": self.weight_grams,
        }
