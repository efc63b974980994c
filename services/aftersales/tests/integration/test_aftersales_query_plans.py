"""Every query aftersales issues is served by an index, on the real engine.

The service runs in-process with its own client recording every command; the test brings
an order's facts as events, opens two cases, refunds one and is refused the second (its
refund would exceed the order's total), lists cases with each role, status and cursor,
then explains every recorded query (testkit.query_plans).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest

from aftersales.app import create
from aftersales.settings import AftersalesSettings
from devkit.wait import eventually
from shared.clock import time_key
from shared.pagination import encode_cursor
from testkit import clock as run_clock
from testkit.bodies import a_case_request, a_refund_decision
from testkit.bus import emit_order_history
from testkit.query_plans import serve_checking_queries
from testkit.settings import isolated
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

OPERATOR = bearer("operator", "op-1")

EXPECTED = {
    # GET /cases?order_id=: an order's cases, oldest first.
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
}


async def open_case(http: httpx.AsyncClient, order_id: str, buyer: str) -> str:
    """POST /cases, polled until the order's facts have arrived."""
    body = a_case_request(order_id, 3000)

    async def opened() -> str | None:
        response = await http.post("/cases", headers=bearer("buyer", buyer), json=body)
        return str(response.json()["case_id"]) if response.status_code == 201 else None

    return await eventually(opened, what="POST /cases answering 201")


async def test_every_query_of_aftersales_uses_an_index(
    mongo_url: str, amqp_url: str, db_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = isolated(AftersalesSettings, mongo_url, amqp_url, db_prefix, outbox_poll_seconds=0.1)
    order_id = f"o-{uuid.uuid4().hex[:8]}"
    buyer, merchant = f"b-{uuid.uuid4().hex[:6]}", f"m-{uuid.uuid4().hex[:6]}"
    async with serve_checking_queries(create(settings), EXPECTED, mongo_url, monkeypatch) as http:
        # A 5000 USD order delivered yesterday.
        await emit_order_history(amqp_url, order_id=order_id, buyer_id=buyer, merchant_id=merchant)
        first, second = [await open_case(http, order_id, buyer) for _ in range(2)]
        resolution = a_refund_decision(3000)
        refunded = await http.post(f"/cases/{first}/resolve", headers=OPERATOR, json=resolution)
        assert refunded.status_code == 200, refunded.text
        too_much = await http.post(f"/cases/{second}/resolve", headers=OPERATOR, json=resolution)
        assert too_much.status_code == 409, too_much.text  # 3000 + 3000 > 5000

        of_order = await http.get(
            "/cases", params={"order_id": order_id}, headers=bearer("buyer", buyer)
        )
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
