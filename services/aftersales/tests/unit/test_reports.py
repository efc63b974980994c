"""A merchant's refund report (`RefundReports.for_merchant`) through
`bootstrap(FakePorts(...))`: who bore its refunds per currency over a date range (R-AS-2;
its cancelled orders' refunds too, R-ORD-5, R-ORD-6), and what each refunded order pays
the merchant (R-FEE-1: no commission, only the refunds the merchant bears come off the
order's total; a cancelled order earns nothing)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from aftersales.bootstrap import AftersalesServices
from aftersales.domain.model import Case
from aftersales.entrypoints.schemas import RefundReportPublic
from aftersales.service_layer.reports import Payout
from shared.contract.types import Money
from shared.testing import Wired
from testkit.aftersales_unit import (
    a_cancellation,
    a_delivered_order,
    deliver_an_order,
    open_a_case,
    resolve,
)
from testkit.factories import (
    MERCHANT,
    ORDER,
    T0,
    a_line,
    a_shipment_exception,
    an_order_confirmed,
    usd,
)

DAY = (T0 + timedelta(days=5)).date()  # the day the cases below are decided
SEMI_ORDER = "order-2"  # a semi-managed store's order, paid in EUR
OTHERS_ORDER = "order-9"  # another merchant's
NO_ROUTE_ORDER = "order-3"  # a full-managed order no route accepted (R-ORD-6: the platform's)
UNSHIPPED_ORDER = "order-4"  # a semi-managed order never handed over, in EUR (the merchant's)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def eur(minor: int) -> Money:
    return Money(amount_minor=minor, currency="EUR")


async def refund(
    wired: Wired[AftersalesServices], order_id: str, amount: Money | None, at: datetime
) -> Case:
    """A case on the order, opened and decided at `at`: refunded, or rejected (None)."""
    wired.clock.set(at)
    case = await open_a_case(wired, refund=amount or usd(1), order_id=order_id)
    return await resolve(wired, case, amount, "refund" if amount else "reject")


async def a_merchant_with_refunds() -> tuple[Wired[AftersalesServices], list[Case]]:
    """On DAY: 1000 USD of a full-managed order in its exemption period (the platform's),
    700 and 300 EUR of a semi-managed order (the merchant's); a rejected case; another
    merchant's refund."""
    wired = await a_delivered_order(approved_at=T0)
    semi = {"store_id": "store-2", "store_type": "semi_managed"}
    await deliver_an_order(wired, SEMI_ORDER, lines=[a_line(unit_price=eur(3000))], **semi)
    await deliver_an_order(wired, OTHERS_ORDER, merchant_id="merchant-2", store_id="store-9")
    noon = midnight(DAY) + timedelta(hours=12)
    refunds = [
        await refund(wired, ORDER, usd(1000), noon),
        await refund(wired, SEMI_ORDER, eur(700), noon + timedelta(hours=1)),
        await refund(wired, SEMI_ORDER, eur(300), noon + timedelta(hours=2)),
    ]
    await refund(wired, ORDER, None, noon + timedelta(hours=3))
    await refund(wired, OTHERS_ORDER, usd(4990), noon + timedelta(hours=4))
    return wired, refunds


async def test_refunds_are_summed_per_currency_and_liable_party_r_as_2() -> None:
    wired, refunds = await a_merchant_with_refunds()
    report = await wired.services.reports.for_merchant(MERCHANT, DAY, DAY)
    assert [case.id for case in report.refunds] == [case.id for case in refunds]
    assert report.totals == {
        "USD": {"platform": 1000, "merchant": 0},
        "EUR": {"platform": 0, "merchant": 1000},
    }


async def test_each_refunded_order_pays_its_total_less_the_refunds_the_merchant_bore() -> None:
    """R-FEE-1: no commission; a refund the platform bore leaves the merchant whole."""
    wired, _ = await a_merchant_with_refunds()
    report = await wired.services.reports.for_merchant(MERCHANT, DAY, DAY)
    assert report.payouts == [
        Payout(ORDER, usd(4990), usd(0), usd(4990)),
        Payout(SEMI_ORDER, eur(3000), eur(1000), eur(2000)),
    ]


async def test_the_range_holds_its_first_and_last_day_whole_and_nothing_beyond() -> None:
    wired, _ = await a_merchant_with_refunds()
    reports = wired.services.reports
    day_before, day_after = DAY - timedelta(days=1), DAY + timedelta(days=1)
    assert len((await reports.for_merchant(MERCHANT, day_before, DAY)).refunds) == 3
    assert len((await reports.for_merchant(MERCHANT, DAY, day_after)).refunds) == 3
    for empty in (
        await reports.for_merchant(MERCHANT, day_before, day_before),
        await reports.for_merchant(MERCHANT, day_after, day_after),
    ):
        assert (empty.refunds, empty.totals, empty.payouts) == ([], {}, [])


async def test_a_refund_decided_at_the_last_millisecond_of_the_end_day_counts() -> None:
    wired, _ = await a_merchant_with_refunds()
    next_day = midnight(DAY + timedelta(days=1))
    await refund(wired, ORDER, usd(100), next_day - timedelta(milliseconds=1))
    await refund(wired, ORDER, usd(200), next_day)
    report = await wired.services.reports.for_merchant(MERCHANT, DAY, DAY)
    assert report.totals["USD"] == {"platform": 1100, "merchant": 0}


async def test_an_orders_payout_counts_its_refunds_outside_the_range_too() -> None:
    wired, _ = await a_merchant_with_refunds()
    await refund(wired, SEMI_ORDER, eur(400), midnight(DAY + timedelta(days=2)))
    report = await wired.services.reports.for_merchant(MERCHANT, DAY, DAY)
    assert report.totals["EUR"] == {"platform": 0, "merchant": 1000}  # the range's only
    assert report.payouts[1] == Payout(SEMI_ORDER, eur(3000), eur(1400), eur(1600))


async def test_a_merchant_without_refunds_gets_an_empty_report() -> None:
    wired, _ = await a_merchant_with_refunds()
    report = await wired.services.reports.for_merchant("merchant-3", DAY, DAY)
    assert (report.merchant_id, report.start, report.end) == ("merchant-3", DAY, DAY)
    assert (report.refunds, report.totals, report.payouts) == ([], {}, [])


async def a_merchant_with_cancellations() -> Wired[AftersalesServices]:
    """`a_merchant_with_refunds`, and on DAY: NO_ROUTE_ORDER (4990 USD) cancelled, the
    platform refunding it; UNSHIPPED_ORDER (3000 EUR, semi-managed) reported lost before it
    ever shipped, a case refunding 500 EUR of it, then cancelled, the merchant refunding the
    2500 EUR left; another merchant's cancelled order."""
    wired, _ = await a_merchant_with_refunds()
    noon = midnight(DAY) + timedelta(hours=12)
    semi: dict[str, Any] = {"store_id": "store-2", "store_type": "semi_managed"}
    await wired.deliver(an_order_confirmed(order_id=NO_ROUTE_ORDER))
    unshipped = an_order_confirmed(
        order_id=UNSHIPPED_ORDER, lines=[a_line(unit_price=eur(3000))], **semi
    )
    await wired.deliver(unshipped)
    await wired.deliver(a_shipment_exception(order_id=UNSHIPPED_ORDER, kind="lost", at=noon))
    wired.clock.set(noon + timedelta(hours=5))
    case = await open_a_case(wired, "lost", eur(3000), UNSHIPPED_ORDER)
    await resolve(wired, case, eur(500))
    wired.clock.set(noon + timedelta(hours=6))
    await wired.deliver(a_cancellation("no_route", order_id=NO_ROUTE_ORDER))
    wired.clock.set(noon + timedelta(hours=7))
    cancelled = a_cancellation("not_shipped", order_id=UNSHIPPED_ORDER, total=eur(3000), **semi)
    await wired.deliver(cancelled)
    others: dict[str, Any] = {
        "order_id": "order-8",
        "merchant_id": "merchant-2",
        "store_id": "store-9",
    }
    await wired.deliver(an_order_confirmed(**others))
    await wired.deliver(a_cancellation("no_route", **others))
    return wired


async def test_cancellation_refunds_count_in_the_totals_by_liable_party_r_ord_6() -> None:
    wired = await a_merchant_with_cancellations()
    report = await wired.services.reports.for_merchant(MERCHANT, DAY, DAY)
    assert [(c.order_id, c.amount, c.liable_party) for c in report.cancellations] == [
        (NO_ROUTE_ORDER, usd(4990), "platform"),
        (UNSHIPPED_ORDER, eur(2500), "merchant"),
    ]
    assert report.totals == {
        "USD": {"platform": 1000 + 4990, "merchant": 0},
        "EUR": {"platform": 0, "merchant": 700 + 300 + 500 + 2500},
    }


async def test_a_cancelled_order_pays_nothing_and_shows_what_the_merchant_bore() -> None:
    """R-SET-3: a cancelled order earns nothing; its refunds the merchant bore (a case's
    and the cancellation's) show, whoever bore them."""
    wired = await a_merchant_with_cancellations()
    report = await wired.services.reports.for_merchant(MERCHANT, DAY, DAY)
    assert report.payouts == [
        Payout(ORDER, usd(4990), usd(0), usd(4990)),
        Payout(SEMI_ORDER, eur(3000), eur(1000), eur(2000)),
        Payout(UNSHIPPED_ORDER, eur(0), eur(3000), eur(0)),
        Payout(NO_ROUTE_ORDER, usd(0), usd(0), usd(0)),
    ]


async def test_the_report_lists_cancellation_refunds_without_a_case_in_issue_order() -> None:
    wired = await a_merchant_with_cancellations()
    report = RefundReportPublic.of(await wired.services.reports.for_merchant(MERCHANT, DAY, DAY))
    assert [(r.order_id, r.case_id is None, r.reason) for r in report.refunds] == [
        (ORDER, False, "after_sales_case"),
        (SEMI_ORDER, False, "after_sales_case"),
        (SEMI_ORDER, False, "after_sales_case"),
        (UNSHIPPED_ORDER, False, "after_sales_case"),
        (NO_ROUTE_ORDER, True, "no_route"),
        (UNSHIPPED_ORDER, True, "not_shipped"),
    ]
    assert [(t.currency, t.borne_by_platform, t.borne_by_merchant) for t in report.totals] == [
        ("EUR", eur(0), eur(4000)),
        ("USD", usd(5990), usd(0)),
    ]


async def test_a_cancellation_refund_outside_the_range_is_left_out() -> None:
    wired = await a_merchant_with_cancellations()
    day_after = DAY + timedelta(days=1)
    report = await wired.services.reports.for_merchant(MERCHANT, day_after, day_after)
    assert (report.refunds, report.cancellations, report.totals, report.payouts) == ([], [], {}, [])
