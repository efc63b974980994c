"""The refund of a cancelled order (R-ORD-5) and who bears it (R-ORD-6): pure rules, and
`Compensation`, the one refund of one cancelled order (its id is the order's id).

A confirmed order that cannot or does not ship is cancelled (`no_route`, `not_shipped`,
`buyer_cancelled_late`: the contract's `COMPENSATED`) and its buyer is refunded the whole
order, less what after-sales cases already hold on it (refunds never exceed the total).
How that is held and issued exactly once is `service_layer/compensation.py`'s business.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, TypeGuard

from aftersales.domain.errors import Conflict
from aftersales.domain.facts import OrderFacts
from aftersales.domain.refunds import money_text
from shared.aggregate import Aggregate
from shared.clock import utc_ms
from shared.contract.events import COMPENSATED, CancelReason, OrderCancelled, RefundIssued
from shared.contract.types import LiableParty, Money, StoreType, UtcDateTime
from shared.errors import Implausible, NotYetKnown

#: Why a confirmed order was cancelled and refunded in whole (R-ORD-5).
CompensatedReason = Literal["no_route", "not_shipped", "buyer_cancelled_late"]


def is_compensated(reason: CancelReason) -> TypeGuard[CompensatedReason]:
    """R-ORD-5: whether a cancellation refunds the buyer the whole order (the reasons
    before confirmation, R-ORD-3, do not: nothing was to ship)."""
    return reason in COMPENSATED


def cancellation_liable_party(
    reason: CompensatedReason, store_type: StoreType
) -> tuple[LiableParty, str]:
    """R-ORD-6: who bears a cancelled order's refund, and the rule note kept with it.

    `no_route`: the platform (no route of its own accepts the order). `not_shipped` and
    `buyer_cancelled_late`: whoever ships the order: the platform for a full-managed store,
    the merchant for a semi-managed one.
    """
    if reason == "no_route":
        return "platform", "R-ORD-6: no route accepts the order; the platform bears the refund"
    why = "not handed over in time" if reason == "not_shipped" else "cancelled late, unshipped"
    if store_type == "full_managed":
        return "platform", f"R-ORD-6: {why}; the platform ships a full-managed order"
    return "merchant", f"R-ORD-6: {why}; the merchant ships a semi-managed order"


def store_type_of(event: OrderCancelled, order: OrderFacts) -> StoreType:
    """The store type R-ORD-6 decides by: the cancellation's own, else the replica's;
    Conflict (try again later) while neither is known."""
    store_type = event.store_type or order.store_type
    if store_type is None:
        raise Conflict(
            f"R-ORD-6: the store type of cancelled order {event.order_id} is not known to "
            "after-sales yet, so who bears its refund cannot be decided; try again shortly"
        )
    return store_type


def refuse_uncompensable(event: OrderCancelled, order: OrderFacts) -> None:
    """R-ORD-5 refunds a confirmed order its total, as its own events told it: `Conflict`
    (try again later) while no event told the total, `NotYetKnown` (retried, then parked)
    while its confirmation has not come (an order cancelled for a cause of `COMPENSATED`
    was confirmed first), `Implausible` if the cancellation names another total."""
    total = order.require_total()
    if order.confirmed_at is None:
        raise NotYetKnown(
            f"R-ORD-5: order {event.order_id} was cancelled ({event.reason}) once confirmed, "
            "but aftersales has not seen it confirmed (OrderConfirmed) yet"
        )
    if event.total is not None and event.total != total:
        raise Implausible(
            f"R-ORD-5: OrderCancelled of order {event.order_id} names a total of "
            f"{money_text(event.total)}; the order's is {money_text(total)}"
        )


class Compensation(Aggregate):
    """The refund of one cancelled order (R-ORD-5); `id` is the order id, so an order
    has at most one. Created with its `RefundIssued`, never changed."""

    order_id: str
    buyer_id: str
    merchant_id: str
    store_id: str | None = None
    store_type: StoreType
    reason: CompensatedReason
    cancelled_at: UtcDateTime
    amount: Money
    #: R-ORD-6: who bears the refund, and the rule note it was decided by.
    liable_party: LiableParty
    liability_rule: str
    issued_at: UtcDateTime

    @classmethod
    def issue(
        cls,
        event: OrderCancelled,
        reason: CompensatedReason,
        order: OrderFacts,
        amount: Money,
        now: datetime,
    ) -> Compensation:
        """The refund of `amount` (what the order's ledger holds for its cancellation),
        recording `RefundIssued` with no case and the cancellation's reason."""
        now = utc_ms(now)
        store_type = store_type_of(event, order)
        party, rule_note = cancellation_liable_party(reason, store_type)
        told = event.model_dump(include={"order_id", "buyer_id", "merchant_id", "cancelled_at"})
        refund = {"amount": amount, "liable_party": party, "issued_at": now, "reason": reason}
        compensation = cls(
            id=event.order_id,
            store_id=event.store_id or order.store_id,
            store_type=store_type,
            liability_rule=rule_note,
            **told,
            **refund,
        )
        compensation.record(RefundIssued(case_id=None, order_id=event.order_id, **refund))
        return compensation
