"""A merchant's refund report from the ledger (`RefundReports.for_merchant`) through the
service's bootstrap: each refund entry of the period with who bore it (R-AS-2, R-ORD-6),
totals per currency and liable party, and what each refunded order left the merchant:
its earning net of commission (R-SET-1, R-FEE-1), less the refunds it bore (R-SET-3)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from settlement.bootstrap import SettlementServices
from settlement.service_layer.refunds import RefundedOrder, RefundTotals
from shared.contract.types import Money
from shared.errors import NotFound, Unprocessable
from shared.testing import Wired
from testkit.factories import (
    AN_OPERATOR,
    ANOTHER_MERCHANT,
    MERCHANT,
    ORDER,
    STORE,
    THE_MERCHANT,
    a_day,
    a_delivered,
    a_line,
    a_shipped,
    an_order_cancelled,
    an_order_confirmed,
    usd,
)
from testkit.settlement_unit import (
    DELIVERED_AT,
    DUE_END,
    SHIPPED_AT,
    TOTAL,
    a_settlement_service,
    deliver_an_order,
    issue_a_refund,
)

DAY = (DELIVERED_AT + timedelta(days=1)).date()  # the day the refunds below are issued
NOON = datetime.combine(DAY, time(12), tzinfo=UTC)
SEMI_ORDER = "order-2"  # a semi-managed store's order of 30.00 EUR
CANCELLED_ORDER = "order-3"  # a semi-managed order cancelled before delivery
OTHERS_ORDER = "order-9"  # another merchant's
SEMI: dict[str, Any] = {"store_id": "store-2", "store_type": "semi_managed"}
#: R-SET-1: 5% of 3000, rounded half-even.
SEMI_EARNED = 3000 - 150


def eur(minor: int) -> Money:
    return Money(amount_minor=minor, currency="EUR")


async def refunded_orders() -> Wired[SettlementServices]:
    """On DAY: 10.00 USD of ORDER (full-managed) refunded by the platform; 7.00 and 3.00
    EUR of SEMI_ORDER by the merchant; CANCELLED_ORDER (49.90 USD) cancelled before
    delivery, refunded in whole, the merchant liable; another merchant's refund."""
    wired = await a_settlement_service()
    await deliver_an_order(wired)
    await deliver_an_order(wired, order_id=SEMI_ORDER, lines=[a_line(unit_price=eur(3000))], **SEMI)
    await deliver_an_order(wired, order_id=OTHERS_ORDER, merchant_id="merchant-2", store_id="s-9")
    cancelled = {"order_id": CANCELLED_ORDER, **SEMI}
    await wired.deliver(an_order_confirmed(**cancelled))
    await wired.deliver(an_order_cancelled(reason="not_shipped", at=NOON, **cancelled))
    await issue_a_refund(wired, NOON, usd(1000), liable_party="platform")
    await issue_a_refund(wired, NOON + timedelta(hours=1), eur(700), order_id=SEMI_ORDER)
    await issue_a_refund(
        wired, NOON + timedelta(hours=2), eur(300), order_id=SEMI_ORDER, case_id="case-2"
    )
    await issue_a_refund(
        wired, NOON + timedelta(hours=3), usd(TOTAL), order_id=CANCELLED_ORDER, case_id=None
    )
    await issue_a_refund(wired, NOON + timedelta(hours=4), usd(4990), order_id=OTHERS_ORDER)
    return wired


async def test_each_refund_of_the_period_is_listed_with_who_bore_it() -> None:
    wired = await refunded_orders()
    report = await wired.services.refunds.for_merchant(THE_MERCHANT, MERCHANT, DAY, DAY)
    assert [(r.order_id, r.case_id, r.liable_party, r.amount_minor) for r in report.refunds] == [
        (ORDER, "case-1", "platform", 1000),
        (SEMI_ORDER, "case-1", "merchant", 700),
        (SEMI_ORDER, "case-2", "merchant", 300),
        (CANCELLED_ORDER, None, "merchant", TOTAL),
    ]
    assert report.refunds[0].at == NOON.isoformat()
    # R-AS-2, R-ORD-6: by the liable party named, a cancelled order's refund too.
    assert report.totals == [RefundTotals("EUR", 0, 1000), RefundTotals("USD", 1000, TOTAL)]


async def test_each_refunded_order_shows_its_earning_net_of_commission_less_what_it_bore() -> None:
    """R-SET-1, R-FEE-1: full-managed pays no commission, semi-managed its rate; a refund
    the platform bore leaves the merchant whole; R-SET-3: a cancelled order earns nothing
    and its refund, out of escrow, costs the merchant nothing."""
    wired = await refunded_orders()
    report = await wired.services.refunds.for_merchant(AN_OPERATOR, MERCHANT, DAY, DAY)
    assert report.orders == [
        RefundedOrder(ORDER, STORE, "USD", TOTAL, 0, TOTAL),
        RefundedOrder(SEMI_ORDER, "store-2", "EUR", SEMI_EARNED, 1000, SEMI_EARNED - 1000),
        RefundedOrder(CANCELLED_ORDER, "store-2", "USD", 0, 0, 0),
    ]


async def test_an_orders_figures_count_its_refunds_outside_the_period_too() -> None:
    wired = await refunded_orders()
    later = NOON + timedelta(days=2)
    await issue_a_refund(wired, later, eur(2000), order_id=SEMI_ORDER, case_id="case-3")
    report = await wired.services.refunds.for_merchant(THE_MERCHANT, MERCHANT, DAY, DAY)
    assert report.totals[0] == RefundTotals("EUR", 0, 1000)  # the period's only
    # The merchant bore more than the order earned: negative, carried (R-SET-3).
    assert report.orders[1] == RefundedOrder(
        SEMI_ORDER, "store-2", "EUR", SEMI_EARNED, 3000, SEMI_EARNED - 3000
    )


async def test_the_period_holds_its_first_and_last_day_whole_and_nothing_beyond() -> None:
    wired = await refunded_orders()
    next_day = datetime.combine(DAY + timedelta(days=1), time(), tzinfo=UTC)
    platform: dict[str, Any] = {"liable_party": "platform"}
    await issue_a_refund(
        wired, next_day - timedelta(milliseconds=1), usd(100), case_id="c-3", **platform
    )
    await issue_a_refund(wired, next_day, usd(200), case_id="c-4", **platform)
    refunds = wired.services.refunds
    day_before, day_after = DAY - timedelta(days=1), DAY + timedelta(days=1)
    report = await refunds.for_merchant(THE_MERCHANT, MERCHANT, DAY, DAY)
    assert report.totals[1] == RefundTotals("USD", 1100, TOTAL)
    assert len((await refunds.for_merchant(THE_MERCHANT, MERCHANT, day_before, DAY)).refunds) == 5
    [late] = (await refunds.for_merchant(THE_MERCHANT, MERCHANT, day_after, day_after)).refunds
    assert late.amount_minor == 200
    empty = await refunds.for_merchant(THE_MERCHANT, MERCHANT, day_before, day_before)
    assert (empty.merchant_id, empty.start, empty.end) == (MERCHANT, day_before, day_before)
    assert (empty.refunds, empty.totals, empty.orders) == ([], [], [])


async def test_a_corrected_refund_shows_its_reversal_and_counts_once() -> None:
    """R-SET-5: a refund posted out of escrow (goods overdue) is reversed and posted
    again, the merchant's to bear, once the delivery is told (R-SET-3)."""
    wired = await a_settlement_service()
    await wired.deliver(an_order_confirmed())
    await wired.deliver(a_shipped(at=SHIPPED_AT))
    await issue_a_refund(wired, DUE_END + timedelta(hours=1), usd(1000))
    wired.clock.set(DUE_END + timedelta(hours=2))
    await wired.deliver(a_delivered(at=DELIVERED_AT))
    start, end = a_day(0), a_day(30)
    report = await wired.services.refunds.for_merchant(THE_MERCHANT, MERCHANT, start, end)
    # Each dated as the ledger dates it: a refund its issue, a correction its making.
    assert [(r.kind, r.amount_minor) for r in report.refunds] == [
        ("refund", 1000),
        ("refund", 1000),
        ("reversal", -1000),
    ]
    assert report.totals == [RefundTotals("USD", 0, 1000)]
    assert report.orders == [RefundedOrder(ORDER, STORE, "USD", TOTAL, 1000, TOTAL - 1000)]


async def test_an_earning_reversed_by_a_late_cancellation_counts_nothing() -> None:
    """R-SET-3: delivered in a race with its cancellation, the order earns nothing."""
    wired = await a_settlement_service()
    await deliver_an_order(wired)
    wired.clock.set(NOON)
    await wired.deliver(an_order_cancelled(reason="buyer_cancelled_late", at=SHIPPED_AT))
    await issue_a_refund(wired, NOON, usd(TOTAL), case_id=None)
    report = await wired.services.refunds.for_merchant(THE_MERCHANT, MERCHANT, DAY, DAY)
    assert report.orders == [RefundedOrder(ORDER, STORE, "USD", 0, 0, 0)]


async def test_another_merchants_report_is_absent_and_a_period_is_bounded() -> None:
    wired = await refunded_orders()
    refunds = wired.services.refunds
    with pytest.raises(NotFound):
        await refunds.for_merchant(ANOTHER_MERCHANT, MERCHANT, DAY, DAY)
    backwards, too_long = (DAY, DAY - timedelta(days=1)), (date(2026, 1, 1), date(2027, 6, 1))
    for start, end in (backwards, too_long):
        with pytest.raises(Unprocessable):
            await refunds.for_merchant(THE_MERCHANT, MERCHANT, start, end)
