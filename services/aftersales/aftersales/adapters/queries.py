"""Read-side queries of aftersales. Each one is served by an index declared in `INDEXES`
(no collection scans; equalities written by `shared.mongo.indexed`); the replicas (`orders`,
`stores`) are only read by `_id`. tests/integration/test_aftersales_query_plans.py explains
every query aftersales issues."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aftersales.domain.model import Case, CaseStatus
from shared.auth import Principal
from shared.clock import time_key
from shared.mongo import Collection, IndexSpec, indexed
from shared.pagination import find_page

CASES, ORDERS, STORES = "cases", "orders", "stores"
#: The refunds of cancelled orders (R-ORD-5), one per order, each with its outbox.
COMPENSATIONS = "compensations"
#: Stored with each case for pages in the order cases were opened (`time_key`).
CASE_KEYS = {"opened_key": lambda case: time_key(case.opened_at, case.id)}

#: More cases than one order ever gets (`Policy.aftersales_max_cases_per_order` is at most
#: 100); the list of an order's cases is not paged.
CASES_PER_ORDER_MAX = 200

INDEXES = [
    # `_id` is not in these keys: the embedded engine cannot index `_id` inside a compound
    # index (README, "The embedded engine").
    IndexSpec(CASES, [("order_id", 1), ("opened_at", 1)]),
    # The oldest waiting first (R-AS-3), by `opened_key` (`shared.clock.time_key`).
    IndexSpec(CASES, [("status", 1), ("opened_key", 1)]),
    IndexSpec(CASES, [("opened_key", 1)]),  # an operator's list of every status
    IndexSpec(CASES, [("merchant_id", 1), ("status", 1), ("opened_key", 1)]),
    IndexSpec(CASES, [("buyer_id", 1), ("status", 1), ("opened_key", 1)]),
]


class CaseQueries:
    """What aftersales reads of its cases beyond one by id: the routes and use cases read
    through these named queries, never a collection."""

    def __init__(self, cases: Collection) -> None:
        self._cases = cases

    async def of_order(self, order_id: str) -> list[Case]:
        """Every case of one order, oldest first."""
        documents = await (
            self._cases.find(indexed({"order_id": order_id}))
            .sort("opened_at", 1)
            .limit(CASES_PER_ORDER_MAX)
            .to_list()
        )
        return [Case.from_document(document) for document in documents]

    async def count_of_order(self, order_id: str, most: int) -> int:
        """How many cases one order has, counted up to `most` (ids only)."""
        found = self._cases.find(indexed({"order_id": order_id}), {"_id": 1}).limit(most)
        return len(await found.to_list())

    async def rejected_among(self, case_ids: Sequence[str]) -> list[str]:
        """Which of `case_ids` were rejected: their refund reservations can never be issued."""
        if not case_ids:
            return []
        documents = await self._cases.find(
            indexed({"_id": {"$in": list(case_ids)}, "status": "rejected"}), {"_id": 1}
        ).to_list()
        return [str(document["_id"]) for document in documents]

    async def waiting(
        self, principal: Principal, status: CaseStatus | None, limit: int, cursor: str | None
    ) -> tuple[list[Case], str | None]:
        """R-AS-3: cases the caller may see, the oldest waiting first (operators: all)."""
        query: dict[str, Any] = principal.scope()
        if status:
            query["status"] = status
        return await find_page(
            self._cases, query, Case.from_document, key="opened_key", limit=limit, cursor=cursor
        )
