"""The catalogue replica orders keeps from review's events (R-CAT-1, R-REV-9).

Replicas (`shared.replica`): a product's approval, its rejection and its delisting
(R-REV-15) are one decision, and the newest of them wins whatever the arrival order (a
listed product's price change is a newer approval, R-REV-15); a store's approval and its
approved changes (`StoreUpdated`, R-REV-12) are one decision too, the newest of which names
it. A decision on a product is taken only in its store, once that store is approved here,
and of the store's merchant and type (`StoreListing.refuse_foreign`); neither a product's
store nor a store's merchant and type ever change (`fixed`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

from shared.contract.events import (
    ProductApproved,
    ProductDelisted,
    ProductRejected,
    StoreApproved,
    StoreUpdated,
)
from shared.contract.types import ContractModel, Money, StoreType
from shared.errors import Implausible
from shared.replica import Replica
from shared.store_replica import StoreReplica

ProductDecided = ProductApproved | ProductRejected | ProductDelisted
StoreDecided = StoreApproved | StoreUpdated


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
    #: Only approved products are sold (R-REV-9), until delisted (R-REV-15).
    available: bool
    decided_at: datetime

    fixed = ("store_id", "merchant_id", "store_type")
    fixed_because = "a product stays in the store it was listed in (R-REV-8)"

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
    if isinstance(event, ProductDelisted):
        # R-REV-15: off sale; what it was listed as (description, images) stays, as orders
        # placed before still name it.
        return {**common, "available": False, "decided_at": event.delisted_at}
    return {
        **common,
        "description": "",
        "images": [],
        "available": False,
        "decided_at": event.rejected_at,
    }


class StoreListing(StoreReplica):
    """What buyers see of a store: its name and type (from StoreApproved, then its approved
    changes, StoreUpdated, R-REV-12). `approved_at` stays the approval's: a change carries
    none."""

    merchant_id: str
    store_type: StoreType
    name: str
    approved_at: datetime

    renamed = {"name": "store_name"}
    fixed = ("merchant_id", "store_type")
    fixed_because = "a store's merchant and type never change"
    service = "orders"

    def refuse_foreign(self, product: ProductDecided) -> None:
        """R-REV-8: a merchant lists products in its own approved store, which gives them
        its type; a decision on a product naming another merchant or type is `Implausible`."""
        said = (product.merchant_id, product.store_type)
        if said != (self.merchant_id, self.store_type):
            raise Implausible(
                f"{type(product).__name__} of product {product.product_id} names store "
                f"{self.id} as {product.store_type} of merchant {product.merchant_id}; the "
                f"store was approved as {self.store_type} of merchant {self.merchant_id}"
            )
