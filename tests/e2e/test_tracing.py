"""One order's work across services is one trace (W3C `traceparent`)."""

from __future__ import annotations

import pytest

from devkit.wait import eventually
from testkit.platforms import StartPlatform
from testkit.tap import traced_order, watched_cast

pytestmark = pytest.mark.e2e


async def test_the_trace_of_a_request_continues_through_events_into_other_services(
    start_platform: StartPlatform,
) -> None:
    running = start_platform()
    async with watched_cast(running) as (tap, operator, merchant, buyer):
        # Logistics' handler of `OrderConfirmed` itself records an event (`ShipmentCreated`),
        # so the trace's second hop is visible.
        order, traceparent = await traced_order(operator, merchant, buyer)
        trace_id = traceparent.split("-")[1]

        async def hops() -> list[str] | None:
            # The first of each (a redelivery would be the same event, with its headers).
            events = [
                tap.of_type(kind, order["order_id"])[:1]
                for kind in ("OrderConfirmed", "ShipmentCreated")
            ]
            if not all(events):
                return None
            return [str(tap.headers[str(e[0].event_id)].get("traceparent", "")) for e in events]

        confirmed, exception = await eventually(hops, what="both events with their headers")
        # orders (HTTP → OrderConfirmed) and logistics (handler → ShipmentCreated): the
        # same trace id, each hop its own span.
        assert confirmed.split("-")[1] == trace_id
        assert exception.split("-")[1] == trace_id
        assert confirmed.split("-")[2] != exception.split("-")[2]
