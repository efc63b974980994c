"""What the stores' scorecards read (R-SC-1): a merchant's orders of a period, the orders
changed since their store's scorecard was last judged, and the stores' warnings. Each
query is served by an index in `INDEXES` (tests/integration/test_orders_query_plans.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from orders.domain.model import Order
from orders.domain.scorecard import ScoredOrder
from orders.domain.warnings import StorePeriod
from shared.clock import AFTER_EVERY_TIME, time_key
from shared.mongo import Collection, IndexSpec, indexed

ORDERS, STORE_PERIODS = "orders", "store_periods"

#: The `scorecard_key` of an order its store's scorecard has judged as it is now: no
#: query for orders to score reads it.
SCORED = AFTER_EVERY_TIME


def scorecard_key(order: Order) -> str:
    """Stored with each order: its creation time then its id while it changed since its
    store's scorecard was last judged (`Order.to_score`), else `SCORED`."""
    return time_key(order.created_at, order.id) if order.to_score else SCORED


INDEXES = [
    # The orders whose changes the scorecards' review has not judged yet.
    IndexSpec(ORDERS, [("scorecard_key", 1)]),
    # A merchant's stores' warnings, period by period.
    IndexSpec(STORE_PERIODS, [("merchant_id", 1), ("period", 1)]),
]

#: What `ScoredOrder` reads of an order.
SCORED_FIELDS = dict.fromkeys(ScoredOrder.model_fields, 1)


@dataclass(frozen=True)
class ToScore:
    """An order changed since its store's scorecard was last judged, as the review read it."""

    order_id: str
    merchant_id: str
    created_at: datetime
    changes: int


class ScorecardQueries:
    def __init__(self, orders: Collection, periods: Collection) -> None:
        self._orders = orders
        self._periods = periods

    async def to_score(self, limit: int) -> list[ToScore]:
        """Orders changed since their store's scorecard was last judged, oldest first."""
        documents = await (
            self._orders.find(
                {"scorecard_key": {"$lt": SCORED}},
                {"merchant_id": 1, "created_at": 1, "changes": 1},
            )
            .sort("scorecard_key", 1)
            .limit(limit)
            .to_list()
        )
        return [
            ToScore(str(d["_id"]), d["merchant_id"], d["created_at"], int(d.get("changes", 0)))
            for d in documents
        ]

    async def of_merchant(
        self, merchant_id: str, start: datetime, end: datetime
    ) -> list[ScoredOrder]:
        """The merchant's orders created in [`start`, `end`), every store's."""
        created = {"$gte": time_key(start), "$lt": time_key(end)}
        documents = await self._orders.find(
            indexed({"merchant_id": merchant_id, "created_key": created}), SCORED_FIELDS
        ).to_list()
        return [ScoredOrder.model_validate(document) for document in documents]

    async def warnings(self, merchant_id: str, first: str, last: str) -> list[StorePeriod]:
        """The merchant's stores' periods from `first` to `last` (`2026-12`), with warnings."""
        documents = await (
            self._periods.find(
                indexed({"merchant_id": merchant_id, "period": {"$gte": first, "$lte": last}})
            )
            .sort("period", 1)
            .to_list()
        )
        return [StorePeriod.from_document(document) for document in documents]
