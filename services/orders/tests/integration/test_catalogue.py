"""The catalogue buyers browse (R-CAT-1), from review's events, on the real engine."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from devkit.wait import eventually
from orders.app import create
from orders.settings import OrdersSettings
from shared.contract import record_event
from shared.contract.events import ProductApproved, ProductRejected, StoreApproved
from shared.contract.types import ContractModel, Money, StoreType
from shared.mongo import connect
from testkit.asgi import serve_in_process
from testkit.bus import publish

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@pytest.fixture
async def orders(mongo_url: str, amqp_url: str, db_prefix: str
                 ) -> AsyncIterator[httpx.AsyncClient]:  # fmt: skip
    settings = OrdersSettings(mongo_url=mongo_url, amqp_url=amqp_url,
                              mongo_database_prefix=db_prefix)  # fmt: skip
    async with serve_in_process(create(settings)) as client:
        yield client


async def emit(amqp_url: str, event: ContractModel) -> None:
    """As review publishes a decision: recorded (`occurred_at`) when it was made."""
    decided = getattr(event, "approved_at", None) or getattr(event, "rejected_at", None)
    await publish(amqp_url, record_event(event, producer="review", correlation_id="c",
                                         occurred_at=decided or datetime.now(UTC)))  # fmt: skip


def approval(product_id: str, *, title: str = "Tea set", description: str = "Porcelain",
             price: int = 1000, category: str = "home", store_type: StoreType = "full_managed",
             at: datetime = T0, store_id: str = "s-1") -> ProductApproved:  # fmt: skip
    return ProductApproved(
        product_id=product_id, store_id=store_id, merchant_id="m-1", store_type=store_type,
        title=title, description=description, category=category,
        images=["https://img.example/p.png"], price=Money(amount_minor=price, currency="USD"),
        weight_grams=500, approved_at=at)  # fmt: skip


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
    await emit(amqp_url, StoreApproved(store_id="s-1", merchant_id="m-1",
                                       store_type="full_managed", store_name="Blue Lantern",
                                       approved_at=T0))  # fmt: skip
    await emit(amqp_url, approval(ids["tea"], title="Porcelain tea set", price=4990))
    await emit(amqp_url, approval(ids["vase"], title="Vase", description="blue porcelain glaze",
                                  price=12000))  # fmt: skip
    await emit(amqp_url, approval(ids["lamp"], title="Desk lamp", description="LED",
                                  price=2500, category="lighting"))  # fmt: skip
    await emit(amqp_url, approval(ids["scarf"], title="Silk scarf", description="hand-rolled",
                                  price=3000, category="clothing", store_type="semi_managed",
                                  store_id="s-2"))  # fmt: skip
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
    assert [p for p in await browse(orders, category="lighting") if p in ours] == [ids["lamp"]]
    found = [p for p in await browse(orders, q="porcelain") if p in ours]
    assert found == sorted([ids["tea"], ids["vase"]])  # title or description
    priced = [p for p in await browse(orders, min_price=2500, max_price=5000, currency="USD",
                                      limit=100) if p in ours]  # fmt: skip
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

    for bad in ({"limit": 1000}, {"min_price": 10, "max_price": 5}, {"currency": "XYZ"},
                {"channel": "vip"}, {"cursor": "%%%"}):  # fmt: skip
        response = await orders.get("/catalogue", params=bad)
        assert response.status_code == 422, bad
        assert response.headers["content-type"] == "application/problem+json"


async def test_newest_decision_wins_whatever_the_arrival_order(
    orders: httpx.AsyncClient, amqp_url: str, mongo_url: str, db_prefix: str
) -> None:  # R-CAT-1, R-REV-9
    product_id = f"p-{uuid.uuid4().hex[:8]}"
    # Two approvals arrive in reverse order: the later one (new title) must stand.
    await emit(amqp_url, approval(product_id, title="Tea set v2", price=5500,
                                  at=T0 + timedelta(hours=2)))  # fmt: skip
    await settled(orders, product_id, title="Tea set v2")
    stale_first = record_event(approval(product_id, title="Tea set v1", price=5000, at=T0),
                               producer="review", correlation_id="c", occurred_at=T0)  # fmt: skip
    await publish(amqp_url, stale_first)
    client = connect(mongo_url, app_name="test")
    inbox = client[f"{db_prefix}orders"]["inbox"]

    async def handled() -> bool:
        return await inbox.find_one({"_id": str(stale_first.event_id)}) is not None

    await eventually(handled, what="the older approval handled")
    await client.close()
    shown = await settled(orders, product_id, title="Tea set v2")
    assert shown["price"] == {"amount_minor": 5500, "currency": "USD"}

    # Rejected after its approval: it disappears from the catalogue and cannot be ordered.
    stale = approval(product_id)
    await emit(amqp_url, ProductRejected(
        product_id=product_id, store_id=stale.store_id, merchant_id=stale.merchant_id,
        store_type=stale.store_type, title=stale.title, category=stale.category,
        price=stale.price, weight_grams=stale.weight_grams, reason="Counterfeit brand",
        rejected_at=T0 + timedelta(hours=3)))  # fmt: skip
    await settled(orders, product_id)
    assert product_id not in await browse(orders, limit=100)
