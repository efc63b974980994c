"""Every aftersales event handler through `bootstrap(FakePorts(...))`: what each event
teaches the order and store replicas, that the same envelope delivered twice has one
effect, and that facts arriving out of order end in the same state (`domain/facts.py`),
those that came before what they need once the consumer has retried them; and what each
refuses, changing nothing: a parcel of an order not seen confirmed, a delivery not seen
shipped (`NotYetKnown`), a store's approval told otherwise than made (`Implausible`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from aftersales.bootstrap import AftersalesServices
from aftersales.domain.errors import OutsideWindow
from aftersales.domain.facts import OrderFacts
from shared.contract.events import DeliveryWindow, StoreApproved
from shared.contract.types import ContractModel
from shared.errors import Implausible, NotFound, NotYetKnown
from shared.testing import Wired
from testkit.aftersales_unit import (
    an_aftersales_service,
    deliver_an_order,
    open_a_case,
    ship_an_order,
    the_order,
    the_store,
)
from testkit.factories import (
    BUYER,
    MERCHANT,
    ORDER,
    STORE,
    T0,
    a_day,
    a_delivered,
    a_line,
    a_shipment_exception,
    a_shipped,
    a_store_approved,
    an_order_cancelled,
    an_order_confirmed,
    an_order_created,
    usd,
)


def state(order: OrderFacts) -> dict[str, Any]:
    """What an order's facts say, without the bookkeeping of how they arrived."""
    return order.model_dump(exclude={"version", "applied_events"})


async def test_a_store_approval_keeps_who_owns_it_and_its_date_r_as_2() -> None:
    wired = await an_aftersales_service()
    await wired.deliver(a_store_approved(at=T0, store_type="semi_managed"))
    store = await the_store(wired)
    assert (store.merchant_id, store.store_type, store.approved_at) == (
        MERCHANT,
        "semi_managed",
        T0,
    )


async def test_an_order_created_makes_the_order_known_with_its_buyer_goods_and_total() -> None:
    wired = await an_aftersales_service()
    lines = [a_line(category="food"), a_line(category="food"), a_line(category="home")]
    await wired.deliver(an_order_created(lines=lines))
    order = await the_order(wired)
    assert order.known
    assert (order.buyer_id, order.merchant_id, order.store_id, order.store_type) == (
        BUYER,
        MERCHANT,
        STORE,
        "full_managed",
    )
    assert (order.categories, order.total) == (["food", "home"], usd(3 * 4990))
    assert (order.status, order.created_at) == ("awaiting_confirmation", T0)


async def test_an_order_confirmed_moves_it_to_confirmed() -> None:
    wired = await an_aftersales_service()
    await wired.deliver(an_order_created())
    await wired.deliver(an_order_confirmed(at=T0 + timedelta(hours=2)))
    order = await the_order(wired)
    assert (order.status, order.confirmed_at) == ("confirmed", T0 + timedelta(hours=2))


async def test_an_order_confirmed_arriving_first_makes_the_order_known() -> None:
    wired = await an_aftersales_service()
    await wired.deliver(an_order_confirmed(lines=[a_line(category="clothing")]))
    order = await the_order(wired)
    assert order.known
    assert (order.status, order.buyer_id, order.categories) == ("confirmed", BUYER, ["clothing"])


async def test_an_order_created_arriving_after_its_confirmation_does_not_move_it_back() -> None:
    wired = await an_aftersales_service()
    await wired.deliver(an_order_confirmed(at=T0 + timedelta(hours=1)))
    await wired.deliver(an_order_created(at=T0))
    order = await the_order(wired)
    assert (order.status, order.created_at, order.confirmed_at) == (
        "confirmed",
        T0,
        T0 + timedelta(hours=1),
    )


async def test_a_cancelled_order_gets_no_case_r_as_1() -> None:
    wired = await an_aftersales_service()
    await wired.deliver(an_order_created())
    await wired.deliver(an_order_cancelled(at=T0 + timedelta(hours=24)))
    assert (await the_order(wired)).status == "cancelled"
    with pytest.raises(OutsideWindow, match="cancelled") as refused:
        await open_a_case(wired, "not_received")
    assert refused.value.rule == "R-AS-1"


async def test_a_cancellation_overtaking_the_creation_stays_cancelled() -> None:
    wired = await an_aftersales_service()
    await wired.deliver(an_order_cancelled())
    assert not (await the_order(wired)).known  # a cancellation says nothing of the goods
    await wired.deliver(an_order_created())
    order = await the_order(wired)
    assert (order.status, order.known) == ("cancelled", True)


async def test_a_shipment_records_when_it_left_and_when_it_is_due_r_as_1() -> None:
    wired = await an_aftersales_service()
    await wired.deliver(an_order_confirmed())
    shipped = a_shipped(at=T0 + timedelta(days=1))
    await wired.deliver(shipped)
    order = await the_order(wired)
    assert (order.status, order.shipped_at) == ("shipped", T0 + timedelta(days=1))
    assert order.estimated_delivery == shipped.estimated_delivery


async def test_a_second_shipment_keeps_the_first_departure_and_the_latest_promise() -> None:
    wired = await an_aftersales_service()
    await wired.deliver(an_order_confirmed())
    later = DeliveryWindow(earliest=a_day(8), latest=a_day(14))
    sooner = DeliveryWindow(earliest=a_day(3), latest=a_day(6))
    await wired.deliver(a_shipped(at=T0 + timedelta(days=3), estimated_delivery=later))
    await wired.deliver(a_shipped(at=T0 + timedelta(days=1), estimated_delivery=sooner))
    order = await the_order(wired)
    assert (order.shipped_at, order.estimated_delivery) == (T0 + timedelta(days=1), later)


async def test_a_delivery_opens_the_received_goods_window_r_as_1() -> None:
    wired = await an_aftersales_service()
    await deliver_an_order(wired)  # shipped a day after T0, delivered 4 days after
    order = await the_order(wired)
    assert (order.status, order.delivered_at) == ("delivered", T0 + timedelta(days=4))
    wired.clock.set(T0 + timedelta(days=5))
    case = await open_a_case(wired, "damaged")
    assert case.status == "open"


async def test_a_loss_report_opens_the_transit_window_before_the_estimate_passes_r_as_1() -> None:
    wired = await an_aftersales_service()
    await ship_an_order(wired)  # a day after T0
    await wired.deliver(a_shipment_exception(at=T0 + timedelta(days=2), kind="lost"))
    assert (await the_order(wired)).lost_reported_at == T0 + timedelta(days=2)
    wired.clock.set(T0 + timedelta(days=3))  # long before the latest estimated date
    case = await open_a_case(wired, "lost")
    assert case.reason == "lost"


@pytest.mark.parametrize("kind", ["damaged", "no_route"])
async def test_a_shipment_exception_other_than_a_loss_changes_nothing(kind: str) -> None:
    wired = await an_aftersales_service()
    await ship_an_order(wired)
    before = await the_order(wired)
    await wired.deliver(a_shipment_exception(kind=kind))
    after = await the_order(wired)
    assert (after.version, after.lost_reported_at) == (before.version, None)


async def test_the_earliest_of_two_loss_reports_counts() -> None:
    wired = await an_aftersales_service()
    await wired.deliver(an_order_confirmed())
    await wired.deliver(a_shipment_exception(at=T0 + timedelta(days=3)))
    await wired.deliver(a_shipment_exception(at=T0 + timedelta(days=2)))
    assert (await the_order(wired)).lost_reported_at == T0 + timedelta(days=2)


@pytest.mark.parametrize(
    "fact",
    [a_shipped(), a_delivered(at=T0 + timedelta(days=1)), a_shipment_exception(kind="lost")],
    ids=["shipped", "delivered", "lost"],
)
async def test_a_parcel_of_an_order_never_heard_of_waits_and_opens_no_case(
    fact: ContractModel,
) -> None:  # R-ORD-4, R-AS-1
    """Logistics ships only confirmed orders: a fact of a parcel before its order's
    confirmation reached aftersales is retried, then parked; nothing is kept."""
    wired = await an_aftersales_service()
    with pytest.raises(NotYetKnown, match="not seen"):
        await wired.deliver(fact)
    assert await wired.services.events.orders.get(ORDER) is None
    wired.clock.set(T0 + timedelta(days=2))
    with pytest.raises(NotFound):
        await open_a_case(wired)


async def test_a_delivery_of_a_parcel_never_seen_shipped_waits_and_opens_no_case() -> None:
    """R-AS-1: a delivery opens the window of damaged goods; of a confirmed order not seen
    shipped it is retried (its `Shipped` may be on its way), then parked."""
    wired = await an_aftersales_service()
    await wired.deliver(an_order_confirmed())
    before = await the_order(wired)
    with pytest.raises(NotYetKnown, match="not seen shipped"):
        await wired.deliver(a_delivered(at=T0 + timedelta(days=1)))
    assert await the_order(wired) == before
    wired.clock.set(T0 + timedelta(days=2))
    with pytest.raises(OutsideWindow, match="has not been delivered"):
        await open_a_case(wired, "damaged")


async def test_a_store_approval_told_otherwise_than_made_is_refused_r_as_2() -> None:
    """The forgery of 2000-01-01 told today would end the exemption period long ago."""
    wired = await an_aftersales_service()
    backdated = a_store_approved(at=datetime(2000, 1, 1, tzinfo=UTC))
    with pytest.raises(Implausible, match="an approval is told as it is made"):
        await wired.deliver(backdated, at=T0)
    assert await wired.services.events.stores.get(STORE) is None


@pytest.mark.parametrize(
    "second",
    [
        a_store_approved(at=T0 + timedelta(hours=1), store_type="semi_managed"),
        a_store_approved(at=T0 + timedelta(days=100)),
    ],
    ids=["another type", "a new exemption period"],
)
async def test_a_second_approval_of_a_store_saying_otherwise_is_refused_r_as_2(
    second: StoreApproved,
) -> None:
    wired = await an_aftersales_service()
    await wired.deliver(a_store_approved(at=T0), at=T0)
    before = await the_store(wired)
    wired.clock.set(second.approved_at)
    with pytest.raises(Implausible, match="a store is approved once"):
        await wired.deliver(second, at=second.approved_at)
    assert await the_store(wired) == before


async def test_an_older_approval_told_late_changes_nothing_r_as_2() -> None:
    """Backdated in both its dates, a second approval is older than the one held: the
    newest decision wins (`shared.replica`), and it changes nothing."""
    wired = await an_aftersales_service()
    await wired.deliver(a_store_approved(at=T0), at=T0)
    before = await the_store(wired)
    old = datetime(2000, 1, 1, tzinfo=UTC)
    await wired.deliver(a_store_approved(at=old), at=old)
    assert await the_store(wired) == before


async def test_a_store_approval_dated_ahead_is_refused() -> None:
    wired = await an_aftersales_service()
    ahead = a_store_approved(at=T0 + timedelta(days=1))
    with pytest.raises(Implausible, match="dated ahead"):
        await wired.deliver(ahead, at=ahead.approved_at)
    assert await wired.services.events.stores.get(STORE) is None


REDELIVERED: list[tuple[str, list[ContractModel], ContractModel]] = [
    ("store_approved", [], a_store_approved()),
    ("order_created", [], an_order_created()),
    ("order_confirmed", [an_order_created()], an_order_confirmed()),
    ("order_cancelled", [an_order_created()], an_order_cancelled()),
    ("shipped", [an_order_confirmed()], a_shipped()),
    ("delivered", [an_order_confirmed(), a_shipped()], a_delivered(at=T0 + timedelta(days=3))),
    ("shipment_exception", [an_order_confirmed()], a_shipment_exception()),
]


@pytest.mark.parametrize(
    ("handler", "before", "event"), REDELIVERED, ids=[name for name, _, _ in REDELIVERED]
)
async def test_every_handler_takes_an_envelope_delivered_twice_once(
    handler: str, before: list[ContractModel], event: ContractModel
) -> None:
    wired = await an_aftersales_service()
    for earlier in before:
        await wired.deliver(earlier)
    replica = the_store if handler == "store_approved" else the_order
    envelope = await wired.deliver(event)
    once = await replica(wired)
    await wired.deliver(event, envelope=envelope)
    twice = await replica(wired)
    assert once.version == len(before) + 1  # the first delivery wrote
    assert twice.model_dump() == once.model_dump()  # the second wrote nothing
    assert wired.ports.published == []  # a replica publishes nothing


FACTS: list[ContractModel] = [
    an_order_created(lines=[a_line(category="food")]),
    an_order_confirmed(lines=[a_line(category="food")], at=T0 + timedelta(hours=3)),
    a_shipped(at=T0 + timedelta(days=1)),
    a_shipment_exception(at=T0 + timedelta(days=2)),
    a_delivered(at=T0 + timedelta(days=4)),
]


async def deliver_retrying(wired: Wired[AftersalesServices], events: list[ContractModel]) -> None:
    """Each event in turn, as the consumer does: one not yet known (`NotYetKnown`) is
    delivered again after the others, until each is taken."""
    pending = list(events)
    while pending:
        waiting: list[ContractModel] = []
        for event in pending:
            try:
                await wired.deliver(event)
            except NotYetKnown:
                waiting.append(event)
        assert len(waiting) < len(pending), f"nothing taken of {waiting}"
        pending = waiting


@pytest.mark.parametrize(
    "arrival",
    [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 4, 0, 3, 1], [4, 0, 3, 1, 2]],
    ids=["in-order", "reversed", "shuffled", "delivered-first"],
)
async def test_an_orders_facts_end_in_the_same_state_in_any_order(arrival: list[int]) -> None:
    wired = await an_aftersales_service()
    await deliver_retrying(wired, [FACTS[index] for index in arrival])
    expected = OrderFacts(
        id=ORDER,
        total=usd(4990),
        buyer_id=BUYER,
        merchant_id=MERCHANT,
        store_id=STORE,
        store_type="full_managed",
        categories=["food"],
        status="delivered",
        created_at=T0,
        confirmed_at=T0 + timedelta(hours=3),
        shipped_at=T0 + timedelta(days=1),
        estimated_delivery=DeliveryWindow(earliest=a_day(6), latest=a_day(10)),
        lost_reported_at=T0 + timedelta(days=2),
        delivered_at=T0 + timedelta(days=4),
    )
    assert state(await the_order(wired)) == state(expected)
