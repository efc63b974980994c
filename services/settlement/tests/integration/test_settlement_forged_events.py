"""Forged events through the real broker and engine: an event of aftersales or logistics
sent by anyone but its producer's broker user moves no money. Another service's user may
not publish it at all (the broker refuses it); the vhost's administrator may, and
settlement parks it with why (`x-error-type: UntrustedSender`), the ledger untouched
(R-SET-5); the same event from its producer is then taken (R-SET-2, R-SET-3)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from aiormq.exceptions import ChannelAccessRefused

from devkit.broker import send
from devkit.wait import eventually
from settlement.domain.order import OrderSettlement
from shared.contract import Envelope, to_wire
from shared.messaging.access import PRODUCER_OF, SERVICES
from testkit import clock as run_clock
from testkit.bus import parked, publish, recorded
from testkit.factories import a_delivered, a_refund_issued, usd
from testkit.settlement_app import (
    Settlement,
    a_delivered_sale,
    in_process_settlement,
    usd_balance,
)

pytestmark = pytest.mark.integration

settlement = in_process_settlement()


async def forged_by_the_administrator(amqp_url: str, envelope: Envelope) -> None:
    """`envelope` refused by the broker from every other service's user, then sent by the
    vhost's administrator and parked by settlement as from an untrusted sender."""
    body = to_wire(envelope).encode()
    for service in SERVICES:
        if service != PRODUCER_OF[envelope.event_type]:
            with pytest.raises(ChannelAccessRefused, match=envelope.event_type):
                await send(amqp_url, envelope.event_type, body, sender=service)
    await publish(amqp_url, envelope, sender="")
    headers = await parked(amqp_url, "settlement", envelope)
    assert (headers["x-error-type"], headers["x-attempts"]) == ("UntrustedSender", 1)
    assert f"came from {urlsplit(amqp_url).username}" in headers["x-error"]


async def test_a_forged_refund_is_parked_and_debits_nobody(
    settlement: Settlement, amqp_url: str
) -> None:  # R-SET-3, R-SET-5
    sale = await a_delivered_sale(amqp_url, total_minor=5000)
    await settlement.balance_becomes(sale.merchant_id, held=5000, payable=0, negative=0)
    refund = a_refund_issued(
        order_id=sale.order_id, amount=usd(5000), liable_party="merchant", at=run_clock.now()
    )
    envelope = recorded(refund, producer="aftersales", correlation_id=sale.order_id)

    await forged_by_the_administrator(amqp_url, envelope)
    assert await settlement.balance(sale.merchant_id) == [usd_balance(5000, 0, 0)]
    posted = await settlement.services.jobs.entries.of_order(sale.order_id)
    assert sorted(entry.kind for entry in posted.values()) == ["collection", "earning"]

    await publish(amqp_url, envelope)  # the same event, from aftersales: debited at once
    await settlement.balance_becomes(sale.merchant_id, held=5000, payable=0, negative=-5000)


async def test_a_forged_delivery_is_parked_and_earns_nothing(
    settlement: Settlement, amqp_url: str
) -> None:  # R-SET-1, R-SET-2
    sale = await a_delivered_sale(amqp_url, total_minor=5000, delivered=False)
    orders = settlement.services.ledger.orders

    async def shipped() -> OrderSettlement | None:
        order = await orders.get(sale.order_id)
        return order if order is not None and order.due_latest is not None else None

    await eventually(shipped, what="the order confirmed and shipped")
    delivered = a_delivered(order_id=sale.order_id, at=run_clock.now())
    envelope = recorded(delivered, producer="logistics", correlation_id=sale.order_id)

    await forged_by_the_administrator(amqp_url, envelope)
    order = await orders.get(sale.order_id)
    assert order is not None
    assert order.delivered_at is None
    posted = await settlement.services.jobs.entries.of_order(sale.order_id)
    assert [entry.kind for entry in posted.values()] == ["collection"]  # in escrow, earned by none
    assert await settlement.balance(sale.merchant_id) == []

    await publish(amqp_url, envelope)  # the same event, from logistics: the earning is held
    await settlement.balance_becomes(sale.merchant_id, held=5000, payable=0, negative=0)
