"""`GET /shipments` without `order_id`, against the real engine and broker, in-process:
every shipment the caller may see, the soonest `ship_by` first (R-LOG-1, R-LOG-5), a page
at a time with an opaque cursor, of one status if asked, each with `seconds_left` by the
service's clock; and what it refuses (RFC 9457 problems)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from devkit.wait import eventually
from logistics.app import create
from logistics.settings import LogisticsSettings
from shared.clock import FixedClock
from testkit import clock as run_clock
from testkit.asgi import serve_in_process
from testkit.bus import emit
from testkit.factories import a_line, a_store_approved, a_us_address, an_order_confirmed
from testkit.settings import FAST_POLLS, isolated
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

OPERATOR = bearer("operator", "op-1")


@pytest.fixture
def now() -> datetime:
    """The service's clock: fixed, so `seconds_left` is exact; fixed when the test starts,
    as the events it sends are stamped with the run's time (a decision dated ahead of the
    service's clock would be refused)."""
    return run_clock.now()


@pytest.fixture
async def logistics(
    mongo_url: str, amqp_url: str, db_prefix: str, now: datetime
) -> AsyncIterator[httpx.AsyncClient]:
    settings = isolated(LogisticsSettings, mongo_url, amqp_url, db_prefix, **FAST_POLLS)
    async with serve_in_process(create(settings, clock=FixedClock(now))) as http:
        yield http


async def an_order(
    http: httpx.AsyncClient,
    amqp_url: str,
    now: datetime,
    merchant: str,
    buyer: str,
    hours_ago: int,
) -> str:
    """A full-managed order of `merchant`'s store confirmed `hours_ago` (shipped by the
    platform within 3 days of it, R-LOG-1), once logistics has planned its shipment."""
    store = {"store_id": f"s-{merchant}", "merchant_id": merchant}
    approved = a_store_approved(**store, at=now - timedelta(days=30))
    await emit(amqp_url, approved, producer="review", correlation_id=approved.store_id)
    order_id = f"o-{uuid.uuid4().hex[:10]}"
    confirmed = an_order_confirmed(
        order_id=order_id,
        buyer_id=buyer,
        **store,
        shipping_address=a_us_address(),
        lines=[a_line(weight_grams=400)],
        at=now - timedelta(hours=hours_ago),
    )
    await emit(amqp_url, confirmed, producer="orders", correlation_id=order_id)

    async def planned() -> bool:
        found = await http.get("/shipments", params={"order_id": order_id}, headers=OPERATOR)
        return bool(found.json()["items"])

    await eventually(planned, what=f"the shipment of {order_id}")
    return order_id


async def page(http: httpx.AsyncClient, token: dict[str, str], **params: Any) -> Any:
    response = await http.get("/shipments", headers=token, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def every_page(http: httpx.AsyncClient, token: dict[str, str], **params: Any) -> list[str]:
    """The order ids of every shipment listed, page after page by the cursors given."""
    orders: list[str] = []
    cursor: str | None = None
    while True:
        found = await page(http, token, **params, **({"cursor": cursor} if cursor else {}))
        orders.extend(item["order_id"] for item in found["items"])
        cursor = found["next_cursor"]
        if cursor is None:
            return orders


def a_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["detail"]
    return body


async def test_a_merchant_pages_through_its_own_shipments_soonest_ship_by_first(
    logistics: httpx.AsyncClient, amqp_url: str, now: datetime
) -> None:  # R-LOG-1, R-LOG-5
    merchant, other = f"m-{uuid.uuid4().hex[:6]}", f"m-{uuid.uuid4().hex[:6]}"
    buyer = f"b-{uuid.uuid4().hex[:6]}"
    middle = await an_order(logistics, amqp_url, now, merchant, buyer, hours_ago=2)
    soonest = await an_order(logistics, amqp_url, now, merchant, buyer, hours_ago=3)
    latest = await an_order(logistics, amqp_url, now, merchant, f"b-{uuid.uuid4().hex[:6]}", 1)
    others = await an_order(logistics, amqp_url, now, other, buyer, hours_ago=4)
    token = bearer("merchant", merchant)

    first = await page(logistics, token, status="awaiting_shipment", limit=2)
    assert [item["order_id"] for item in first["items"]] == [soonest, middle]
    assert first["next_cursor"]
    rest = await page(logistics, token, status="awaiting_shipment", cursor=first["next_cursor"])
    assert [item["order_id"] for item in rest["items"]] == [latest]
    assert rest["next_cursor"] is None

    item = first["items"][0]
    ship_by = datetime.fromisoformat(item["ship_by"])
    assert item["seconds_left"] == int((ship_by - now).total_seconds())
    assert ship_by == now + timedelta(days=3, hours=-3)  # R-LOG-1: within 3 days
    # Scope: a merchant never sees another's; a buyer sees theirs; operators all.
    assert await every_page(logistics, bearer("merchant", other), limit=1) == [others]
    assert await every_page(logistics, bearer("buyer", buyer)) == [others, soonest, middle]
    everyone = await every_page(logistics, OPERATOR, limit=3)
    assert [o for o in everyone if o in {middle, soonest, latest, others}] == [
        others,
        soonest,
        middle,
        latest,
    ]


async def test_a_status_lists_only_shipments_in_it(
    logistics: httpx.AsyncClient, amqp_url: str, now: datetime
) -> None:  # R-LOG-1: the platform hands full-managed parcels over
    merchant, buyer = f"m-{uuid.uuid4().hex[:6]}", f"b-{uuid.uuid4().hex[:6]}"
    kept = await an_order(logistics, amqp_url, now, merchant, buyer, hours_ago=2)
    handed = await an_order(logistics, amqp_url, now, merchant, buyer, hours_ago=3)
    token = bearer("merchant", merchant)
    [shipment] = (await page(logistics, token, order_id=handed))["items"]
    body = {"carrier": "SF Express", "tracking_number": "SF1", "handover": "pickup"}
    shipped = await logistics.post(
        f"/shipments/{shipment['shipment_id']}/ship", headers=OPERATOR, json=body
    )
    assert shipped.status_code == 200, shipped.text
    assert shipped.json()["seconds_left"] is None  # handed over: no countdown

    assert await every_page(logistics, token, status="awaiting_shipment") == [kept]
    [handed_over] = (await page(logistics, token, status="shipped"))["items"]
    assert (handed_over["order_id"], handed_over["seconds_left"]) == (handed, None)
    assert await every_page(logistics, token) == [handed, kept]
    assert await every_page(logistics, token, status="delivered") == []


async def test_an_orders_shipments_are_answered_as_before(
    logistics: httpx.AsyncClient, amqp_url: str, now: datetime
) -> None:  # R-ORD-4
    merchant, buyer = f"m-{uuid.uuid4().hex[:6]}", f"b-{uuid.uuid4().hex[:6]}"
    order_id = await an_order(logistics, amqp_url, now, merchant, buyer, hours_ago=1)
    found = await page(logistics, bearer("buyer", buyer), order_id=order_id)
    [item] = found["items"]
    assert (item["order_id"], found["next_cursor"]) == (order_id, None)
    left = datetime.fromisoformat(item["ship_by"]) - now
    assert item["seconds_left"] == int(left.total_seconds())
    other = await page(logistics, bearer("merchant", "m-else"), order_id=order_id)
    assert other["items"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"cursor": "%%"}, None, id="a cursor this API did not give"),
        pytest.param({"cursor": "MjAyNi0xMi0wMQ=="}, None, id="a date as cursor"),
        pytest.param({"status": "lost"}, "status", id="no such status"),
        pytest.param({"limit": "0"}, "limit", id="an empty page"),
        pytest.param({"limit": "101"}, "limit", id="too large a page"),
        pytest.param({"order_id": "o-1", "status": "shipped"}, None, id="an order and a status"),
        pytest.param({"order_id": "o-1", "cursor": "x"}, None, id="an order and a cursor"),
    ],
)
async def test_what_the_list_refuses_is_a_422_problem(
    logistics: httpx.AsyncClient, params: dict[str, str], field: str | None
) -> None:
    body = a_problem(await logistics.get("/shipments", headers=OPERATOR, params=params), 422)
    if field is not None:
        assert field in str(body), body


async def test_the_list_needs_a_token(logistics: httpx.AsyncClient) -> None:
    a_problem(await logistics.get("/shipments"), 401)
