"""Where an order stands in the whole process (R-ORD-5): the step each service has
reached, what the platform waits for next, from whom, and until when. Pure: built from
the order's status and the facts the other services' events told it (`ProcessFacts`),
with the policy and the time passed in.

Every order has either *ended*, and says why (`ended_because`), or *waits* for one next
step with a deadline (`until`): none is ever in a state with no deadline and no next step
(R-ORD-5, every order ends; `tests/unit/test_process_walk.py` walks every state). A wait
is of one of two kinds:

- an **obligation**: somebody must act by `until`: the merchant confirms (R-ORD-2),
  logistics plans the shipment (R-ORD-4), the merchant (semi-managed) or the platform
  (full-managed) hands the parcel over (R-LOG-1..5), the carrier delivers (R-LOG-3),
  aftersales resolves a case or refunds a cancelled order (R-ORD-5). Past `until` the order
  is **overdue**: neither the step nor the platform's own fallback for it (the jobs of
  R-ORD-3 and R-ORD-5) happened, and operators list it (`GET /orders?stuck=true`).
- a **window**: the buyer may open an after-sales case until `until` (R-AS-1); when it
  closes the order has ended by itself, never overdue.

Deadlines the order does not know exactly are counted as the other service counts them,
from the policy: the after-sales window closes the longest window of its items'
categories after the latest of its delivery, the end (UTC) of its latest estimated
delivery date and its loss report (as aftersales counts it). Two have no rule, and are
**decided** here: an automatic reaction to an event (logistics plans a confirmed order,
aftersales refunds and logistics cancels the shipment of a cancelled one) is due within
`ProcessTerms.reaction` (the `PROCESS_REACTION_SECONDS` setting) of its cause; an open
case is due for resolution within the order's after-sales window length of its opening
(aftersales does not tell orders of a rejection: such a case stays open here).

The next steps (`orders.domain.waits.WAITS`), in the order they are looked for; "reaction"
is `PROCESS_REACTION_SECONDS`, "window" the order's after-sales window length:

- cancelled before confirmation: ended, `cancelled_before_confirmation`;
- cancelled after it (R-ORD-5): `refund` (aftersales), then `shipment_cancel` (logistics)
  if it was planned, each by the cancellation + reaction; then ended,
  `cancelled_and_refunded` (its shipment cancelled, or handed over in a race);
- refunds reached the total: ended, `refunded`;
- awaiting confirmation: `merchant_confirms` (merchant) by `confirm_by`;
- a case open: `case_resolution` (aftersales) by the opening + window;
- delivered, or lost or damaged in transit: `aftersales_window` (buyer, a window) until
  the window's close; then ended, `aftersales_window_closed`;
- shipped: `delivery` (carrier) by the end of the latest estimated date + window;
- its shipment cancelled, itself not (never expected): `order_cancel` (orders), reaction;
- confirmed, not planned: `logistics_plans` (logistics) by the confirmation + reaction;
- lost or damaged before its handover: `not_shipped_cancel` (logistics) by `ship_by` +
  `SHIP_GRACE_HOURS`;
- planned: `handover` (the platform for full-managed, the merchant for semi-managed) by
  `ship_by`; once flagged late (`ShipmentLate`), `handover_late` by `ship_by` +
  `SHIP_GRACE_HOURS`, when logistics cancels it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from orders.domain.model import Order
from orders.domain.waits import EndReason, Next, ProcessTerms, Waiting, next_step

__all__ = [
    "AftersalesStep",
    "LogisticsStep",
    "OrdersStep",
    "Process",
    "ProcessTerms",
    "Steps",
    "Waiting",
    "process_of",
    "stuck_after",
]

OrdersStep = Literal["awaiting_confirmation", "confirmed", "cancelled"]
LogisticsStep = Literal[
    "not_planned", "planned", "late", "shipped", "delivered", "exception", "cancelled"
]
AftersalesStep = Literal["none", "case_open", "partially_refunded", "refunded"]


class Steps(BaseModel):
    """The step each service has reached, as its events told orders."""

    orders: OrdersStep
    logistics: LogisticsStep
    aftersales: AftersalesStep


class Process(BaseModel):
    steps: Steps
    waiting_for: Waiting | None
    #: The deadline of `waiting_for`; None only for an ended order.
    until: datetime | None
    ended: bool
    ended_because: EndReason | None
    #: An obligation past its `until`.
    overdue: bool


def process_of(order: Order, terms: ProcessTerms, now: datetime) -> Process:
    """Where `order` stands at `now`."""
    steps = Steps(
        orders=_orders_step(order),
        logistics=_logistics_step(order),
        aftersales=_aftersales_step(order),
    )
    next_ = next_step(order, terms)
    if isinstance(next_, Next) and next_.waiting.kind == "window" and now >= next_.until:
        next_ = "aftersales_window_closed"  # R-AS-1: half-open, as aftersales counts it
    if isinstance(next_, Next):
        return Process(
            steps=steps,
            waiting_for=next_.waiting,
            until=next_.until,
            ended=False,
            ended_because=None,
            overdue=now > next_.until,
        )
    return Process(
        steps=steps, waiting_for=None, until=None, ended=True, ended_because=next_, overdue=False
    )


def stuck_after(order: Order, terms: ProcessTerms) -> datetime | None:
    """When the order is overdue if nothing happens meanwhile: the deadline of the
    obligation it waits on; None once ended, or while only a window is open. It does not
    depend on the time: stored with the order for the operators' list (`adapters`)."""
    next_ = next_step(order, terms)
    if isinstance(next_, Next) and next_.waiting.kind == "obligation":
        return next_.until
    return None


def _orders_step(order: Order) -> OrdersStep:
    if order.status == "awaiting_confirmation" or order.status == "cancelled":
        return order.status
    return "confirmed"


def _logistics_step(order: Order) -> LogisticsStep:
    facts = order.facts
    if facts.delivered_at is not None:
        return "delivered"
    if facts.shipment_cancelled_at is not None:
        return "cancelled"
    if facts.exception_kind is not None:
        return "exception"
    if facts.shipped_at is not None:
        return "shipped"
    if facts.late_detected_at is not None:
        return "late"
    return "planned" if order.ship_by is not None else "not_planned"


def _aftersales_step(order: Order) -> AftersalesStep:
    refunded = order.refunded.amount_minor if order.refunded is not None else 0
    if refunded >= order.total.amount_minor:
        return "refunded"
    if order.facts.open_cases:
        return "case_open"
    return "partially_refunded" if refunded else "none"
