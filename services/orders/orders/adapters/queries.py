"""Read-side queries of orders: pages, catalogue, stats. Each one is served by an index
declared in `INDEXES` (no collection scans; equalities written by `shared.mongo.indexed`;
tests/integration/test_orders_query_plans.py explains every query orders issues)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from orders.adapters.catalogue_queries import CATALOGUE
from orders.adapters.catalogue_queries import INDEXES as CATALOGUE_INDEXES
from orders.adapters.scorecard_queries import INDEXES as SCORECARD_INDEXES
from orders.adapters.scorecard_queries import scorecard_key
from orders.domain.model import Order
from orders.domain.process import ProcessTerms, stuck_after
from shared.auth import Principal
from shared.clock import AFTER_EVERY_TIME, time_key
from shared.mongo import Collection, IndexSpec, count, indexed
from shared.pagination import decode_cursor, find_page

ORDERS, STORES = "orders", "stores"

#: Stored with each order for its pages (`shared.clock.time_key`: the time, then the id):
#: newest first, and the merchant's desk, soonest `confirm_by` first.
ORDER_KEYS = {
    "created_key": lambda order: time_key(order.created_at, order.id),
    "confirm_key": lambda order: time_key(order.confirm_by, order.id),
}
__all__ = ["CATALOGUE", "INDEXES", "ORDERS", "STORES"]

#: The `deadline_key` of an order no deadline can leave stuck (ended, or only its
#: after-sales window open): after every time key, so never before now.
NO_DEADLINE = AFTER_EVERY_TIME


def order_keys(terms: ProcessTerms) -> dict[str, Callable[[Order], str]]:
    """`ORDER_KEYS`, `scorecard_key` (`orders.adapters.scorecard_queries`), and
    `deadline_key`: when the order becomes overdue if nothing happens
    (`orders.domain.process.stuck_after`, the time then the id), recomputed on each write,
    so that it follows every step the order takes; `NO_DEADLINE` if none."""

    def deadline_key(order: Order) -> str:
        due = stuck_after(order, terms)
        return NO_DEADLINE if due is None else time_key(due, order.id)

    return {**ORDER_KEYS, "deadline_key": deadline_key, "scorecard_key": scorecard_key}


INDEXES = [
    IndexSpec(ORDERS, [("buyer_id", 1), ("created_key", -1)]),
    IndexSpec(ORDERS, [("merchant_id", 1), ("created_key", -1)]),
    IndexSpec(ORDERS, [("created_key", -1)]),
    # The confirmation deadline job (R-ORD-3).
    IndexSpec(ORDERS, [("status", 1), ("confirm_by", 1)]),
    # The merchant's stats and median confirmation time (R-ORD-3).
    IndexSpec(ORDERS, [("merchant_id", 1), ("confirmation_outcome", 1), ("confirm_seconds", 1)]),
    # The merchant's confirmation desk: soonest `confirm_by` first (R-ORD-2).
    IndexSpec(ORDERS, [("merchant_id", 1), ("status", 1), ("confirm_key", 1)]),
    # The operators' stuck orders, the longest overdue first.
    IndexSpec(ORDERS, [("deadline_key", 1)]),
    *CATALOGUE_INDEXES,
    *SCORECARD_INDEXES,
]


class OrderQueries:
    """What orders reads of its orders beyond one by id: the routes and the deadline job
    read through these named queries, never a collection."""

    def __init__(self, orders: Collection) -> None:
        self._orders = orders

    async def page(
        self, principal: Principal, status: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Order], str | None]:
        """Newest first, by `created_key`; orders awaiting confirmation soonest `confirm_by`
        first instead, by `confirm_key`: the merchant's desk (R-ORD-2)."""
        query: dict[str, Any] = principal.scope()
        if status:
            query["status"] = status
        desk = status == "awaiting_confirmation"
        return await find_page(
            self._orders,
            query,
            Order.from_document,
            key="confirm_key" if desk else "created_key",
            descending=not desk,
            limit=limit,
            cursor=cursor,
        )

    async def stuck(
        self, now: datetime, limit: int, cursor: str | None
    ) -> tuple[list[Order], str | None]:
        """Orders waiting on an obligation past its deadline at `now`: the
        oldest deadline first, by `deadline_key` (to the millisecond). The keyset bound and
        the page's cursor are on the same key, so the condition is written here whole."""
        bound = {"$lt": time_key(now)}
        if cursor:
            bound["$gt"] = decode_cursor(cursor)
        return await find_page(
            self._orders,
            {"deadline_key": bound},
            Order.from_document,
            key="deadline_key",
            limit=limit,
            cursor=None,
        )

    async def stored_before_keys(self, limit: int) -> list[str]:
        """Ids of orders stored before they had a `scorecard_key` (the last of `order_keys`
        to come): their keys are computed when they are written again."""
        missing = {"scorecard_key": {"$exists": False}}
        documents = await self._orders.find(missing, {"_id": 1}).limit(limit).to_list()
        return [str(document["_id"]) for document in documents]

    async def past_confirm_by(self, now: datetime, limit: int) -> list[str]:
        """R-ORD-3: ids of orders still awaiting confirmation after `confirm_by`."""
        due = {"status": "awaiting_confirmation", "confirm_by": {"$lte": now}}
        documents = await self._orders.find(indexed(due), {"_id": 1}).limit(limit).to_list()
        return [str(document["_id"]) for document in documents]

    async def merchant_counts(self, merchant_id: str) -> tuple[int, int, int]:
        """R-ORD-3: (orders, confirmed on time, timed out) of a merchant."""
        total = await count(self._orders, indexed({"merchant_id": merchant_id}))
        on_time = await self._outcomes(merchant_id, "on_time")
        return total, on_time, await self._outcomes(merchant_id, "timed_out")

    async def _outcomes(self, merchant_id: str, outcome: str) -> int:
        return await count(
            self._orders, indexed({"merchant_id": merchant_id, "confirmation_outcome": outcome})
        )

    async def median_confirm_seconds(self, merchant_id: str, on_time: int) -> float | None:
        """The median time a merchant took to confirm (its `on_time` confirmations)."""
        if on_time == 0:
            return None
        middle = (on_time - 1) // 2
        documents = await (
            self._orders.find(
                indexed({"merchant_id": merchant_id, "confirmation_outcome": "on_time"}),
                {"confirm_seconds": 1},
            )
            .sort("confirm_seconds", 1)
            .skip(middle)
            .limit(2 if on_time % 2 == 0 else 1)
            .to_list()
        )
        values = [float(document["confirm_seconds"]) for document in documents]
        return sum(values) / len(values) if values else None
