"""Every query settlement issues is served by an index, on the real engine.

The service runs in-process on a clock the test moves, with its own client recording
every command; the test brings a sale's facts as events, reads the held balance, moves
the clock past the after-sales window and a payout cycle, runs the release and payout
jobs, brings a refund the merchant bears, then reads every report (balance, statement,
refund report, payouts by merchant and of all, one payout, an order's ledger, the
platform's refund expense), and explains every recorded query (testkit.query_plans).
"""

from __future__ import annotations

import pytest

from shared.clock import FixedClock
from testkit import clock as run_clock
from testkit.bus import emit_refund
from testkit.query_plans import serve_checking_queries
from testkit.settlement_app import (
    OPERATOR,
    Settlement,
    a_delivered_sale,
    period,
    settlement_app,
)
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

EXPECTED = {
    # Posting an order's entries (R-SET-1..3, R-SET-5): those it has.
    "find entries: order_id $eq",
    # The release job (R-SET-2): the orders whose release is due; each planned or done.
    "find releases: due_key $lt",
    "update releases: _id =",
    "delete releases: _id =",
    # The payout job (R-SET-4): payouts a pass left pending, the stores with payable lines
    # not yet settled, each store's such lines, then those a payout settles.
    "find payouts: state $eq",
    "find entries: at $lt, settled_by $eq, store_type $eq",
    "find entries: at $lt, settled_by $eq, store_id $eq",
    "update entries: _id $in, settled_by $eq",
    # GET /merchants/{id}/balance and /statement (R-SET-2..5).
    "find entries: merchant_id $eq",
    "find entries: at $gte $lt, merchant_id $eq",
    # GET /merchants/{id}/refunds (R-AS-2, R-SET-3): the merchant's refunds of the period.
    "find entries: at $gte $lt, kind $eq, merchant_id $eq",
    # GET /payouts: a merchant's, or every merchant's (operators).
    "find payouts: merchant_id $eq, period_end $gte $lt",
    "find payouts: period_end $gte $lt",
    # GET /platform/refund-expense (R-AS-2): refunds and their reversals of the period.
    "find entries: at $gte $lt, kind $eq",
}


async def test_every_query_of_settlement_uses_an_index(
    mongo_url: str, amqp_url: str, db_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FixedClock(run_clock.now())
    app = settlement_app(mongo_url, amqp_url, db_prefix, clock)
    async with serve_checking_queries(app, EXPECTED, mongo_url, monkeypatch) as http:
        settlement = Settlement(http, app.state.services, clock)
        sale = await a_delivered_sale(amqp_url, total_minor=5000)
        payout = await settlement.paid_out(sale)
        await emit_refund(
            amqp_url, order_id=sale.order_id, minor=800, liable_party="merchant", at=clock.now()
        )
        await settlement.balance_becomes(sale.merchant_id, held=0, payable=0, negative=-800)
        await settlement.services.jobs.post_due_releases()  # nothing due any more
        merchant = bearer("merchant", sale.merchant_id)
        dates = period(clock.now().date())
        reads = [
            (f"/merchants/{sale.merchant_id}/statement", merchant, dates),
            (f"/merchants/{sale.merchant_id}/refunds", merchant, dates),
            ("/payouts", merchant, dates),
            ("/payouts", OPERATOR, dates),
            ("/payouts", OPERATOR, {**dates, "merchant_id": sale.merchant_id}),
            (f"/payouts/{payout.payout_id}", OPERATOR, {}),
            (f"/orders/{sale.order_id}/ledger", merchant, {}),
            ("/platform/refund-expense", OPERATOR, dates),
        ]
        for url, token, params in reads:
            response = await settlement.get(url, token, **params)
            assert response.status_code == 200, (url, response.text)
