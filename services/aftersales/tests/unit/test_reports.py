"""A merchant's refund report (`RefundReports.for_merchant`) through
`bootstrap(FakePorts(...))`: who bore its refunds per currency over a date range (R-AS-2),
and what each refunded order pays the merchant (R-FEE-1: no commission, only the refunds
the merchant bears come off the order's total)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from aftersales.bootstrap import AftersalesServices, bootstrap
from aftersales.domain.model import Case
from aftersales.service_layer.commands import OpenCase
from aftersales.service_layer.reports import Payout
from aftersales.service_layer.resolution import ResolveCase
from shared.app import Wiring
from shared.clock import FixedClock
from shared.contract.types import Money
from shared.testing import FakePorts
from testkit.factories import (
    BUYER,
    MERCHANT,
    ORDER,
    T0,
    a_delivered,
    a_line,
    a_shipped,
    a_store_approved,
    an_order_confirmed,
    usd,
)

DELIVERED_AT = T0 + timedelta(days=4)
DAY = (T0 + timedelta(days=5)).date()  # the day the cases below are decided
SEMI_ORDER = "order-2"  # a semi-managed store's order, paid in EUR
OTHERS_ORDER = "order-9"  # another merchant's


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def eur(minor: int) -> Money:
    return Money(amount_minor=minor, currency="EUR")


@dataclass
class App:
    ports: FakePorts
    wiring: Wiring
    clock: FixedClock

    @property
    def services(self) -> AftersalesServices:
        return cast(AftersalesServices, self.wiring.services)

    async def delivered(self, order_id: str, **order: Any) -> None:
        confirmed = an_order_confirmed(order_id=order_id, **order)
        await self.ports.deliver(self.wiring, confirmed, producer="orders")
        shipped = a_shipped(order_id=order_id, at=T0 + timedelta(days=1))
        await self.ports.deliver(self.wiring, shipped, producer="logistics")
        arrived = a_delivered(order_id=order_id, at=DELIVERED_AT)
        await self.ports.deliver(self.wiring, arrived, producer="logistics")

    async def refund(self, order_id: str, amount: Money | None, at: datetime) -> Case:
        """A case on the order, opened and decided at `at`: refunded, or rejected (None)."""
        self.clock.set(at)
        opened = OpenCase(BUYER, order_id, "damaged", "broken", amount or usd(1))
        case = await self.services.commands.open(opened)
        decision = ResolveCase(
            case.id, "operator-1", "refund" if amount else "reject", amount, "decided"
        )
        return await self.services.resolution.resolve(decision)


async def a_merchant_with_refunds() -> tuple[App, list[Case]]:
    """On DAY: 1000 USD of a full-managed order in its exemption period (the platform's),
    700 and 300 EUR of a semi-managed order (the merchant's); a rejected case; another
    merchant's refund."""
    clock = FixedClock(T0)
    ports = FakePorts("aftersales", clock=clock)
    app = App(ports, await bootstrap(ports), clock)
    await ports.deliver(app.wiring, a_store_approved(), producer="review")
    await app.delivered(ORDER)
    semi = {"store_id": "store-2", "store_type": "semi_managed"}
    await app.delivered(SEMI_ORDER, lines=[a_line(unit_price=eur(3000))], **semi)
    await app.delivered(OTHERS_ORDER, merchant_id="merchant-2", store_id="store-9")
    noon = midnight(DAY) + timedelta(hours=12)
    refunds = [
        await app.refund(ORDER, usd(1000), noon),
        await app.refund(SEMI_ORDER, eur(700), noon + timedelta(hours=1)),
        await app.refund(SEMI_ORDER, eur(300), noon + timedelta(hours=2)),
    ]
    await app.refund(ORDER, None, noon + timedelta(hours=3))
    await app.refund(OTHERS_ORDER, usd(4990), noon + timedelta(hours=4))
    return app, refunds


async def test_refunds_are_summed_per_currency_and_liable_party_r_as_2() -> None:
    app, refunds = await a_merchant_with_refunds()
    report = await app.services.reports.for_merchant(MERCHANT, DAY, DAY)
    assert [case.id for case in report.refunds] == [case.id for case in refunds]
    assert report.totals == {
        "USD": {"platform": 1000, "merchant": 0},
        "EUR": {"platform": 0, "merchant": 1000},
    }


async def test_each_refunded_order_pays_its_total_less_the_refunds_the_merchant_bore() -> None:
    """R-FEE-1: no commission; a refund the platform bore leaves the merchant whole."""
    app, _ = await a_merchant_with_refunds()
    report = await app.services.reports.for_merchant(MERCHANT, DAY, DAY)
    assert report.payouts == [
        Payout(ORDER, usd(4990), usd(0), usd(4990)),
        Payout(SEMI_ORDER, eur(3000), eur(1000), eur(2000)),
    ]


async def test_the_range_holds_its_first_and_last_day_whole_and_nothing_beyond() -> None:
    app, _ = await a_merchant_with_refunds()
    reports = app.services.reports
    day_before, day_after = DAY - timedelta(days=1), DAY + timedelta(days=1)
    assert len((await reports.for_merchant(MERCHANT, day_before, DAY)).refunds) == 3
    assert len((await reports.for_merchant(MERCHANT, DAY, day_after)).refunds) == 3
    for empty in (
        await reports.for_merchant(MERCHANT, day_before, day_before),
        await reports.for_merchant(MERCHANT, day_after, day_after),
    ):
        assert (empty.refunds, empty.totals, empty.payouts) == ([], {}, [])


async def test_a_refund_decided_at_the_last_millisecond_of_the_end_day_counts() -> None:
    app, _ = await a_merchant_with_refunds()
    next_day = midnight(DAY + timedelta(days=1))
    await app.refund(ORDER, usd(100), next_day - timedelta(milliseconds=1))
    await app.refund(ORDER, usd(200), next_day)
    report = await app.services.reports.for_merchant(MERCHANT, DAY, DAY)
    assert report.totals["USD"] == {"platform": 1100, "merchant": 0}


async def test_an_orders_payout_counts_its_refunds_outside_the_range_too() -> None:
    app, _ = await a_merchant_with_refunds()
    await app.refund(SEMI_ORDER, eur(400), midnight(DAY + timedelta(days=2)))
    report = await app.services.reports.for_merchant(MERCHANT, DAY, DAY)
    assert report.totals["EUR"] == {"platform": 0, "merchant": 1000}  # the range's only
    assert report.payouts[1] == Payout(SEMI_ORDER, eur(3000), eur(1400), eur(1600))


async def test_a_merchant_without_refunds_gets_an_empty_report() -> None:
    app, _ = await a_merchant_with_refunds()
    report = await app.services.reports.for_merchant("merchant-3", DAY, DAY)
    assert (report.merchant_id, report.start, report.end) == ("merchant-3", DAY, DAY)
    assert (report.refunds, report.totals, report.payouts) == ([], {}, [])
