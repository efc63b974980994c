"""Who paid for refunds, per merchant and period (R-AS-2), and what the merchant is paid
for each refunded order (R-FEE-1).

Full-managed stores pay no commission (R-FEE-1), so a merchant's payout for an order is
the supply price (the order's total, at the prices the platform sells at) minus only the
refunds the merchant bears; refunds borne by the platform leave it whole.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from aftersales.adapters.queries import CaseQueries
from aftersales.domain.facts import OrderFacts
from aftersales.domain.model import Case
from shared.contract.types import LiableParty, Money
from shared.repository import AggregateRepository


@dataclass(frozen=True)
class Payout:
    order_id: str
    supply_price: Money
    borne_by_merchant: Money
    payout: Money


@dataclass
class RefundReport:
    merchant_id: str
    start: date
    end: date
    refunds: list[Case]
    #: currency → liable party → amount (minor units).
    totals: dict[str, dict[LiableParty, int]] = field(default_factory=dict)
    payouts: list[Payout] = field(default_factory=list)


@dataclass
class RefundReports:
    queries: CaseQueries
    orders: AggregateRepository[OrderFacts]

    async def for_merchant(self, merchant_id: str, start: date, end: date) -> RefundReport:
        """Refunds decided from `start` to `end` inclusive (UTC dates)."""
        since = datetime.combine(start, time.min, tzinfo=UTC)
        until = datetime.combine(date.fromordinal(end.toordinal() + 1), time.min, tzinfo=UTC)
        refunds = await self.queries.refunded_between(merchant_id, since, until)
        report = RefundReport(merchant_id, start, end, refunds)
        for case in refunds:
            amount, party = _refund_of(case)
            by_party = report.totals.setdefault(amount.currency, {"platform": 0, "merchant": 0})
            by_party[party] += amount.amount_minor
        order_ids = list(dict.fromkeys(case.order_id for case in refunds))
        report.payouts = await self._payouts(order_ids)
        return report

    async def _payouts(self, order_ids: list[str]) -> list[Payout]:
        borne: dict[str, int] = defaultdict(int)
        for case in await self.queries.refunded_of_orders(order_ids):
            amount, party = _refund_of(case)
            if party == "merchant":
                borne[case.order_id] += amount.amount_minor
        payouts = []
        for order_id in order_ids:
            order = await self.orders.get(order_id)
            if order is None or order.total is None:
                continue
            total = order.total
            merchant_part = Money(amount_minor=borne[order_id], currency=total.currency)
            payouts.append(
                Payout(
                    order_id,
                    total,
                    merchant_part,
                    Money(
                        amount_minor=max(total.amount_minor - borne[order_id], 0),
                        currency=total.currency,
                    ),
                )
            )
        return payouts


def _refund_of(case: Case) -> tuple[Money, LiableParty]:
    assert case.resolution is not None
    assert case.resolution.refund is not None
    assert case.liable_party is not None  # a refunded case always has all three
    return case.resolution.refund, case.liable_party
