"""The catalogue buyers browse (R-CAT-1), from review's events, on the real engine."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY

from devkit.wait import eventually
from orders.app import create
from orders.settings import OrdersSettings
from shared.categories import default_categories
from shared.contract.events import ProductApproved
from shared.contract.types import ContractModel
from testkit import clock as run_clock
from testkit.asgi import served
from testkit.bus import emit, publish, recorded
from testkit.factories import a_product_approved, a_product_rejected, a_store_approved, usd

pytestmark = pytest.mark.integration


orders = served("orders", create, OrdersSettings)


async def decided(amqp_url: str, event: ContractModel) -> None:
    """As review publishes a decision: recorded (`occurred_at`) when it was made."""
    at = getattr(event, "approved_at", None) or getattr(event, "rejected_at", None)
    await emit(amqp_url, event, producer="review", correlation_id="c", occurred_at=at)


def approvals_handled() -> float:
    """Deliveries of `ProductApproved` orders' consumer has handled (in this process)."""
    labels = {"service": "orders", "event_type": "ProductApproved"}
    return REGISTRY.get_sample_value("events_consumed_total", labels) or 0.0


def approval(product_id: str, *, price: int = 1000, **changes: Any) -> ProductApproved:
    return a_product_approved(product_id=product_id, price=usd(price), **changes)


async def browse(orders: httpx.AsyncClient, **params: Any) -> list[str]:
    response = await orders.get("/catalogue", params=params)
    assert response.status_code == 200, response.text
    return [item["product_id"] for item in response.json()["items"]]


async def settled(orders: httpx.AsyncClient, wanted: str, **expected: Any) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        response = await orders.get(f"/catalogue/{wanted}")
        if not expected:
            return {"gone": True} if response.status_code == 404 else None
        if response.status_code != 200:
            return None
        body: dict[str, Any] = response.json()
        return body if all(body.get(k) == v for k, v in expected.items()) else None

    return await eventually(probe, what=f"{wanted} to show {expected or 'gone'}")


async def test_filters_search_and_stable_pages(
    orders: httpx.AsyncClient, amqp_url: str
) -> None:  # R-CAT-1
    tag = uuid.uuid4().hex[:6]
    ids = {name: f"{tag}-{name}" for name in ("tea", "vase", "lamp", "scarf")}
    await decided(amqp_url, a_store_approved(store_name="Blue Lantern"))
    await decided(amqp_url, approval(ids["tea"], title="Porcelain tea set", price=4990))
    vase = approval(ids["vase"], title="Vase", description="blue porcelain glaze", price=12000)
    await decided(amqp_url, vase)
    lamp = approval(
        ids["lamp"], title="Desk lamp", description="LED", price=2500, category="electronics"
    )
    await decided(amqp_url, lamp)
    scarf = approval(
        ids["scarf"],
        title="Silk scarf",
        description="hand-rolled",
        price=3000,
        category="clothing",
        store_type="semi_managed",
        store_id="store-2",
    )
    await decided(amqp_url, a_store_approved(store_id="store-2", store_type="semi_managed"))
    await decided(amqp_url, scarf)
    shown = await settled(orders, ids["tea"], store_name="Blue Lantern")
    assert shown["store_type"] == "full_managed"
    assert "merchant_id" not in shown  # nothing private
    for product_id in ids.values():
        await settled(orders, product_id, product_id=product_id)

    ours = set(ids.values())
    everything = [p for p in await browse(orders, limit=100) if p in ours]
    assert everything == sorted(ours)
    channel = [p for p in await browse(orders, channel="full_managed", limit=100) if p in ours]
    assert channel == sorted([ids["tea"], ids["vase"], ids["lamp"]])  # the exclusive channel
    assert [p for p in await browse(orders, category="electronics") if p in ours] == [ids["lamp"]]
    found = [p for p in await browse(orders, q="porcelain") if p in ours]
    assert found == sorted([ids["tea"], ids["vase"]])  # title or description
    priced = [
        p
        for p in await browse(orders, min_price=2500, max_price=5000, currency="USD", limit=100)
        if p in ours
    ]
    assert priced == sorted([ids["tea"], ids["lamp"], ids["scarf"]])

    pages: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 1, "q": "porcelain"}
        if cursor:
            params["cursor"] = cursor
        page = (await orders.get("/catalogue", params=params)).json()
        pages += [item["product_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [p for p in pages if p in ours] == found

    for bad in (
        {"limit": 1000},
        {"min_price": 10, "max_price": 5},
        {"currency": "XYZ"},
        {"channel": "vip"},
        {"cursor": "%%%"},
    ):
        response = await orders.get("/catalogue", params=bad)
        assert response.status_code == 422, bad
        assert response.headers["content-type"] == "application/problem+json"
    # R-REV-11: a category is a code of the platform's list; other text is refused with them.
    unknown = await orders.get("/catalogue", params={"category": "Electronics"})
    assert unknown.status_code == 422, unknown.text
    problem = unknown.json()
    assert problem["errors"] == [
        {"loc": ["query", "category"], "msg": default_categories().refusal()}
    ]
    assert "use one of: baby, books, clothing" in problem["detail"]


async def test_newest_decision_wins_whatever_the_arrival_order(
    orders: httpx.AsyncClient, amqp_url: str
) -> None:  # R-CAT-1, R-REV-9
    product_id = f"p-{uuid.uuid4().hex[:8]}"
    t0 = run_clock.now() - timedelta(hours=4)  # decisions arrive after they are made
    await decided(amqp_url, a_store_approved(at=t0))
    # Two approvals arrive in reverse order: the later one (new title) must stand.
    await decided(
        amqp_url, approval(product_id, title="Tea set v2", price=5500, at=t0 + timedelta(hours=2))
    )
    await settled(orders, product_id, title="Tea set v2")
    stale_first = recorded(
        approval(product_id, title="Tea set v1", price=5000, at=t0),
        producer="review",
        correlation_id="c",
        occurred_at=t0,
    )
    before = approvals_handled()
    await publish(amqp_url, stale_first)

    async def handled() -> bool:
        return approvals_handled() - before >= 1

    await eventually(handled, what="the older approval handled")
    shown = await settled(orders, product_id, title="Tea set v2")
    assert shown["price"] == {"amount_minor": 5500, "currency": "USD"}

    # Rejected after its approval: it disappears from the catalogue and cannot be ordered.
    rejected = a_product_rejected(
        product_id=product_id, reason="Counterfeit brand", at=t0 + timedelta(hours=3)
    )
    await decided(amqp_url, rejected)
    await settled(orders, product_id)
    assert product_id not in await browse(orders, limit=100)
