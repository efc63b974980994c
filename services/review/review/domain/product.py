"""A product listing under the platform's review: the Product aggregate (R-REV-8, R-REV-9,
R-REV-15)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from review.domain.errors import Conflict, Invalid
from review.domain.issues import Issue
from review.domain.overdue import (
    Decision,
    UnderReview,
    decision_reason,
)
from review.domain.product_parts import (
    Delister,
    Delisting,
    PriceChange,
    ProductListing,
    ProductStatus,
    ProductSubmission,
    listed_fields,
    price_change_issues,
)
from review.domain.store import Store
from review.domain.store_parts import Decided
from shared.categories import CategoryList
from shared.clock import utc_ms
from shared.contract.events import ProductApproved, ProductDelisted, ProductRejected
from shared.contract.types import Money, StoreType, UtcDateTime
from shared.policy import Policy

__all__ = ["Product", "ProductFields", "ProductListing", "ProductStatus"]


class ProductFields(BaseModel):
    """What a product is, as listed, reviewed and shown (`ProductPublic`)."""

    store_id: str
    merchant_id: str
    store_type: StoreType
    title: str
    description: str
    category: str
    images: list[str]
    #: The approved price (the one sold) once approved; a price change waits beside it.
    price: Money
    weight_grams: int


#: What every product event says of it besides its id: the listing as it stands (from
#: `ProductApproved` to `ProductDelisted`, all carry these).
EVENT_FIELDS = set(ProductFields.model_fields) & set(ProductRejected.model_fields)


class Product(UnderReview, Decided, ProductFields):
    status: ProductStatus = "under_review"
    submitted_at: UtcDateTime
    # R-REV-15: earlier submissions, kept when the merchant revises the product.
    history: list[ProductSubmission] = Field(default_factory=list)
    # R-REV-15: the price changes asked for once listed, newest last.
    price_changes: list[PriceChange] = Field(default_factory=list)
    delisting: Delisting | None = None

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
        fields = listed_fields(merchant_id, listing, store, categories)
        return cls(id=product_id, **fields, submitted_at=utc_ms(now))

    @property
    def price_change(self) -> PriceChange | None:
        """R-REV-15: the latest price change, whatever became of it."""
        return self.price_changes[-1] if self.price_changes else None

    @property
    def price_change_since(self) -> datetime | None:
        """R-REV-15: since when a price change waits for review (None: none does)."""
        change = self.price_change
        return change.submitted_at if change and change.status == "under_review" else None

    @property
    def under_review_since(self) -> datetime | None:
        """R-REV-5, R-REV-15: since when the listing, else a price change, waits; or None."""
        return self.submitted_at if self.status == "under_review" else self.price_change_since

    def revise(
        self, listing: ProductListing, store: Store, now: datetime, categories: CategoryList
    ) -> None:
        """R-REV-15: a rejected or delisted product, revised, waits for review again; the
        earlier submission is kept in `history`."""
        if self.status not in ("rejected", "delisted"):
            hint = "; ask for a price change, or delist it" if self.status == "approved" else ""
            raise Conflict(
                f"the product is {self.status}; revise it once it is rejected or delisted{hint}"
            )
        if listing.store_id != self.store_id:
            raise Invalid(
                "a product stays in its store; list a new product in another store",
                [Issue(field="store_id", problem=f"keep '{self.store_id}'")],
            )
        fields = listed_fields(self.merchant_id, listing, store, categories)
        now = utc_ms(now)
        self.history = [*self.history, self._as_submission(now)]
        for name, value in fields.items():
            setattr(self, name, value)
        self.status, self.submitted_at, self.delisting = "under_review", now, None
        self.reason = self.decided_at = self.decided_by = self.policy = None

    def request_price_change(self, price: Money, now: datetime) -> None:
        """R-REV-15: a listed product's new supply price is reviewed like a listing; the
        approved price stays the one sold until then."""
        if self.status != "approved":
            raise Conflict(
                f"the product is {self.status}; change the price of an approved product "
                "(revise a rejected or delisted one)"
            )
        if self.price_change_since is not None:
            raise Conflict("a price change of this product is under review; await its decision")
        issues = price_change_issues(self.price, price)
        if issues:
            raise Invalid("the new price cannot be reviewed; correct it", issues)
        change = PriceChange(price=price, submitted_at=utc_ms(now))
        self.price_changes = [*self.price_changes, change]

    def decide(
        self,
        decision: Decision,
        reason: str | None,
        operator_id: str,
        policy: Policy,
        now: datetime,
    ) -> None:
        """R-REV-9: the platform approves a product before it can be sold, or rejects it.
        R-REV-15: once listed, what is decided is its price change under review."""
        change = self.price_change
        if self.status != "under_review" and self.price_change_since and change:
            self._decide_price(change, decision, reason, operator_id, policy, utc_ms(now))
            return
        reason = self._decidable(decision, reason, "product")
        now = utc_ms(now)
        self.status = "approved" if decision == "approve" else "rejected"
        self._stamp(reason, operator_id, policy, now)
        if decision == "reject" and reason is not None:
            self.record(ProductRejected(**self._event_fields(), reason=reason, rejected_at=now))
        else:
            self._record_approved(now)

    def delist(self, reason: str, delisted_by: Delister, actor_id: str, now: datetime) -> None:
        """R-REV-15: its merchant or an operator takes an approved product off sale; a
        price change under review is withdrawn. Delisted again: nothing changes."""
        reason = reason.strip()
        if not reason:
            raise Invalid(
                "say why the product is delisted",
                [Issue(field="reason", problem="say why the product is taken off sale")],
            )
        if self.status == "delisted":
            return
        if self.status != "approved":
            raise Conflict(f"the product is {self.status}; only an approved product is delisted")
        now = utc_ms(now)
        change = self.price_change
        if change is not None and change.status == "under_review":
            change.status, change.withdrawn_at = "withdrawn", now
        self.status = "delisted"
        self.delisting = Delisting(
            reason=reason, delisted_by=delisted_by, actor_id=actor_id, delisted_at=now
        )
        self.record(
            ProductDelisted(
                **self._event_fields(), reason=reason, delisted_by=delisted_by, delisted_at=now
            )
        )

    def _decide_price(
        self,
        change: PriceChange,
        decision: Decision,
        reason: str | None,
        operator_id: str,
        policy: Policy,
        now: datetime,
    ) -> None:
        """R-REV-15: an approved price change is the price sold from now, published as a
        new approval (the newest decision wins); a rejected one changes nothing sold."""
        reason = decision_reason(decision, reason, "price change")
        change.status = "approved" if decision == "approve" else "rejected"
        change._stamp(reason, operator_id, policy, now)
        if decision == "approve":
            self.price = change.price
            self._record_approved(now)

    def _record_approved(self, now: datetime) -> None:
        self.record(
            ProductApproved(
                **self._event_fields(),
                description=self.description,
                images=self.images,
                approved_at=now,
            )
        )

    def _as_submission(self, now: datetime) -> ProductSubmission:
        listing = ProductListing(**self.model_dump(include=set(ProductListing.model_fields)))
        return ProductSubmission(
            listing=listing,
            submitted_at=self.submitted_at,
            outcome=self.status,
            reason=self.reason,
            decided_at=self.decided_at,
            decided_by=self.decided_by,
            policy=self.policy,
            delisting=self.delisting,
            superseded_at=now,
        )

    def _event_fields(self) -> dict[str, Any]:
        """What every event of a product says of it, as it stands (the approved price)."""
        return {"product_id": self.id, **self.model_dump(include=EVENT_FIELDS)}
