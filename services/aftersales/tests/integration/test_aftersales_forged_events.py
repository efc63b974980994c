"""Forged events through the real broker and engine: aftersales refuses what cannot be
true, the consumer parks it with why (`x-error`), and who bears a refund (R-AS-2) and
when a case may open (R-AS-1) stay as the real events made them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from aftersales.app import create
from aftersales.settings import AftersalesSettings
from devkit.wait import eventually
from testkit import clock as run_clock
from testkit.asgi import serve_in_process
from testkit.bodies import a_case_request, a_refund_decision
from testkit.bus import emit, emit_order_history, parked
from testkit.factories import a_delivered, a_store_approved, an_order_confirmed
from testkit.settings import isolated
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

OPERATOR = bearer("operator", "op-1")
ATTEMPTS = 2


@pytest.fixture
async def aftersales(
    mongo_url: str, amqp_url: str, db_prefix: str
) -> AsyncIterator[httpx.AsyncClient]:
    tuned = {"outbox_poll_seconds": 0.1, "max_delivery_attempts": ATTEMPTS}
    settings = isolated(AftersalesSettings, mongo_url, amqp_url, db_prefix, **tuned)
    async with serve_in_process(create(settings)) as client:
        yield client


async def a_case(aftersales: httpx.AsyncClient, buyer: str, order_id: str) -> str:
    """The buyer's damaged-goods case on its delivered order, once the facts are in."""

    async def opened() -> str | None:
        response = await aftersales.post(
            "/cases", headers=bearer("buyer", buyer), json=a_case_request(order_id, 1000)
        )
        return str(response.json()["case_id"]) if response.status_code == 201 else None

    return await eventually(opened, what="the case opened")


async def test_a_forged_approval_dated_2000_is_parked_and_the_platform_still_bears_the_refund(
    aftersales: httpx.AsyncClient, amqp_url: str
) -> None:  # R-AS-2
    buyer, merchant = f"b-{uuid.uuid4().hex[:6]}", f"m-{uuid.uuid4().hex[:6]}"
    order_id = f"o-{uuid.uuid4().hex[:8]}"
    # The store approved 30 days ago: within its 90-day exemption period.
    await emit_order_history(amqp_url, order_id=order_id, buyer_id=buyer, merchant_id=merchant)
    case_id = await a_case(aftersales, buyer, order_id)

    store_id = f"s-{merchant}"
    forged = a_store_approved(
        store_id=store_id, merchant_id=merchant, at=datetime(2000, 1, 1, tzinfo=UTC)
    )
    envelope = await emit(amqp_url, forged, producer="review", correlation_id=store_id)
    headers = await parked(amqp_url, "aftersales", envelope)
    assert (headers["x-error-type"], headers["x-attempts"]) == ("Implausible", 1)
    assert "is dated 2000-01-01T00:00:00Z but occurred at" in headers["x-error"]

    resolved = await aftersales.post(
        f"/cases/{case_id}/resolve", headers=OPERATOR, json=a_refund_decision(1000)
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["liable_party"] == "platform"


async def test_a_delivery_of_a_parcel_never_shipped_is_parked_and_opens_no_case(
    aftersales: httpx.AsyncClient, amqp_url: str
) -> None:  # R-AS-1
    buyer, order_id = f"b-{uuid.uuid4().hex[:6]}", f"o-{uuid.uuid4().hex[:8]}"
    now = run_clock.now()
    confirmed = an_order_confirmed(order_id=order_id, buyer_id=buyer, at=now)
    await emit(amqp_url, confirmed, producer="orders", correlation_id=order_id)
    forged = a_delivered(order_id=order_id, at=now)
    envelope = await emit(amqp_url, forged, producer="logistics", correlation_id=order_id)

    headers = await parked(amqp_url, "aftersales", envelope)
    assert (headers["x-error-type"], headers["x-attempts"]) == ("NotYetKnown", ATTEMPTS)
    assert "which aftersales has not seen shipped" in headers["x-error"]
    refused = await aftersales.post(
        "/cases", headers=bearer("buyer", buyer), json=a_case_request(order_id, 1000)
    )
    assert refused.status_code == 422, refused.text
    assert "has not been delivered" in refused.json()["detail"]
