"""What merchants and operators read of the ledger: balances, statements, payouts and the
platform's refund expense, all sums of the ledger's lines (R-SET-5: one source of truth).

Visibility (`shared.auth`): a merchant sees its own figures and payouts, an operator all;
anyone else finds no such merchant or payout (404). Periods are UTC days, both included,
at most `MAX_REPORT_DAYS` (`shared.clock.utc_days`)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from settlement.adapters.entries import Entries
from settlement.adapters.payouts import PayoutQueries, PayoutRecord
from settlement.domain.ledger import PLATFORM_REFUND_EXPENSE, Entry, Line, balances, held, payable
from settlement.domain.order import OrderSettlement
from settlement.domain.payouts import Payout
from shared.auth import Principal, require_merchant_self_or_operator
from shared.clock import utc_days
from shared.errors import Forbidden, NotFound
from shared.replica import Replicas
from shared.repository import AggregateRepository

#: The longest period one statement or report covers (the refund report's too).
MAX_REPORT_DAYS = 366

Cause = Literal["order", "refund", "payout"]


# The service layer's results are the API's response bodies too (one field list each):
# plain dataclasses, amounts in integer minor units per currency.


@dataclass(frozen=True)
class CurrencyBalance:
    currency: str
    #: Earnings of delivered orders whose after-sales window is open (R-SET-2).
    held_minor: int
    #: Owed to the merchant now, paid at its stores' cycle ends (R-SET-4).
    payable_minor: int
    #: What stores owe after refunds they bore (R-SET-3): zero or less, carried forward.
    carried_negative_minor: int


@dataclass(frozen=True)
class Balance:
    merchant_id: str
    balances: list[CurrencyBalance]


@dataclass(frozen=True)
class StatementLine:
    at: str
    entry_id: str
    kind: str
    cause: Cause
    store_id: str
    account: Literal["held", "payable"]
    currency: str
    amount_minor: int
    order_id: str | None
    case_id: str | None
    payout_id: str | None
    memo: str


@dataclass
class Statement:
    merchant_id: str
    start: date
    end: date
    lines: list[StatementLine] = field(default_factory=list)

    def csv(self) -> str:
        """The statement for accountants: one row per line, RFC 4180 CSV."""
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(StatementLine.__dataclass_fields__))
        writer.writeheader()
        for line in self.lines:
            writer.writerow(line.__dict__)
        return out.getvalue()


@dataclass(frozen=True)
class Payouts:
    items: list[Payout]


@dataclass(frozen=True)
class RefundExpense:
    start: date
    end: date
    #: currency → what the platform bore (minor units); corrections included.
    expense_minor: dict[str, int]


@dataclass(frozen=True)
class OrderEntries:
    """Every entry an order's facts posted, each with all its lines (R-SET-5)."""

    order_id: str
    entries: list[Entry]


@dataclass
class SettlementReports:
    entries: Entries
    payout_queries: PayoutQueries
    payouts: AggregateRepository[PayoutRecord]
    orders: Replicas[OrderSettlement]

    async def balance(self, principal: Principal, merchant_id: str) -> Balance:
        """A merchant's held, payable and carried negative balances, per currency."""
        require_merchant_self_or_operator(principal, merchant_id)
        entries = await self.entries.of_merchant(merchant_id)
        found = balances(entries)
        stores = {entry.store_id for entry in entries if entry.store_id is not None}
        sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for store_id in sorted(stores):
            for currency, amount in found.get(held(store_id), {}).items():
                sums[currency][0] += amount
            for currency, amount in found.get(payable(store_id), {}).items():
                sums[currency][1 if amount > 0 else 2] += amount
        found_balances = [CurrencyBalance(currency, *sums[currency]) for currency in sorted(sums)]
        return Balance(merchant_id, found_balances)

    async def statement(
        self, principal: Principal, merchant_id: str, start: date, end: date
    ) -> Statement:
        """Every line on the merchant's accounts dated from `start` to `end` (inclusive),
        with its cause, oldest first."""
        require_merchant_self_or_operator(principal, merchant_id)
        since, until = utc_days(start, end, most=MAX_REPORT_DAYS)
        statement = Statement(merchant_id, start, end)
        for entry in await self.entries.of_merchant(merchant_id, since, until):
            statement.lines += [
                _statement_line(entry, line) for line in entry.lines if _accounts_of(entry, line)
            ]
        return statement

    async def payouts_between(
        self, principal: Principal, merchant_id: str | None, start: date, end: date
    ) -> Payouts:
        """Payouts whose cycle ended from `start` to `end`: a merchant's own (its id by
        default), or, for an operator, one merchant's or everyone's."""
        since, until = utc_days(start, end, most=MAX_REPORT_DAYS)
        if merchant_id is None and not principal.is_operator:
            merchant_id = principal.sub
        if merchant_id is not None:
            require_merchant_self_or_operator(principal, merchant_id)
        return Payouts(await self.payout_queries.between(merchant_id, since, until))

    async def order_entries(self, principal: Principal, order_id: str) -> OrderEntries:
        """Where an order's money is: its merchant's or an operator's to read."""
        order = await self.orders.get(order_id)
        if order is None or not principal.may_see(merchant_id=order.merchant_id):
            raise NotFound(f"No order {order_id} in the ledger.")
        posted = await self.entries.of_order(order_id)
        return OrderEntries(order_id, sorted(posted.values(), key=lambda e: (e.at, e.entry_id)))

    async def payout(self, principal: Principal, payout_id: str) -> Payout:
        record = await self.payouts.get(payout_id)
        return principal.sees(None if record is None else record.payout, f"No payout {payout_id}.")

    async def refund_expense(self, principal: Principal, start: date, end: date) -> RefundExpense:
        """The refunds the platform bore (R-AS-2, R-ORD-6) dated from `start` to `end`,
        per currency, corrections included: operators only."""
        if not principal.is_operator:
            raise Forbidden("The platform's refund expense is for operators.")
        since, until = utc_days(start, end, most=MAX_REPORT_DAYS)
        expense: dict[str, int] = defaultdict(int)
        for entry in await self.entries.of_kinds(("refund", "reversal"), since, until):
            for line in entry.lines:
                if line.account == PLATFORM_REFUND_EXPENSE:
                    expense[line.currency] -= line.amount_minor  # the account is its cost
        return RefundExpense(start, end, dict(sorted(expense.items())))


def _accounts_of(entry: Entry, line: Line) -> bool:
    store = entry.store_id
    return store is not None and line.account in (held(store), payable(store))


def _statement_line(entry: Entry, line: Line) -> StatementLine:
    assert entry.store_id is not None  # `_accounts_of` kept only the store's lines
    cause: Cause = "order"
    if entry.payout_id is not None:
        cause = "payout"
    elif entry.liable_party is not None:
        cause = "refund"  # a refund, or the reversal of one (it keeps who bore it)
    return StatementLine(
        at=entry.at.isoformat(),
        entry_id=entry.entry_id,
        kind=entry.kind,
        cause=cause,
        store_id=entry.store_id,
        account="held" if line.account == held(entry.store_id) else "payable",
        currency=line.currency,
        amount_minor=line.amount_minor,
        order_id=entry.order_id,
        case_id=entry.case_id,
        payout_id=entry.payout_id,
        memo=entry.memo,
    )
