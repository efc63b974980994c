"""Who sees an order, the merchant's confirmation and the buyer's cancellation, through
orders' own bootstrap on fake ports (R-ORD-2, R-ORD-3): deadlines are tested by moving
the clock, never by waiting."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from orders.domain.errors import OrderConflict
from orders.domain.model import Order
from orders.service_layer.commands import OrderCommands
from shared.auth import Principal
from shared.contract.events import OrderCancelled, OrderConfirmed
from shared.contract.types import ContractModel
from shared.errors import NotFound
from testkit.factories import (
    AN_OPERATOR,
    ANOTHER_BUYER,
    ANOTHER_MERCHANT,
    T0,
    THE_BUYER,
    THE_MERCHANT,
    an_order_confirmed,
)
from testkit.orders_unit import orders_selling_the_product, placed, stored, the_order_cancelled

WINDOW = timedelta(hours=24)

#: What a principal asks of an order: to confirm it, to cancel it.
Command = Callable[[OrderCommands, str, Principal], Awaitable[Order]]


async def assert_refused_to(
    principal: Principal, command: Command, unpublished: type[ContractModel]
) -> None:
    """`principal`, who is not the one to, asks `command` of a new order: the order is not
    found for them and stays awaiting confirmation, and no `unpublished` is published."""
    wired = await orders_selling_the_product()
    order = await placed(wired)
    with pytest.raises(NotFound):
        await command(wired.services.commands, order.id, principal)
    assert (await stored(wired, order.id)).status == "awaiting_confirmation"
    assert wired.ports.published_of(unpublished) == []


async def refusal(attempt: Awaitable[Order]) -> str:
    """The code of the `OrderConflict` that `attempt` is refused with."""
    with pytest.raises(OrderConflict) as refused:
        await attempt
    return refused.value.code


@pytest.mark.parametrize("principal", [THE_BUYER, THE_MERCHANT, AN_OPERATOR])
async def test_the_buyer_the_merchant_and_operators_see_the_order(principal: Principal) -> None:
    wired = await orders_selling_the_product()
    order = await placed(wired)
    assert await wired.services.commands.get_visible(order.id, principal) == order


@pytest.mark.parametrize("principal", [ANOTHER_BUYER, ANOTHER_MERCHANT])
async def test_anyone_elses_order_is_absent(principal: Principal) -> None:
    wired = await orders_selling_the_product()
    order = await placed(wired)
    with pytest.raises(NotFound):
        await wired.services.commands.get_visible(order.id, principal)


async def test_an_unknown_order_is_absent() -> None:
    wired = await orders_selling_the_product()
    with pytest.raises(NotFound):
        await wired.services.commands.get_visible("order-404", AN_OPERATOR)


async def test_the_merchant_confirms_within_the_window() -> None:  # R-ORD-2, R-ORD-4
    wired = await orders_selling_the_product()
    order = await placed(wired)
    wired.clock.advance(WINDOW - timedelta(milliseconds=1))
    confirmed = await wired.services.commands.confirm(order.id, THE_MERCHANT)
    assert (confirmed.status, confirmed.confirmation_outcome) == ("confirmed", "on_time")
    assert await stored(wired, order.id) == confirmed
    assert wired.ports.published_of(OrderConfirmed) == [
        an_order_confirmed(order_id=order.id, at=T0 + WINDOW - timedelta(milliseconds=1))
    ]


@pytest.mark.parametrize("principal", [ANOTHER_MERCHANT, THE_BUYER, AN_OPERATOR])
async def test_only_the_orders_merchant_confirms_it(principal: Principal) -> None:
    await assert_refused_to(principal, OrderCommands.confirm, OrderConfirmed)


async def test_confirm_after_deadline_is_rejected() -> None:  # R-ORD-2, R-ORD-3
    wired = await orders_selling_the_product()
    order = await placed(wired)
    wired.clock.advance(WINDOW)
    assert await refusal(wired.services.commands.confirm(order.id, THE_MERCHANT)) == "past_deadline"
    # The late confirmation finds the order due: it is cancelled then, even before the job.
    assert (await stored(wired, order.id)).cancel_reason == "confirmation_timeout"
    assert wired.ports.published_of(OrderConfirmed) == []
    assert wired.ports.published_of(OrderCancelled) == [
        the_order_cancelled(order_id=order.id, at=T0 + WINDOW)
    ]


async def test_an_order_is_confirmed_once() -> None:
    wired = await orders_selling_the_product()
    order = await placed(wired)
    first = await wired.services.commands.confirm(order.id, THE_MERCHANT)
    wired.clock.advance(timedelta(minutes=1))
    assert (
        await refusal(wired.services.commands.confirm(order.id, THE_MERCHANT))
        == "already_confirmed"
    )
    assert await stored(wired, order.id) == first
    assert len(wired.ports.published_of(OrderConfirmed)) == 1


async def test_a_cancelled_order_cannot_be_confirmed() -> None:
    wired = await orders_selling_the_product()
    order = await placed(wired)
    await wired.services.commands.cancel(order.id, THE_BUYER)
    assert await refusal(wired.services.commands.confirm(order.id, THE_MERCHANT)) == "cancelled"


async def test_confirm_many_decides_each_order_on_its_own() -> None:  # R-ORD-2
    wired = await orders_selling_the_product()
    due = await placed(wired)
    wired.clock.advance(WINDOW)
    fresh, already = await placed(wired), await placed(wired)
    await wired.services.commands.confirm(already.id, THE_MERCHANT)
    asked = [due.id, fresh.id, already.id, "order-404", fresh.id]
    outcomes = await wired.services.commands.confirm_many(asked, THE_MERCHANT)
    assert [(o.order_id, o.confirmed, o.reason) for o in outcomes] == [
        (due.id, False, "past_deadline"),
        (fresh.id, True, None),
        (already.id, False, "already_confirmed"),
        ("order-404", False, "not_found"),
    ]
    assert outcomes[1].order == await stored(wired, fresh.id)
    assert all(o.detail for o in outcomes if not o.confirmed)
    confirmed = [event.order_id for event in wired.ports.published_of(OrderConfirmed)]
    assert confirmed == [already.id, fresh.id]


async def test_confirm_many_finds_no_other_merchants_order() -> None:
    wired = await orders_selling_the_product()
    order = await placed(wired)
    [outcome] = await wired.services.commands.confirm_many([order.id], ANOTHER_MERCHANT)
    assert (outcome.confirmed, outcome.reason) == (False, "not_found")
    assert (await stored(wired, order.id)).status == "awaiting_confirmation"


async def test_the_buyer_cancels_an_order_awaiting_confirmation() -> None:
    wired = await orders_selling_the_product()
    order = await placed(wired)
    wired.clock.advance(timedelta(hours=1))
    cancelled = await wired.services.commands.cancel(order.id, THE_BUYER)
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "buyer_cancelled")
    assert cancelled.confirmation_outcome is None  # not the merchant's timeout (R-ORD-3)
    assert await stored(wired, order.id) == cancelled
    assert wired.ports.published_of(OrderCancelled) == [
        the_order_cancelled(order_id=order.id, reason="buyer_cancelled", at=T0 + timedelta(hours=1))
    ]


@pytest.mark.parametrize("principal", [ANOTHER_BUYER, THE_MERCHANT, AN_OPERATOR])
async def test_only_the_buyer_cancels(principal: Principal) -> None:
    await assert_refused_to(principal, OrderCommands.cancel, OrderCancelled)


async def test_a_confirmed_order_is_not_yet_the_buyers_to_cancel() -> None:  # R-ORD-5
    # Its ship-by time is not known yet: the buyer waits (`test_late_cancel.py`).
    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=True)
    assert await refusal(wired.services.commands.cancel(order.id, THE_BUYER)) == "not_yet_late"
    assert (await stored(wired, order.id)).status == "confirmed"
    assert wired.ports.published_of(OrderCancelled) == []


async def test_an_order_is_cancelled_once() -> None:
    wired = await orders_selling_the_product()
    order = await placed(wired)
    await wired.services.commands.cancel(order.id, THE_BUYER)
    assert await refusal(wired.services.commands.cancel(order.id, THE_BUYER)) == "cancelled"
    assert len(wired.ports.published_of(OrderCancelled)) == 1


async def test_a_cancel_past_the_deadline_finds_it_timed_out() -> None:  # R-ORD-3
    wired = await orders_selling_the_product()
    order = await placed(wired)
    wired.clock.advance(WINDOW + timedelta(minutes=1))
    assert await refusal(wired.services.commands.cancel(order.id, THE_BUYER)) == "past_deadline"
    timed_out = await stored(wired, order.id)
    assert (timed_out.cancel_reason, timed_out.confirmation_outcome) == (
        "confirmation_timeout",
        "timed_out",
    )
    assert [event.reason for event in wired.ports.published_of(OrderCancelled)] == [
        "confirmation_timeout"
    ]
