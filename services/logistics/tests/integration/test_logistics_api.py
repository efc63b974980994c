"""Logistics against the real engine and broker, in-process (R-ORD-4, R-LOG-1..6)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY

from devkit.wait import eventually
from logistics.app import create
from logistics.domain.deadlines import estimate, semi_managed_ship_by
from logistics.domain.routes import DEFAULT_ROUTES
from logistics.settings import LogisticsSettings
from shared.calendar import Calendars
from shared.clock import Clock, FixedClock
from shared.contract import Envelope, parse_event
from shared.contract.types import StoreType
from shared.mongo import Database
from shared.policy import Policy
from testkit import clock as run_clock
from testkit.asgi import serve_in_process
from testkit.bodies import a_shipping
from testkit.bus import publish, recorded
from testkit.factories import (
    a_line,
    a_store_approved,
    a_us_address,
    a_us_warehouse,
    an_order_confirmed,
)
from testkit.settings import FAST_POLLS, isolated
from testkit.store_changes import a_store_updated
from testkit.tap import bound_queue
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

OPERATOR = bearer("operator", "op-1")
MONDAY_9AM_NEW_YORK = "2026-03-09T13:00:00Z"
SHIP = a_shipping()
#: A delivery-estimate request to New York of a 400 g parcel.
TO_NEW_YORK: dict[str, Any] = {"country": "US", "weight_grams": 400}
#: ... from a semi-managed merchant's warehouse in Newark, one handling day.
FROM_NEWARK: dict[str, Any] = {
    "store_type": "semi_managed",
    **TO_NEW_YORK,
    "handling_days": 1,
    "warehouse_country": "US",
    "warehouse_timezone": "America/New_York",
}


@dataclass
class Logistics:
    http: httpx.AsyncClient
    app: FastAPI
    amqp_url: str

    async def publish(self, envelope: Envelope, times: int = 1) -> None:
        await publish(self.amqp_url, envelope, times=times)

    async def shipment_of(self, order_id: str, token: dict[str, str] = OPERATOR) -> Any:
        async def found() -> Any:
            items = (
                await self.http.get("/shipments", params={"order_id": order_id}, headers=token)
            ).json()["items"]
            return items[0] if items else None

        return await eventually(found, what=f"the shipment of order {order_id}")

    async def post_status(self, url: str, token: dict[str, str], body: Any = None) -> int:
        return (await self.http.post(url, json=body, headers=token)).status_code


@asynccontextmanager
async def running(
    mongo_url: str,
    amqp_url: str,
    db_prefix: str,
    *,
    policy: Policy | None = None,
    clock: Clock | None = None,
) -> AsyncIterator[Logistics]:
    settings = isolated(LogisticsSettings, mongo_url, amqp_url, db_prefix, **FAST_POLLS)
    app = create(settings, policy=policy, clock=clock)
    async with serve_in_process(app) as client:
        yield Logistics(client, app, amqp_url)


@pytest.fixture
async def logistics(mongo_url: str, amqp_url: str, db_prefix: str) -> AsyncIterator[Logistics]:
    async with running(mongo_url, amqp_url, db_prefix) as service:
        yield service


async def received_until(
    queue: aio_pika.abc.AbstractQueue, event_type: str, shipment_id: str, timeout: float = 15.0
) -> list[Envelope]:
    """Envelopes about `shipment_id`, in order, up to the first of `event_type`."""
    seen: list[Envelope] = []
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        message = await queue.get(no_ack=True, fail=False)
        if message is None:
            await asyncio.sleep(0.05)
            continue
        envelope, _ = parse_event(message.body)
        if envelope.payload.get("shipment_id") == shipment_id:
            seen.append(envelope)
            if envelope.event_type == event_type:
                return seen
    raise AssertionError(f"no {event_type} of shipment {shipment_id} within {timeout}s")


def order_confirmed(
    store_type: StoreType,
    *,
    merchant_id: str,
    store_id: str = "s-1",
    buyer_id: str = "b-1",
    confirmed_at: datetime | None = None,
) -> Envelope:
    """A new order of a 400 g tea set to New York, confirmed (by default now)."""
    order_id = f"o-{uuid.uuid4().hex[:10]}"
    event = an_order_confirmed(
        order_id=order_id,
        buyer_id=buyer_id,
        store_id=store_id,
        merchant_id=merchant_id,
        store_type=store_type,
        shipping_address=a_us_address(),
        lines=[a_line(weight_grams=400)],
        at=confirmed_at or run_clock.now(),
    )
    return recorded(event, producer="orders", correlation_id=order_id)


def store_approved(
    store_id: str, merchant_id: str, store_type: StoreType = "semi_managed"
) -> Envelope:
    """A store approved now: semi-managed, shipping from Newark in one working day
    (R-LOG-2); or full-managed, shipped by the platform (R-LOG-1)."""
    semi = {"handling_days": 1, "warehouse": a_us_warehouse()}
    event = a_store_approved(
        store_id=store_id,
        merchant_id=merchant_id,
        store_type=store_type,
        store_name="Newark goods",
        at=run_clock.now(),
        **(semi if store_type == "semi_managed" else {}),
    )
    return recorded(event, producer="review", correlation_id=store_id)


async def a_full_managed_order(service: Logistics, **order: Any) -> Envelope:
    """`order_confirmed("full_managed", **order)` published, after its store's approval
    (logistics ships only for a store it knows approved)."""
    envelope = order_confirmed("full_managed", **order)
    payload = envelope.payload
    await service.publish(
        store_approved(payload["store_id"], payload["merchant_id"], "full_managed")
    )
    await service.publish(envelope)
    return envelope


async def test_order_confirmed_twice_creates_one_shipment(logistics: Logistics) -> None:  # R-ORD-4
    before = handled("OrderConfirmed")
    envelope = await a_full_managed_order(logistics, merchant_id="m-1")
    again = envelope.model_copy(update={"event_id": uuid.uuid4()})  # a second publication
    await logistics.publish(envelope)  # delivered again
    await logistics.publish(again)
    order_id = envelope.payload["order_id"]
    shipment = await logistics.shipment_of(order_id)
    db: Database = logistics.app.state.runtime.db

    async def all_handled() -> bool:
        return handled("OrderConfirmed") - before >= 3

    await eventually(all_handled, what="the three OrderConfirmed deliveries handled")
    assert await db["shipments"].count_documents({"order_id": order_id}) == 1
    assert shipment["status"] == "awaiting_shipment"
    assert shipment["route"] == "full-cn-express"  # R-LOG-6,7: the fastest accepting route
    assert shipment["estimated_delivery"]["earliest"] <= shipment["estimated_delivery"]["latest"]


async def test_full_managed_is_shipped_by_the_operator(logistics: Logistics) -> None:  # R-LOG-1
    envelope = await a_full_managed_order(logistics, merchant_id="m-own", buyer_id="b-own")
    shipment_id = (await logistics.shipment_of(envelope.payload["order_id"]))["shipment_id"]
    url = f"/shipments/{shipment_id}"
    owner, stranger = bearer("merchant", "m-own"), bearer("merchant", "m-other")
    assert (await logistics.http.get(url, headers=bearer("buyer", "b-own"))).status_code == 200
    assert (await logistics.http.get(url, headers=bearer("buyer", "b-x"))).status_code == 404
    assert (await logistics.http.get(url)).status_code == 401
    forbidden = await logistics.http.post(f"{url}/ship", json=SHIP, headers=owner)
    assert forbidden.status_code == 403, forbidden.text
    assert forbidden.headers["content-type"] == "application/problem+json"
    assert await logistics.post_status(f"{url}/ship", stranger, SHIP) == 404
    assert await logistics.post_status(f"{url}/ship", bearer("buyer", "b-own"), SHIP) == 403
    bad = await logistics.http.post(
        f"{url}/ship", json={**SHIP, "handover": "drone"}, headers=OPERATOR
    )
    assert bad.status_code == 422
    assert (await logistics.http.get(url, headers=OPERATOR)).json()["status"] == "awaiting_shipment"

    async with bound_queue(logistics.amqp_url, "Shipped") as queue:
        shipped = await logistics.http.post(f"{url}/ship", json=SHIP, headers=OPERATOR)
        assert shipped.status_code == 200, shipped.text
        assert shipped.json()["status"] == "shipped"
        published = (await received_until(queue, "Shipped", shipment_id))[-1]
    assert published.payload["tracking_number"] == "1Z999"
    assert published.correlation_id == envelope.payload["order_id"]
    assert await logistics.post_status(f"{url}/ship", OPERATOR, SHIP) == 409

    delivered = await logistics.http.post(f"{url}/deliver", headers=OPERATOR)
    assert delivered.status_code == 200
    assert delivered.json()["status"] == "delivered"
    after_delivery = {"kind": "lost", "note": "gone"}
    # Delivered: a problem now is after-sales, not logistics.
    assert await logistics.post_status(f"{url}/exceptions", OPERATOR, after_delivery) == 409
    assert await logistics.post_status(f"{url}/deliver", bearer("merchant", "m-own")) == 403


async def test_operator_reports_a_lost_parcel(logistics: Logistics) -> None:
    envelope = await a_full_managed_order(logistics, merchant_id="m-2")
    shipment_id = (await logistics.shipment_of(envelope.payload["order_id"]))["shipment_id"]
    url = f"/shipments/{shipment_id}/exceptions"
    body = {"kind": "lost", "note": "missing at the hub"}
    assert await logistics.post_status(url, bearer("merchant", "m-2"), body) == 403
    assert await logistics.post_status(url, OPERATOR, {**body, "kind": "stolen"}) == 422
    reported = await logistics.http.post(url, json=body, headers=OPERATOR)
    assert reported.status_code == 200
    assert reported.json()["status"] == "exception"
    assert reported.json()["exception_kind"] == "lost"


def failures(event_type: str) -> float:
    labels = {"service": "logistics", "event_type": event_type}
    return REGISTRY.get_sample_value("events_failed_total", labels) or 0.0


def handled(event_type: str) -> float:
    """Deliveries of `event_type` logistics' consumer has handled (in this process)."""
    labels = {"service": "logistics", "event_type": event_type}
    return REGISTRY.get_sample_value("events_consumed_total", labels) or 0.0


async def test_semi_managed_waits_for_its_store_and_is_shipped_by_its_merchant(
    logistics: Logistics,
) -> None:  # R-LOG-2, R-LOG-4
    merchant, store_id = f"m-{uuid.uuid4().hex[:6]}", f"s-{uuid.uuid4().hex[:6]}"
    envelope = order_confirmed("semi_managed", merchant_id=merchant, store_id=store_id)
    before = failures("OrderConfirmed")
    await logistics.publish(envelope)

    async def retried() -> bool:
        return failures("OrderConfirmed") > before

    await eventually(retried, what="the order retried while its store is unknown")
    await logistics.publish(store_approved(store_id, merchant))
    shipment = await logistics.shipment_of(envelope.payload["order_id"])
    assert shipment["status"] == "awaiting_shipment"  # not guessed into `no_route`
    assert shipment["route"] == "semi-na-ground"
    assert shipment["self_drop_by"] is not None  # R-LOG-5
    url = f"/shipments/{shipment['shipment_id']}/ship"
    assert await logistics.post_status(url, OPERATOR, SHIP) == 403
    assert await logistics.post_status(url, bearer("merchant", "m-x"), SHIP) == 404
    shipped = await logistics.http.post(url, json=SHIP, headers=bearer("merchant", merchant))
    assert shipped.status_code == 200, shipped.text
    assert shipped.json()["handover"] == "pickup"


async def test_a_stores_change_plans_the_next_shipment_not_the_planned_one(
    logistics: Logistics,
) -> None:  # R-REV-12, R-LOG-2
    """Shipment A, planned from Newark (New York time) with one handling day, keeps its
    ship-by when review approves the store's move to Los Angeles with two; shipment B, of
    an order confirmed after, is planned from the new warehouse and handling time."""
    merchant, store_id = f"m-{uuid.uuid4().hex[:6]}", f"s-{uuid.uuid4().hex[:6]}"
    await logistics.publish(store_approved(store_id, merchant))
    first = order_confirmed("semi_managed", merchant_id=merchant, store_id=store_id)
    await logistics.publish(first)
    planned = await logistics.shipment_of(first.payload["order_id"])

    los_angeles = a_us_warehouse(city="Los Angeles", timezone="America/Los_Angeles")
    moved = a_store_updated(
        store_id=store_id,
        merchant_id=merchant,
        store_type="semi_managed",
        store_name="Newark goods",
        warehouse=los_angeles,
        handling_days=2,
        changed=["warehouse", "handling_days"],
        at=run_clock.now(),
    )
    change = recorded(moved, producer="review", correlation_id=store_id)
    before = handled(change.event_type)
    await logistics.publish(change)

    async def taken() -> bool:
        return handled(change.event_type) - before >= 1

    await eventually(taken, what="the store's change handled")
    second = order_confirmed("semi_managed", merchant_id=merchant, store_id=store_id)
    await logistics.publish(second)
    replanned = await logistics.shipment_of(second.payload["order_id"])

    def ship_by(confirmed: Envelope, handling_days: int, timezone: str) -> datetime:
        return semi_managed_ship_by(
            datetime.fromisoformat(confirmed.payload["confirmed_at"]),
            handling_days,
            warehouse_timezone=timezone,
            warehouse_country="US",
            policy=Policy(),
            calendars=Calendars(),
        )

    def shown(shipment: Any) -> datetime:
        return datetime.fromisoformat(shipment["ship_by"])

    assert shown(planned) == ship_by(first, 1, "America/New_York")
    assert shown(replanned) == ship_by(second, 2, "America/Los_Angeles")
    assert shown(replanned) != ship_by(second, 1, "America/New_York")
    again = await logistics.shipment_of(first.payload["order_id"])
    assert again["ship_by"] == planned["ship_by"]


async def test_late_shipment_is_flagged_once(
    mongo_url: str, amqp_url: str, db_prefix: str
) -> None:  # R-LOG-1
    clock = FixedClock(run_clock.now())
    policy = Policy(full_managed_ship_days_max=1)
    async with (
        running(mongo_url, amqp_url, db_prefix, policy=policy, clock=clock) as service,
        bound_queue(amqp_url, "ShipmentLate", "Shipped") as queue,
    ):
        envelope = await a_full_managed_order(service, merchant_id="m-3", confirmed_at=clock.now())
        shipment = await service.shipment_of(envelope.payload["order_id"])
        assert shipment["late_detected_at"] is None
        clock.advance(timedelta(days=1, minutes=1))
        late = await received_until(queue, "ShipmentLate", shipment["shipment_id"])
        await service.app.state.services.events.flag_late_shipments()  # another pass, or process
        shipped = await service.http.post(
            f"/shipments/{shipment['shipment_id']}/ship", json=SHIP, headers=OPERATOR
        )
        assert shipped.status_code == 200  # late, yet it may still ship
        after = await received_until(queue, "Shipped", shipment["shipment_id"])
    assert [e.event_type for e in late + after] == ["ShipmentLate", "Shipped"]
    assert shipped.json()["late_detected_at"] is not None


async def test_delivery_estimate_is_the_pure_computation(logistics: Logistics) -> None:
    full = await logistics.http.get(
        "/delivery-estimate",
        params={"store_type": "full_managed", **TO_NEW_YORK, "at": MONDAY_9AM_NEW_YORK},
    )
    assert full.status_code == 200, full.text
    assert full.json()["ship_by"] == "2026-03-12T13:00:00Z"  # R-LOG-1: within 3 days
    semi = await logistics.http.get(
        "/delivery-estimate", params={**FROM_NEWARK, "at": MONDAY_9AM_NEW_YORK}
    )
    assert semi.status_code == 200, semi.text
    # R-LOG-2, R-LOG-5: before the 15:00 cut-off Monday counts; one working day: Tuesday.
    assert semi.json()["ship_by"] == "2026-03-10T19:00:00Z"
    expected = estimate(
        "semi_managed",
        datetime(2026, 3, 9, 13, tzinfo=UTC),
        destination_country="US",
        weight_grams=400,
        policy=Policy(),
        routes=DEFAULT_ROUTES,
        handling_days=1,
        warehouse_country="US",
        warehouse_timezone="America/New_York",
        calendars=Calendars(),
    )
    assert expected is not None
    assert semi.json() == expected.model_dump(mode="json")
    no_route = await logistics.http.get(
        "/delivery-estimate",
        params={"store_type": "full_managed", "country": "US", "weight_grams": 50_000},
    )
    assert no_route.status_code == 422  # R-LOG-6: no route accepts 50 kg
    assert no_route.json()["type"].endswith("/no-route")
    assert "GET /routes" in no_route.json()["detail"]


@pytest.mark.parametrize(
    "params",
    [
        pytest.param(
            {"store_type": "full_managed", "country": "US", "weight_grams": 50_000},
            id="R-LOG-6 no route for 50 kg",
        ),
        pytest.param(
            {"store_type": "semi_managed", **TO_NEW_YORK}, id="semi-managed with no warehouse"
        ),
        pytest.param({**FROM_NEWARK, "handling_days": 3}, id="R-LOG-2 3 handling days"),
        pytest.param({**FROM_NEWARK, "warehouse_timezone": "Mars/Olympus"}, id="unknown zone"),
        pytest.param(
            {"store_type": "full_managed", **TO_NEW_YORK, "country": "us"}, id="lower-case country"
        ),
        pytest.param(
            {"store_type": "full_managed", **TO_NEW_YORK, "at": "2026-03-09T13:00:00"},
            id="a time without its offset",
        ),
    ],
)
async def test_bad_estimate_requests_are_problems(
    logistics: Logistics, params: dict[str, Any]
) -> None:
    response = await logistics.http.get("/delivery-estimate", params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"]


async def test_routes_are_public(logistics: Logistics) -> None:  # R-LOG-6
    response = await logistics.http.get("/routes")
    assert response.status_code == 200
    assert {route["name"] for route in response.json()["items"]} == {
        route.name for route in DEFAULT_ROUTES
    }
