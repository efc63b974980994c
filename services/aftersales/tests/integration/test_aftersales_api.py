"""Aftersales against the real engine and broker, in-process (R-AS-1, R-AS-2, R-FEE-1).

Facts arrive as events (each published twice: delivery is at least once); cases and
refunds go through HTTP; `RefundIssued` is read from the broker on a queue of the test.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from aftersales.app import create
from aftersales.bootstrap import AftersalesServices
from aftersales.domain.facts import StoreFacts
from aftersales.settings import AftersalesSettings
from devkit.wait import eventually
from shared.contract import Envelope, parse_event
from shared.policy import Policy
from testkit import clock as run_clock
from testkit.asgi import serve_in_process
from testkit.bodies import a_case_request, a_refund_decision, a_rejection, usd_json
from testkit.bus import emit, emit_order_history
from testkit.factories import (
    usd,
)
from testkit.settings import isolated
from testkit.store_changes import a_store_updated
from testkit.tap import bound_queue
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

OPERATOR = bearer("operator", "op-1")
PROBLEM = "application/problem+json"


@dataclass
class Aftersales:
    client: httpx.AsyncClient
    services: AftersalesServices


@pytest.fixture
async def aftersales(mongo_url: str, amqp_url: str, db_prefix: str) -> AsyncIterator[Aftersales]:
    settings = isolated(AftersalesSettings, mongo_url, amqp_url, db_prefix, outbox_poll_seconds=0.1)
    app = create(settings)
    async with serve_in_process(app) as client:
        yield Aftersales(client, app.state.services)


@dataclass
class Order:
    order_id: str
    buyer: str
    merchant: str


async def order_facts(
    amqp_url: str, *, delivered_days_ago: float | None = 1, total_minor: int = 5000
) -> Order:
    """A new order's StoreApproved, OrderCreated, OrderConfirmed, Shipped and (unless None)
    Delivered, each published twice (delivery is at least once)."""
    order = Order(
        f"o-{uuid.uuid4().hex[:8]}", f"b-{uuid.uuid4().hex[:6]}", f"m-{uuid.uuid4().hex[:6]}"
    )
    await emit_order_history(
        amqp_url,
        order_id=order.order_id,
        buyer_id=order.buyer,
        merchant_id=order.merchant,
        total_minor=total_minor,
        delivered_days_ago=delivered_days_ago,
        times=2,
    )
    return order


async def open_case(
    service: Aftersales,
    order: Order,
    refund_minor: int = 5000,
    expect: int = 201,
    until: Callable[[httpx.Response], bool] = lambda response: True,
) -> httpx.Response:
    """POST /cases, polled until the facts have arrived and the answer is `expect` (and
    `until` holds: a 422 may first be "not delivered yet", then "window closed")."""

    async def probe() -> httpx.Response | None:
        response = await service.client.post(
            "/cases",
            headers=bearer("buyer", order.buyer),
            json=a_case_request(order.order_id, refund_minor),
        )
        return response if response.status_code == expect and until(response) else None

    return await eventually(probe, what=f"POST /cases answering {expect}")


def resolve(service: Aftersales, case_id: str, refund_minor: int | None) -> Any:
    body = a_refund_decision(refund_minor) if refund_minor is not None else a_rejection()
    return service.client.post(f"/cases/{case_id}/resolve", headers=OPERATOR, json=body)


async def test_damaged_case_refunded_by_the_platform(
    aftersales: Aftersales, amqp_url: str
) -> None:  # R-AS-1, R-AS-2
    order = await order_facts(amqp_url)
    async with bound_queue(amqp_url, "RefundIssued") as listener:
        case = (await open_case(aftersales, order)).json()
        assert (case["status"], case["reason"], case["liable_party"]) == ("open", "damaged", None)
        response = await resolve(aftersales, case["case_id"], 1800)
        assert response.status_code == 200, response.text
        assert response.json()["liable_party"] == "platform"  # R-AS-2: within the exemption

        async def refund_issued() -> Envelope | None:
            message = await listener.get(no_ack=True, fail=False)
            envelope = parse_event(message.body)[0] if message else None
            return envelope if envelope and envelope.payload["case_id"] == case["case_id"] else None

        issued = await eventually(refund_issued, what="RefundIssued on the broker")
    # R-FEE-1: no commission, the whole refund reaches the buyer.
    assert issued.payload == {
        "case_id": case["case_id"],
        "order_id": order.order_id,
        "amount": usd_json(1800),
        "liable_party": "platform",
        "issued_at": issued.payload["issued_at"],
        "reason": "after_sales_case",
    }
    assert (issued.producer, issued.correlation_id) == ("aftersales", order.order_id)
    for who in (bearer("buyer", order.buyer), bearer("merchant", order.merchant), OPERATOR):
        seen = await aftersales.client.get(f"/cases/{case['case_id']}", headers=who)
        assert (seen.status_code, seen.json()["status"]) == (200, "refunded")
        assert seen.json()["refund"] == usd_json(1800)
    listed = await aftersales.client.get(
        "/cases", params={"order_id": order.order_id}, headers=bearer("merchant", order.merchant)
    )
    assert [item["case_id"] for item in listed.json()["items"]] == [case["case_id"]]
    # Every event came twice; each changed the replica once (idempotent on event_id).
    facts = await aftersales.services.commands.orders.get(order.order_id)
    assert facts is not None
    assert (facts.status, facts.version, len(set(facts.applied_events))) == ("delivered", 5, 4)


async def test_cases_outside_the_window_are_refused(
    aftersales: Aftersales, amqp_url: str
) -> None:  # R-AS-1
    in_transit = await order_facts(amqp_url, delivered_days_ago=None)
    early = await open_case(aftersales, in_transit, expect=422)
    assert early.headers["content-type"] == "application/problem+json"
    assert early.json()["rule"] == "R-AS-1"
    assert "not been delivered" in early.json()["detail"]
    too_late = await open_case(
        aftersales,
        await order_facts(amqp_url, delivered_days_ago=20),
        expect=422,
        until=lambda response: "closes_at" in response.json(),
    )
    problem = too_late.json()
    assert problem["rule"] == "R-AS-1"
    opens_at, closes_at = (datetime.fromisoformat(problem[k]) for k in ("opens_at", "closes_at"))
    assert closes_at - opens_at == timedelta(days=15)  # the policy default window
    assert closes_at < run_clock.now()
    assert problem["closes_at"] in problem["detail"]


async def test_only_the_buyer_of_the_order_sees_and_opens_cases(
    aftersales: Aftersales, amqp_url: str
) -> None:
    order = await order_facts(amqp_url)
    case = (await open_case(aftersales, order)).json()
    stranger = Order(order.order_id, "b-someone-else", order.merchant)
    refused = await aftersales.client.post(
        "/cases",
        headers=bearer("buyer", stranger.buyer),
        json=a_case_request(order.order_id, 1),
    )
    assert refused.status_code == 404
    for who in (bearer("buyer", stranger.buyer), bearer("merchant", "m-other")):
        assert (
            await aftersales.client.get(f"/cases/{case['case_id']}", headers=who)
        ).status_code == 404
        assert (
            await aftersales.client.get("/cases", params={"order_id": order.order_id}, headers=who)
        ).status_code == 404
    above_total = await open_case(aftersales, order, refund_minor=5001, expect=422)
    assert "above the order total" in above_total.json()["detail"]
    assert (
        await aftersales.client.post(
            f"/cases/{case['case_id']}/resolve",
            json={"decision": "refund", "refund": usd_json(1)},
            headers=bearer("merchant", order.merchant),
        )
    ).status_code == 403
    for bad in (
        {"decision": "refund"},
        {"decision": "reject", "note": " "},
        {"decision": "refund", "refund": {"amount_minor": -1, "currency": "USD"}},
        {"decision": "maybe"},
        {"decision": "refund", "refund": usd_json(10), "extra": 1},
    ):
        answer = await aftersales.client.post(
            f"/cases/{case['case_id']}/resolve", json=bad, headers=OPERATOR
        )
        assert answer.status_code == 422, (bad, answer.text)
    after = await aftersales.client.get(f"/cases/{case['case_id']}", headers=OPERATOR)
    assert after.json()["status"] == "open"  # bad input changed nothing


async def test_refunds_of_an_order_never_exceed_its_total(
    aftersales: Aftersales, amqp_url: str
) -> None:  # 409
    order = await order_facts(amqp_url)
    first = (await open_case(aftersales, order, refund_minor=3000)).json()
    second = (await open_case(aftersales, order, refund_minor=3000)).json()
    assert (await resolve(aftersales, first["case_id"], 3000)).status_code == 200
    refused = await resolve(aftersales, second["case_id"], 3000)
    assert refused.status_code == 409, refused.text
    assert refused.json()["refundable_left"] == usd_json(2000)
    assert "2000 USD" in refused.json()["detail"]
    assert (await resolve(aftersales, second["case_id"], 2000)).status_code == 200


async def test_two_operators_at_once_give_one_resolution(
    aftersales: Aftersales, amqp_url: str
) -> None:
    order = await order_facts(amqp_url)
    for rival in (1500, None):  # the same refund twice, then a refund against a rejection
        case = (await open_case(aftersales, order, refund_minor=1500)).json()
        answers = await asyncio.gather(
            resolve(aftersales, case["case_id"], 1500), resolve(aftersales, case["case_id"], rival)
        )
        assert sorted(answer.status_code for answer in answers) == [200, 409]
        winner = next(answer.json() for answer in answers if answer.status_code == 200)
        facts = await aftersales.services.commands.orders.get(order.order_id)
        assert facts is not None
        held = [
            r.amount.amount_minor for r in facts.refund_reservations if r.case_id == case["case_id"]
        ]
        assert held == ([1500] if winner["status"] == "refunded" else [])


async def hold(service: Aftersales, order: Order, case_id: str, minor: int) -> None:
    """Leave a reservation as a resolution that crashed after its first step would."""
    orders = service.services.commands.orders
    facts = await orders.get(order.order_id)
    assert facts is not None
    facts.reserve_refund(case_id, usd(minor), run_clock.now())
    await orders.save(facts, now=run_clock.now())


async def test_a_resolution_cut_between_its_steps_is_completed_or_swept(
    aftersales: Aftersales, amqp_url: str
) -> None:
    order = await order_facts(amqp_url)
    cut = (await open_case(aftersales, order, refund_minor=3000)).json()
    await hold(aftersales, order, cut["case_id"], 3000)
    other_amount = await resolve(aftersales, cut["case_id"], 2000)
    assert other_amount.status_code == 409  # the held refund is named, not replaced
    assert "3000 USD" in other_amount.json()["detail"]
    retried = await resolve(aftersales, cut["case_id"], 3000)  # the same resolution again
    assert (retried.status_code, retried.json()["status"]) == (200, "refunded")
    rejected = (await open_case(aftersales, order, refund_minor=2000)).json()
    assert (await resolve(aftersales, rejected["case_id"], None)).status_code == 200
    await hold(aftersales, order, rejected["case_id"], 2000)  # crash before its release
    last = (await open_case(aftersales, order, refund_minor=2000)).json()
    assert (await resolve(aftersales, last["case_id"], 2000)).status_code == 200  # swept
    facts = await aftersales.services.commands.orders.get(order.order_id)
    assert facts is not None
    assert {r.case_id: r.amount.amount_minor for r in facts.refund_reservations} == {
        cut["case_id"]: 3000,
        last["case_id"]: 2000,
    }


async def test_complaint_thread_and_the_operators_queue(
    aftersales: Aftersales, amqp_url: str
) -> None:  # R-AS-3
    first = await order_facts(amqp_url)
    second = await order_facts(amqp_url)
    older = (await open_case(aftersales, first)).json()
    newer = (await open_case(aftersales, second)).json()
    assert older["first_response_seconds"] is None
    url = f"/cases/{older['case_id']}/messages"
    buyer = bearer("buyer", first.buyer)
    merchant = bearer("merchant", first.merchant)
    assert (
        await aftersales.client.post(url, headers=buyer, json={"body": "Any news?"})
    ).status_code == 201
    assert (
        await aftersales.client.post(url, headers=merchant, json={"body": "We will replace it."})
    ).status_code == 201
    answered = await aftersales.client.post(url, headers=OPERATOR, json={"body": "On it."})
    case = answered.json()
    assert [m["author_role"] for m in case["messages"]] == ["buyer", "merchant", "operator"]
    assert case["first_response_seconds"] >= 0
    assert case["first_operator_response_at"] == case["messages"][2]["at"]
    stranger = await aftersales.client.post(
        url, headers=bearer("buyer", "b-x"), json={"body": "hi"}
    )
    assert stranger.status_code == 404
    empty = await aftersales.client.post(url, headers=buyer, json={"body": ""})
    assert empty.status_code == 422

    # The operators' queue: open cases, the oldest waiting first, by pages.
    ours = {older["case_id"], newer["case_id"]}
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"status": "open", "limit": 1}
        if cursor:
            params["cursor"] = cursor
        page = (await aftersales.client.get("/cases", headers=OPERATOR, params=params)).json()
        seen += [c["case_id"] for c in page["items"] if c["case_id"] in ours]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [older["case_id"], newer["case_id"]]
    own = (await aftersales.client.get("/cases", headers=merchant)).json()
    assert [c["case_id"] for c in own["items"]] == [older["case_id"]]


@pytest.fixture
async def bounded(mongo_url: str, amqp_url: str, db_prefix: str) -> AsyncIterator[Aftersales]:
    """Aftersales allowing 2 cases per order and 2 messages per party on a case."""
    settings = isolated(AftersalesSettings, mongo_url, amqp_url, db_prefix, outbox_poll_seconds=0.1)
    policy = Policy(aftersales_max_cases_per_order=2, aftersales_max_messages_per_party=2)
    app = create(settings, policy=policy)
    async with serve_in_process(app) as client:
        yield Aftersales(client, app.state.services)


async def test_an_orders_cases_and_a_cases_messages_are_bounded(
    bounded: Aftersales, amqp_url: str
) -> None:  # R-AS-1, R-AS-3 (decided): a case once reached 1.6 MB
    order = await order_facts(amqp_url)
    buyer = bearer("buyer", order.buyer)
    first = (await open_case(bounded, order, refund_minor=1000)).json()
    await open_case(bounded, order, refund_minor=1000)
    third = await bounded.client.post(
        "/cases", headers=buyer, json=a_case_request(order.order_id, 1000)
    )
    assert (third.status_code, third.headers["content-type"]) == (409, PROBLEM)
    assert "already has 2 after-sales cases" in third.json()["detail"], third.text
    listed = await bounded.client.get("/cases", headers=buyer, params={"order_id": order.order_id})
    assert len(listed.json()["items"]) == 2

    url = f"/cases/{first['case_id']}/messages"
    for body in ("Any news?", "Photos:\n\tlid\n\tbox"):  # line breaks and tabs are fine
        assert (
            await bounded.client.post(url, headers=buyer, json={"body": body})
        ).status_code == 201
    flood = await bounded.client.post(url, headers=buyer, json={"body": "Hello?"})
    assert (flood.status_code, flood.headers["content-type"]) == (409, PROBLEM)
    assert "already has 2 messages from its buyer" in flood.json()["detail"], flood.text
    merchant = bearer("merchant", order.merchant)
    answered = await bounded.client.post(url, headers=merchant, json={"body": "Replacing it."})
    assert [m["author_role"] for m in answered.json()["messages"]] == ["buyer", "buyer", "merchant"]

    nul = await bounded.client.post(url, headers=merchant, json={"body": "a\u0000b"})
    assert (nul.status_code, nul.headers["content-type"]) == (422, PROBLEM)
    assert "U+0000" in nul.json()["detail"]
    case = (await bounded.client.get(f"/cases/{first['case_id']}", headers=merchant)).json()
    assert len(case["messages"]) == 3


@pytest.fixture
async def short_exemption(
    mongo_url: str, amqp_url: str, db_prefix: str
) -> AsyncIterator[Aftersales]:
    """Aftersales whose full-managed exemption period is 20 days (R-AS-2)."""
    settings = isolated(AftersalesSettings, mongo_url, amqp_url, db_prefix, outbox_poll_seconds=0.1)
    app = create(settings, policy=Policy(exemption_period_days=20))
    async with serve_in_process(app) as client:
        yield Aftersales(client, app.state.services)


async def test_a_stores_change_renames_it_and_moves_no_exemption_period(
    short_exemption: Aftersales, amqp_url: str
) -> None:  # R-REV-12, R-AS-2
    """The store was approved 30 days ago, past its 20-day exemption period; its approved
    change, told now (twice), renames it but leaves the period counted from the approval:
    the merchant bears the refund."""
    order = await order_facts(amqp_url)
    store_id = f"s-{order.merchant}"
    changed = a_store_updated(
        store_id=store_id, merchant_id=order.merchant, store_name="Renamed", at=run_clock.now()
    )
    await emit(amqp_url, changed, producer="review", correlation_id=store_id, times=2)
    stores = short_exemption.services.events.stores

    async def renamed() -> StoreFacts | None:
        store = await stores.get(store_id)
        return store if store is not None and store.store_name == "Renamed" else None

    store = await eventually(renamed, what="the store's change taken")
    assert store.approved_at is not None
    assert store.approved_at < run_clock.now() - timedelta(days=29)
    assert store.version == 2  # the approval, then the change once
    case = (await open_case(short_exemption, order)).json()
    response = await resolve(short_exemption, case["case_id"], 1800)
    assert response.status_code == 200, response.text
    assert response.json()["liable_party"] == "merchant"
