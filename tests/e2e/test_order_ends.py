"""Every order ends (R-ORD-5, R-ORD-6), end to end, each path with a service
SIGKILLed half-way and then every event delivered twice more: one cancellation, one
refund of the whole order, borne as R-ORD-6 says, whatever the crash and the copies.

- `not_shipped`: a semi-managed order its merchant never hands over; logistics, its clock
  moved past `ship_by` + `SHIP_GRACE_HOURS`, cancels the shipment, then orders the order
  (orders killed as the shipment's cancellation is published); the merchant is liable.
- `buyer_cancelled_late`: the buyer of a full-managed order may cancel it only past
  `ship_by` (orders' clock moved there); logistics, killed as the cancellation is
  published, cancels the shipment after its restart; the platform is liable.
- `no_route`: an order to a destination no route serves (aftersales killed as the order's
  cancellation is published); the platform is liable.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest

from devkit.journey import (
    Actor,
    a_confirmed_order,
    an_order_no_route_serves,
    confirm_cancelled_as_no_route,
    order_when,
    ship,
)
from devkit.wait import eventually
from testkit import clock as run_clock
from testkit.bus import deliver_again
from testkit.platforms import RunningPlatform, StartPlatform
from testkit.tap import EventTap, automatic_refunds, watched_cast

pytestmark = [
    pytest.mark.e2e,
    # Moving a service's clock by days would, in the compose stack's one shared database,
    # also cancel and refund what the other tests left waiting.
    pytest.mark.local_only(
        reason="local_only: it moves a service's clock past every deadline, which in the "
        "compose stack's shared database would end the other tests' orders too"
    ),
]

#: R-ORD-5's grace after `ship_by` in these platforms (72 by default).
GRACE_HOURS = 1
#: How far past a deadline a moved clock is set, so the restart's own seconds never matter.
PAST_SECONDS = 300
#: The facts of other services orders keeps on an order's timeline (orders' `Order.take`).
TIMELINE_FACTS = (
    "ShipmentCreated",
    "ShipmentCancelled",
    "Shipped",
    "ShipmentLate",
    "ShipmentException",
    "RefundIssued",
)
#: From a restart with a moved clock to the event a crash waits for.
CRASH_WAIT_SECONDS = 60.0
HANDOVER = {"carrier": "DHL", "tracking_number": "JD0002", "handover": "pickup"}


async def test_an_order_not_handed_over_in_time_is_cancelled_and_refunded_by_its_merchant(
    start_platform: StartPlatform,
) -> None:  # R-ORD-5 (not_shipped), R-ORD-6
    running = start_platform(POLICY_SHIP_GRACE_HOURS=str(GRACE_HOURS))
    async with watched_cast(running) as (tap, operator, merchant, buyer):
        order, shipment = await a_confirmed_order(operator, merchant, buyer, "semi_managed")
        order_id, shipment_id = order["order_id"], shipment["shipment_id"]
        assert (order["status"], shipment["status"]) == ("confirmed", "awaiting_shipment")
        assert shipment["store_type"] == "semi_managed"

        # The merchant never ships. Logistics comes back with its clock past ship_by + the
        # grace; orders is killed as soon as the shipment's cancellation is published.
        ahead = _seconds_until(shipment["ship_by"]) + GRACE_HOURS * 3600 + PAST_SECONDS
        crash = asyncio.create_task(_kill_on(tap, running, "ShipmentCancelled", order_id, "orders"))
        await asyncio.to_thread(
            running.platform.restart,
            "logistics",
            {"CLOCK_OFFSET_SECONDS": run_clock.moved_by(ahead)},
        )
        await crash
        await asyncio.to_thread(running.platform.restart, "orders")

        cancelled = await order_when(
            buyer, order_id, lambda o: o["status"] == "cancelled", "the order cancelled"
        )
        assert cancelled["cancel_reason"] == "not_shipped"
        ended = await _shipment(operator, shipment_id)
        assert (ended["status"], ended["cancel_reason"]) == ("cancelled", "not_shipped")
        # R-ORD-6: semi-managed
        await automatic_refunds(tap, order, "not_shipped", "merchant", timeout=30)
        # A cancelled shipment is never handed over, nor the order cancelled again.
        late_handover = f"/shipments/{shipment_id}/ship"
        refused = await merchant.call("POST", "logistics", late_handover, json=HANDOVER)
        assert refused.status_code == 409
        again = await buyer.call("POST", "orders", f"/orders/{order_id}/cancel")
        assert again.status_code == 409

        await _nothing_changes_when_redelivered(running, tap, operator, merchant, order)
        report = await _refund_report(operator, merchant.sub, order_id)
        assert report["totals"][0]["borne_by_merchant_minor"] == order["total"]["amount_minor"]


async def test_a_buyer_cancels_an_order_late_and_is_refunded_by_the_platform(
    start_platform: StartPlatform,
) -> None:  # R-ORD-5 (buyer_cancelled_late), R-ORD-6
    running = start_platform()
    async with watched_cast(running) as (tap, operator, merchant, buyer):
        order, shipment = await a_confirmed_order(operator, merchant, buyer, "full_managed")
        order_id, shipment_id = order["order_id"], shipment["shipment_id"]
        cancel = f"/orders/{order_id}/cancel"
        known = await order_when(
            buyer, order_id, lambda o: o["ship_by"] is not None, "orders to learn the ship-by"
        )
        assert known["ship_by"] == shipment["ship_by"]

        # Before ship_by the merchant still has time: refused.
        early = await buyer.call("POST", "orders", cancel, expect=409)
        assert early.json()["code"] == "not_yet_late"

        # Orders' clock past ship_by: the buyer may cancel; logistics is killed as soon as
        # the order's cancellation is published, before it cancels the shipment.
        ahead = _seconds_until(shipment["ship_by"]) + PAST_SECONDS
        running.platform.restart("orders", {"CLOCK_OFFSET_SECONDS": run_clock.moved_by(ahead)})
        crash = asyncio.create_task(_kill_on(tap, running, "OrderCancelled", order_id, "logistics"))
        cancelled = (await buyer.call("POST", "orders", cancel, expect=200)).json()
        assert (cancelled["status"], cancelled["cancel_reason"]) == (
            "cancelled",
            "buyer_cancelled_late",
        )
        await crash
        await asyncio.to_thread(running.platform.restart, "logistics")

        async def shipment_cancelled() -> dict[str, Any] | None:
            found = await _shipment(operator, shipment_id)
            return found if found["status"] == "cancelled" else None

        ended = await eventually(shipment_cancelled, what="the shipment cancelled")
        assert ended["cancel_reason"] == "order_cancelled"
        # R-ORD-6: full-managed
        await automatic_refunds(tap, order, "buyer_cancelled_late", "platform", timeout=30)
        with pytest.raises(AssertionError, match="gave 409"):
            await ship(operator, shipment_id)
        assert (await buyer.call("POST", "orders", cancel)).status_code == 409

        await _nothing_changes_when_redelivered(running, tap, operator, merchant, order)
        report = await _refund_report(operator, merchant.sub, order_id)
        assert report["totals"][0]["borne_by_platform_minor"] == order["total"]["amount_minor"]


async def test_an_order_no_route_serves_is_refunded_once_across_an_aftersales_crash(
    start_platform: StartPlatform,
) -> None:  # R-LOG-6, R-ORD-5 (no_route), R-ORD-6
    running = start_platform()
    async with watched_cast(running) as (tap, operator, merchant, buyer):
        order = await an_order_no_route_serves(operator, merchant, buyer)
        order_id = order["order_id"]

        # Aftersales is killed as soon as the order's cancellation is published.
        crash = asyncio.create_task(
            _kill_on(tap, running, "OrderCancelled", order_id, "aftersales")
        )
        shipment = await confirm_cancelled_as_no_route(operator, merchant, buyer, order_id)
        await crash
        await asyncio.to_thread(running.platform.restart, "aftersales")

        await automatic_refunds(tap, order, "no_route", "platform", timeout=30)  # R-ORD-6
        with pytest.raises(AssertionError, match="gave 409"):
            await ship(operator, shipment["shipment_id"])

        await _nothing_changes_when_redelivered(running, tap, operator, merchant, order)
        report = await _refund_report(operator, merchant.sub, order_id)
        assert report["totals"][0]["borne_by_platform_minor"] == order["total"]["amount_minor"]


# --- the steps ---------------------------------------------------------------------------


def _seconds_until(moment: str) -> float:
    """From the services' now to `moment` (an RFC 3339 time of theirs)."""
    return datetime.fromisoformat(moment).timestamp() - run_clock.timestamp()


async def _kill_on(
    tap: EventTap, running: RunningPlatform, event_type: str, order_id: str, service: str
) -> None:
    """SIGKILL `service` the moment the tap sees the order's `event_type`: a crash in the
    middle of the chain (the service may be handling it, or about to)."""
    await tap.eventually_of_type(
        event_type,
        order_id,
        what=f"{event_type} on the bus",
        timeout=CRASH_WAIT_SECONDS,
        interval=0.01,
    )
    running.platform.services[service].kill()


async def _nothing_changes_when_redelivered(
    running: RunningPlatform,
    tap: EventTap,
    operator: Actor,
    merchant: Actor,
    order: dict[str, Any],
) -> None:
    """Once orders has taken every fact of the order: every event the tap saw delivered
    twice more changes neither the order, its shipment nor the merchant's refunds; one
    refund, one cancellation of each on the bus (the copies carry the same ids)."""
    order_id = order["order_id"]
    await _settled(operator, tap, order_id)
    before = await _state(operator, merchant.sub, order_id)
    await deliver_again(running.amqp_url, running.urls, operator.client, list(tap.bodies))
    assert await _state(operator, merchant.sub, order_id) == before
    for kind in ("RefundIssued", "OrderCancelled", "ShipmentCancelled"):
        assert len({event.event_id for event in tap.of_type(kind, order_id)}) == 1, kind
    [refund] = [r for r in before[2]["refunds"] if r["order_id"] == order_id]
    assert {key: refund[key] for key in ("amount_minor", "currency")} == order["total"]


async def _settled(operator: Actor, tap: EventTap, order_id: str) -> None:
    """Until the order's timeline holds each fact of it the tap saw, once: the state a
    redelivery must leave as it is."""

    async def taken() -> bool:
        found = (await operator.call("GET", "orders", f"/orders/{order_id}", expect=200)).json()
        kept = Counter(e["event"] for e in found["timeline"] if e["event"] in TIMELINE_FACTS)
        seen = Counter(
            {
                kind: len({e.event_id for e in tap.of_type(kind, order_id)})
                for kind in TIMELINE_FACTS
            }
        )
        return +seen == kept

    await eventually(taken, timeout=30, what="orders to take every fact of the order")


async def _shipment(operator: Actor, shipment_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (
        await operator.call("GET", "logistics", f"/shipments/{shipment_id}", expect=200)
    ).json()
    return found


async def _refund_report(operator: Actor, merchant_id: str, order_id: str) -> dict[str, Any]:
    """The merchant's refunds of these days (aftersales' clock is the run's) from
    settlement's ledger, once it has posted the order's refund (as the events reach it)."""
    today = run_clock.now().date()
    params = {"from": str(today - timedelta(days=1)), "to": str(today + timedelta(days=1))}
    url = f"/merchants/{merchant_id}/refunds"

    async def posted() -> dict[str, Any] | None:
        found = await operator.call("GET", "settlement", url, params=params, expect=200)
        report: dict[str, Any] = found.json()
        return report if any(r["order_id"] == order_id for r in report["refunds"]) else None

    return await eventually(posted, timeout=30, what=f"settlement's refund of {order_id}")


async def _state(operator: Actor, merchant_id: str, order_id: str) -> list[Any]:
    order = await operator.call("GET", "orders", f"/orders/{order_id}", expect=200)
    shipments = await operator.call(
        "GET", "logistics", f"/shipments?order_id={order_id}", expect=200
    )
    return [
        order.json(),
        shipments.json(),
        await _refund_report(operator, merchant_id, order_id),
    ]
