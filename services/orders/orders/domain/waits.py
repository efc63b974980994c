"""What an order waits for next, from whom, and until when; or why it has ended
(R-ORD-2..6, R-LOG-1..5, R-AS-1). Pure: the order's status and the facts the other
services told it (`ProcessFacts`), with the policy. `orders.domain.process` says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel

from orders.domain.model import Order
from shared.aftersales_window import window_close as window_close_of
from shared.aftersales_window import window_days
from shared.categories import CategoryList, default_categories
from shared.contract.events import COMPENSATED
from shared.policy import Policy

Party = Literal["merchant", "platform", "logistics", "carrier", "aftersales", "buyer", "orders"]
NextStep = Literal[
    "merchant_confirms",
    "logistics_plans",
    "handover",
    "handover_late",
    "not_shipped_cancel",
    "order_cancel",
    "delivery",
    "case_resolution",
    "aftersales_window",
    "refund",
    "shipment_cancel",
]
EndReason = Literal[
    "cancelled_before_confirmation",
    "cancelled_and_refunded",
    "refunded",
    "aftersales_window_closed",
]


@dataclass(frozen=True)
class ProcessTerms:
    """What the deadlines are counted with: the policy (R-POL-1), how long an automatic
    reaction to an event may take (decided: the `PROCESS_REACTION_SECONDS` setting), and
    the category list with each category's after-sales window (R-REV-11, R-AS-1)."""

    policy: Policy
    reaction: timedelta
    categories: CategoryList = field(default_factory=default_categories)


class Waiting(BaseModel):
    """The next step: `who` must do `what` (`step`, for machines); `then`, what happens if
    it has not by the deadline; `kind`: an obligation, or a window that ends the order."""

    step: NextStep
    who: Party
    what: str
    then: str
    kind: Literal["obligation", "window"] = "obligation"


@dataclass(frozen=True)
class Next:
    waiting: Waiting
    until: datetime


_ESCALATE = "overdue: an operator looks into it (an event may be parked: dead letters)"
_GIVEN_UP = "logistics cancels the shipment (not_shipped): the order is cancelled and refunded"
#: Each next step; the handover's `who` is the platform or the merchant (R-LOG-1, R-LOG-2).
WAITS: dict[NextStep, Waiting] = {
    wait.step: wait
    for wait in (
        Waiting(
            step="merchant_confirms",
            who="merchant",
            what="confirm the order (R-ORD-2)",
            then="orders cancels it (confirmation_timeout, R-ORD-3)",
        ),
        Waiting(
            step="logistics_plans",
            who="logistics",
            what="plan the shipment of the confirmed order (R-ORD-4, R-LOG-6)",
            then=_ESCALATE,
        ),
        Waiting(
            step="handover",
            who="merchant",
            what="hand the parcel to the carrier by ship_by (R-LOG-1, R-LOG-2, R-LOG-5)",
            then="logistics flags it late, the buyer may cancel it, and at ship_by + "
            "SHIP_GRACE_HOURS it is cancelled and refunded (R-ORD-5)",
        ),
        Waiting(
            step="handover_late",
            who="merchant",
            what="hand the parcel to the carrier: late, past ship_by; the buyer may cancel "
            "(R-ORD-5)",
            then=f"{_GIVEN_UP} (R-ORD-5)",
        ),
        Waiting(
            step="not_shipped_cancel",
            who="logistics",
            what="cancel the shipment reported lost or damaged before its handover, at "
            "ship_by + SHIP_GRACE_HOURS (R-ORD-5)",
            then=_ESCALATE,
        ),
        Waiting(
            step="order_cancel",
            who="orders",
            what="cancel the order whose shipment was cancelled (R-ORD-5)",
            then=_ESCALATE,
        ),
        Waiting(
            step="delivery",
            who="carrier",
            what="deliver the parcel by its window's latest date (R-LOG-3, R-LOG-8); after "
            "it, the buyer may open a not_received case (R-AS-1)",
            then="overdue: neither delivered nor claimed; an operator looks into it",
        ),
        Waiting(
            step="case_resolution",
            who="aftersales",
            what="an operator resolves the open after-sales case (R-AS-2, R-AS-3)",
            then=_ESCALATE,
        ),
        Waiting(
            step="aftersales_window",
            who="buyer",
            what="may open an after-sales case (R-AS-1)",
            then="the after-sales window closes: the order has ended",
            kind="window",
        ),
        Waiting(
            step="refund",
            who="aftersales",
            what="refund the whole cancelled order (R-ORD-5, R-ORD-6)",
            then=_ESCALATE,
        ),
        Waiting(
            step="shipment_cancel",
            who="logistics",
            what="cancel the shipment of the cancelled order (R-ORD-5)",
            then=_ESCALATE,
        ),
    )
}


def next_step(order: Order, terms: ProcessTerms) -> Next | EndReason:
    """What the order waits for next and until when, or why it ended (but for the window's
    close, which `process_of` judges at its time)."""
    if order.status == "cancelled":
        return _after_cancel(order, terms)
    if _whole_refunded(order):
        return "refunded"
    if order.status == "awaiting_confirmation":
        return Next(WAITS["merchant_confirms"], order.confirm_by)
    if open_cases := order.facts.open_cases:
        days = window_days(_categories(order), terms.categories)
        resolve_by = min(open_cases.values()) + timedelta(days=days)
        return Next(WAITS["case_resolution"], resolve_by)
    return _shipment(order, terms)


def _after_cancel(order: Order, terms: ProcessTerms) -> Next | EndReason:
    """R-ORD-5: a confirmed order cancelled is refunded in whole and its shipment cancelled
    (unless handed over in a race); one cancelled before its confirmation just ends."""
    facts = order.facts
    if order.cancel_reason not in COMPENSATED:
        return "cancelled_before_confirmation"
    react_by = (order.cancelled_at or order.created_at) + terms.reaction
    if facts.cancellation_refunded_at is None and not _whole_refunded(order):
        return Next(WAITS["refund"], react_by)
    planned = order.ship_by is not None or order.shipment_id is not None
    if planned and facts.shipment_cancelled_at is None and facts.shipped_at is None:
        return Next(WAITS["shipment_cancel"], react_by)
    return "cancelled_and_refunded"


def _shipment(order: Order, terms: ProcessTerms) -> Next | EndReason:
    """A confirmed order, no case open: where its parcel is (R-ORD-4, R-LOG-1..8)."""
    facts = order.facts
    if facts.delivered_at is not None or (facts.shipped_at and facts.exception_kind):
        # Delivered, or lost or damaged in transit: the buyer may open a case (R-AS-1).
        close = window_close(order, terms.categories)
        return (
            "aftersales_window_closed" if close is None else Next(WAITS["aftersales_window"], close)
        )
    if facts.shipped_at is not None:
        return Next(WAITS["delivery"], window_close(order, terms.categories) or facts.shipped_at)
    if facts.shipment_cancelled_at is not None:  # never: orders cancels it as it learns it
        return Next(WAITS["order_cancel"], facts.shipment_cancelled_at + terms.reaction)
    if order.ship_by is None:
        confirmed_at = order.confirmed_at or order.created_at
        return Next(WAITS["logistics_plans"], confirmed_at + terms.reaction)
    return _handover(order, order.ship_by, terms)


def _handover(order: Order, ship_by: datetime, terms: ProcessTerms) -> Next:
    """R-LOG-1..5, R-ORD-5: handed over by `ship_by`; once flagged late, by `ship_by` +
    `SHIP_GRACE_HOURS`, when logistics cancels it; one reported lost or damaged before its
    handover can no longer ship: logistics cancels it then."""
    given_up = ship_by + timedelta(hours=terms.policy.ship_grace_hours)
    if order.facts.exception_kind is not None:
        return Next(WAITS["not_shipped_cancel"], given_up)
    late = order.facts.late_detected_at is not None
    wait = WAITS["handover_late" if late else "handover"]
    if order.store_type == "full_managed":
        wait = wait.model_copy(update={"who": "platform"})
    return Next(wait, given_up if late else ship_by)


def _whole_refunded(order: Order) -> bool:
    return order.refunded is not None and order.refunded.amount_minor >= order.total.amount_minor


def _categories(order: Order) -> list[str]:
    return [line.category for line in order.items]


def window_close(order: Order, categories: CategoryList) -> datetime | None:
    """R-AS-1, as aftersales counts it (`shared.aftersales_window`): the last moment a case
    may be opened; None before the order's delivery, loss report or shipment."""
    facts = order.facts
    window = facts.shipped_window or order.estimated_delivery
    return window_close_of(
        _categories(order),
        categories,
        delivered_at=facts.delivered_at,
        lost_reported_at=facts.lost_reported_at,
        due_latest=window.latest if window is not None and facts.shipped_at is not None else None,
    )
