"""Review's changes to what it approved, as orders takes them on the real engine and
broker: a store's approved change renames it in the catalogue (R-REV-12); a listed
product's price change reprices new orders, not those placed before; a delisted product
leaves the catalogue and is refused in a new order (R-REV-15)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from devkit.wait import eventually
from orders.app import create
from orders.settings import OrdersSettings
from shared.contract.types import ContractModel
from testkit import clock as run_clock
from testkit.asgi import served
from testkit.bodies import an_order_request
from testkit.bus import emit
from testkit.factories import a_product_approved, a_store_approved, usd
from testkit.store_changes import a_product_delisted, a_store_updated
from testkit.tokens import bearer

pytestmark = pytest.mark.integration


orders = served("orders", create, OrdersSettings)


async def told(amqp_url: str, event: ContractModel, at: datetime) -> None:
    """As review publishes a decision: recorded (`occurred_at`) when it was made."""
    await emit(amqp_url, event, producer="review", correlation_id="c", occurred_at=at)


async def shown(orders: httpx.AsyncClient, product_id: str, **expected: Any) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        response = await orders.get(f"/catalogue/{product_id}")
        if not expected:
            return {"gone": True} if response.status_code == 404 else None
        body: dict[str, Any] = response.json() if response.status_code == 200 else {}
        return body if body and all(body.get(k) == v for k, v in expected.items()) else None

    return await eventually(probe, what=f"{product_id} to show {expected or 'gone'}")


async def test_a_store_renamed_a_product_repriced_then_delisted(
    orders: httpx.AsyncClient, amqp_url: str
) -> None:  # R-REV-12, R-REV-15
    tag = uuid.uuid4().hex[:8]
    store, merchant, product_id = f"s-{tag}", f"m-{tag}", f"p-{tag}"
    ours = {"store_id": store, "merchant_id": merchant}
    t0 = run_clock.now() - timedelta(hours=4)  # decisions arrive after they are made
    await told(amqp_url, a_store_approved(store_name="Blue Lantern", at=t0, **ours), t0)
    listed = a_product_approved(product_id=product_id, price=usd(4990), at=t0, **ours)
    await told(amqp_url, listed, t0)
    await shown(orders, product_id, store_name="Blue Lantern")

    # R-REV-12: the store's approved change renames it on its products.
    renamed = a_store_updated(store_name="Blue Lantern & Co", at=t0 + timedelta(hours=1), **ours)
    await told(amqp_url, renamed, renamed.updated_at)
    await shown(orders, product_id, store_name="Blue Lantern & Co")

    buyer = bearer("buyer", f"b-{tag}")
    placed = await orders.post("/orders", headers=buyer, json=an_order_request(product_id))
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]

    # R-REV-15: a price change is a newer approval: new orders pay it, the placed one not.
    repriced = a_product_approved(
        product_id=product_id, price=usd(3990), at=t0 + timedelta(hours=2), **ours
    )
    await told(amqp_url, repriced, repriced.approved_at)
    await shown(orders, product_id, price={"amount_minor": 3990, "currency": "USD"})
    again = await orders.post("/orders", headers=buyer, json=an_order_request(product_id))
    assert again.status_code == 201, again.text
    assert again.json()["total"] == {"amount_minor": 3990, "currency": "USD"}
    before = (await orders.get(f"/orders/{order_id}", headers=buyer)).json()
    assert before["total"] == {"amount_minor": 4990, "currency": "USD"}
    assert [line["unit_price"]["amount_minor"] for line in before["items"]] == [4990]

    # R-REV-15: delisted, it leaves the catalogue and no new order includes it.
    delisted = a_product_delisted(
        product_id=product_id, price=usd(3990), at=t0 + timedelta(hours=3), **ours
    )
    await told(amqp_url, delisted, delisted.delisted_at)
    await shown(orders, product_id)
    refused = await orders.post("/orders", headers=buyer, json=an_order_request(product_id))
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert f"Product {product_id} is not on sale" in refused.json()["detail"]
