"""Every query logistics issues is served by an index, on the real engine.

The service runs in-process with its own client recording every command; the test brings a
store and a confirmed order as events (a shipment is created), lists the order's shipments
as its buyer, its merchant and an operator, lists every shipment each of them may see
(of every status and of one, first page and next), and lets the lateness, unshipped and
older-keys jobs run, then explains every recorded query (testkit.query_plans).
"""

from __future__ import annotations

import uuid

import pytest

from devkit.wait import eventually
from logistics.app import create
from logistics.settings import LogisticsSettings
from shared.clock import time_key
from shared.pagination import encode_cursor
from testkit import clock as run_clock
from testkit.bus import emit
from testkit.factories import a_line, a_store_approved, a_us_address, an_order_confirmed
from testkit.query_plans import serve_checking_queries
from testkit.settings import FAST_POLLS, isolated
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

EXPECTED = {
    # GET /shipments?order_id=: what the caller may see of an order's shipment (R-ORD-4).
    "find shipments: buyer_id $eq, order_id $eq",
    "find shipments: merchant_id $eq, order_id $eq",
    "find shipments: order_id $eq",
    # GET /shipments: what the caller may see, soonest ship_by first (R-LOG-1, R-LOG-5),
    # of every status or of one, the first page and the next (after a cursor).
    "find shipments: buyer_id $eq",
    "find shipments: buyer_id $eq, status $eq",
    "find shipments: buyer_id $eq, ship_by_key $gt",
    "find shipments: buyer_id $eq, ship_by_key $gt, status $eq",
    "find shipments: merchant_id $eq",
    "find shipments: merchant_id $eq, status $eq",
    "find shipments: merchant_id $eq, ship_by_key $gt",
    "find shipments: merchant_id $eq, ship_by_key $gt, status $eq",
    "find shipments: ship_by_key $gt",  # all shipments: first page (its key named) and next
    "find shipments: status $eq",
    "find shipments: ship_by_key $gt, status $eq",
    # Shipments an earlier release stored without `ship_by_key`: written again once.
    "find shipments: ship_by_key $exists",
    # The lateness job: unshipped past ship_by, not yet flagged (R-LOG-1, R-LOG-2).
    "find shipments: late_detected_at $eq, ship_by $lt, status $eq",
    # The unshipped job: never handed over past ship_by + SHIP_GRACE_HOURS, one query per
    # status (awaiting_shipment, exception) (R-ORD-5 `not_shipped`).
    "find shipments: ship_by $lt, shipped_at $eq, status $eq",
}


async def test_every_query_of_logistics_uses_an_index(
    mongo_url: str, amqp_url: str, db_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = isolated(LogisticsSettings, mongo_url, amqp_url, db_prefix, **FAST_POLLS)
    order_id = f"o-{uuid.uuid4().hex[:8]}"
    buyer, merchant = f"b-{uuid.uuid4().hex[:6]}", f"m-{uuid.uuid4().hex[:6]}"
    store = {"store_id": f"s-{merchant}", "merchant_id": merchant}
    confirmed = an_order_confirmed(
        order_id=order_id,
        buyer_id=buyer,
        **store,
        shipping_address=a_us_address(),
        lines=[a_line(weight_grams=400)],
        at=run_clock.now(),
    )
    async with serve_checking_queries(create(settings), EXPECTED, mongo_url, monkeypatch) as http:
        approved = a_store_approved(**store, at=confirmed.confirmed_at)
        await emit(amqp_url, approved, producer="review", correlation_id=approved.store_id)
        await emit(amqp_url, confirmed, producer="orders", correlation_id=order_id)

        viewers = [bearer("buyer", buyer), bearer("merchant", merchant), bearer("operator", "op-1")]
        for token in viewers:

            async def listed(token: dict[str, str] = token) -> bool:
                response = await http.get(
                    "/shipments", params={"order_id": order_id}, headers=token
                )
                return response.status_code == 200 and bool(response.json()["items"])

            await eventually(listed, what=f"the shipment of {order_id} listed")

        # Every shipment each may see, of every status and of one, first page and next.
        earlier = encode_cursor(time_key(run_clock.now(), "shp-0"))
        for token in viewers:
            for status in (None, "awaiting_shipment"):
                for cursor in (None, earlier):
                    params = {"status": status, "cursor": cursor}
                    page = await http.get(
                        "/shipments", headers=token, params={k: v for k, v in params.items() if v}
                    )
                    assert page.status_code == 200, page.text
                    assert page.json()["items"], params
