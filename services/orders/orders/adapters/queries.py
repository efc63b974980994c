"""Read-side queries of orders: pages, catalogue, stats. Each one is served by an index
declared in `INDEXES` (no collection scans)."""

from __future__ import annotations

from typing import Any

from orders.domain.catalogue import CatalogueItem
from orders.domain.model import Order
from shared.auth import Principal
from shared.mongo import Collection, IndexSpec
from shared.pagination import decode_cursor, encode_cursor

ORDERS, CATALOGUE, STORES = "orders", "catalogue", "stores"

INDEXES = [
    IndexSpec(ORDERS, [("buyer_id", 1), ("created_key", -1)]),
    IndexSpec(ORDERS, [("merchant_id", 1), ("created_key", -1)]),
    IndexSpec(ORDERS, [("created_key", -1)]),
    IndexSpec(ORDERS, [("status", 1), ("confirm_by", 1)]),
    IndexSpec(ORDERS, [("merchant_id", 1), ("confirmation_outcome", 1)]),
    # `_id` is not in these keys: the embedded engine cannot index `_id` inside a compound
    # index (README, "The embedded engine"); pages are ordered by `_id` all the same.
    IndexSpec(CATALOGUE, [("available", 1), ("store_type", 1), ("category", 1)]),
]


async def order_page(
    collection: Collection, principal: Principal, status: str | None, limit: int, cursor: str | None
) -> tuple[list[Order], str | None]:
    """Newest first, by the sortable `created_key` (creation time, then id)."""
    query: dict[str, Any] = {}
    if principal.role == "buyer":
        query["buyer_id"] = principal.sub
    elif principal.role == "merchant":
        query["merchant_id"] = principal.sub
    if status:
        query["status"] = status
    if cursor:
        query["created_key"] = {"$lt": decode_cursor(cursor)}
    documents = await collection.find(query).sort("created_key", -1).limit(limit + 1).to_list()
    orders = [Order.from_document(document) for document in documents[:limit]]
    more = len(documents) > limit
    return orders, encode_cursor(orders[-1].created_key) if more and orders else None


async def catalogue_page(
    collection: Collection,
    channel: str | None,
    category: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[CatalogueItem], str | None]:
    query: dict[str, Any] = {"available": True}
    if channel == "full_managed":
        query["store_type"] = "full_managed"  # R-CAT-1: the exclusive channel
    if category:
        query["category"] = category
    if cursor:
        query["_id"] = {"$gt": decode_cursor(cursor, time_keyed=False)}
    documents = await collection.find(query).sort("_id", 1).limit(limit + 1).to_list()
    items = [CatalogueItem.from_document(document) for document in documents[:limit]]
    more = len(documents) > limit
    return items, encode_cursor(items[-1].id) if more and items else None


async def merchant_counts(collection: Collection, merchant_id: str) -> tuple[int, int, int]:
    """R-ORD-3: (orders, confirmed on time, timed out) of a merchant."""
    total = await collection.count_documents({"merchant_id": merchant_id})
    on_time = await collection.count_documents(
        {"merchant_id": merchant_id, "confirmation_outcome": "on_time"}
    )
    timed_out = await collection.count_documents(
        {"merchant_id": merchant_id, "confirmation_outcome": "timed_out"}
    )
    return total, on_time, timed_out
