"""Hostile input is refused cleanly: a 4xx problem, never a 500, nothing stored."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from orders.app import create
from orders.settings import OrdersSettings
from testkit.asgi import served
from testkit.bodies import an_address_json, an_order_request
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

BUYER = bearer("buyer", "b-hostile")
PROBLEM = "application/problem+json"


orders = served("orders", create, OrdersSettings)


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        pytest.param(b"[" * 100_000 + b"]" * 100_000, "application/json", 400, id="very deep JSON"),
        pytest.param(b"[" * 5_000 + b"]" * 5_000, "application/json", 400, id="deep JSON"),
        pytest.param(
            b'{"items": [' + b'{"product_id": "p", "quantity": 1},' * 60_000 + b"]}",
            "application/json",
            413,
            id="oversized body",
        ),
        pytest.param(b'{"items": []}', "text/plain", 415, id="wrong content type"),
        pytest.param(b"\xff\xfe\x00", "application/json", 400, id="not UTF-8"),
    ],
)
async def test_hostile_bodies_are_refused_cleanly(
    orders: httpx.AsyncClient, body: bytes, content_type: str, status: int
) -> None:
    response = await orders.post(
        "/orders", headers={**BUYER, "content-type": content_type}, content=body
    )
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"]
    listed = (await orders.get("/orders", headers=BUYER)).json()
    assert listed["items"] == []


async def test_a_body_without_a_length_is_bounded_as_it_arrives(
    orders: httpx.AsyncClient,
) -> None:
    async def two_megabytes() -> AsyncIterator[bytes]:
        yield b'{"items": ['
        for _ in range(100):
            yield b'{"product_id": "p", "quantity": 1},' * 600

    response = await orders.post(
        "/orders", headers={**BUYER, "content-type": "application/json"}, content=two_megabytes()
    )
    assert (response.status_code, response.headers["content-type"]) == (413, PROBLEM)
    assert "at most 1048576 bytes" in response.json()["detail"]


def _order(quantity: str = "7", **address: Any) -> bytes:
    """POST /orders of product `p`, its quantity written as given (JSON text)."""
    body = an_order_request("p", quantity=7, shipping_address=an_address_json(**address))
    return json.dumps(body).replace('"quantity": 7', f'"quantity": {quantity}').encode()


@pytest.mark.parametrize(
    ("body", "says"),
    [
        pytest.param(_order("true"), "items.0.quantity", id="true is not 1"),
        pytest.param(_order('"2"'), "items.0.quantity", id="a string is not a number"),
        pytest.param(_order("1e3"), "items.0.quantity", id="1e3 is not 1000"),
        pytest.param(_order("2.0"), "items.0.quantity", id="2.0 is not 2"),
        pytest.param(_order('1, "quantity": 1000'), "`quantity` appears twice", id="repeated key"),
        pytest.param(_order("NaN"), "`NaN` is not a JSON number", id="NaN"),
        pytest.param(_order(recipient="Ann\u0000"), "U+0000", id="NUL"),
        pytest.param(_order(city="\u001b[2J"), "U+001B", id="a terminal escape"),
        pytest.param(_order(line1="1 Main St\nFloor 2"), "U+000A", id="two lines in one"),
        pytest.param(_order(line1="Main\u0085St"), "U+0085", id="a C1 control"),
        pytest.param(
            _order().replace(b'"Madrid"', b'"\\ud800"'), "shipping_address.city", id="a surrogate"
        ),
    ],
)
async def test_coerced_ambiguous_or_control_laden_values_are_refused(
    orders: httpx.AsyncClient, body: bytes, says: str
) -> None:
    """No value is coerced, no JSON key counts twice, no text carries control characters:
    a 422 problem naming what to fix, and nothing stored."""
    response = await orders.post(
        "/orders", headers={**BUYER, "content-type": "application/json"}, content=body
    )
    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM)
    assert says in response.json()["detail"], response.text
    listed = (await orders.get("/orders", headers=BUYER)).json()
    assert listed["items"] == []


async def test_huge_pagination_limits_and_unknown_fields_are_refused(
    orders: httpx.AsyncClient,
) -> None:
    assert (await orders.get("/orders?limit=100000", headers=BUYER)).status_code == 422
    unknown = await orders.post(
        "/orders",
        headers=BUYER,
        json={"items": [{"product_id": "p", "quantity": 1}], "shipping_address": {}, "admin": True},
    )
    assert unknown.status_code == 422
    assert any(error["loc"][-1] == "admin" for error in unknown.json()["errors"])


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("from=2026-12-05&to=2026-12-01", "before"),
        ("from=2025-01-01&to=2026-12-31", "at most 366 days"),
        ("from=yesterday", "from"),
        ("to=2026-13-01", "to"),
    ],
)
async def test_a_scorecard_of_bad_dates_is_a_problem_saying_which(
    orders: httpx.AsyncClient, query: str, says: str
) -> None:  # R-SC-1
    merchant = bearer("merchant", "m-hostile")
    response = await orders.get(f"/merchants/m-hostile/scorecard?{query}", headers=merchant)
    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM)
    assert says in response.text


async def test_nobody_reads_another_merchants_scorecard(orders: httpx.AsyncClient) -> None:
    for token in (bearer("merchant", "m-other"), BUYER):
        response = await orders.get("/merchants/m-hostile/scorecard", headers=token)
        assert (response.status_code, response.headers["content-type"]) == (404, PROBLEM)
    operator = await orders.get("/merchants/m-hostile/scorecard", headers=bearer("operator", "o"))
    assert operator.json()["stores"] == []
