"""Read-side queries of aftersales. Each one is served by an index declared in `INDEXES`
(no collection scans); the replicas (`orders`, `stores`) are only read by `_id`."""

from __future__ import annotations

from collections.abc import Sequence

from aftersales.domain.model import Case
from shared.mongo import Collection, IndexSpec

CASES, ORDERS, STORES = "cases", "orders", "stores"

#: More cases than one order ever gets; the list of an order's cases is not paged.
CASES_PER_ORDER_MAX = 200

INDEXES = [
    # `_id` is not in these keys: the embedded engine cannot index `_id` inside a compound
    # index (README, "The embedded engine").
    IndexSpec(CASES, [("order_id", 1), ("opened_at", 1)]),
    IndexSpec(CASES, [("status", 1), ("opened_at", 1)]),
]


async def cases_of_order(collection: Collection, order_id: str) -> list[Case]:
    """Every case of one order, oldest first."""
    documents = (
        await collection.find({"order_id": order_id})
        .sort("opened_at", 1)
        .limit(CASES_PER_ORDER_MAX)
        .to_list()
    )
    return [Case.from_document(document) for document in documents]


async def rejected_among(collection: Collection, case_ids: Sequence[str]) -> list[str]:
    """Which of `case_ids` were rejected: their refund reservations can never be issued."""
    if not case_ids:
        return []
    documents = await collection.find(
        {"_id": {"$in": list(case_ids)}, "status": "rejected"}, {"_id": 1}
    ).to_list()
    return [str(document["_id"]) for document in documents]
