"""Every query logistics issues is served by an index, on the real engine.

The service runs in-process with its own client recording every command; the test brings a
store and a confirmed order as events (a shipment is created), lists the order's shipments
as its buyer, its merchant and an operator, and lets the lateness job run, then explains
every recorded query (testkit.query_plans).
"""

from __future__ import annotations

import uuid

import pytest

from devkit.wait import eventually
from logistics.app import create
from logistics.settings import LogisticsSettings
from shared.contract import record_event
from shared.contract.events import OrderConfirmed, OrderLine, StoreApproved
from shared.contract.types import ContractModel, Money, ShippingAddress
from testkit import clock as run_clock
from testkit.asgi import serve_in_process
from testkit.bus import publish
from testkit.query_plans import QueryRecorder, assert_every_query_uses_an_index, recording
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

EXPECTED = {
    # GET /shipments?order_id=: what the caller may see of an order's shipment (R-ORD-4).
    "find shipments: buyer_id $eq, order_id $eq",
    "find shipments: merchant_id $eq, order_id $eq",
    "find shipments: order_id $eq",
    # The lateness job: unshipped past ship_by, not yet flagged (R-LOG-1, R-LOG-2).
    "find shipments: late_detected_at $eq, ship_by $lt, status $eq",
}


async def emit(amqp_url: str, event: ContractModel, producer: str, correlation_id: str) -> None:
    envelope = record_event(
        event, producer=producer, correlation_id=correlation_id, occurred_at=run_clock.now()
    )
    await publish(amqp_url, envelope)


async def test_every_query_of_logistics_uses_an_index(
    mongo_url: str, amqp_url: str, db_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = QueryRecorder()
    recording(monkeypatch, recorder)
    settings = LogisticsSettings(
        mongo_url=mongo_url, amqp_url=amqp_url, mongo_database_prefix=db_prefix,
        outbox_poll_seconds=0.1, deadline_poll_seconds=0.1,
    )  # fmt: skip
    order_id = f"o-{uuid.uuid4().hex[:8]}"
    buyer, merchant = f"b-{uuid.uuid4().hex[:6]}", f"m-{uuid.uuid4().hex[:6]}"
    store_id, now, price = (
        f"s-{merchant}",
        run_clock.now(),
        Money(amount_minor=1000, currency="USD"),
    )
    async with serve_in_process(create(settings)) as http:
        await emit(amqp_url, StoreApproved(store_id=store_id, merchant_id=merchant,
                                           store_type="full_managed", store_name="Tea House",
                                           approved_at=now), "review", store_id)  # fmt: skip
        await emit(amqp_url, OrderConfirmed(
            order_id=order_id, buyer_id=buyer, store_id=store_id, merchant_id=merchant,
            store_type="full_managed", confirmed_at=now, total=price,
            shipping_address=ShippingAddress(recipient="Ana", phone="+1 212 555 0100",
                                             country="US", city="New York", line1="1 Main St",
                                             postal_code="10001"),
            items=[OrderLine(product_id="p-1", title="Tea set", category="home", quantity=1,
                             unit_price=price, weight_grams=400)],
        ), "orders", order_id)  # fmt: skip

        for token in (bearer("buyer", buyer), bearer("merchant", merchant),
                      bearer("operator", "op-1")):  # fmt: skip

            async def listed(token: dict[str, str] = token) -> bool:
                response = await http.get("/shipments", params={"order_id": order_id},
                                          headers=token)  # fmt: skip
                return response.status_code == 200 and bool(response.json()["items"])

            await eventually(listed, what=f"the shipment of {order_id} listed")

        async def all_issued() -> bool:  # the lateness job runs every 0.1 s
            return not recorder.missing(EXPECTED)

        await eventually(all_issued, what=f"queries {sorted(recorder.missing(EXPECTED))}")
    await assert_every_query_uses_an_index(mongo_url, recorder, EXPECTED)
