"""Who sees an order, the merchant's confirmation and the buyer's cancellation, through
orders' own bootstrap on fake ports (R-ORD-2, R-ORD-3): deadlines are tested by moving
the clock, never by waiting."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orders.bootstrap import OrdersServices, bootstrap
from orders.domain.errors import OrderConflict
from orders.domain.model import Order
from orders.service_layer.commands import PlaceOrder
from shared.app import Wiring
from shared.auth import Principal
from shared.clock import FixedClock
from shared.contract.events import OrderCancelled, OrderConfirmed
from shared.errors import NotFound
from shared.testing import FakePorts
from testkit.factories import (
    BUYER,
    MERCHANT,
    PRODUCT,
    T0,
    a_product_approved,
    a_store_approved,
    an_address,
    an_order_cancelled,
    an_order_confirmed,
)

WINDOW = timedelta(hours=24)
THE_BUYER = Principal(BUYER, "buyer")
ANOTHER_BUYER = Principal("buyer-2", "buyer")
THE_MERCHANT = Principal(MERCHANT, "merchant")
ANOTHER_MERCHANT = Principal("merchant-2", "merchant")
AN_OPERATOR = Principal("operator-1", "operator")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def ports(clock: FixedClock) -> FakePorts:
    return FakePorts("orders", clock=clock)


@pytest.fixture
async def services(ports: FakePorts) -> OrdersServices:
    """Orders as bootstrap wires it, with review's approval of the store and its product."""
    wiring: Wiring = await bootstrap(ports)
    await ports.deliver(wiring, a_store_approved(), producer="review")
    await ports.deliver(wiring, a_product_approved(), producer="review")
    services: OrdersServices = wiring.services
    return services


async def placed(services: OrdersServices) -> Order:
    order, _ = await services.commands.place(PlaceOrder(BUYER, [(PRODUCT, 1)], an_address()))
    return order


async def stored(services: OrdersServices, order: Order) -> Order:
    now = await services.commands.orders.get(order.id)
    assert now is not None
    return now


@pytest.mark.parametrize("principal", [THE_BUYER, THE_MERCHANT, AN_OPERATOR])
async def test_the_buyer_the_merchant_and_operators_see_the_order(
    services: OrdersServices, principal: Principal
) -> None:
    order = await placed(services)
    assert await services.commands.get_visible(order.id, principal) == order


@pytest.mark.parametrize("principal", [ANOTHER_BUYER, ANOTHER_MERCHANT])
async def test_anyone_elses_order_is_absent(services: OrdersServices, principal: Principal) -> None:
    order = await placed(services)
    with pytest.raises(NotFound):
        await services.commands.get_visible(order.id, principal)


async def test_an_unknown_order_is_absent(services: OrdersServices) -> None:
    with pytest.raises(NotFound):
        await services.commands.get_visible("order-404", AN_OPERATOR)


async def test_the_merchant_confirms_within_the_window(  # R-ORD-2, R-ORD-4
    ports: FakePorts, clock: FixedClock, services: OrdersServices
) -> None:
    order = await placed(services)
    clock.advance(WINDOW - timedelta(milliseconds=1))
    confirmed = await services.commands.confirm(order.id, THE_MERCHANT)
    assert (confirmed.status, confirmed.confirmation_outcome) == ("confirmed", "on_time")
    assert await stored(services, order) == confirmed
    assert ports.published_of(OrderConfirmed) == [
        an_order_confirmed(order_id=order.id, at=T0 + WINDOW - timedelta(milliseconds=1))
    ]


@pytest.mark.parametrize("principal", [ANOTHER_MERCHANT, THE_BUYER, AN_OPERATOR])
async def test_only_the_orders_merchant_confirms_it(
    ports: FakePorts, services: OrdersServices, principal: Principal
) -> None:
    order = await placed(services)
    with pytest.raises(NotFound):
        await services.commands.confirm(order.id, principal)
    assert (await stored(services, order)).status == "awaiting_confirmation"
    assert ports.published_of(OrderConfirmed) == []


async def test_confirm_after_deadline_is_rejected(  # R-ORD-2, R-ORD-3
    ports: FakePorts, clock: FixedClock, services: OrdersServices
) -> None:
    order = await placed(services)
    clock.advance(WINDOW)
    with pytest.raises(OrderConflict) as refused:
        await services.commands.confirm(order.id, THE_MERCHANT)
    assert refused.value.code == "past_deadline"
    # The late confirmation finds the order due: it is cancelled then, even before the job.
    assert (await stored(services, order)).cancel_reason == "confirmation_timeout"
    assert ports.published_of(OrderConfirmed) == []
    assert ports.published_of(OrderCancelled) == [
        an_order_cancelled(order_id=order.id, at=T0 + WINDOW)
    ]


async def test_an_order_is_confirmed_once(
    ports: FakePorts, clock: FixedClock, services: OrdersServices
) -> None:
    order = await placed(services)
    first = await services.commands.confirm(order.id, THE_MERCHANT)
    clock.advance(timedelta(minutes=1))
    with pytest.raises(OrderConflict) as refused:
        await services.commands.confirm(order.id, THE_MERCHANT)
    assert refused.value.code == "already_confirmed"
    assert await stored(services, order) == first
    assert len(ports.published_of(OrderConfirmed)) == 1


async def test_a_cancelled_order_cannot_be_confirmed(services: OrdersServices) -> None:
    order = await placed(services)
    await services.commands.cancel(order.id, THE_BUYER)
    with pytest.raises(OrderConflict) as refused:
        await services.commands.confirm(order.id, THE_MERCHANT)
    assert refused.value.code == "cancelled"


async def test_confirm_many_decides_each_order_on_its_own(  # R-ORD-2
    ports: FakePorts, clock: FixedClock, services: OrdersServices
) -> None:
    due = await placed(services)
    clock.advance(WINDOW)
    fresh, already = await placed(services), await placed(services)
    await services.commands.confirm(already.id, THE_MERCHANT)
    asked = [due.id, fresh.id, already.id, "order-404", fresh.id]
    outcomes = await services.commands.confirm_many(asked, THE_MERCHANT)
    assert [(o.order_id, o.confirmed, o.reason) for o in outcomes] == [
        (due.id, False, "past_deadline"),
        (fresh.id, True, None),
        (already.id, False, "already_confirmed"),
        ("order-404", False, "not_found"),
    ]
    assert outcomes[1].order == await stored(services, fresh)
    assert all(o.detail for o in outcomes if not o.confirmed)
    confirmed = [event.order_id for event in ports.published_of(OrderConfirmed)]
    assert confirmed == [already.id, fresh.id]


async def test_confirm_many_finds_no_other_merchants_order(services: OrdersServices) -> None:
    order = await placed(services)
    [outcome] = await services.commands.confirm_many([order.id], ANOTHER_MERCHANT)
    assert (outcome.confirmed, outcome.reason) == (False, "not_found")
    assert (await stored(services, order)).status == "awaiting_confirmation"


async def test_the_buyer_cancels_an_order_awaiting_confirmation(
    ports: FakePorts, clock: FixedClock, services: OrdersServices
) -> None:
    order = await placed(services)
    clock.advance(timedelta(hours=1))
    cancelled = await services.commands.cancel(order.id, THE_BUYER)
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "buyer_cancelled")
    assert cancelled.confirmation_outcome is None  # not the merchant's timeout (R-ORD-3)
    assert await stored(services, order) == cancelled
    assert ports.published_of(OrderCancelled) == [
        an_order_cancelled(order_id=order.id, reason="buyer_cancelled", at=T0 + timedelta(hours=1))
    ]


@pytest.mark.parametrize("principal", [ANOTHER_BUYER, THE_MERCHANT, AN_OPERATOR])
async def test_only_the_buyer_cancels(
    ports: FakePorts, services: OrdersServices, principal: Principal
) -> None:
    order = await placed(services)
    with pytest.raises(NotFound):
        await services.commands.cancel(order.id, principal)
    assert (await stored(services, order)).status == "awaiting_confirmation"
    assert ports.published_of(OrderCancelled) == []


async def test_a_confirmed_order_is_not_the_buyers_to_cancel(
    ports: FakePorts, services: OrdersServices
) -> None:
    order = await placed(services)
    await services.commands.confirm(order.id, THE_MERCHANT)
    with pytest.raises(OrderConflict) as refused:
        await services.commands.cancel(order.id, THE_BUYER)
    assert refused.value.code == "already_confirmed"
    assert (await stored(services, order)).status == "confirmed"
    assert ports.published_of(OrderCancelled) == []


async def test_an_order_is_cancelled_once(ports: FakePorts, services: OrdersServices) -> None:
    order = await placed(services)
    await services.commands.cancel(order.id, THE_BUYER)
    with pytest.raises(OrderConflict) as refused:
        await services.commands.cancel(order.id, THE_BUYER)
    assert refused.value.code == "cancelled"
    assert len(ports.published_of(OrderCancelled)) == 1


async def test_a_cancel_past_the_deadline_finds_it_timed_out(  # R-ORD-3
    ports: FakePorts, clock: FixedClock, services: OrdersServices
) -> None:
    order = await placed(services)
    clock.advance(WINDOW + timedelta(minutes=1))
    with pytest.raises(OrderConflict) as refused:
        await services.commands.cancel(order.id, THE_BUYER)
    assert refused.value.code == "past_deadline"
    timed_out = await stored(services, order)
    assert (timed_out.cancel_reason, timed_out.confirmation_outcome) == (
        "confirmation_timeout",
        "timed_out",
    )
    assert [event.reason for event in ports.published_of(OrderCancelled)] == [
        "confirmation_timeout"
    ]
