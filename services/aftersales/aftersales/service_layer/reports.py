"""Who paid for refunds, per merchant and period (R-AS-2, R-ORD-6), and what the merchant
is paid for each refunded order (R-FEE-1).

A merchant's refunds are those of its after-sales cases (R-AS-2) and those of its
cancelled orders (R-ORD-5), each borne by the platform or the merchant: the totals per
currency count both, by liable party.

Full-managed stores pay no commission (R-FEE-1), so a merchant's payout for an order is
the supply price (the order's total, at the prices the platform sells at) minus only the
refunds the merchant bears; refunds borne by the platform leave it whole. **Decided**: a
cancelled order supplied nothing and earns nothing (R-SET-3): its supply price is zero,
so it pays nothing, whoever bore its refund; the refunds the merchant bore on it show.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from aftersales.adapters.queries import CaseQueries, CompensationQueries
from aftersales.domain.compensation import Compensation
from aftersales.domain.facts import OrderFacts
from aftersales.domain.model import Case
from shared.clock import utc_days
from shared.contract.types import LiableParty, Money
from shared.repository import AggregateRepository

#: The longest period one refund report covers.
MAX_REPORT_DAYS = 366


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
    #: The refunded cases decided in the period (R-AS-2).
    refunds: list[Case]
    #: The refunds of cancelled orders issued in the period, whoever bore them (R-ORD-6).
    cancellations: list[Compensation] = field(default_factory=list)
    #: currency → liable party → amount (minor units), of both kinds of refund.
    totals: dict[str, dict[LiableParty, int]] = field(default_factory=dict)
    payouts: list[Payout] = field(default_factory=list)


@dataclass
class RefundReports:
    queries: CaseQueries
    compensations: CompensationQueries
    orders: AggregateRepository[OrderFacts]

    async def for_merchant(self, merchant_id: str, start: date, end: date) -> RefundReport:
        """Refunds decided (cases) or issued (cancellations) from `start` to `end`
        inclusive (UTC dates, at most `MAX_REPORT_DAYS`)."""
        since, until = utc_days(start, end, most=MAX_REPORT_DAYS)
        refunds = await self.queries.refunded_between(merchant_id, since, until)
        cancellations = await self.compensations.issued_between(merchant_id, since, until)
        report = RefundReport(merchant_id, start, end, refunds, cancellations)
        for _, amount, party in [*map(_refund_of, refunds), *map(_refund_of, cancellations)]:
            by_party = report.totals.setdefault(amount.currency, {"platform": 0, "merchant": 0})
            by_party[party] += amount.amount_minor
        order_ids = [case.order_id for case in refunds]
        order_ids += [compensation.order_id for compensation in cancellations]
        report.payouts = await self._payouts(list(dict.fromkeys(order_ids)))
        return report

    async def _payouts(self, order_ids: list[str]) -> list[Payout]:
        borne: dict[str, int] = defaultdict(int)
        refunded: list[Case | Compensation] = [
            *await self.queries.refunded_of_orders(order_ids),
            *await self.compensations.of_orders(order_ids),
        ]
        for order_id, amount, party in map(_refund_of, refunded):
            if party == "merchant":
                borne[order_id] += amount.amount_minor
        payouts = []
        for order_id in order_ids:
            order = await self.orders.get(order_id)
            if order is None or order.total is None:
                continue
            currency = order.total.currency
            # A cancelled order supplied nothing: it earns nothing (R-SET-3).
            supply = 0 if order.status == "cancelled" else order.total.amount_minor
            payouts.append(
                Payout(
                    order_id,
                    Money(amount_minor=supply, currency=currency),
                    Money(amount_minor=borne[order_id], currency=currency),
                    Money(amount_minor=max(supply - borne[order_id], 0), currency=currency),
                )
            )
        return payouts


def _refund_of(refund: Case | Compensation) -> tuple[str, Money, LiableParty]:
    """A refund's order, amount and liable party, of a refunded case or a cancellation."""
    if isinstance(refund, Compensation):
        return refund.order_id, refund.amount, refund.liable_party
    assert refund.resolution is not None
    assert refund.resolution.refund is not None
    assert refund.liable_party is not None  # a refunded case always has all three
    return refund.order_id, refund.resolution.refund, refund.liable_party
