"""What orders refuses of what logistics and aftersales tell (`domain/implausible.py`),
through orders' own bootstrap on fake ports: a fact about an order never confirmed, and a
refund the order cannot bear, are `Implausible` (the consumer parks them at once) and
change nothing; the refunds the domain allows are taken as before."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from orders.domain.model import Order
from shared.contract.events import RefundIssued
from shared.contract.types import ContractModel, Money
from shared.errors import Implausible
from testkit.factories import (
    HOUR,
    T0,
    THE_BUYER,
    a_case_opened,
    a_delivered,
    a_refund_issued,
    a_shipment_exception,
    a_shipment_late,
    a_shipped,
    usd,
)
from testkit.orders_unit import (
    WiredOrders,
    a_shipment_cancelled,
    a_shipment_created,
    orders_selling_the_product,
    placed,
    stored,
)

#: Everything logistics and aftersales tell of an order.
TOLD: list[Callable[..., ContractModel]] = [
    a_shipment_created,
    a_shipment_cancelled,
    a_shipped,
    a_delivered,
    a_shipment_late,
    a_shipment_exception,
    a_case_opened,
    a_refund_issued,
]


async def refused(wired: WiredOrders, order: Order, event: ContractModel, match: str) -> None:
    """`event` is refused as implausible, and the order stays as it was stored."""
    before = await stored(wired, order.id)
    with pytest.raises(Implausible, match=match):
        await wired.deliver(event)
    assert await stored(wired, order.id) == before


async def a_cancelled_order(*, confirmed: bool) -> tuple[WiredOrders, Order]:
    """An order its buyer cancelled before its confirmation (nothing paid, R-ORD-2), or a
    confirmed one cancelled as its shipment was not handed over in time (R-ORD-5)."""
    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=confirmed)
    if confirmed:
        await wired.deliver(a_shipment_cancelled(order_id=order.id, at=T0 + HOUR))
    else:
        await wired.services.commands.cancel(order.id, THE_BUYER)
    return wired, await stored(wired, order.id)


@pytest.mark.parametrize("fact", TOLD)
async def test_a_fact_about_an_order_awaiting_confirmation_is_refused(
    fact: Callable[..., ContractModel],
) -> None:  # R-ORD-4
    wired = await orders_selling_the_product()
    order = await placed(wired)
    await refused(wired, order, fact(order_id=order.id, at=T0 + HOUR), "never confirmed")


@pytest.mark.parametrize("fact", TOLD)
async def test_a_fact_about_an_order_cancelled_before_its_confirmation_is_refused(
    fact: Callable[..., ContractModel],
) -> None:  # R-ORD-4, R-ORD-5
    wired, order = await a_cancelled_order(confirmed=False)
    await refused(wired, order, fact(order_id=order.id, at=T0 + HOUR), "never confirmed")


@pytest.mark.parametrize(
    "amount",
    [usd(10**12), usd(4991), Money(amount_minor=990, currency="EUR")],
    ids=["a trillion", "a cent above", "another currency"],
)
async def test_a_refund_above_the_orders_total_or_in_another_currency_is_refused(
    amount: Money,
) -> None:
    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=True)  # 49.90 USD
    await refused(wired, order, a_refund_issued(order_id=order.id, amount=amount), "RefundIssued")
    assert (await stored(wired, order.id)).refunded is None


async def test_refunds_never_add_up_above_the_total() -> None:  # R-AS-2
    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=True)  # 49.90 USD
    await wired.deliver(a_refund_issued(order_id=order.id, amount=usd(990)))
    partly = await stored(wired, order.id)
    above = a_refund_issued(order_id=order.id, amount=usd(4001), case_id="case-2")
    await refused(wired, partly, above, "above what is left refundable: 4000 of its total 4990")
    await wired.deliver(a_refund_issued(order_id=order.id, amount=usd(4000), case_id="case-2"))
    whole = await stored(wired, order.id)
    assert (whole.status, whole.refunded) == ("refunded", usd(4990))


def a_cancellation_refund(order: Order, reason: str) -> RefundIssued:
    """Aftersales' whole-order refund of a cancellation (R-ORD-5): no case, after it."""
    return a_refund_issued(
        order_id=order.id, case_id=None, reason=reason, amount=order.total, at=T0 + 2 * HOUR
    )


async def test_a_cancellations_refund_of_an_order_not_cancelled_is_refused() -> None:  # R-ORD-5
    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=True)
    await refused(wired, order, a_cancellation_refund(order, "no_route"), "cancelled for")


async def test_a_cancellations_refund_for_another_cause_is_refused() -> None:  # R-ORD-5
    wired, order = await a_cancelled_order(confirmed=True)
    assert order.cancel_reason == "not_shipped"
    await refused(wired, order, a_cancellation_refund(order, "no_route"), r"cancelled \(not_")


async def test_a_cancellations_refund_for_its_cause_is_taken_and_the_order_stays_cancelled() -> (
    None
):  # R-ORD-5
    wired, order = await a_cancelled_order(confirmed=True)
    await wired.deliver(a_cancellation_refund(order, "not_shipped"))
    refunded = await stored(wired, order.id)
    assert (refunded.status, refunded.refunded) == ("cancelled", order.total)
    assert refunded.timeline[-1].event == "RefundIssued"
