"""One order's work across services is one trace (W3C `traceparent`)."""

from __future__ import annotations

import secrets

import pytest

from devkit.journey import (
    list_product,
    open_full_managed_store,
    place_order,
    shipment_of,
)
from devkit.wait import eventually
from testkit.platforms import StartPlatform
from testkit.tap import watched_cast

pytestmark = pytest.mark.e2e


async def test_the_trace_of_a_request_continues_through_events_into_other_services(
    start_platform: StartPlatform,
) -> None:
    running = start_platform()
    async with watched_cast(running) as (tap, operator, merchant, buyer):
        store = await open_full_managed_store(operator, merchant)
        product_id = await list_product(operator, merchant, store["store_id"])
        # Logistics' handler of `OrderConfirmed` itself records an event (`ShipmentCreated`),
        # so the trace's second hop is visible.
        order = await place_order(buyer, product_id)
        trace_id = secrets.token_hex(16)
        traceparent = f"00-{trace_id}-{secrets.token_hex(8)}-01"
        confirm = await merchant.call(
            "POST",
            "orders",
            f"/orders/{order['order_id']}/confirm",
            headers={"traceparent": traceparent},
        )
        assert confirm.status_code == 200
        await shipment_of(operator, order["order_id"])

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
