"""Read-side queries of aftersales. Each one is served by an index declared in `INDEXES`
(no collection scans; equalities written by `shared.mongo.indexed`); the replicas (`orders`,
`stores`) are only read by `_id`. tests/integration/test_aftersales_query_plans.py explains
every query aftersales issues."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from aftersales.domain.compensation import Compensation
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
    # Refunds of a merchant per period (GET /merchants/{id}/refunds).
    IndexSpec(CASES, [("merchant_id", 1), ("resolved_at", 1)]),
    # Refunds of a merchant's cancelled orders per period (R-ORD-5, R-ORD-6), the same report.
    IndexSpec(COMPENSATIONS, [("merchant_id", 1), ("issued_at", 1)]),
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

    async def refunded_between(
        self, merchant_id: str, start: datetime, end: datetime
    ) -> list[Case]:
        """R-AS-2: a merchant's refunded cases decided in [start, end), oldest first."""
        documents = (
            await self._cases.find(
                indexed(
                    {
                        "merchant_id": merchant_id,
                        "resolved_at": {"$gte": start, "$lt": end},
                        "status": "refunded",
                    }
                )
            )
            .sort("resolved_at", 1)
            .to_list()
        )
        return [Case.from_document(document) for document in documents]

    async def refunded_of_orders(self, order_ids: Sequence[str]) -> list[Case]:
        """Every refunded case of these orders, whenever decided (an order's whole payout,
        R-FEE-1): each order's few cases (`of_order`), all orders at once. Not one `$in`:
        the embedded engine serves `$in` from an index only on `_id` (README, "The embedded
        engine")."""
        found = await asyncio.gather(*map(self.of_order, dict.fromkeys(order_ids)))
        return [case for cases in found for case in cases if case.status == "refunded"]


class CompensationQueries:
    """What aftersales reads of its cancelled orders' refunds (R-ORD-5) beyond one by id."""

    def __init__(self, compensations: Collection) -> None:
        self._compensations = compensations

    async def issued_between(
        self, merchant_id: str, start: datetime, end: datetime
    ) -> list[Compensation]:
        """R-ORD-6: the refunds of a merchant's cancelled orders issued in [start, end),
        whoever bore them, oldest first."""
        documents = (
            await self._compensations.find(
                indexed({"merchant_id": merchant_id, "issued_at": {"$gte": start, "$lt": end}})
            )
            .sort("issued_at", 1)
            .to_list()
        )
        return [Compensation.from_document(document) for document in documents]

    async def of_orders(self, order_ids: Sequence[str]) -> list[Compensation]:
        """The refunds of these orders' cancellations, whenever issued (an order's whole
        payout, R-FEE-1): by `_id` (a compensation's id is its order's), in one query."""
        if not order_ids:
            return []
        documents = await self._compensations.find(
            indexed({"_id": {"$in": list(dict.fromkeys(order_ids))}})
        ).to_list()
        return [Compensation.from_document(document) for document in documents]
