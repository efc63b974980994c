"""The catalogue replica orders keeps from review's events (R-CAT-1, R-REV-9).

Replicas (`shared.replica`): a product's approval and its rejection are one decision, and
the newest of them wins whatever the arrival order; a store's newest approval names it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

from shared.contract.events import ProductApproved, ProductRejected
from shared.contract.types import ContractModel, Money, StoreType
from shared.replica import Replica

ProductDecided = ProductApproved | ProductRejected


class CatalogueItem(Replica):
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

    @classmethod
    def decision(cls, event: ContractModel) -> str:
        return "listing"

    @classmethod
    def first(cls, replica_id: str, event: ProductDecided, store_name: str | None = None) -> Self:
        return cls(id=replica_id, store_name=store_name, **cls.fields(event))

    @classmethod
    def fields(cls, event: ProductDecided) -> dict[str, Any]:
        return _decided(event)


def _decided(event: ProductDecided) -> dict[str, Any]:
    common = {
        "store_id": event.store_id,
        "merchant_id": event.merchant_id,
        "store_type": event.store_type,
        "title": event.title,
        "category": event.category,
        "price": event.price,
        "weight_grams": event.weight_grams,
    }
    if isinstance(event, ProductApproved):
        return {
            **common,
            "description": event.description,
            "images": event.images,
            "available": True,
            "decided_at": event.approved_at,
        }
    return {
        **common,
        "description": "",
        "images": [],
        "available": False,
        "decided_at": event.rejected_at,
    }


class StoreListing(Replica):
    """What buyers see of a store: its name and type (from StoreApproved)."""

    merchant_id: str
    store_type: StoreType
    name: str
    approved_at: datetime

    renamed = {"name": "store_name"}
