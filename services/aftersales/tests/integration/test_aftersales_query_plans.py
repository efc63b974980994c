"""Every query aftersales issues is served by an index, on the real engine.

The service runs in-process with its own client recording every command; the test brings
an order's facts as events, opens two cases, refunds one and is refused the second (its
refund would exceed the order's total), asks for the merchant's refund report and lists
cases with each role, status and cursor, then explains every recorded query
(testkit.query_plans).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from aftersales.app import create
from aftersales.settings import AftersalesSettings
from devkit.wait import eventually
from shared.clock import time_key
from shared.contract import record_event
from shared.contract.events import (
    Delivered,
    DeliveryWindow,
    OrderCreated,
    OrderLine,
    Shipped,
    StoreApproved,
)
from shared.contract.types import ContractModel, Money, ShippingAddress
from shared.pagination import encode_cursor
from testkit import clock as run_clock
from testkit.asgi import serve_in_process
from testkit.bus import publish
from testkit.query_plans import QueryRecorder, assert_every_query_uses_an_index, recording
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

OPERATOR = bearer("operator", "op-1")
ADDRESS = ShippingAddress(recipient="Ana", phone="+34 600 000 000", country="ES", city="Madrid",
                          line1="Calle 1", postal_code="28001")  # fmt: skip

EXPECTED = {
    # GET /cases?order_id=: an order's cases, oldest first (also each refunded order's
    # cases for the refund report's payouts, R-FEE-1).
    "find cases: order_id $eq",
    # GET /cases (R-AS-3): the oldest waiting first, for a buyer, a merchant, operators.
    "find cases: buyer_id $eq",
    "find cases: buyer_id $eq, status $eq",
    "find cases: buyer_id $eq, opened_key $gt",
    "find cases: buyer_id $eq, opened_key $gt, status $eq",
    "find cases: merchant_id $eq",
    "find cases: merchant_id $eq, status $eq",
    "find cases: merchant_id $eq, opened_key $gt",
    "find cases: merchant_id $eq, opened_key $gt, status $eq",
    "find cases: opened_key $gt",  # all cases: first page (its key named) and next pages
    "find cases: status $eq",
    "find cases: opened_key $gt, status $eq",
    # A refund that would exceed the order's total: are the other reservations' cases
    # rejected (their holds released)?
    "find cases: _id $in, status $eq",
    # GET /merchants/{id}/refunds (R-AS-2): refunds of the period.
    "find cases: merchant_id $eq, resolved_at $gte $lt, status $eq",
}


def usd(minor: int) -> dict[str, Any]:
    return {"amount_minor": minor, "currency": "USD"}


async def emit(amqp_url: str, event: ContractModel, producer: str, correlation_id: str) -> None:
    envelope = record_event(
        event, producer=producer, correlation_id=correlation_id, occurred_at=run_clock.now()
    )
    await publish(amqp_url, envelope)


async def delivered_order(amqp_url: str, order_id: str, buyer: str, merchant: str) -> None:
    """StoreApproved, OrderCreated (5000 USD), Shipped, Delivered yesterday."""
    now, store_id = run_clock.now(), f"s-{merchant}"
    await emit(amqp_url, StoreApproved(store_id=store_id, merchant_id=merchant,
                                       store_type="full_managed", store_name="Tea House",
                                       approved_at=now - timedelta(days=30)),
               "review", store_id)  # fmt: skip
    price = Money(amount_minor=5000, currency="USD")
    line = OrderLine(product_id="p-1", title="Tea set", category="home", quantity=1,
                     unit_price=price, weight_grams=800)  # fmt: skip
    placed = now - timedelta(days=5)
    await emit(amqp_url, OrderCreated(
        order_id=order_id, buyer_id=buyer, store_id=store_id, merchant_id=merchant,
        store_type="full_managed", items=[line], total=line.unit_price, shipping_address=ADDRESS,
        created_at=placed, confirm_by=placed + timedelta(days=1),
    ), "orders", order_id)  # fmt: skip
    window = DeliveryWindow(earliest=date.today(), latest=date.today() + timedelta(days=3))
    await emit(amqp_url, Shipped(order_id=order_id, shipment_id="sh-1", carrier="DHL",
                                 tracking_number="TN1", shipped_at=placed + timedelta(days=1),
                                 estimated_delivery=window), "logistics", order_id)  # fmt: skip
    await emit(amqp_url, Delivered(order_id=order_id, shipment_id="sh-1",
                                   delivered_at=now - timedelta(days=1)),
               "logistics", order_id)  # fmt: skip


async def open_case(http: httpx.AsyncClient, order_id: str, buyer: str) -> str:
    """POST /cases, polled until the order's facts have arrived."""
    body = {"order_id": order_id, "reason": "damaged", "description": "Cracked lid",
            "refund_requested": usd(3000)}  # fmt: skip

    async def opened() -> str | None:
        response = await http.post("/cases", headers=bearer("buyer", buyer), json=body)
        return str(response.json()["case_id"]) if response.status_code == 201 else None

    return await eventually(opened, what="POST /cases answering 201")


async def test_every_query_of_aftersales_uses_an_index(
    mongo_url: str, amqp_url: str, db_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = QueryRecorder()
    recording(monkeypatch, recorder)
    settings = AftersalesSettings(
        mongo_url=mongo_url, amqp_url=amqp_url, mongo_database_prefix=db_prefix,
        outbox_poll_seconds=0.1,
    )  # fmt: skip
    order_id = f"o-{uuid.uuid4().hex[:8]}"
    buyer, merchant = f"b-{uuid.uuid4().hex[:6]}", f"m-{uuid.uuid4().hex[:6]}"
    async with serve_in_process(create(settings)) as http:
        await delivered_order(amqp_url, order_id, buyer, merchant)
        first, second = [await open_case(http, order_id, buyer) for _ in range(2)]
        resolution = {"decision": "refund", "refund": usd(3000), "note": "sorry"}
        refunded = await http.post(f"/cases/{first}/resolve", headers=OPERATOR, json=resolution)
        assert refunded.status_code == 200, refunded.text
        too_much = await http.post(f"/cases/{second}/resolve", headers=OPERATOR, json=resolution)
        assert too_much.status_code == 409, too_much.text  # 3000 + 3000 > 5000

        of_order = await http.get("/cases", params={"order_id": order_id},
                                  headers=bearer("buyer", buyer))  # fmt: skip
        assert len(of_order.json()["items"]) == 2, of_order.text
        later = encode_cursor(time_key(run_clock.now() - timedelta(days=1), "c-0"))
        for token in (bearer("buyer", buyer), bearer("merchant", merchant), OPERATOR):
            for status in (None, "open"):
                for cursor in (None, later):
                    params = {"status": status, "cursor": cursor}
                    listed = await http.get(
                        "/cases", headers=token, params={k: v for k, v in params.items() if v}
                    )
                    assert listed.status_code == 200, listed.text
                    assert listed.json()["items"], params
        today = run_clock.now().date().isoformat()
        report = await http.get(f"/merchants/{merchant}/refunds", headers=OPERATOR,
                                params={"from": today, "to": today})  # fmt: skip
        assert report.json()["payouts"][0]["order_id"] == order_id, report.text
    await assert_every_query_uses_an_index(mongo_url, recorder, EXPECTED)
