"""The catalogue as buyers browse it (R-CAT-1): filters, text search, stable pages.

Served by the indexes declared in `INDEXES`: `available` with the page key, channel and
category, or price, and a text index over title and description (search never scans the
collection; tests/integration/test_orders_query_plans.py explains every query).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from orders.domain.catalogue import CatalogueItem
from shared.mongo import Collection, IndexSpec, indexed
from shared.pagination import find_page

CATALOGUE = "catalogue"
#: The id, stored again for pages in product-id order: the embedded engine cannot range
#: over `_id` (README, "The embedded engine").
CATALOGUE_KEYS = {"product_key": lambda item: item.id}

INDEXES = [
    # `_id` is not in these keys: the embedded engine cannot index `_id` inside a compound
    # index, nor range over it (README, "The embedded engine"); pages are in product-id
    # order by `product_key`, the id stored again.
    IndexSpec(CATALOGUE, [("available", 1), ("product_key", 1)]),
    IndexSpec(CATALOGUE, [("available", 1), ("store_type", 1), ("category", 1)]),
    IndexSpec(CATALOGUE, [("available", 1), ("price.amount_minor", 1)]),
    IndexSpec(CATALOGUE, [("store_id", 1)]),
    IndexSpec(CATALOGUE, [("title", "text"), ("description", "text")], name="search"),
]


@dataclass(frozen=True)
class CatalogueFilter:
    channel: str | None = None
    category: str | None = None
    text: str | None = None
    min_price_minor: int | None = None
    max_price_minor: int | None = None
    currency: str | None = None

    def query(self) -> dict[str, Any]:
        query: dict[str, Any] = {"available": True}
        if self.channel == "full_managed":
            query["store_type"] = "full_managed"  # R-CAT-1: the exclusive channel
        if self.category:
            query["category"] = self.category
        if self.text:
            query["$text"] = {"$search": self.text}
        price: dict[str, int] = {}
        if self.min_price_minor is not None:
            price["$gte"] = self.min_price_minor
        if self.max_price_minor is not None:
            price["$lte"] = self.max_price_minor
        if price:
            query["price.amount_minor"] = price
        if self.currency:
            query["price.currency"] = self.currency
        return query


class CatalogueQueries:
    """The catalogue as buyers browse it, and the store names its products show."""

    def __init__(self, catalogue: Collection) -> None:
        self._catalogue = catalogue

    async def page(
        self, where: CatalogueFilter, limit: int, cursor: str | None
    ) -> tuple[list[CatalogueItem], str | None]:
        """A page in product-id order: stable while products come and go (R-CAT-1)."""
        return await find_page(
            self._catalogue,
            where.query(),
            CatalogueItem.from_document,
            key="product_key",
            limit=limit,
            cursor=cursor,
            time_keyed=False,
        )

    async def rename_store(self, store_id: str, name: str) -> None:
        """Buyers see the store's approved name on each of its products."""
        await self._catalogue.update_many(
            indexed({"store_id": store_id}), {"$set": {"store_name": name}}
        )
