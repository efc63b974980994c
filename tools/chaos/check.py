"""What the load generator was told against the final state of the four services."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from chaos.load import Journey
from devkit.journey import Actor
from orders.domain.model import PROGRESS
from shared.contract import Envelope


def expected(journey: Journey) -> tuple[str, str | None]:
    """(status at least, cancel reason) the acknowledged steps imply."""
    if "cancel" in journey.acked:
        return "cancelled", "buyer_cancelled"
    if "confirm" not in journey.acked:
        return "cancelled", "confirmation_timeout"
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


def _behind(order: dict[str, Any], journey: Journey) -> str | None:
    status, reason = expected(journey)
    if status == "cancelled":
        if order["status"] == "cancelled" and order["cancel_reason"] == reason:
            return None
        return f"{journey.order_id}: {order['status']}, expected cancelled ({reason})"
    if order["status"] == "cancelled" or PROGRESS[order["status"]] < PROGRESS[status]:
        return f"{journey.order_id}: {order['status']}, expected {status}"
    return None


async def check(
    journeys: list[Journey], operator: Actor, events: list[Envelope], settle_seconds: float
) -> Verdict:
    """Wait for the platform to settle, then judge every acknowledged journey."""
    verdict = Verdict(attempted=len(journeys))
    acked = [j for j in journeys if "create" in j.acked]
    verdict.acknowledged = len(acked)
    deadline = time.monotonic() + settle_seconds
    pending = list(acked)
    orders: dict[str, dict[str, Any]] = {}
    while pending and time.monotonic() < deadline:
        still = []
        for journey in pending:
            response = await operator.call("GET", "orders", f"/orders/{journey.order_id}")
            if (
                response.status_code != 200
                or _behind(response.json(), journey)
                or ("confirm" in journey.acked and not await _has_shipment(operator, journey))
            ):
                still.append(journey)
            orders[str(journey.order_id)] = response.json() if response.status_code == 200 else {}
        pending = still
        if pending:
            await asyncio.sleep(0.5)
    for journey in pending:
        if "confirm" in journey.acked and not await _has_shipment(operator, journey):
            continue  # judged below, with the shipments
        order = orders.get(str(journey.order_id)) or {}
        if not order or (order.get("status") == "cancelled" and "confirm" in journey.acked):
            verdict.lost.append(f"{journey.order_id}: {order.get('status', 'missing')}")
        else:
            verdict.stuck.append(_behind(order, journey) or str(journey.order_id))
    await _duplicates(acked, operator, events, verdict)
    return verdict


async def _has_shipment(operator: Actor, journey: Journey) -> bool:
    response = await operator.call("GET", "logistics", f"/shipments?order_id={journey.order_id}")
    return response.status_code == 200 and bool(response.json()["items"])


async def _duplicates(
    acked: list[Journey], operator: Actor, events: list[Envelope], verdict: Verdict
) -> None:
    cancellations: dict[str, set[str]] = {}
    refunds: dict[str, set[str]] = {}
    for event in events:
        order_id = str(event.payload.get("order_id"))
        if event.event_type == "OrderCancelled":
            cancellations.setdefault(order_id, set()).add(str(event.event_id))
        if event.event_type == "RefundIssued":
            refunds.setdefault(order_id, set()).add(str(event.event_id))
    for journey in acked:
        mine = (await journey.buyer.call("GET", "orders", "/orders")).json()["items"]
        if len(mine) != 1:
            verdict.duplicated.append(f"{journey.key}: {len(mine)} orders for one key")
        if len(cancellations.get(str(journey.order_id), ())) > 1:
            verdict.duplicated.append(f"{journey.order_id}: cancelled twice")
        if len(refunds.get(str(journey.order_id), ())) > 1:
            verdict.duplicated.append(f"{journey.order_id}: refund issued twice")
        if "confirm" in journey.acked:
            shipments = (
                await operator.call("GET", "logistics", f"/shipments?order_id={journey.order_id}")
            ).json()
            count = len(shipments["items"])
            if count > 1:
                verdict.duplicated.append(f"{journey.order_id}: {count} shipments")
            elif count == 0:
                seen = any(
                    e.event_type == "OrderConfirmed"
                    and e.payload.get("order_id") == journey.order_id
                    for e in events
                )
                verdict.lost.append(
                    f"{journey.order_id}: confirmed, no shipment "
                    f"(OrderConfirmed {'seen' if seen else 'never seen'} on the bus)"
                )
