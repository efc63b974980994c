"""Placing an order through orders' own bootstrap on fake ports (R-ORD-1, R-ORD-2): the
real repositories and queries over an in-memory database, the outbox's events handed to
the test, and the catalogue replica filled as review's events fill it.

Who sees an order, confirming and cancelling it: `test_confirm_and_cancel.py`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from orders.bootstrap import OrdersServices, bootstrap
from orders.service_layer.commands import PlaceOrder
from shared.app import Wiring
from shared.clock import FixedClock
from shared.contract.events import OrderCreated
from shared.contract.types import Money
from shared.errors import Conflict, Unprocessable
from shared.policy import Policy
from shared.testing import FakePorts
from testkit.factories import (
    BUYER,
    PRODUCT,
    STORE,
    T0,
    a_line,
    a_product_approved,
    a_product_rejected,
    a_store_approved,
    an_address,
    an_order_created,
    usd,
)


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


def a_place(**overrides: Any) -> PlaceOrder:
    fields: dict[str, Any] = {"buyer_id": BUYER, "items": [(PRODUCT, 1)], "address": an_address()}
    return PlaceOrder(**{**fields, **overrides})


async def stored_orders(ports: FakePorts) -> int:
    return len(await ports.collection("orders").find().to_list())


async def test_an_order_is_placed_at_once_and_its_creation_published(  # R-ORD-1, R-ORD-2
    ports: FakePorts, services: OrdersServices
) -> None:
    order, created = await services.commands.place(a_place(items=[(PRODUCT, 2)]))
    assert created
    assert (order.status, order.store_id, order.total) == (
        "awaiting_confirmation",
        STORE,
        usd(9980),
    )
    assert order.confirm_by == T0 + timedelta(hours=24)
    assert await services.commands.orders.get(order.id) == order
    assert ports.published_of(OrderCreated) == [
        an_order_created(order_id=order.id, lines=[a_line(quantity=2)])
    ]
    assert ports.published[-1].producer == "orders"


async def test_the_price_is_the_catalogues_newest_not_the_callers(  # R-ORD-1, R-CAT-1
    ports: FakePorts, wiring: Wiring, services: OrdersServices
) -> None:
    repriced = a_product_approved(at=T0 + timedelta(hours=1), price=usd(3990))
    await ports.deliver(wiring, repriced, producer="review", at=repriced.approved_at)
    order, _ = await services.commands.place(a_place())
    assert order.items == [a_line(unit_price=usd(3990))]
    assert order.total == usd(3990)


async def test_the_confirmation_window_comes_from_policy(clock: FixedClock) -> None:  # R-POL-1
    ports = FakePorts("orders", clock=clock, policy=Policy(order_confirm_window_seconds=60))
    wiring = await bootstrap(ports)
    await ports.deliver(wiring, a_product_approved(), producer="review")
    services: OrdersServices = wiring.services
    order, _ = await services.commands.place(a_place())
    assert order.confirm_by == T0 + timedelta(seconds=60)
    assert [event.confirm_by for event in ports.published_of(OrderCreated)] == [order.confirm_by]


async def test_an_unknown_product_is_refused(  # R-REV-9
    ports: FakePorts, services: OrdersServices
) -> None:
    with pytest.raises(Unprocessable, match="product-404 is not on sale"):
        await services.commands.place(a_place(items=[(PRODUCT, 1), ("product-404", 1)]))
    assert (await stored_orders(ports), ports.published_of(OrderCreated)) == (0, [])


async def test_a_rejected_product_is_not_on_sale(  # R-REV-9
    ports: FakePorts, wiring: Wiring, services: OrdersServices
) -> None:
    rejected = a_product_rejected(at=T0 + timedelta(hours=1))
    await ports.deliver(wiring, rejected, producer="review", at=rejected.rejected_at)
    with pytest.raises(Unprocessable, match=f"{PRODUCT} is not on sale"):
        await services.commands.place(a_place())
    assert (await stored_orders(ports), ports.published_of(OrderCreated)) == (0, [])


async def test_an_order_holds_one_stores_products(
    ports: FakePorts, wiring: Wiring, services: OrdersServices
) -> None:
    elsewhere = a_product_approved(product_id="product-2", store_id="store-2")
    await ports.deliver(wiring, elsewhere, producer="review")
    with pytest.raises(Unprocessable, match="one store"):
        await services.commands.place(a_place(items=[(PRODUCT, 1), ("product-2", 1)]))
    assert await stored_orders(ports) == 0


async def test_an_order_is_priced_in_one_currency(
    ports: FakePorts, wiring: Wiring, services: OrdersServices
) -> None:
    in_euros = a_product_approved(
        product_id="product-2", price=Money(amount_minor=990, currency="EUR")
    )
    await ports.deliver(wiring, in_euros, producer="review")
    with pytest.raises(Unprocessable, match="one currency"):
        await services.commands.place(a_place(items=[(PRODUCT, 1), ("product-2", 1)]))
    assert await stored_orders(ports) == 0


async def test_an_order_of_no_items_is_refused(ports: FakePorts, services: OrdersServices) -> None:
    with pytest.raises(Unprocessable):
        await services.commands.place(a_place(items=[]))
    assert await stored_orders(ports) == 0


async def test_a_total_beyond_what_money_carries_is_refused(
    ports: FakePorts, wiring: Wiring, services: OrdersServices
) -> None:
    dearest = a_product_approved(price=usd(10**12), at=T0 + timedelta(hours=1))
    await ports.deliver(wiring, dearest, producer="review", at=dearest.approved_at)
    with pytest.raises(Unprocessable, match="too large"):
        await services.commands.place(a_place(items=[(PRODUCT, 2)]))
    assert await stored_orders(ports) == 0


async def test_a_repeated_place_with_its_idempotency_key_replays_the_order(
    ports: FakePorts, clock: FixedClock, services: OrdersServices
) -> None:
    first, created = await services.commands.place(a_place(idempotency_key="k-1"))
    clock.advance(timedelta(minutes=5))
    again, created_again = await services.commands.place(a_place(idempotency_key="k-1"))
    assert (created, created_again) == (True, False)
    assert again == first
    assert await stored_orders(ports) == 1
    assert [event.order_id for event in ports.published_of(OrderCreated)] == [first.id]


async def test_a_key_used_for_another_order_is_a_conflict(
    ports: FakePorts, services: OrdersServices
) -> None:
    await services.commands.place(a_place(idempotency_key="k-1"))
    with pytest.raises(Conflict, match="Idempotency-Key"):
        await services.commands.place(a_place(items=[(PRODUCT, 3)], idempotency_key="k-1"))
    assert await stored_orders(ports) == 1
    assert len(ports.published_of(OrderCreated)) == 1


async def test_a_key_is_each_buyers_own(ports: FakePorts, services: OrdersServices) -> None:
    mine, _ = await services.commands.place(a_place(idempotency_key="k-1"))
    theirs, created = await services.commands.place(
        a_place(buyer_id="buyer-2", idempotency_key="k-1")
    )
    assert created
    assert mine.id != theirs.id
    assert theirs.buyer_id == "buyer-2"
    assert await stored_orders(ports) == 2


async def test_without_a_key_each_place_is_a_new_order(
    ports: FakePorts, services: OrdersServices
) -> None:
    first, _ = await services.commands.place(a_place())
    second, created = await services.commands.place(a_place())
    assert created
    assert first.id != second.id
    assert len(ports.published_of(OrderCreated)) == 2
