"""What logistics and aftersales tell about an order, and the confirmation deadline job,
through orders' own bootstrap on fake ports (R-ORD-3, R-ORD-4 onwards).

Facts come at least once and in any order: each is taken once by its event id, goes on
the timeline in time order and only moves the order forward. The catalogue's handlers:
`test_catalogue_replica.py`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from orders.bootstrap import OrdersServices, bootstrap
from orders.domain.model import Order
from orders.service_layer.commands import PlaceOrder
from shared.app import Wiring
from shared.auth import Principal
from shared.clock import FixedClock
from shared.contract.events import (
    AfterSalesCaseOpened,
    Delivered,
    OrderCancelled,
    OrderConfirmed,
    OrderCreated,
    ProductApproved,
    ProductRejected,
    RefundIssued,
    ShipmentException,
    ShipmentLate,
    Shipped,
    StoreApproved,
    StoreRejected,
)
from shared.contract.types import ContractModel
from shared.testing import FakePorts
from testkit.factories import (
    BUYER,
    MERCHANT,
    PRODUCT,
    T0,
    a_case_opened,
    a_delivered,
    a_product_approved,
    a_refund_issued,
    a_shipment_exception,
    a_shipment_late,
    a_shipped,
    a_store_approved,
    an_address,
    an_order_cancelled,
    usd,
)

HOUR = timedelta(hours=1)
WINDOW = 24 * HOUR
THE_MERCHANT = Principal(MERCHANT, "merchant")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def ports(clock: FixedClock) -> FakePorts:
    return FakePorts("orders", clock=clock)


@pytest.fixture
async def wiring(ports: FakePorts) -> Wiring:
    """Orders as bootstrap wires it, with review's approval of the store and its product."""
    wiring = await bootstrap(ports)
    await ports.deliver(wiring, a_store_approved(), producer="review")
    await ports.deliver(wiring, a_product_approved(), producer="review")
    return wiring


@pytest.fixture
def services(wiring: Wiring) -> OrdersServices:
    services: OrdersServices = wiring.services
    return services


async def placed(services: OrdersServices, *, confirmed: bool = False) -> Order:
    order, _ = await services.commands.place(PlaceOrder(BUYER, [(PRODUCT, 1)], an_address()))
    if confirmed:
        order = await services.commands.confirm(order.id, THE_MERCHANT)
    return order


async def stored(services: OrdersServices, order_id: str) -> Order:
    order = await services.commands.orders.get(order_id)
    assert order is not None
    return order


def test_the_table_handles_every_event_orders_consumes(wiring: Wiring) -> None:
    assert set(wiring.handlers) == {
        StoreApproved,
        StoreRejected,
        ProductApproved,
        ProductRejected,
        Shipped,
        Delivered,
        ShipmentLate,
        ShipmentException,
        AfterSalesCaseOpened,
        RefundIssued,
    }


async def test_shipped_then_delivered_move_the_order(  # R-ORD-4
    ports: FakePorts, wiring: Wiring, services: OrdersServices
) -> None:
    order = await placed(services, confirmed=True)
    shipped = a_shipped(order_id=order.id, at=T0 + 2 * HOUR)
    await ports.deliver(wiring, shipped, producer="logistics")
    assert (await stored(services, order.id)).status == "shipped"
    await ports.deliver(
        wiring, a_delivered(order_id=order.id, at=T0 + 99 * HOUR), producer="logistics"
    )
    delivered = await stored(services, order.id)
    assert delivered.status == "delivered"
    assert [(entry.event, entry.at) for entry in delivered.timeline[-2:]] == [
        ("Shipped", T0 + 2 * HOUR),
        ("Delivered", T0 + 99 * HOUR),
    ]
    assert delivered.timeline[-2].detail["tracking_number"] == shipped.tracking_number


@pytest.mark.parametrize(
    ("fact", "entry", "detail"),
    [
        (a_shipment_late, "ShipmentLate", "ship_by"),
        (a_shipment_exception, "ShipmentException", "kind"),
        (a_case_opened, "AfterSalesCaseOpened", "case_id"),
    ],
)
async def test_a_late_shipment_an_exception_or_a_case_goes_on_the_timeline_only(
    ports: FakePorts,
    wiring: Wiring,
    services: OrdersServices,
    fact: Callable[..., ContractModel],
    entry: str,
    detail: str,
) -> None:
    order = await placed(services, confirmed=True)
    await ports.deliver(wiring, fact(order_id=order.id, at=T0 + 5 * HOUR), producer="other")
    told = await stored(services, order.id)
    assert told.status == "confirmed"
    assert (told.timeline[-1].event, told.timeline[-1].at) == (entry, T0 + 5 * HOUR)
    assert detail in told.timeline[-1].detail


async def test_refunds_add_up_to_a_whole_refund(
    ports: FakePorts, wiring: Wiring, services: OrdersServices
) -> None:
    order = await placed(services, confirmed=True)  # 49.90 USD
    part = a_refund_issued(order_id=order.id, amount=usd(990))
    await ports.deliver(wiring, part, producer="aftersales")
    partly = await stored(services, order.id)
    assert (partly.status, partly.refunded) == ("partially_refunded", usd(990))
    rest = a_refund_issued(order_id=order.id, amount=usd(4000), case_id="case-2")
    await ports.deliver(wiring, rest, producer="aftersales")
    whole = await stored(services, order.id)
    assert (whole.status, whole.refunded) == ("refunded", usd(4990))


FACTS: list[Callable[..., ContractModel]] = [
    a_shipped,
    a_delivered,
    a_shipment_late,
    a_shipment_exception,
    a_case_opened,
    a_refund_issued,
]


@pytest.mark.parametrize("fact", FACTS)
async def test_a_fact_redelivered_changes_nothing(
    ports: FakePorts, wiring: Wiring, services: OrdersServices, fact: Callable[..., ContractModel]
) -> None:
    order = await placed(services, confirmed=True)
    event = fact(order_id=order.id, at=T0 + 3 * HOUR)
    envelope = await ports.deliver(wiring, event, producer="other")
    once = await stored(services, order.id)
    await ports.deliver(wiring, event, producer="other", envelope=envelope)
    assert await stored(services, order.id) == once  # the same version: not written again
    assert len(once.timeline) == len(order.timeline) + 1


async def test_delivered_before_shipped_never_moves_the_order_back(
    ports: FakePorts, wiring: Wiring, services: OrdersServices
) -> None:
    order = await placed(services, confirmed=True)
    await ports.deliver(
        wiring, a_delivered(order_id=order.id, at=T0 + 90 * HOUR), producer="logistics"
    )
    await ports.deliver(
        wiring, a_shipped(order_id=order.id, at=T0 + 2 * HOUR), producer="logistics"
    )
    late = await stored(services, order.id)
    assert late.status == "delivered"
    assert [entry.event for entry in late.timeline] == [
        "OrderCreated",
        "OrderConfirmed",
        "Shipped",
        "Delivered",
    ]


async def test_a_fact_never_moves_an_order_out_of_cancelled(
    ports: FakePorts, wiring: Wiring, services: OrdersServices
) -> None:
    order = await placed(services)
    await services.commands.cancel(order.id, Principal(BUYER, "buyer"))
    await ports.deliver(wiring, a_shipped(order_id=order.id, at=T0 + HOUR), producer="logistics")
    cancelled = await stored(services, order.id)
    assert (cancelled.status, cancelled.timeline[-1].event) == ("cancelled", "Shipped")


async def test_facts_publish_nothing(
    ports: FakePorts, wiring: Wiring, services: OrdersServices
) -> None:
    order = await placed(services, confirmed=True)
    published = len(ports.published)
    for fact in FACTS:
        await ports.deliver(wiring, fact(order_id=order.id, at=T0 + HOUR), producer="other")
    assert len(ports.published) == published


async def test_a_fact_about_an_unknown_order_fails_to_be_retried(
    ports: FakePorts, wiring: Wiring
) -> None:
    with pytest.raises(LookupError, match="order-404"):
        await ports.deliver(wiring, a_shipped(order_id="order-404"), producer="logistics")


def deadline_job(wiring: Wiring) -> Callable[[], Awaitable[None]]:
    return dict(wiring.jobs)["confirmation-deadlines"]


async def test_the_job_cancels_orders_past_confirm_by_and_leaves_the_others(  # R-ORD-3
    ports: FakePorts, clock: FixedClock, wiring: Wiring, services: OrdersServices
) -> None:
    due = await placed(services)
    clock.advance(HOUR)
    not_yet, confirmed = await placed(services), await placed(services, confirmed=True)
    clock.set(T0 + WINDOW)
    await deadline_job(wiring)()
    timed_out = await stored(services, due.id)
    assert (timed_out.status, timed_out.cancel_reason, timed_out.confirmation_outcome) == (
        "cancelled",
        "confirmation_timeout",
        "timed_out",
    )
    assert (await stored(services, not_yet.id)).status == "awaiting_confirmation"
    assert (await stored(services, confirmed.id)).status == "confirmed"
    assert ports.published_of(OrderCancelled) == [
        an_order_cancelled(order_id=due.id, at=T0 + WINDOW)
    ]


async def test_the_job_run_again_cancels_nothing_twice(  # R-ORD-3
    ports: FakePorts, clock: FixedClock, wiring: Wiring, services: OrdersServices
) -> None:
    first = await placed(services)
    clock.advance(HOUR)
    second = await placed(services)
    clock.set(T0 + WINDOW + 2 * HOUR)  # the job was not running: both are due now
    for _ in range(2):
        await deadline_job(wiring)()
    cancelled = [event.order_id for event in ports.published_of(OrderCancelled)]
    assert sorted(cancelled) == sorted([first.id, second.id])
    created = [event.order_id for event in ports.published_of(OrderCreated)]
    assert created == [first.id, second.id]
    assert ports.published_of(OrderConfirmed) == []
