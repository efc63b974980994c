"""Settlement against the real engine and broker, in-process (R-SET-2..5, R-FEE-1).

An order's facts arrive as events (each published twice: delivery is at least once); the
test moves the service's clock (`testkit.settlement_app`) and runs its release and payout
jobs; balances, statements, payouts and the refund expense are read over HTTP, and
`PayoutIssued` off the payment rail's own queue (`payments.events`).
"""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta
from typing import Any

import pytest

from devkit.wait import eventually
from shared.contract import Envelope
from shared.contract.events import PayoutIssued
from shared.messaging.topology import QUEUES
from testkit import clock as run_clock
from testkit.bodies import usd_json
from testkit.bus import emit_refund, taken
from testkit.settlement_app import (
    OPERATOR,
    PROBLEM,
    SETTLED_LATER,
    Settlement,
    a_delivered_sale,
    in_process_settlement,
    period,
    running,
    usd_balance,
)
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

settlement = in_process_settlement()
PAYMENTS = QUEUES["payments"].name


async def payouts_told(amqp_url: str) -> list[Envelope]:
    """The first `PayoutIssued` events to reach the payment rail's queue, taken off it."""

    async def arrived() -> list[Envelope] | None:
        return await taken(amqp_url, PAYMENTS) or None

    return await eventually(arrived, what="PayoutIssued on the payments queue")


async def test_an_earning_is_held_then_payable_then_paid_out_once(
    settlement: Settlement, mongo_url: str, amqp_url: str, db_prefix: str
) -> None:  # R-SET-2, R-SET-4, R-SET-5, R-FEE-1
    jobs = settlement.services.jobs
    # A second process of the service on the same database and clock.
    async with running(mongo_url, amqp_url, db_prefix, settlement.clock) as other:
        sale = await a_delivered_sale(amqp_url, total_minor=5000)
        # R-SET-2: delivered, its earning is held; R-FEE-1: full-managed, no commission.
        await settlement.balance_becomes(sale.merchant_id, held=5000, payable=0, negative=0)
        assert await jobs.pay_out() == []  # nothing payable: nothing paid

        settlement.clock.advance(SETTLED_LATER)
        await asyncio.gather(jobs.post_due_releases(), other.services.jobs.post_due_releases())
        assert await settlement.balance(sale.merchant_id) == [usd_balance(0, 5000, 0)]

        made = await asyncio.gather(jobs.pay_out(), other.services.jobs.pay_out())
        again = [*await jobs.pay_out(), *await other.services.jobs.pay_out()]
        [payout] = [each for batch in made for each in batch]
        assert again == []
        told = await payouts_told(amqp_url)

        async def all_published() -> bool:
            stored = await jobs.payouts.collection.find_one({"_id": payout.payout_id})
            return stored is not None and not stored["outbox_pending"]

        await eventually(all_published, what="the payout's outbox published")
        told += await taken(amqp_url, PAYMENTS)

    assert await settlement.balance(sale.merchant_id) == [usd_balance(0, 0, 0)]
    merchant = bearer("merchant", sale.merchant_id)
    body = (await settlement.get(f"/payouts/{payout.payout_id}", merchant)).json()
    assert (body["amount"], body["store_id"]) == (usd_json(5000), sale.store_id)
    [line] = body["lines"]
    assert (line["kind"], line["order_id"], line["amount_minor"]) == (
        "release",
        sale.order_id,
        5000,
    )
    dates = period(settlement.clock.now().date())
    for who, params in (
        (merchant, dates),
        (OPERATOR, dates),
        (OPERATOR, {**dates, "merchant_id": sale.merchant_id}),
    ):
        listed = await settlement.get("/payouts", who, **params)
        assert listed.json()["items"] == [body], (who, params)
    # Told once, to the payment rail, with the lines it settles: one event, its copies
    # (delivery is at least once; the rail takes a payout once, by its id) the same.
    [issued] = {envelope.event_id: envelope for envelope in told}.values()
    assert all(envelope == issued for envelope in told)
    assert (issued.event_type, issued.producer) == ("PayoutIssued", "settlement")
    assert PayoutIssued.model_validate(issued.payload) == PayoutIssued.model_validate(body)


def statement_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def as_csv(line: dict[str, Any]) -> dict[str, str]:
    """A statement line of the JSON answer as its CSV row says it."""
    return {key: "" if value is None else str(value) for key, value in line.items()}


async def test_a_refund_the_merchant_bears_after_its_payout_is_carried_negative(
    settlement: Settlement, amqp_url: str
) -> None:  # R-SET-3, R-SET-5
    sale = await a_delivered_sale(amqp_url, total_minor=5000)
    payout = await settlement.paid_out(sale)
    refund = await emit_refund(
        amqp_url,
        order_id=sale.order_id,
        minor=2000,
        liable_party="merchant",
        at=settlement.clock.now(),
        times=2,
    )
    # Debited from payable at once, though the earning was paid out: owed by the merchant.
    await settlement.balance_becomes(sale.merchant_id, held=0, payable=0, negative=-2000)
    assert await settlement.services.jobs.pay_out() == []  # a negative balance is never paid

    url = f"/merchants/{sale.merchant_id}/statement"
    merchant = bearer("merchant", sale.merchant_id)
    dates = period(settlement.clock.now().date())
    lines = (await settlement.get(url, merchant, **dates)).json()["lines"]
    assert [(e["kind"], e["cause"], e["account"], e["amount_minor"]) for e in lines] == [
        ("earning", "order", "held", 5000),
        ("release", "order", "held", -5000),
        ("release", "order", "payable", 5000),
        ("payout", "payout", "payable", -5000),
        ("refund", "refund", "payable", -2000),
    ]
    assert lines[3]["payout_id"] == payout.payout_id
    assert lines[4]["case_id"] == refund.payload["case_id"]
    as_text = await settlement.http.get(
        url, headers={**merchant, "Accept": "text/csv"}, params=dates
    )
    assert as_text.headers["content-type"].startswith("text/csv")
    rows = statement_rows(as_text.text)
    assert rows == [as_csv(line) for line in lines]  # the same lines, to the minor unit
    for account, balance in (("held", 0), ("payable", -2000)):
        assert sum(int(row["amount_minor"]) for row in rows if row["account"] == account) == balance


async def test_only_the_merchant_and_operators_see_its_figures(
    settlement: Settlement, amqp_url: str
) -> None:  # R-AS-2: the platform's refund expense is for operators
    sale = await a_delivered_sale(amqp_url)
    payout = await settlement.paid_out(sale)
    await emit_refund(
        amqp_url,
        order_id=sale.order_id,
        minor=1800,
        liable_party="platform",
        at=settlement.clock.now(),
    )
    dates = period(settlement.clock.now().date())
    expense_of = "/platform/refund-expense"

    async def expensed() -> dict[str, Any] | None:
        found = (await settlement.get(expense_of, OPERATOR, **dates)).json()
        return found if found["expense_minor"] else None

    found = await eventually(expensed, what="the refund expensed")
    assert found["expense_minor"] == {"USD": 1800}
    # The platform bore it: the merchant's balance is as its payout left it.
    assert await settlement.balance(sale.merchant_id) == [usd_balance(0, 0, 0)]

    own = f"/merchants/{sale.merchant_id}"
    reads: list[tuple[str, dict[str, str]]] = [
        (f"{own}/balance", {}),
        (f"{own}/statement", dates),
        (f"/payouts/{payout.payout_id}", {}),
        ("/payouts", {**dates, "merchant_id": sale.merchant_id}),
        (f"/orders/{sale.order_id}/ledger", {}),
    ]
    for who in (bearer("merchant", "m-other"), bearer("buyer", sale.buyer_id)):
        for url, params in reads:
            response = await settlement.get(url, who, **params)
            assert (response.status_code, response.headers["content-type"]) == (404, PROBLEM)
        refused = await settlement.get(expense_of, who, **dates)
        assert (refused.status_code, refused.headers["content-type"]) == (403, PROBLEM)
    for url, params in reads:
        assert (await settlement.get(url, OPERATOR, **params)).status_code == 200, url
    # A buyer's own payouts: there is no merchant of its id.
    buyer = bearer("buyer", sale.buyer_id)
    assert (await settlement.get("/payouts", buyer, **dates)).status_code == 404


async def test_bad_periods_are_refused_naming_what_to_fix_and_change_nothing(
    settlement: Settlement, amqp_url: str
) -> None:
    sale = await a_delivered_sale(amqp_url)
    await settlement.balance_becomes(sale.merchant_id, held=5000, payable=0, negative=0)
    merchant = bearer("merchant", sale.merchant_id)
    statement = f"/merchants/{sale.merchant_id}/statement"
    today = run_clock.now().date()
    before = (await settlement.get(statement, merchant, **period(today))).json()
    day = today.isoformat()
    days_ago = {n: (today - timedelta(days=n)).isoformat() for n in (1, 365, 366)}
    refusals: list[tuple[dict[str, str], str]] = [
        ({"from": day, "to": days_ago[1]}, "`to`"),  # backwards
        ({"from": days_ago[366], "to": day}, "at most 366 days"),  # 367 days
        ({"from": "2026-02-30", "to": day}, "query.from"),
        ({"from": day, "to": "tomorrow"}, "query.to"),
        ({"to": day}, "query.from"),
    ]
    for url, who in (
        (statement, merchant),
        (f"/merchants/{sale.merchant_id}/refunds", merchant),
        ("/payouts", merchant),
        ("/platform/refund-expense", OPERATOR),
    ):
        for params, named in refusals:
            refused = await settlement.get(url, who, **params)
            assert (refused.status_code, refused.headers["content-type"]) == (422, PROBLEM)
            assert named in refused.json()["detail"], (url, params, refused.text)
        widest = await settlement.get(url, who, **{"from": days_ago[365], "to": day})
        assert widest.status_code == 200, (url, widest.text)  # 366 days, both included
    assert (await settlement.get(statement, merchant, **period(today))).json() == before
    assert await settlement.balance(sale.merchant_id) == [usd_balance(5000, 0, 0)]
