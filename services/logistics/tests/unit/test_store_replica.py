"""Logistics' store replica through its handler (no engine, no broker): the newest
approval wins, a stale redelivery changes nothing (R-LOG-2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

from logistics.adapters.queries import ShipmentQueries
from logistics.domain.model import Shipment
from logistics.domain.routes import DEFAULT_ROUTES
from logistics.domain.stores import StoreFacts
from logistics.service_layer.events import LogisticsEventHandlers
from shared.calendar import Calendars
from shared.clock import FixedClock
from shared.contract import record_event
from shared.contract.events import StoreApproved
from shared.contract.types import Warehouse
from shared.policy import Policy
from shared.replica import Replicas
from shared.testing import InMemoryRepository

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
SHENZHEN = Warehouse(country="CN", city="Shenzhen", address="Nanshan Road 1",
                     timezone="Asia/Shanghai")  # fmt: skip


def approval(handling_days: int, at: datetime) -> StoreApproved:
    return StoreApproved(store_id="s-1", merchant_id="m-1", store_type="semi_managed",
                         store_name="Lantern", handling_days=handling_days,
                         warehouse=SHENZHEN, approved_at=at)  # fmt: skip


async def test_a_stale_approval_redelivered_changes_nothing() -> None:
    stores = InMemoryRepository(StoreFacts)
    clock = FixedClock(T0)
    replicas = Replicas(stores, StoreFacts, clock)
    unused = cast(ShipmentQueries, None)  # store approvals read no shipments
    handlers = LogisticsEventHandlers(InMemoryRepository(Shipment), unused, replicas, clock,
                                      Policy(), DEFAULT_ROUTES, Calendars())  # fmt: skip
    older = approval(1, T0)
    newer = approval(2, T0 + timedelta(days=1))
    for event in (older, newer, older):
        envelope = record_event(event, producer="review", correlation_id="s-1",
                                occurred_at=event.approved_at)  # fmt: skip
        await handlers.store_approved(envelope, event)
    facts = await stores.get("s-1")
    assert facts is not None
    assert (facts.handling_days, facts.approved_at, facts.version) == (2, newer.approved_at, 2)
