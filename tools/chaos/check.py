"""What the load generator was told against the final state of the five services.

Every row checks that no acknowledged step was lost and nothing happened twice (no
refund issued twice, no order cancelled twice, no cancelled order shipped), and that
settlement's ledger holds each order's money once, balanced (`chaos.money`). The row run
with `Ends` (R-ORD-5: every order ends) also requires each order to reach its end (its
cause and its one refund, R-ORD-6) or to have a dated next step still ahead.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from chaos.load import UNSHIPPABLE, Journey
from chaos.money import money_findings
from devkit.journey import Actor
from orders.domain.order_parts import PROGRESS
from shared.contract import Envelope
from shared.contract.events import COMPENSATED

#: The statuses an order ends in (R-ORD-5): it moves no more by itself.
ENDED = ("delivered", "partially_refunded", "refunded", "cancelled")
#: How long past its date a next step may still be on its way (a deadline job's poll, an
#: event's hop or two); later than that it is overdue: nothing took it.
STEP_SLACK = timedelta(seconds=10)

Column = Literal["lost", "duplicated", "stuck"]
#: How long settlement's ledger may take to agree with the bus once the orders settled.
MONEY_SETTLE_SECONDS = 60.0


def expected(journey: Journey) -> tuple[str, str | None]:
    """(status at least, cancel reason) the acknowledged steps imply."""
    if "cancel" in journey.acked:
        return "cancelled", "buyer_cancelled"
    if "confirm" not in journey.acked:
        return "cancelled", "confirmation_timeout"
    if journey.kind in UNSHIPPABLE:
        # R-ORD-5: confirmed to a destination no route serves, or never handed over.
        return "cancelled", journey.kind
    for step, status in (("refund", "refunded"), ("deliver", "delivered"), ("ship", "shipped")):
        if step in journey.acked:
            return status, None
    return "confirmed", None


@dataclass
class Verdict:
    attempted: int = 0
    acknowledged: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)
    #: With `Ends`: how many orders ended how (`ended`), so a row shows what it judged.
    ends: Counter[str] = field(default_factory=Counter)

    def note(self, column: Column, detail: str) -> None:
        getattr(self, column).append(detail)


@dataclass(frozen=True)
class Ends:
    """The row in which every order must end (R-ORD-5), and what dates its next steps:
    the run's `SHIP_GRACE_HOURS`, and how far each service's clock runs ahead of the
    machine's (`CLOCK_OFFSET_SECONDS`)."""

    grace: timedelta
    ahead_seconds: Mapping[str, float]

    def now(self) -> dict[str, datetime]:
        """Each service's now."""
        machine = datetime.now(UTC)
        return {name: machine + timedelta(seconds=s) for name, s in self.ahead_seconds.items()}


@dataclass(frozen=True)
class Step:
    """What will move an order that has not ended, whose clock decides, and when."""

    what: str
    clock: str
    at: datetime


def _behind(order: dict[str, Any], journey: Journey) -> str | None:
    status, reason = expected(journey)
    if status == "cancelled":
        if order["status"] == "cancelled" and order["cancel_reason"] == reason:
            return None
        return f"{journey.order_id}: {order['status']}, expected cancelled ({reason})"
    if order["status"] == "cancelled" or PROGRESS[order["status"]] < PROGRESS[status]:
        return f"{journey.order_id}: {order['status']}, expected {status}"
    return None


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def next_step(
    order: dict[str, Any], shipment: dict[str, Any] | None, grace: timedelta
) -> Step | None:
    """The dated step that moves an order on from where it is; None for one that has
    ended, or that nothing dated will move (waiting for ever, against R-ORD-5)."""
    shipment = shipment or {}
    match order["status"]:
        case "awaiting_confirmation":
            return Step("cancelled unconfirmed (R-ORD-3)", "orders", _moment(order["confirm_by"]))
        case "confirmed" if shipment.get("status") == "cancelled" and shipment["cancelled_at"]:
            return Step(
                f"cancelled after its shipment ({shipment['cancel_reason']})",
                "logistics",
                _moment(shipment["cancelled_at"]),
            )
        case "confirmed" if ship_by := order.get("ship_by") or shipment.get("ship_by"):
            return Step(
                "cancelled unless handed over by ship_by + SHIP_GRACE_HOURS (R-ORD-5)",
                "logistics",
                _moment(ship_by) + grace,
            )
        case "shipped" if window := shipment.get("estimated_delivery"):
            latest = datetime.fromisoformat(window["latest"]).replace(tzinfo=UTC)
            return Step("delivered within its window", "logistics", latest + timedelta(days=1))
    return None


def liable(reason: str, store_type: str) -> str:
    """R-ORD-6: who bears the refund of a cancellation of R-ORD-5."""
    return "platform" if reason == "no_route" or store_type == "full_managed" else "merchant"


def _causes(journey: Journey) -> tuple[str, ...]:
    """The cancellations that may end a journey's order, by its acknowledged steps."""
    status, reason = expected(journey)
    if status == "cancelled":
        return (reason,) if reason else ()
    if "ship" in journey.acked:
        return ()  # handed over: it travels on
    # Confirmed and meant to ship, but no handover acknowledged: it may have lost the
    # race with its cancellation at ship_by + SHIP_GRACE_HOURS (R-ORD-5).
    return ("not_shipped",)


def _refund_finding(
    order: dict[str, Any], refunds: list[dict[str, Any]]
) -> tuple[Column, str] | None:
    """R-ORD-5, R-ORD-6: a cancellation after confirmation is refunded in whole, with its
    cause, by whoever bears it (two refunds are `_duplicates`' to count)."""
    reason, order_id = order["cancel_reason"], order["order_id"]
    if not refunds:
        return "lost", f"{order_id}: cancelled ({reason}), never refunded"
    refund, whole = refunds[0], order["total"]
    due = (reason, liable(reason, order["store_type"]), whole["amount_minor"], whole["currency"])
    given = (
        refund["reason"],
        refund["liable_party"],
        refund["amount"]["amount_minor"],
        refund["amount"]["currency"],
    )
    if refund.get("case_id") is not None or given != due:
        return "lost", f"{order_id}: refund {given} (case {refund.get('case_id')}), due {due}"
    return None


def _waiting(why: str, step: Step | None, now: Mapping[str, datetime]) -> tuple[Column, str]:
    """An order that has not ended: stuck while its next step is still ahead, lost when
    nothing dated will end it or its step's date has passed without it (R-ORD-5)."""
    if step is None:
        return "lost", f"{why}; nothing dated will end it"
    if now[step.clock] > step.at + STEP_SLACK:
        return "lost", f"{why}; {step.what} was due at {step.at:%H:%M:%S} ({step.clock})"
    return "stuck", f"{why}; {step.what} at {step.at:%H:%M:%S} ({step.clock})"


def end_finding(
    journey: Journey,
    order: dict[str, Any],
    shipment: dict[str, Any] | None,
    refunds: list[dict[str, Any]],
    grace: timedelta,
    now: Mapping[str, datetime],
) -> tuple[Column, str] | None:
    """R-ORD-5 (every order ends), R-ORD-6: None when the journey's order has ended as
    its acknowledged steps and its kind imply (with its one refund when cancelled after
    confirmation), or waits on the carrier's delivery; else its column and why.

    `refunds`: the order's distinct `RefundIssued` payloads; `now`: each service's now.
    """
    if not order:
        return "lost", f"{journey.order_id}: missing"
    status, reason = order["status"], order.get("cancel_reason")
    if status == "cancelled":
        causes = _causes(journey)
        if reason not in causes:
            due = f"cancelled ({' or '.join(causes)})" if causes else expected(journey)[0]
            return "lost", f"{journey.order_id}: cancelled ({reason}), expected {due}"
        return _refund_finding(order, refunds) if reason in COMPENSATED else None
    step = next_step(order, shipment, grace)
    behind = _behind(order, journey)
    if behind is not None:
        return _waiting(behind, step, now)
    if status in ENDED or (status == "shipped" and step is not None):
        return None
    return _waiting(f"{journey.order_id}: {status}", step, now)


def refunds_of(events: list[Envelope], order_id: str) -> list[dict[str, Any]]:
    """The order's `RefundIssued` payloads, one per event id (copies are one refund)."""
    distinct = {
        e.event_id: e.payload
        for e in events
        if e.event_type == "RefundIssued" and e.payload.get("order_id") == order_id
    }
    return list(distinct.values())


def twice(order_id: str, events: list[Envelope], shipments: list[dict[str, Any]]) -> list[str]:
    """What happened twice to one order: cancelled twice, refunded twice (distinct event
    ids: a redelivered copy is the same fact), or both cancelled and shipped (R-ORD-5:
    a cancelled shipment cannot ship; only a late buyer's cancellation may race a
    handover, the parcel travelling on, so it is left out)."""
    mine = [e for e in events if e.payload.get("order_id") == order_id]
    cancellations = {
        e.event_id: e.payload["reason"] for e in mine if e.event_type == "OrderCancelled"
    }
    found = []
    if len(cancellations) > 1:
        found.append(f"{order_id}: cancelled twice")
    if len({e.event_id for e in mine if e.event_type == "RefundIssued"}) > 1:
        found.append(f"{order_id}: refund issued twice")
    shipped = any(e.event_type == "Shipped" for e in mine) or any(
        s.get("shipped_at") for s in shipments
    )
    reasons = sorted(set(cancellations.values()) - {"buyer_cancelled_late"})
    if shipped and reasons:
        found.append(f"{order_id}: cancelled ({', '.join(reasons)}) yet shipped")
    return found


async def check(
    journeys: list[Journey],
    operator: Actor,
    events: list[Envelope],
    settle_seconds: float,
    ends: Ends | None = None,
) -> Verdict:
    """Wait for the platform to settle, then judge every acknowledged journey; with
    `ends`, by R-ORD-5 too (`end_finding`). `events` is the tap's list, still filling."""
    verdict = Verdict(attempted=len(journeys))
    acked = [j for j in journeys if "create" in j.acked]
    verdict.acknowledged = len(acked)
    deadline = time.monotonic() + settle_seconds
    pending = list(acked)
    orders: dict[str, dict[str, Any]] = {}
    shipments: dict[str, dict[str, Any] | None] = {}
    while pending and time.monotonic() < deadline:
        still = []
        for journey in pending:
            order_id = str(journey.order_id)
            response = await operator.call("GET", "orders", f"/orders/{order_id}")
            order = response.json() if response.status_code == 200 else {}
            orders[order_id] = order
            if not order or (ends is None and _behind(order, journey)):
                still.append(journey)
                continue
            if "confirm" in journey.acked or order["status"] in ("confirmed", "shipped"):
                shipments[order_id] = await _shipment(operator, journey)
                if shipments[order_id] is None and "confirm" in journey.acked:
                    still.append(journey)
                    continue
            if ends is not None and _ends_finding(journey, orders, shipments, events, ends):
                still.append(journey)
        pending = still
        if pending:
            await asyncio.sleep(0.5)
    for journey in pending:
        order_id = str(journey.order_id)
        if "confirm" in journey.acked:
            shipments[order_id] = await _shipment(operator, journey)
            if shipments[order_id] is None:
                continue  # judged below, with the shipments
        order = orders.get(order_id) or {}
        if ends is not None:
            finding = _ends_finding(journey, orders, shipments, events, ends)
            if finding is not None:
                verdict.note(*finding)
        elif not order or (order.get("status") == "cancelled" and "confirm" in journey.acked):
            verdict.lost.append(f"{order_id}: {order.get('status', 'missing')}")
        else:
            verdict.stuck.append(_behind(order, journey) or order_id)
    if ends is not None:
        verdict.ends.update(
            ended(orders.get(str(j.order_id)) or {}, refunds_of(events, str(j.order_id)))
            for j in acked
        )
    await _duplicates(acked, operator, events, verdict)
    order_ids = [str(journey.order_id) for journey in acked]
    for column, detail in await money_findings(order_ids, operator, events, MONEY_SETTLE_SECONDS):
        verdict.note(column, f"money: {detail}")
    return verdict


def ended(order: dict[str, Any], refunds: list[dict[str, Any]]) -> str:
    """How an order stands, in a word or three: `delivered`, `cancelled (no_route),
    refunded`, …"""
    if not order:
        return "missing"
    status = order["status"]
    if status == "cancelled":
        status = f"cancelled ({order['cancel_reason']})"
    return f"{status}, refunded" if refunds else status


def _ends_finding(
    journey: Journey,
    orders: dict[str, dict[str, Any]],
    shipments: dict[str, dict[str, Any] | None],
    events: list[Envelope],
    ends: Ends,
) -> tuple[Column, str] | None:
    order_id = str(journey.order_id)
    return end_finding(
        journey,
        orders.get(order_id) or {},
        shipments.get(order_id),
        refunds_of(events, order_id),
        ends.grace,
        ends.now(),
    )


async def _shipment(operator: Actor, journey: Journey) -> dict[str, Any] | None:
    response = await operator.call("GET", "logistics", f"/shipments?order_id={journey.order_id}")
    items: list[dict[str, Any]] = response.json()["items"] if response.status_code == 200 else []
    return items[0] if items else None


async def _duplicates(
    acked: list[Journey], operator: Actor, events: list[Envelope], verdict: Verdict
) -> None:
    by_order: dict[str, list[Envelope]] = {}
    for event in events:
        by_order.setdefault(str(event.payload.get("order_id")), []).append(event)
    for journey in acked:
        order_id = str(journey.order_id)
        mine = (await journey.buyer.call("GET", "orders", "/orders")).json()["items"]
        if len(mine) != 1:
            verdict.duplicated.append(f"{journey.key}: {len(mine)} orders for one key")
        shipments: list[dict[str, Any]] = []
        if "confirm" in journey.acked:
            shipments = (
                await operator.call("GET", "logistics", f"/shipments?order_id={order_id}")
            ).json()["items"]
            count = len(shipments)
            if count > 1:
                verdict.duplicated.append(f"{order_id}: {count} shipments")
            elif count == 0:
                seen = any(e.event_type == "OrderConfirmed" for e in by_order.get(order_id, []))
                verdict.lost.append(
                    f"{order_id}: confirmed, no shipment "
                    f"(OrderConfirmed {'seen' if seen else 'never seen'} on the bus)"
                )
        verdict.duplicated.extend(twice(order_id, by_order.get(order_id, []), shipments))
