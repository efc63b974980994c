"""R-ORD-5 in logistics, through `bootstrap` on fake ports: the `unshipped-shipments` job
cancels each shipment not handed over by `ship_by` + `SHIP_GRACE_HOURS` (`not_shipped`),
once however many processes run it, racing safely with the handover; the `OrderCancelled`
handler cancels the shipment of an order cancelled once confirmed (`order_cancelled`),
once, in any order with the `OrderConfirmed`; a cancelled shipment can no longer be
shipped nor reported (409)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import pytest

from logistics.bootstrap import bootstrap
from logistics.domain.model import Shipment
from logistics.domain.parties import InvalidTransition
from logistics.entrypoints.problems import PROBLEMS
from logistics.entrypoints.schemas import ShipmentPublic
from logistics.service_layer.events import CancelledOrderUnknown, shipment_id_of
from logistics.settings import LogisticsSettings
from shared.clock import FixedClock
from shared.contract.events import (
    CancelReason,
    OrderCancelled,
    OrderConfirmed,
    ShipmentCancelled,
    ShipmentCreated,
    Shipped,
    StoreApproved,
    StoreUpdated,
)
from shared.messaging.topology import QUEUES
from shared.policy import Policy
from shared.repository import AggregateRepository, ConcurrencyConflict
from shared.testing import FakePorts, Wired
from testkit.factories import (
    AN_OPERATOR,
    ORDER,
    STORE,
    T0,
    THE_BUYER,
    a_store_approved,
    an_order_cancelled,
    an_order_confirmed,
)
from testkit.logistics_unit import (
    FULL_CANCEL_AT,
    PICKUP,
    SEMI_CANCEL_AT,
    SEMI_ORDER,
    SEMI_STORE,
    STORE_APPROVED_AT,
    UNROUTABLE_ORDER,
    WiredLogistics,
    a_compensated_cancellation,
    a_logistics_service,
    a_semi_managed_order,
    a_semi_managed_store,
    approve,
    cancel_unshipped,
    ship_it,
    the_shipment,
    with_three_shipments,
)

COMPENSATED_REASONS: list[CancelReason] = ["no_route", "not_shipped", "buyer_cancelled_late"]


def cancelled(app: WiredLogistics) -> list[ShipmentCancelled]:
    return app.ports.published_of(ShipmentCancelled)


async def with_shipments() -> WiredLogistics:
    """`with_three_shipments`, what their creation published forgotten."""
    app = await with_three_shipments()
    app.ports.published.clear()
    return app


async def test_logistics_handles_exactly_what_its_queue_receives() -> None:
    """The topology binds `OrderCancelled` to logistics' queue: the table must match."""
    app = await a_logistics_service()
    handled = {event.__name__ for event in app.wiring.handlers}
    assert handled == set(QUEUES["logistics"].event_types)
    assert {StoreApproved, StoreUpdated, OrderConfirmed, OrderCancelled} == set(app.wiring.handlers)


# --- The unshipped job: R-ORD-5 `not_shipped` -------------------------------------------


async def test_each_shipment_not_handed_over_in_its_grace_is_cancelled() -> None:
    """The semi-managed shipment is due first (its ship-by a day earlier, R-LOG-2); the
    full-managed one is still in time at its own deadline, then cancelled past it."""
    app = await with_shipments()
    app.clock.set(FULL_CANCEL_AT)
    await cancel_unshipped(app)
    semi = await the_shipment(app, SEMI_ORDER)
    assert (semi.status, semi.cancel_reason, semi.cancelled_at) == (
        "cancelled",
        "not_shipped",
        FULL_CANCEL_AT,
    )
    assert [event.order_id for event in cancelled(app)] == [SEMI_ORDER]
    assert (await the_shipment(app)).status == "awaiting_shipment"

    app.clock.advance(timedelta(seconds=1))
    await cancel_unshipped(app)
    full = await the_shipment(app)
    assert cancelled(app)[1:] == [
        ShipmentCancelled(
            order_id=ORDER,
            shipment_id=shipment_id_of(ORDER),
            reason="not_shipped",
            note=f"not handed over by {FULL_CANCEL_AT:%Y-%m-%d %H:%M} UTC, 72 h past its ship-by",
            cancelled_at=app.clock.now(),
        )
    ]
    assert app.ports.published[-1].correlation_id == ORDER
    assert (full.status, full.history[-1].status) == ("cancelled", "cancelled")


async def test_nothing_is_cancelled_before_the_first_deadline() -> None:
    app = await with_shipments()
    app.clock.set(SEMI_CANCEL_AT)
    await cancel_unshipped(app)
    assert app.ports.published == []


async def test_the_job_run_twice_cancels_each_shipment_once() -> None:
    app = await with_shipments()
    app.clock.set(FULL_CANCEL_AT + timedelta(minutes=1))
    await cancel_unshipped(app)
    versions = [(await the_shipment(app, order)).version for order in (ORDER, SEMI_ORDER)]
    app.clock.advance(timedelta(hours=1))
    await cancel_unshipped(app)
    assert sorted(event.order_id for event in cancelled(app)) == [ORDER, SEMI_ORDER]
    assert [(await the_shipment(app, order)).version for order in (ORDER, SEMI_ORDER)] == versions
    # The unroutable shipment, cancelled at its creation (`no_route`), is not touched.
    unroutable = await the_shipment(app, UNROUTABLE_ORDER)
    assert (unroutable.cancel_reason, unroutable.version) == ("no_route", 1)


def yielding_after_each_read(app: WiredLogistics, monkeypatch: pytest.MonkeyPatch) -> None:
    """The in-memory database never yields; this lets another process run after each
    read of a shipment, so two processes both read it before either writes."""
    shipments = app.services.events.shipments
    read = shipments.get

    async def get(shipment_id: str) -> Shipment | None:
        found = await read(shipment_id)
        await asyncio.sleep(0)
        return found

    monkeypatch.setattr(shipments, "get", get)


async def test_two_processes_running_the_job_cancel_each_shipment_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two processes on one database, their jobs at the same moment, each reading every
    shipment before the other writes: the versioned write lets one cancel each shipment;
    the other, deciding again, finds nothing left to do."""
    first = await with_shipments()
    first.clock.set(FULL_CANCEL_AT + timedelta(minutes=1))
    ports = FakePorts("logistics", LogisticsSettings(), clock=first.clock, database=first.ports.db)
    second: WiredLogistics = await Wired.up(bootstrap, ports)
    for process in (first, second):
        yielding_after_each_read(process, monkeypatch)
    await asyncio.gather(cancel_unshipped(first), cancel_unshipped(second))
    # Each fake relay offers a document's whole outbox (the real one removes what it
    # published), so the cancellations are counted by event id across both processes.
    stored = {
        envelope.event_id: envelope.payload["order_id"]
        for envelope in [*first.ports.published, *second.ports.published]
        if envelope.event_type == "ShipmentCancelled"
    }
    assert sorted(stored.values()) == [ORDER, SEMI_ORDER]
    for order_id in (ORDER, SEMI_ORDER):
        shipment = await the_shipment(first, order_id)
        assert (shipment.status, shipment.version) == ("cancelled", 2)


async def test_a_shipment_handed_over_is_never_cancelled_as_not_shipped() -> None:
    app = await with_shipments()
    app.clock.set(FULL_CANCEL_AT - timedelta(hours=1))  # late (R-LOG-5), yet handed over
    await ship_it(app)
    app.clock.set(FULL_CANCEL_AT + timedelta(days=10))
    await cancel_unshipped(app)
    assert [event.order_id for event in cancelled(app)] == [SEMI_ORDER]
    assert (await the_shipment(app)).status == "shipped"


@pytest.mark.parametrize(
    ("handed_over", "cancelled_too"), [(False, True), (True, False)], ids=["before", "after"]
)
async def test_a_parcel_lost_before_its_handover_is_cancelled_one_lost_after_is_not(
    handed_over: bool, cancelled_too: bool
) -> None:
    app = await with_shipments()
    if handed_over:
        await ship_it(app)
    await app.services.commands.report_exception(
        shipment_id_of(ORDER), AN_OPERATOR, "lost", "lost at the hub"
    )
    app.clock.set(FULL_CANCEL_AT + timedelta(minutes=1))
    await cancel_unshipped(app)
    assert (ORDER in {event.order_id for event in cancelled(app)}) == cancelled_too
    status = (await the_shipment(app)).status
    assert status == ("cancelled" if cancelled_too else "exception")


async def test_the_grace_is_the_policys() -> None:
    """R-ORD-5, R-POL-1: SHIP_GRACE_HOURS from the policy."""
    policy = Policy(ship_grace_hours=1)
    ports = FakePorts("logistics", LogisticsSettings(), clock=FixedClock(T0), policy=policy)
    app: WiredLogistics = await Wired.up(bootstrap, ports)
    await approve(app, a_store_approved(at=STORE_APPROVED_AT))
    await app.deliver(an_order_confirmed())
    shipment = await the_shipment(app)
    assert shipment.ship_by is not None
    app.clock.set(shipment.ship_by + timedelta(hours=1, seconds=1))
    await cancel_unshipped(app)
    assert [event.reason for event in cancelled(app)] == ["not_shipped"]


async def both_read_past_the_grace(
    app: WiredLogistics,
) -> tuple[AggregateRepository[Shipment], datetime, Shipment, Shipment]:
    """Past ORDER's grace, the handover and the cancel each read its shipment: the
    repository, the time, the handover's copy and the cancel's."""
    shipments = app.services.events.shipments
    app.clock.set(FULL_CANCEL_AT + timedelta(minutes=1))
    now = app.clock.now()
    handover = await shipments.get(shipment_id_of(ORDER))
    cancel = await shipments.get(shipment_id_of(ORDER))
    assert handover is not None
    assert cancel is not None
    return shipments, now, handover, cancel


async def test_the_handover_saved_first_wins_the_race_with_the_cancel() -> None:
    """Both read the shipment; the handover stores first: the cancel's write is refused
    (versioned), and deciding again on the shipped shipment it does nothing."""
    app = await with_shipments()
    shipments, now, handover, cancel = await both_read_past_the_grace(app)
    handover.ship("SF Express", "SF1", "pickup", now)
    await shipments.save(handover, now=now)
    assert cancel.cancel_if_not_shipped(now, app.ports.policy)
    with pytest.raises(ConcurrencyConflict):
        await shipments.save(cancel, now=now)
    await cancel_unshipped(app)  # decides again, on the shipped shipment
    assert (await the_shipment(app)).status == "shipped"
    assert ORDER not in {event.order_id for event in cancelled(app)}
    assert [event.order_id for event in app.ports.published_of(Shipped)] == [ORDER]


async def test_the_cancel_saved_first_wins_the_race_with_the_handover() -> None:
    """Both read the shipment; the cancel stores first: the handover's write is refused,
    and trying again the shipper is told it is cancelled (409)."""
    app = await with_shipments()
    shipments, now, handover, cancel = await both_read_past_the_grace(app)
    assert cancel.cancel_if_not_shipped(now, app.ports.policy)
    await shipments.save(cancel, now=now)
    handover.ship("SF Express", "SF1", "pickup", now)
    with pytest.raises(ConcurrencyConflict):
        await shipments.save(handover, now=now)
    with pytest.raises(InvalidTransition, match=r"is cancelled \(not_shipped\)") as refused:
        await app.services.commands.ship(shipment_id_of(ORDER), AN_OPERATOR, PICKUP)
    assert PROBLEMS[InvalidTransition](refused.value).status == 409
    assert app.ports.published_of(Shipped) == []
    assert [event.order_id for event in cancelled(app)] == [ORDER]


async def test_a_cancelled_shipment_is_neither_shipped_nor_reported() -> None:  # 409
    app = await with_shipments()
    app.clock.set(FULL_CANCEL_AT + timedelta(minutes=1))
    await cancel_unshipped(app)
    app.ports.published.clear()
    commands, shipment_id = app.services.commands, shipment_id_of(ORDER)
    with pytest.raises(InvalidTransition, match="it cannot be shipped"):
        await commands.ship(shipment_id, AN_OPERATOR, PICKUP)
    with pytest.raises(InvalidTransition, match="no exception can be reported"):
        await commands.report_exception(shipment_id, AN_OPERATOR, "lost", "gone")
    with pytest.raises(InvalidTransition, match="only a shipped parcel"):
        await commands.deliver(shipment_id, AN_OPERATOR)
    assert app.ports.published == []
    assert (await the_shipment(app)).status == "cancelled"


async def test_the_shipment_shows_its_cancellation() -> None:
    """R-ORD-5: the public shipment says why and when it was cancelled."""
    app = await with_shipments()
    app.clock.set(FULL_CANCEL_AT + timedelta(minutes=1))
    await cancel_unshipped(app)
    [shown] = [
        ShipmentPublic.of(shipment, app.clock.now())
        for shipment in await app.services.commands.of_order(ORDER, THE_BUYER)
    ]
    assert (shown.status, shown.cancel_reason, shown.cancelled_at) == (
        "cancelled",
        "not_shipped",
        app.clock.now(),
    )
    assert shown.cancel_note is not None
    unroutable = ShipmentPublic.of(await the_shipment(app, UNROUTABLE_ORDER), app.clock.now())
    assert (unroutable.cancel_reason, unroutable.cancelled_at) == ("no_route", T0)
    assert (shown.seconds_left, unroutable.seconds_left) == (None, None)  # never handed over


# --- OrderCancelled: R-ORD-5 `order_cancelled` ------------------------------------------


@pytest.mark.parametrize("reason", COMPENSATED_REASONS)
async def test_an_order_cancelled_once_confirmed_cancels_its_shipment(
    reason: CancelReason,
) -> None:
    app = await with_shipments()
    app.clock.advance(timedelta(days=4))
    envelope = await app.deliver(a_compensated_cancellation(reason))
    shipment = await the_shipment(app)
    assert (shipment.status, shipment.cancel_reason, shipment.cancelled_at) == (
        "cancelled",
        "order_cancelled",
        app.clock.now(),
    )
    assert cancelled(app) == [
        ShipmentCancelled(
            order_id=ORDER,
            shipment_id=shipment.id,
            reason="order_cancelled",
            note=f"order cancelled ({reason})",
            cancelled_at=app.clock.now(),
        )
    ]
    [published] = app.ports.published
    assert (published.correlation_id, published.causation_id) == (ORDER, str(envelope.event_id))


async def test_a_redelivered_cancellation_has_one_effect() -> None:
    app = await with_shipments()
    envelope = await app.deliver(a_compensated_cancellation())
    version = (await the_shipment(app)).version
    await app.deliver(a_compensated_cancellation(), envelope=envelope)
    await app.deliver(a_compensated_cancellation(), envelope=envelope)
    assert len(cancelled(app)) == 1
    assert (await the_shipment(app)).version == version


@pytest.mark.parametrize("reason", ["confirmation_timeout", "buyer_cancelled"])
async def test_an_order_cancelled_before_its_confirmation_changes_nothing(
    reason: CancelReason,
) -> None:
    """R-ORD-2, R-ORD-3: cancelled unconfirmed, it has no shipment, nor will it have."""
    app = await a_logistics_service()
    await app.deliver(an_order_cancelled(reason=reason))
    assert await app.services.commands.of_order(ORDER, AN_OPERATOR) == []
    assert app.ports.published == []


@pytest.mark.parametrize("reason", ["no_route", "not_shipped"])
async def test_the_cancellation_of_a_cancelled_shipments_order_changes_nothing(
    reason: CancelReason,
) -> None:
    """Logistics cancelled the shipment (`no_route` at its creation, `not_shipped` by the
    job), orders cancelled the order for it: the shipment is already cancelled."""
    app = await with_shipments()
    order_id = UNROUTABLE_ORDER if reason == "no_route" else ORDER
    if reason == "not_shipped":
        app.clock.set(FULL_CANCEL_AT + timedelta(minutes=1))
        await cancel_unshipped(app)
    before = await the_shipment(app, order_id)
    published = len(app.ports.published)
    await app.deliver(a_compensated_cancellation(reason, order_id=order_id))
    after = await the_shipment(app, order_id)
    assert (after.version, after.cancel_reason) == (before.version, reason)
    assert len(app.ports.published) == published


async def test_an_order_cancelled_after_its_handover_keeps_the_parcel_travelling(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """R-ORD-5 racing the handover: the shipment stays shipped, its history notes the
    cancellation, a warning is logged; the refund stands. Redelivered: noted once."""
    app = await with_shipments()
    await ship_it(app)
    app.ports.published.clear()
    app.clock.advance(timedelta(minutes=5))
    with caplog.at_level(logging.WARNING, logger="logistics.events"):
        envelope = await app.deliver(a_compensated_cancellation())
        await app.deliver(a_compensated_cancellation(), envelope=envelope)
    shipment = await the_shipment(app)
    assert (shipment.status, shipment.cancel_reason) == ("shipped", None)
    noted = [step for step in shipment.history if step.status == "order_cancelled"]
    assert [(step.at, step.note) for step in noted] == [
        (
            app.clock.now(),
            "order cancelled (buyer_cancelled_late) after the handover: the parcel travels on",
        )
    ]
    assert app.ports.published == []
    [warning] = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert f"order {ORDER} cancelled (buyer_cancelled_late) after" in warning.getMessage()
    await app.services.commands.deliver(shipment.id, AN_OPERATOR)  # it travels on


async def test_a_cancelled_orders_shipment_is_neither_shipped_nor_reported() -> None:
    app = await with_shipments()
    await app.deliver(a_compensated_cancellation())
    commands, shipment_id = app.services.commands, shipment_id_of(ORDER)
    with pytest.raises(InvalidTransition, match=r"is cancelled \(order_cancelled\)"):
        await commands.ship(shipment_id, AN_OPERATOR, PICKUP)
    with pytest.raises(InvalidTransition, match=r"is cancelled \(order_cancelled\)"):
        await commands.report_exception(shipment_id, AN_OPERATOR, "damaged", "dent")
    assert app.ports.published_of(Shipped) == []


# --- Out of order: the cancellation before the confirmation -----------------------------


async def test_a_cancellation_before_the_confirmation_creates_the_shipment_cancelled() -> None:
    """Decided: the shipment is created already cancelled, under the id the confirmation
    would create it with; the confirmation then creates nothing (no `ShipmentCreated`)."""
    app = await a_logistics_service()
    cancellation = await app.deliver(a_compensated_cancellation())
    shipment = await the_shipment(app)
    assert (shipment.status, shipment.cancel_reason, shipment.cancelled_at) == (
        "cancelled",
        "order_cancelled",
        T0,
    )
    assert (shipment.store_id, shipment.store_type) == (STORE, "full_managed")
    assert (shipment.destination_country, shipment.weight_grams, shipment.route) == (
        None,
        None,
        None,
    )
    note = "order cancelled (buyer_cancelled_late) before its confirmation reached logistics"
    assert cancelled(app) == [
        ShipmentCancelled(
            order_id=ORDER,
            shipment_id=shipment.id,
            reason="order_cancelled",
            note=note,
            cancelled_at=T0,
        )
    ]
    await app.deliver(an_order_confirmed())
    await app.deliver(a_compensated_cancellation(), envelope=cancellation)
    [after] = await app.services.commands.of_order(ORDER, THE_BUYER)
    assert (after.status, after.version) == ("cancelled", 1)
    assert app.ports.published_of(ShipmentCreated) == []
    assert len(app.ports.published) == 1


async def test_a_cancellation_racing_the_confirmation_cancels_the_shipment_it_created(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both handled at once: the cancellation finds no shipment, the confirmation creates
    it meanwhile; the cancellation's create is refused by the id, and deciding again it
    cancels the shipment just created (which never could ship)."""
    app = await a_logistics_service()
    yielding_after_each_read(app, monkeypatch)
    await asyncio.gather(
        app.deliver(a_compensated_cancellation()), app.deliver(an_order_confirmed())
    )
    shipment = await the_shipment(app)
    assert (shipment.status, shipment.cancel_reason, shipment.route) == (
        "cancelled",
        "order_cancelled",
        "full-cn-express",
    )
    assert [event.event_type for event in app.ports.published] == [
        "ShipmentCreated",
        "ShipmentCancelled",
    ]


async def test_a_semi_managed_order_cancelled_before_its_confirmation_and_its_store() -> None:
    """The confirmation, which would wait for its store (R-LOG-2), finds the shipment
    cancelled and creates nothing, even once the store is approved."""
    app = await a_logistics_service()
    order = a_semi_managed_order(order_id=SEMI_ORDER, store_id=SEMI_STORE)
    cancellation = a_compensated_cancellation(
        "not_shipped", order_id=SEMI_ORDER, store_id=SEMI_STORE, store_type="semi_managed"
    )
    await app.deliver(cancellation)
    await app.deliver(order)
    await approve(app, a_semi_managed_store(store_id=SEMI_STORE))
    await app.deliver(order)
    shipment = await the_shipment(app, SEMI_ORDER)
    assert (shipment.status, shipment.store_type) == ("cancelled", "semi_managed")
    assert [event.event_type for event in app.ports.published] == ["ShipmentCancelled"]


async def test_an_early_cancellation_without_a_store_type_takes_the_stores() -> None:
    """An `OrderCancelled` recorded before it carried the store's type: logistics' own
    store facts tell it."""
    app = await a_logistics_service()
    await approve(app, a_semi_managed_store(store_id=SEMI_STORE))
    cancellation = a_compensated_cancellation(
        order_id=SEMI_ORDER, store_id=SEMI_STORE, store_type=None, total=None
    )
    await app.deliver(cancellation)
    shipment = await the_shipment(app, SEMI_ORDER)
    assert (shipment.status, shipment.store_type) == ("cancelled", "semi_managed")


async def test_an_early_cancellation_naming_no_known_store_is_retried() -> None:
    """No shipment and no store to create it cancelled with: refused (the consumer
    retries it, then parks it) rather than let a later confirmation create a shipment."""
    app = await a_logistics_service()
    with pytest.raises(CancelledOrderUnknown):
        await app.deliver(a_compensated_cancellation(store_id=None, store_type=None))
    with pytest.raises(CancelledOrderUnknown):
        await app.deliver(a_compensated_cancellation(store_id="store-unknown", store_type=None))
    assert await app.services.commands.of_order(ORDER, AN_OPERATOR) == []
    assert app.ports.published == []
