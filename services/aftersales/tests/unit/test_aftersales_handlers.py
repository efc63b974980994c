"""Every aftersales event handler through `bootstrap(FakePorts(...))`: what each event
teaches the order and store replicas, that the same envelope delivered twice has one
effect, and that facts arriving out of order end in the same state (`domain/facts.py`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from aftersales.domain.errors import OutsideWindow
from aftersales.domain.facts import OrderFacts
from shared.contract.events import DeliveryWindow
from shared.contract.types import ContractModel
from shared.errors import NotFound
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
    await wired.deliver(a_shipped())
    before = await the_order(wired)
    await wired.deliver(a_shipment_exception(kind=kind))
    after = await the_order(wired)
    assert (after.version, after.lost_reported_at) == (before.version, None)


async def test_the_earliest_of_two_loss_reports_counts() -> None:
    wired = await an_aftersales_service()
    await wired.deliver(a_shipment_exception(at=T0 + timedelta(days=3)))
    await wired.deliver(a_shipment_exception(at=T0 + timedelta(days=2)))
    assert (await the_order(wired)).lost_reported_at == T0 + timedelta(days=2)


async def test_an_event_about_an_unknown_order_is_kept_but_opens_no_case() -> None:
    """Facts from logistics before the order's own events: the buyer is not known yet."""
    wired = await an_aftersales_service()
    await wired.deliver(a_shipped())
    await wired.deliver(a_delivered(at=T0 + timedelta(days=1)))
    assert not (await the_order(wired)).known
    with pytest.raises(NotFound):
        await open_a_case(wired)


REDELIVERED: list[tuple[str, list[ContractModel], ContractModel]] = [
    ("store_approved", [], a_store_approved()),
    ("order_created", [], an_order_created()),
    ("order_confirmed", [an_order_created()], an_order_confirmed()),
    ("order_cancelled", [an_order_created()], an_order_cancelled()),
    ("shipped", [an_order_confirmed()], a_shipped()),
    ("delivered", [an_order_confirmed(), a_shipped()], a_delivered(at=T0 + timedelta(days=3))),
    ("shipment_exception", [a_shipped()], a_shipment_exception()),
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


@pytest.mark.parametrize(
    "arrival",
    [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 4, 0, 3, 1], [4, 0, 3, 1, 2]],
    ids=["in-order", "reversed", "shuffled", "delivered-first"],
)
async def test_an_orders_facts_end_in_the_same_state_in_any_order(arrival: list[int]) -> None:
    wired = await an_aftersales_service()
    for index in arrival:
        await wired.deliver(FACTS[index])
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
