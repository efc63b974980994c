"""Logistics' store replica through its `StoreUpdated` handler, as `bootstrap` wires it on
fake ports (no engine, no broker): an approved change of a store's warehouse or handling
time (R-REV-12) is one decision with its approval, the newest winning whatever the arrival
order; the shipments planned before it keep their deadlines, the next ones are planned
from it (R-LOG-2)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from logistics.domain.stores import StoreFacts
from shared.contract.events import StoreUpdated
from shared.errors import Implausible, NotYetKnown
from testkit.factories import T0, a_warehouse
from testkit.logistics_unit import (
    MADRID,
    SEMI_ORDER,
    SEMI_SHIP_BY,
    SEMI_STORE,
    WiredLogistics,
    a_logistics_service,
    a_semi_managed_order,
    a_semi_managed_store,
    approve,
    ship_by_from,
    the_shipment,
)
from testkit.store_changes import a_store_updated

#: A semi-managed store's new warehouse, an hour behind Madrid.
LISBON = a_warehouse(country="PT", city="Lisbon", timezone="Europe/Lisbon")
#: When the change is approved, and when logistics hears of it.
CHANGED_AT = T0 + timedelta(hours=1)
NOW = T0 + timedelta(hours=2)


def moved_to_lisbon(handling_days: int = 2, **overrides: Any) -> StoreUpdated:
    """SEMI_STORE's approved change (R-REV-12): it now ships from LISBON in `handling_days`."""
    fields: dict[str, Any] = {
        "store_id": SEMI_STORE,
        "store_type": "semi_managed",
        "warehouse": LISBON,
        "handling_days": handling_days,
        "changed": ["warehouse", "handling_days"],
        "at": CHANGED_AT,
    }
    return a_store_updated(**{**fields, **overrides})


async def change(app: WiredLogistics, event: StoreUpdated) -> None:
    """As review publishes it: the envelope occurs when the change was approved."""
    await app.deliver(event, at=event.updated_at)


async def facts(app: WiredLogistics) -> StoreFacts:
    found = await app.services.events.stores.get(SEMI_STORE)
    assert found is not None
    return found


async def a_semi_store_shipping() -> WiredLogistics:
    """SEMI_STORE approved at T0 (1 handling day from MADRID), its order SEMI_ORDER
    confirmed and planned at T0; the clock then moved to NOW."""
    app = await a_logistics_service()
    await approve(app, a_semi_managed_store(1))
    await app.deliver(a_semi_managed_order(order_id=SEMI_ORDER))
    app.clock.set(NOW)
    return app


async def test_a_change_plans_the_next_shipment_and_leaves_the_planned_one() -> None:
    """R-REV-12, R-LOG-2: shipment A, planned from MADRID with 1 handling day, keeps its
    ship-by; shipment B, of an order confirmed after the change, is planned from LISBON
    with 2 handling days (R-LOG-2 offers 1 or 2)."""
    app = await a_semi_store_shipping()
    assert (await the_shipment(app, SEMI_ORDER)).ship_by == SEMI_SHIP_BY
    await change(app, moved_to_lisbon(2))
    stored = await facts(app)
    assert (stored.warehouse, stored.handling_days, stored.approved_at) == (LISBON, 2, T0)
    await app.deliver(a_semi_managed_order(order_id="order-b", at=NOW))
    expected = ship_by_from(LISBON, NOW, handling_days=2)
    assert expected != ship_by_from(MADRID, NOW, handling_days=1)
    assert (await the_shipment(app, "order-b")).ship_by == expected
    assert (await the_shipment(app, SEMI_ORDER)).ship_by == SEMI_SHIP_BY


async def test_a_late_older_approval_undoes_no_change() -> None:  # R-REV-12
    app = await a_semi_store_shipping()
    await change(app, moved_to_lisbon(2))
    await approve(app, a_semi_managed_store(1))  # the approval, redelivered after
    stored = await facts(app)
    assert (stored.warehouse, stored.handling_days, stored.version) == (LISBON, 2, 2)


async def test_an_older_change_arriving_after_a_newer_one_changes_nothing() -> None:
    app = await a_semi_store_shipping()
    await change(app, moved_to_lisbon(2, at=CHANGED_AT + timedelta(minutes=30)))
    await change(app, moved_to_lisbon(1))
    assert (await facts(app)).handling_days == 2


async def test_a_change_of_a_store_not_seen_approved_waits() -> None:  # R-REV-12
    app = await a_logistics_service()
    app.clock.set(NOW)
    with pytest.raises(NotYetKnown, match="which logistics has not seen approved"):
        await change(app, moved_to_lisbon())
    assert await app.services.events.stores.get(SEMI_STORE) is None


async def test_a_change_naming_another_merchant_or_type_is_refused() -> None:  # R-REV-12
    app = await a_semi_store_shipping()
    held = await facts(app)
    forgeries: list[dict[str, Any]] = [
        {"merchant_id": "merchant-2"},
        {"store_type": "full_managed"},
    ]
    for forged in forgeries:
        with pytest.raises(Implausible, match="a store's merchant and type never change"):
            await change(app, moved_to_lisbon(**forged))
    assert await facts(app) == held
