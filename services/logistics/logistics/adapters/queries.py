"""Read-side queries of logistics. Each one is served by an index declared in `INDEXES`
(equalities written by `shared.mongo.indexed`; tests/integration/test_logistics_query_plans.py
explains every query logistics issues)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from logistics.domain.model import Shipment
from logistics.domain.shipment_parts import ShipmentStatus
from shared.auth import Principal
from shared.clock import time_key
from shared.mongo import Collection, IndexSpec, indexed
from shared.pagination import find_page

SHIPMENTS, STORES = "shipments", "stores"

#: The `ship_by` a shipment without one (cancelled before its route was known, R-ORD-5) is
#: listed at: after every real one, and still a `time_key`, so a cursor may hold it.
NO_SHIP_BY = datetime(9999, 12, 31, tzinfo=UTC)

#: Stored with each shipment for its pages (`shared.clock.time_key`: the time, then the
#: id): the soonest `ship_by` first (R-LOG-1, R-LOG-5), to the millisecond.
SHIPMENT_KEYS = {
    "ship_by_key": lambda shipment: time_key(shipment.ship_by or NO_SHIP_BY, shipment.id),
}

#: An order has one shipment (R-ORD-4); a page larger than this is never needed.
SHIPMENTS_PER_ORDER_MAX = 20

INDEXES = [
    IndexSpec(SHIPMENTS, [("order_id", 1)]),
    # The lateness job: unshipped shipments by deadline (R-LOG-1, R-LOG-2).
    IndexSpec(SHIPMENTS, [("status", 1), ("ship_by", 1)]),
    # The unshipped job (R-ORD-5 `not_shipped`): never handed over, by deadline. Its own
    # keys (equalities, then the range) so the parcels lost after their handover, which
    # stay in `exception` for good, are not read again on every pass.
    IndexSpec(SHIPMENTS, [("status", 1), ("shipped_at", 1), ("ship_by", 1)]),
    # GET /shipments: the soonest `ship_by` first, by `ship_by_key`, for a merchant (its
    # own), a buyer (theirs), operators (all), of one status or of every one. The last
    # also finds the shipments stored before the key (`stored_before_keys`).
    IndexSpec(SHIPMENTS, [("merchant_id", 1), ("status", 1), ("ship_by_key", 1)]),
    IndexSpec(SHIPMENTS, [("merchant_id", 1), ("ship_by_key", 1)]),
    IndexSpec(SHIPMENTS, [("buyer_id", 1), ("status", 1), ("ship_by_key", 1)]),
    IndexSpec(SHIPMENTS, [("buyer_id", 1), ("ship_by_key", 1)]),
    IndexSpec(SHIPMENTS, [("status", 1), ("ship_by_key", 1)]),
    IndexSpec(SHIPMENTS, [("ship_by_key", 1)]),
]

#: The statuses of a shipment that may still be handed over, or was reported lost or
#: damaged before it was (R-ORD-5 `not_shipped` cancels either).
UNSHIPPED_STATUSES = ("awaiting_shipment", "exception")


class ShipmentQueries:
    """What logistics reads of its shipments beyond one by id: use cases and the lateness
    job read through these named queries, never a collection."""

    def __init__(self, shipments: Collection) -> None:
        self._shipments = shipments

    async def of_order(self, order_id: str, principal: Principal) -> list[Shipment]:
        """The shipments of an order that the caller may see (others' are simply absent)."""
        query: dict[str, Any] = {"order_id": order_id, **principal.scope()}
        documents = await (
            self._shipments.find(indexed(query)).limit(SHIPMENTS_PER_ORDER_MAX).to_list()
        )
        return [Shipment.from_document(document) for document in documents]

    async def page(
        self,
        principal: Principal,
        status: ShipmentStatus | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Shipment], str | None]:
        """The shipments the caller may see (`Principal.scope`: a merchant its own, a
        buyer theirs, operators all), of `status` if given, the soonest `ship_by` first
        (R-LOG-1, R-LOG-5), and the cursor of the next page."""
        query: dict[str, Any] = principal.scope()
        if status:
            query["status"] = status
        return await find_page(
            self._shipments,
            query,
            Shipment.from_document,
            key="ship_by_key",
            limit=limit,
            cursor=cursor,
        )

    async def stored_before_keys(self, limit: int) -> list[str]:
        """Ids of shipments stored before they had a `ship_by_key`: their key is computed
        when they are written again (`OlderShipments`)."""
        missing = {"ship_by_key": {"$exists": False}}
        documents = await self._shipments.find(missing, {"_id": 1}).limit(limit).to_list()
        return [str(document["_id"]) for document in documents]

    async def overdue_unflagged(self, now: datetime, limit: int) -> list[str]:
        """Ids of shipments still awaiting shipment after `ship_by`, not yet flagged late."""
        due = {"status": "awaiting_shipment", "ship_by": {"$lt": now}, "late_detected_at": None}
        documents = await self._shipments.find(indexed(due), {"_id": 1}).limit(limit).to_list()
        return [str(document["_id"]) for document in documents]

    async def never_handed_over(self, ship_by_before: datetime, limit: int) -> list[str]:
        """R-ORD-5 `not_shipped`: ids of shipments never handed over (awaiting shipment,
        or in exception without a handover) whose `ship_by` is before `ship_by_before`,
        at most `limit` of each status. One query per status: the embedded engine serves
        no `$in` from an index (README, "The embedded engine")."""
        ids: list[str] = []
        for status in UNSHIPPED_STATUSES:
            due = {"status": status, "shipped_at": None, "ship_by": {"$lt": ship_by_before}}
            found = self._shipments.find(indexed(due), {"_id": 1}).limit(limit)
            ids.extend(str(document["_id"]) for document in await found.to_list())
        return ids
