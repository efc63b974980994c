"""The catalogue replica orders keeps from review's events (R-CAT-1, R-REV-9).

Events may arrive out of order or twice: the newest decision wins by its own time, not
by arrival, and a decision already seen changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import computed_field

from shared.aggregate import Aggregate
from shared.contract.events import ProductApproved, ProductRejected, StoreApproved
from shared.contract.types import Money, StoreType

_KEPT_ON_UPDATE = frozenset({"id", "version", "applied_events", "store_name"})


class CatalogueItem(Aggregate):
    store_id: str
    merchant_id: str
    store_type: StoreType
    store_name: str | None = None
    title: str
    description: str = ""
    category: str
    images: list[str] = []
    price: Money
    weight_grams: int
    #: Only approved products are sold (R-REV-9).
    available: bool
    decided_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def product_key(self) -> str:
        """The id, stored again for pages in product-id order: the embedded engine cannot
        range over `_id` (README, "The embedded engine")."""
        return self.id

    @classmethod
    def from_approval(cls, event: ProductApproved) -> CatalogueItem:
        return cls(
            id=event.product_id,
            store_id=event.store_id,
            merchant_id=event.merchant_id,
            store_type=event.store_type,
            title=event.title,
            description=event.description,
            category=event.category,
            images=event.images,
            price=event.price,
            weight_grams=event.weight_grams,
            available=True,
            decided_at=event.approved_at,
        )

    @classmethod
    def from_rejection(cls, event: ProductRejected) -> CatalogueItem:
        return cls(
            id=event.product_id,
            store_id=event.store_id,
            merchant_id=event.merchant_id,
            store_type=event.store_type,
            title=event.title,
            category=event.category,
            price=event.price,
            weight_grams=event.weight_grams,
            available=False,
            decided_at=event.rejected_at,
        )

    def apply(self, newer: CatalogueItem) -> bool:
        """Take the other decision if it is newer. Returns whether anything changed."""
        if newer.decided_at <= self.decided_at:
            return False
        for name in type(newer).model_fields:
            if name not in _KEPT_ON_UPDATE:
                setattr(self, name, getattr(newer, name))
        return True


class StoreListing(Aggregate):
    """What buyers see of a store: its name and type (from StoreApproved)."""

    merchant_id: str
    store_type: StoreType
    name: str
    approved_at: datetime

    @classmethod
    def from_approval(cls, event: StoreApproved) -> StoreListing:
        return cls(
            id=event.store_id,
            merchant_id=event.merchant_id,
            store_type=event.store_type,
            name=event.store_name,
            approved_at=event.approved_at,
        )
