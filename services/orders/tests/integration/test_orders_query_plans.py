"""Every query orders issues is served by an index, on the real engine.

The service runs in-process with its own client recording every command; the test drives
each list, search and report endpoint with each role and filter (first pages and next
pages), an order's whole confirmation, the catalogue's events and the deadline job, then
explains every recorded query (testkit.query_plans).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest

from orders.app import create
from orders.settings import OrdersSettings
from shared.clock import time_key
from shared.pagination import encode_cursor
from testkit.bodies import an_order_request
from testkit.bus import put_on_sale
from testkit.query_plans import serve_checking_queries
from testkit.settings import FAST_POLLS, isolated
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

EXPECTED = {
    # GET /orders, newest first: a buyer's, a merchant's, everyone's (operators).
    "find orders: buyer_id $eq",
    "find orders: buyer_id $eq, created_key $lt",
    "find orders: buyer_id $eq, status $eq",
    "find orders: merchant_id $eq",
    "find orders: created_key $lt, merchant_id $eq",
    "find orders: merchant_id $eq, status $eq",
    "find orders: created_key $gt",  # the first page of all: its key named (`keyset`)
    "find orders: created_key $lt",
    "find orders: status $eq",
    "find orders: created_key $lt, status $eq",
    # The confirmation desk, soonest confirm_by first (R-ORD-2).
    "find orders: buyer_id $eq, confirm_key $gt, status $eq",
    "find orders: confirm_key $gt, merchant_id $eq, status $eq",
    "find orders: confirm_key $gt, status $eq",
    # GET /merchants/{id}/stats (R-ORD-3) and its median confirmation time.
    "count orders: merchant_id $eq",
    "count orders: confirmation_outcome $eq, merchant_id $eq",
    "find orders: confirmation_outcome $eq, merchant_id $eq",
    # GET /merchants/{id}/scorecard (R-SC-1): the orders of the days, the periods' warnings;
    # and the scorecards' review: the orders changed since it last judged them.
    "find orders: created_key $gte $lt, merchant_id $eq",
    "find store_periods: merchant_id $eq, period $gte $lte",
    "find orders: scorecard_key $lt",
    # Orders an earlier release stored, without the keys above: written again once.
    "find orders: scorecard_key $exists",
    # GET /orders?stuck=true: operators' orders past a deadline, oldest first.
    "find orders: deadline_key $lt",
    "find orders: deadline_key $gt $lt",
    # The deadline job: orders past confirm_by are cancelled (R-ORD-3).
    "find orders: confirm_by $lte, status $eq",
    # GET /catalogue (R-CAT-1): every filter, text search, next pages.
    "find catalogue: available $eq",
    "find catalogue: available $eq, store_type $eq",
    "find catalogue: available $eq, category $eq",
    "find catalogue: $text $search, available $eq",
    "find catalogue: available $eq, price.amount_minor $gte $lte, price.currency $eq",
    "find catalogue: available $eq, product_key $gt",
    "find catalogue: $text $search, available $eq, product_key $gt",
    "find catalogue: available $eq, category $eq, product_key $gt, store_type $eq",
    # StoreApproved: the store's name on each of its products.
    "update catalogue: store_id $eq",
}


async def test_every_query_of_orders_uses_an_index(
    mongo_url: str, amqp_url: str, db_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = isolated(OrdersSettings, mongo_url, amqp_url, db_prefix, **FAST_POLLS)
    merchant, buyer = f"m-{uuid.uuid4().hex[:6]}", f"b-{uuid.uuid4().hex[:6]}"
    async with serve_checking_queries(create(settings), EXPECTED, mongo_url, monkeypatch) as orders:
        product_id = await put_on_sale(orders, amqp_url, merchant_id=merchant)
        order = an_order_request(product_id)
        placed = await orders.post("/orders", headers=bearer("buyer", buyer), json=order)
        assert placed.status_code == 201, placed.text
        order_id = placed.json()["order_id"]
        confirmed = await orders.post(
            f"/orders/{order_id}/confirm", headers=bearer("merchant", merchant)
        )
        assert confirmed.status_code == 200, confirmed.text

        await browse_orders(orders, buyer, merchant)
        stats = await orders.get(
            f"/merchants/{merchant}/stats", headers=bearer("merchant", merchant)
        )
        assert stats.json()["confirmed_on_time"] == 1, stats.text  # the median is computed
        card = await orders.get(
            f"/merchants/{merchant}/scorecard", headers=bearer("merchant", merchant)
        )
        assert card.json()["stores"][0]["orders"] == 1, card.text
        await browse_catalogue(orders)


async def browse_orders(orders: httpx.AsyncClient, buyer: str, merchant: str) -> None:
    later = encode_cursor(time_key(datetime.now(UTC), "o-0"))
    for token in (bearer("buyer", buyer), bearer("merchant", merchant), bearer("operator", "op-1")):
        for status in (None, "awaiting_confirmation", "confirmed"):
            for cursor in (None, later):
                params = {"status": status, "cursor": cursor}
                response = await orders.get(
                    "/orders", headers=token, params={k: v for k, v in params.items() if v}
                )
                assert response.status_code == 200, response.text
    for cursor in (None, later):  # the operators' stuck orders
        params = {"stuck": "true", **({"cursor": cursor} if cursor else {})}
        operator = bearer("operator", "op-1")
        response = await orders.get("/orders", headers=operator, params=params)
        assert response.status_code == 200, response.text


async def browse_catalogue(orders: httpx.AsyncClient) -> None:
    after = encode_cursor("p-0")
    for params in (
        {},
        {"channel": "full_managed"},
        {"category": "home"},
        {"q": "tea"},
        {"min_price": "100", "max_price": "5000", "currency": "USD"},
        {"cursor": after},
        {"q": "tea", "cursor": after},
        {"channel": "full_managed", "category": "home", "cursor": after},
    ):
        response = await orders.get("/catalogue", params=params)
        assert response.status_code == 200, response.text
        assert response.json()["items"], params
