"""Request and response bodies of review's product calls (CONTRACT.md, review; R-REV-8,
R-REV-9, R-REV-15)."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from review.domain.model import Decision, Product, ProductListing, ProductStatus
from review.domain.product import ProductFields
from review.domain.product_parts import Delister, PriceChange, PriceChangeStatus
from review.entrypoints.change_schemas import Reason
from review.service_layer.deadlines import Overdue
from shared.calendar import CalendarBasis
from shared.contract.types import Money, UtcDateTime
from shared.inputs import Line, RequestBody, storable


class ProductListingBody(RequestBody, ProductListing):
    """A listing as the API accepts it: the shape of `ProductListing`, with a weight that
    can be stored. Substance is checked by the domain (R-REV-8)."""

    @field_validator("weight_grams")
    @classmethod
    def _storable_weight(cls, value: int) -> int:
        storable(value, "weight_grams")
        return value


class ProductCreate(ProductListingBody):
    """`POST /products` (R-REV-8)."""


class ProductUpdate(ProductListingBody):
    """`PUT /products/{id}`: a rejected or delisted product, revised (R-REV-15)."""


class ProductReviewCreate(RequestBody):
    decision: Decision
    #: Required to reject (R-REV-9, R-REV-15).
    reason: Line | None = Reason


class PriceChangeCreate(RequestBody):
    """`POST /products/{id}/price-changes`: the new supply price (R-REV-15)."""

    price: Money


class DelistCreate(RequestBody):
    """`POST /products/{id}/delist` (R-REV-15): why, one line, as `ProductDelisted` says."""

    reason: Line = Field(min_length=1, max_length=500)


class PriceChangePublic(BaseModel):
    """R-REV-15: a price change and what became of it."""

    price: Money
    status: PriceChangeStatus
    submitted_at: UtcDateTime
    reason: str | None
    decided_at: UtcDateTime | None
    withdrawn_at: UtcDateTime | None

    @classmethod
    def of(cls, change: PriceChange) -> PriceChangePublic:
        return cls(**change.model_dump(include=set(cls.model_fields)))


class DelistingPublic(BaseModel):
    reason: str
    delisted_by: Delister
    delisted_at: UtcDateTime


class ProductSubmissionPublic(BaseModel):
    """R-REV-15: an earlier submission of the product and how it ended."""

    listing: ProductListing
    submitted_at: UtcDateTime
    outcome: ProductStatus
    reason: str | None
    decided_at: UtcDateTime | None
    delisting: DelistingPublic | None
    superseded_at: UtcDateTime


class ProductPublic(ProductFields):
    product_id: str
    status: ProductStatus
    reason: str | None
    submitted_at: UtcDateTime
    decided_at: UtcDateTime | None
    overdue: bool
    #: R-CAL-2: the calendar years `overdue` was counted on (null when not under review).
    calendar: CalendarBasis | None
    #: R-REV-15: the latest price change (`price` stays the approved one until it is).
    price_change: PriceChangePublic | None
    delisting: DelistingPublic | None
    history: list[ProductSubmissionPublic]

    @classmethod
    def of(cls, product: Product, *, deadline: Overdue) -> ProductPublic:
        """`deadline`: of what is under review, the listing or a price change (R-REV-5)."""
        change = product.price_change
        fields = set(cls.model_fields) - {"product_id", "overdue", "calendar", "price_change"}
        return cls(
            product_id=product.id,
            overdue=deadline.overdue,
            calendar=deadline.calendar,
            price_change=None if change is None else PriceChangePublic.of(change),
            **product.model_dump(include=fields),
        )


class ProductPage(BaseModel):
    items: list[ProductPublic]
    next_cursor: str | None
