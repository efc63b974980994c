"""Logistics' store replica through its `StoreApproved` handler, as `bootstrap` wires it on
fake ports (no engine, no broker): the newest approval wins, a stale redelivery changes
nothing (R-LOG-2), one dated ahead of the clock, or giving the store another merchant or
type, is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from logistics.domain.stores import StoreFacts
from shared.errors import Implausible
from testkit.factories import MERCHANT, STORE, STORE_FORGERIES, T0, a_store_approved
from testkit.logistics_unit import (
    MADRID,
    SEMI_STORE,
    WiredLogistics,
    a_logistics_service,
    a_semi_managed_order,
    a_semi_managed_store,
    approve,
    the_shipment,
)

#: When a newer approval occurs.
LATER = T0 + timedelta(days=1)


async def facts(app: WiredLogistics, store_id: str = SEMI_STORE) -> StoreFacts:
    found = await app.services.events.stores.get(store_id)
    assert found is not None
    return found


async def test_the_approval_keeps_what_a_shipment_needs() -> None:  # R-LOG-2
    app = await a_logistics_service()
    await approve(app, a_semi_managed_store(2))
    stored = await facts(app)
    assert (stored.merchant_id, stored.store_type) == (MERCHANT, "semi_managed")
    assert (stored.handling_days, stored.warehouse, stored.approved_at) == (2, MADRID, T0)
    assert app.ports.published == []  # a replica publishes nothing


async def test_a_stale_approval_redelivered_changes_nothing() -> None:
    app = await a_logistics_service()
    app.clock.set(LATER)
    older, newer = a_semi_managed_store(1), a_semi_managed_store(2, at=LATER)
    for event in (older, newer, older):
        await approve(app, event)
    stored = await facts(app)
    assert (stored.handling_days, stored.approved_at, stored.version) == (2, newer.approved_at, 2)


async def test_the_same_envelope_delivered_twice_is_taken_once() -> None:
    app = await a_logistics_service()
    envelope = await approve(app, a_semi_managed_store(1))
    await approve(app, a_semi_managed_store(1), envelope=envelope)
    assert (await facts(app)).version == 1


async def test_the_newest_approval_wins_whatever_the_arrival_order() -> None:
    app = await a_logistics_service()
    app.clock.set(LATER)
    await approve(app, a_semi_managed_store(2, at=LATER))
    await approve(app, a_semi_managed_store(1))
    stored = await facts(app)
    assert (stored.handling_days, stored.approved_at, stored.version) == (2, LATER, 1)


async def test_a_later_order_is_planned_with_the_newest_handling_days() -> None:
    """R-LOG-2: confirmed on Wednesday 2 December, 09:00 in Madrid, with the newest 2
    handling days, not the stale 1: picked up by 15:00 on Friday 4 December, not Thursday."""
    app = await a_logistics_service()
    app.clock.set(LATER)
    for event in (
        a_semi_managed_store(1),
        a_semi_managed_store(2, at=LATER),
        a_semi_managed_store(1),
    ):
        await approve(app, event)
    await app.deliver(a_semi_managed_order(at=LATER))
    assert (await the_shipment(app)).ship_by == T0.replace(day=4, hour=14)


async def test_an_approval_dated_ahead_of_the_clock_is_refused() -> None:
    """It would outrank every real approval until its date (`shared.replica`)."""
    app = await a_logistics_service()
    await approve(app, a_semi_managed_store(1))
    held = await facts(app)
    with pytest.raises(Implausible, match="dated ahead"):
        await approve(app, a_semi_managed_store(2, at=LATER))
    assert await facts(app) == held


async def test_a_later_approval_naming_another_merchant_or_type_is_refused() -> None:
    """A newer approval may change the handling time or warehouse (R-LOG-2), never the
    store's merchant nor its type: the shipments it plans would follow them."""
    app = await a_logistics_service()  # STORE approved (full-managed) before T0
    held = await facts(app, STORE)
    for forged in STORE_FORGERIES.values():
        with pytest.raises(Implausible, match="a store's merchant and type never change"):
            await approve(app, a_store_approved(at=T0, **forged))
    assert await facts(app, STORE) == held
