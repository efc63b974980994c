"""Forged events change nothing (the bus's trust boundary: `shared.messaging.access`).

Against a running platform, eleven events a hostile process with broker access once
published, each about the real store, product and order of a small shop: a refund of
10¹² minor units, a product repriced by a decision dated next year, a product nobody
reviewed, the store approved in 2000, the unconfirmed order confirmed, shipped and
delivered, a case opened on it, the store warned, the store renamed and moved by a change
dated next year, the product delisted. Each is published by the broker's
administrator (`guest` locally) and offered by every service's own user:
- a service that does not produce the type is refused by the broker itself (topic
  permissions);
- the administrator's copy reaches the consumers, which park it unread: its sender is not
  the type's producer;
and afterwards every service's database is as it was, and each forgery is parked, naming
its sender, in every queue bound to its type. Then the producer's own user states those
that cannot be true (`IMPLAUSIBLE_EVEN_FROM_THEIR_PRODUCER`): every consumer refuses them
(`Implausible`, or `NotYetKnown` once retried), and the databases are still as they were.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiormq.exceptions import ChannelAccessRefused

from devkit.broker import send
from devkit.journey import a_product_on_sale, place_order
from devkit.metrics_text import samples
from devkit.wait import eventually
from review.adapters.documents import BUCKET as DOCUMENT_BYTES
from shared.contract import ContractViolation, Envelope, parse_event, to_wire
from shared.contract.events import OrderConfirmed
from shared.contract.types import ContractModel
from shared.messaging.access import PRODUCER_OF, SERVICES
from shared.messaging.topology import QUEUES
from shared.mongo import Database, connect
from testkit import clock as run_clock
from testkit.bus import dead_letters, recorded
from testkit.factories import (
    a_case_opened,
    a_delivered,
    a_product_approved,
    a_refund_issued,
    a_shipped,
    a_store_approved,
    a_store_warned,
    usd,
)
from testkit.platforms import RunningPlatform, StartPlatform
from testkit.store_changes import a_product_delisted, a_store_updated
from testkit.tap import watched_cast

pytestmark = pytest.mark.e2e


def forgeries(order: Envelope, product: Envelope, store: Envelope) -> list[ContractModel]:
    """The eleven forged events, about the shop's real order, product and store."""
    now = run_clock.now()
    placed, listed, opened = order.payload, product.payload, store.payload
    parcel = {"order_id": placed["order_id"], "shipment_id": "sh-forged"}
    return [
        a_refund_issued(order_id=placed["order_id"], amount=usd(10**12), at=now),
        a_product_approved(**{**listed, "price": usd(1), "approved_at": now + timedelta(days=365)}),
        a_product_approved(
            **{**listed, "product_id": "p-nobody-reviewed", "approved_at": now},
        ),
        a_store_approved(**{**opened, "approved_at": datetime(2000, 1, 1, tzinfo=UTC)}),
        _confirmed(placed, now),
        a_shipped(**parcel, at=now),
        a_delivered(**parcel, at=now),
        a_case_opened(case_id="c-forged", order_id=placed["order_id"], at=now),
        a_store_warned(store_id=opened["store_id"], merchant_id=opened["merchant_id"], at=now),
        a_store_updated(
            store_id=opened["store_id"],
            merchant_id=opened["merchant_id"],
            store_type=opened["store_type"],
            store_name="Forged",
            at=now + timedelta(days=365),
        ),
        a_product_delisted(
            **{
                key: listed[key]
                for key in ("product_id", "store_id", "merchant_id", "store_type", "title")
            },
            category=listed["category"],
            price=listed["price"],
            weight_grams=listed["weight_grams"],
            at=now,
        ),
    ]


def _confirmed(placed: dict[str, Any], now: datetime) -> ContractModel:
    fields = {
        key: value for key, value in placed.items() if key not in {"created_at", "confirm_by"}
    }
    return OrderConfirmed(**fields, confirmed_at=now)


async def snapshot(mongo: Any, prefix: str, shop: Iterable[str]) -> dict[str, list[Any]]:
    """Every document of every service's database that names one of `shop`'s ids (the
    stack may be shared with other tests' data), but an `inbox` an older deployment may
    have left (it recorded only what was handled, and so would also show a forgery
    applied), the rate limits' counters (which lapse by themselves), uploaded documents'
    bytes, the scorecards' periods (which orders' periodic review rewrites on its own
    schedule, from the orders compared here) and settlement's record of what it was told of
    each order: it keeps facts in any order, a delivery told before its confirmation too,
    and moves no money on them before the confirmation (R-ORD-2), which its ledger, payouts
    and release schedule, compared here, show."""
    ids = tuple(shop)
    taken: dict[str, list[Any]] = {}
    for service in SERVICES:
        database: Database = mongo[f"{prefix}{service}"]
        for name in sorted(await database.list_collection_names()):
            if name in ("inbox", "rate_limits", "store_periods"):
                continue
            if (service, name) == ("settlement", "orders"):
                continue  # what settlement was told, money aside: see `snapshot`
            if name.startswith(DOCUMENT_BYTES):
                continue  # uploaded bytes (GridFS): their facts are in `documents`
            documents = await database[name].find({}).sort("_id", 1).to_list(None)
            taken[f"{service}.{name}"] = [
                document for document in documents if any(i in repr(document) for i in ids)
            ]
    return taken


async def test_forged_events_change_nothing(start_platform: StartPlatform) -> None:
    running = start_platform()
    mongo = connect(running.mongo_url, app_name="e2e-forgeries")
    async with watched_cast(running) as (tap, operator, merchant, buyer):
        product_id = await a_product_on_sale(operator, merchant)
        order = await place_order(buyer, product_id)

        def one(event_type: str, key: str, value: str) -> Callable[[], Awaitable[Envelope | None]]:
            async def found() -> Envelope | None:
                seen = [e for e in tap.of_type(event_type) if e.payload.get(key) == value]
                return seen[0] if seen else None

            return found

        order_id, store_id = order["order_id"], order["store_id"]
        created = await eventually(one("OrderCreated", "order_id", order_id), what="the order")
        approved = await eventually(one("ProductApproved", "product_id", product_id), what="it")
        opened = await eventually(one("StoreApproved", "store_id", store_id), what="the store")
        shop = (order_id, product_id, store_id, merchant.sub, buyer.sub)
        before = await snapshot(mongo, running.db_prefix, shop)

        forged = forgeries(created, approved, opened)
        for event in forged:
            envelope = recorded(
                event, producer=PRODUCER_OF[type(event).__name__], correlation_id="x"
            )
            body = to_wire(envelope).encode()
            for service in SERVICES:
                if service == envelope.producer:
                    continue
                # Refused by the broker: this user may not publish this type at all.
                with pytest.raises(ChannelAccessRefused, match=envelope.event_type):
                    await send(running.amqp_url, envelope.event_type, body, sender=service)
            await send(running.amqp_url, envelope.event_type, body, sender="")

        # Each forgery is parked in every queue bound to its type, naming its sender.
        expected = {
            service: sorted(
                type(e).__name__ for e in forged if type(e).__name__ in queue.event_types
            )
            for service, queue in QUEUES.items()
        }

        async def all_parked() -> dict[str, list[dict[str, Any]]] | None:
            parked = {
                service: [headers for _, headers in await dead_letters(running.amqp_url, service)]
                for service in QUEUES
            }
            got = {
                s: sorted(str(h["x-original-routing-key"]) for h in p) for s, p in parked.items()
            }
            return parked if got == expected else None

        parked = await eventually(all_parked, timeout=30, what="every forgery parked")
        for headers in (h for found in parked.values() for h in found):
            assert headers["x-error-type"] == "UntrustedSender"
            assert "came from" in str(headers["x-error"])
        assert await snapshot(mongo, running.db_prefix, shop) == before

        # The producer's own user, stating what cannot be true: the handlers refuse it.
        stated = [forged[index] for index in IMPLAUSIBLE_EVEN_FROM_THEIR_PRODUCER]
        envelopes = [
            recorded(event, producer=PRODUCER_OF[type(event).__name__], correlation_id="y")
            for event in stated
        ]
        taken = await acknowledged(operator.client, running)
        for envelope in envelopes:
            await send(running.amqp_url, envelope.event_type, to_wire(envelope).encode())

        async def settled() -> dict[tuple[str, str], str] | None:
            return await each_settled(operator.client, running, envelopes, taken)

        refusals = await eventually(
            settled, timeout=60, what="each stated forgery parked or seen by each consumer"
        )
        assert refusals, "at least one consumer refused each"
        assert set(refusals.values()) <= {"Implausible", "NotYetKnown"}
        assert {event_id for event_id, _ in refusals} == {str(e.event_id) for e in envelopes}
        assert await snapshot(mongo, running.db_prefix, shop) == before
    await mongo.close()


#: Of `forgeries`, those every consumer can tell false even from their producer: the
#: refund above the order's total, the decision dated next year, the parcel shipped and
#: delivered and the case opened for an order never confirmed. The others are their
#: producer's own word: review may approve a product, orders confirm an order or warn a
#: store; and a store approval dated otherwise than when it was made is refused by
#: aftersales, whose liability rule counts from that date (R-AS-2), while orders and
#: logistics, which keep no such date, take it as review's newer statement.
IMPLAUSIBLE_EVEN_FROM_THEIR_PRODUCER = (0, 1, 5, 6, 7, 9)


async def acknowledged(
    client: httpx.AsyncClient, running: RunningPlatform
) -> Counter[tuple[str, str]]:
    """Deliveries each service's consumer has acknowledged, handled or parked, by (service,
    event type) (its `/metrics`)."""
    found: Counter[tuple[str, str]] = Counter()
    for service in QUEUES:
        if service not in running.urls:
            continue  # no process consumes its queue here
        text = (await client.get(f"{running.url(service)}/metrics")).text
        for name, labels, value in samples(text):
            if name in ("events_consumed_total", "events_parked_total"):
                found[service, labels["event_type"]] += int(value)
    return found


async def each_settled(
    client: httpx.AsyncClient,
    running: RunningPlatform,
    envelopes: list[Envelope],
    before: Counter[tuple[str, str]],
) -> dict[tuple[str, str], str] | None:
    """Once every consumer of each event has parked it or handled it (its deliveries of the
    event's type acknowledged since `before`): the refusals, by (event id, service), with
    their error type; None while any is still on its way."""
    now = await acknowledged(client, running)
    refusals: dict[tuple[str, str], str] = {}
    for service, queue in QUEUES.items():
        mine = Counter(e.event_type for e in envelopes if e.event_type in queue.event_types)
        if not mine:
            continue
        if any(now[service, kind] - before[service, kind] < n for kind, n in mine.items()):
            return None
        by_id = {
            json_id: headers
            for body, headers in await dead_letters(running.amqp_url, service)
            if (json_id := _event_id(body))
        }
        for envelope in envelopes:
            event_id = str(envelope.event_id)
            if envelope.event_type in queue.event_types and event_id in by_id:
                refusals[(event_id, service)] = str(by_id[event_id]["x-error-type"])
    return refusals


def _event_id(body: bytes) -> str | None:
    try:
        envelope, _ = parse_event(body)
    except ContractViolation:
        return None
    return str(envelope.event_id)
