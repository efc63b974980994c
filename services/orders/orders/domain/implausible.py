"""What orders refuses of what logistics and aftersales tell of an order (`Order.take`):
what cannot be true of it is `Implausible`, so the consumer parks it at once and nothing
of it is taken. Pure: no I/O."""

from __future__ import annotations

from orders.domain.facts import Fact
from orders.domain.order_parts import OrderState
from shared.contract.events import RefundIssued
from shared.errors import Implausible


def refuse_implausible(order: OrderState, event: Fact) -> None:
    """What logistics and aftersales tell of an order exists only once orders confirmed
    it (R-ORD-4: logistics plans its shipment from `OrderConfirmed`; a case needs the goods
    sent, R-AS-1; a refund returns what a confirmed order was paid, R-ORD-5), so of an
    order never confirmed (awaiting it, or cancelled before it: nothing paid) it is
    `Implausible`; so is a refund the order cannot bear (`_refuse_refund`)."""
    if order.confirmed_at is None:
        raise Implausible(
            f"{type(event).__name__} about order {order.id}, which was never confirmed (it is "
            f"{order.status}): nothing was shipped nor paid to tell of"
        )
    if isinstance(event, RefundIssued):
        _refuse_refund(order, event)


def _refuse_refund(order: OrderState, refund: RefundIssued) -> None:
    """Refunds of an order never exceed what its buyer paid, its total, however many (a
    case may refund part of it, R-AS-2): `Implausible` above what earlier refunds left, or
    in another currency. The refund of a cancellation (no case, R-ORD-5) comes only for
    the cause the order was cancelled for."""
    total, held = order.total, order.refunded
    left = total.amount_minor - (held.amount_minor if held is not None else 0)
    asked = f"{refund.amount.amount_minor} {refund.amount.currency}"
    if refund.amount.currency != total.currency:
        raise Implausible(f"RefundIssued of {asked} on order {order.id}, paid in {total.currency}")
    if refund.amount.amount_minor > left:
        raise Implausible(
            f"RefundIssued of {asked} on order {order.id} is above what is left refundable: "
            f"{left} of its total {total.amount_minor} {total.currency} (minor units); "
            "refunds never exceed what the buyer paid"
        )
    if refund.case_id is None and (
        order.status != "cancelled" or order.cancel_reason != refund.reason
    ):
        cancelled = f"cancelled ({order.cancel_reason})" if order.cancel_reason else order.status
        raise Implausible(
            f"RefundIssued without a case for '{refund.reason}' on order {order.id}, which is "
            f"{cancelled}: a cancelled order is refunded for the cause it was cancelled for "
            "(R-ORD-5)"
        )
