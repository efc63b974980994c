"""The after-sales rules of DOMAIN.md as pure functions: time, policy and the category list
are passed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from aftersales.domain.errors import Conflict, OutsideWindow
from aftersales.domain.facts import OrderFacts, StoreFacts
from shared.aftersales_window import end_of_due_date, window_days
from shared.categories import CategoryList
from shared.contract.events import COMPENSATED
from shared.contract.types import LiableParty, Money, StoreType, rfc3339
from shared.policy import Policy

Reason = Literal["damaged", "lost", "not_received", "not_as_described"]

# R-AS-1: problems with the goods as received; the window runs from delivery.
RECEIVED_REASONS: frozenset[Reason] = frozenset({"damaged", "not_as_described"})
# R-AS-1: goods that never arrived; the window runs from when they were due at the latest
# (or from logistics reporting them lost, if that comes first).
TRANSIT_REASONS: frozenset[Reason] = frozenset({"lost", "not_received"})


@dataclass(frozen=True)
class ClaimWindow:
    """When a case for one reason may be opened: `opens_at` <= now < `closes_at`."""

    opens_at: datetime
    closes_at: datetime
    #: what opened it, e.g. "delivery at 2026-11-27T08:00:00Z"
    opened_by: str
    #: what its days count from (the later start when both delivery estimate and loss
    #: report are known)
    counted_from: str


def claim_window(reason: Reason, order: OrderFacts, categories: CategoryList) -> ClaimWindow:
    """R-AS-1: the window of `reason` on `order`; OutsideWindow when it cannot open yet."""
    days = window_days(order.categories, categories)
    span = timedelta(days=days)
    if order.status == "cancelled":
        raise OutsideWindow(_cancelled_text(order), rule="R-AS-1")
    if reason in RECEIVED_REASONS:
        if order.delivered_at is None:
            raise OutsideWindow(
                f"R-AS-1: a '{reason}' case opens only after delivery, within {days} days; "
                f"order {order.id} has not been delivered yet",
                rule="R-AS-1",
            )
        delivery = f"delivery at {rfc3339(order.delivered_at)}"
        return ClaimWindow(order.delivered_at, order.delivered_at + span, delivery, delivery)
    # Transit reasons: due once the latest estimated delivery date has passed (UTC).
    starts: list[tuple[datetime, str]] = []
    if order.estimated_delivery is not None:
        latest = order.estimated_delivery.latest
        overdue_at = end_of_due_date(latest)
        starts.append((overdue_at, f"the end of the latest estimated delivery date {latest}"))
    if order.lost_reported_at is not None:
        starts.append(
            (order.lost_reported_at, f"the loss report at {rfc3339(order.lost_reported_at)}")
        )
    if not starts:
        raise OutsideWindow(
            f"R-AS-1: a '{reason}' case opens once the order has shipped and its latest "
            f"estimated delivery date has passed; order {order.id} has not shipped yet",
            rule="R-AS-1",
        )
    # Whichever comes first opens the window; the window lasts `days` after the later one,
    # so a late loss report never shortens the buyer's time.
    opens_at, opened_by = min(starts)
    last_start, counted_from = max(starts)
    return ClaimWindow(opens_at, last_start + span, opened_by, counted_from)


def _cancelled_text(order: OrderFacts) -> str:
    """Why a cancelled order gets no case: it never reached the buyer, and one cancelled
    after its confirmation (R-ORD-5) is refunded in whole without one."""
    reason = f" ({order.cancel_reason})" if order.cancel_reason else ""
    text = f"R-AS-1: order {order.id} was cancelled{reason}; a cancelled order gets no case"
    if order.cancel_reason in COMPENSATED:
        text += ": its buyer is refunded the whole order automatically (R-ORD-5)"
    return text


def check_room_for_a_case(order_id: str, cases: int, policy: Policy) -> None:
    """R-AS-1 (decided): an order has at most `AFTERSALES_MAX_CASES_PER_ORDER` cases, open or
    closed; R-AS-1 itself names no number, and without one a buyer could open cases without
    end. Conflict once the order has them all."""
    most = policy.aftersales_max_cases_per_order
    if cases >= most:
        raise Conflict(
            f"order {order_id} already has {cases} after-sales cases, the most one order may "
            "have; add to one of them (POST /cases/{id}/messages) instead",
            rule="R-AS-1",
        )


def check_can_open(
    reason: Reason, order: OrderFacts, now: datetime, categories: CategoryList
) -> None:
    """R-AS-1: refuse a case outside its window, naming the rule and the dates."""
    window = claim_window(reason, order, categories)
    days = window_days(order.categories, categories)
    if now < window.opens_at:
        raise OutsideWindow(
            f"R-AS-1: a '{reason}' case on order {order.id} opens at "
            f"{rfc3339(window.opens_at)}, at {window.opened_by} (now {rfc3339(now)})",
            rule="R-AS-1",
            opens_at=window.opens_at,
            closes_at=window.closes_at,
        )
    if now >= window.closes_at:
        raise OutsideWindow(
            f"R-AS-1: a '{reason}' case on order {order.id} had to be opened within {days} "
            f"days of {window.counted_from}; the window closed at {rfc3339(window.closes_at)} "
            f"(now {rfc3339(now)})",
            rule="R-AS-1",
            opens_at=window.opens_at,
            closes_at=window.closes_at,
        )


def liable_party(
    store: StoreFacts | None, store_type: StoreType, opened_at: datetime, policy: Policy
) -> tuple[LiableParty, str]:
    """R-AS-2: who bears a refund, and the rule note recorded with the decision.

    Full-managed: the platform while the case was opened within the exemption period
    counted from the store's approval, [approved_at, approved_at + period); the merchant
    from then on. Semi-managed: always the merchant.
    **decided**: a full-managed store whose approval aftersales has not learnt yet is
    treated as exempt: no merchant is charged without the date that proves it.
    """
    if store_type == "semi_managed":
        return "merchant", "R-AS-2: semi-managed store; the merchant bears after-sales refunds"
    period = policy.exemption_period_days
    if store is None or store.approved_at is None:
        return "platform", (
            f"R-AS-2: full-managed store with unknown approval date; the platform bears the "
            f"refund as in the {period}-day exemption period"
        )
    ends_at = store.approved_at + timedelta(days=period)
    facts = (
        f"store approved {rfc3339(store.approved_at)}, {period}-day exemption period ends "
        f"{rfc3339(ends_at)}, case opened {rfc3339(opened_at)}"
    )
    if opened_at < ends_at:
        return "platform", f"R-AS-2: full-managed, within the exemption period ({facts})"
    return "merchant", f"R-AS-2: full-managed, after the exemption period ({facts})"


def refundable_left(order: OrderFacts) -> Money:
    """The order total less every refund issued on it so far."""
    return order.refundable_left()
