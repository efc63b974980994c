"""What merchants and operators read (R-SET-2..5): balances, statements (JSON and CSV),
payouts and the platform's refund expense, through the service's bootstrap, with the
kit's visibility rule (another merchant's figures are absent) and periods checked."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from settlement.bootstrap import SettlementServices
from settlement.domain.ledger import PLATFORM_BUYERS, Journal
from settlement.service_layer.statements import (
    Balance,
    CurrencyBalance,
    Payouts,
    RefundExpense,
)
from shared.errors import Forbidden, NotFound, Unprocessable
from shared.testing import Wired
from testkit.factories import (
    AN_OPERATOR,
    ANOTHER_MERCHANT,
    MERCHANT,
    ORDER,
    THE_BUYER,
    THE_MERCHANT,
    a_case_opened,
    a_refund_issued,
    usd,
)
from testkit.settlement_unit import AFTER_ALL, TOTAL, a_settlement_service, deliver_an_order

START, END = date(2026, 11, 1), date(2027, 2, 28)


async def paid_then_refunded(refund_by: str = "merchant") -> Wired[SettlementServices]:
    """ORDER delivered, released, paid out, then refunded 10.00 USD on a case."""
    wired = await a_settlement_service()
    await deliver_an_order(wired)
    wired.clock.set(AFTER_ALL)
    await wired.run("releases")
    await wired.run("payouts")
    await wired.deliver(a_case_opened(at=AFTER_ALL))
    await wired.deliver(a_refund_issued(at=AFTER_ALL, amount=usd(1000), liable_party=refund_by))
    return wired


async def test_a_balance_shows_held_then_payable_then_carried_negative() -> None:
    """R-SET-2, R-SET-3: held until the window closes; a refund after the payout is
    carried negative."""
    wired = await a_settlement_service()
    await deliver_an_order(wired)
    reports = wired.services.reports
    held = CurrencyBalance("USD", TOTAL, 0, 0)
    assert await reports.balance(THE_MERCHANT, MERCHANT) == Balance(MERCHANT, [held])
    wired.clock.set(AFTER_ALL)
    await wired.run("releases")
    payable = CurrencyBalance("USD", 0, TOTAL, 0)
    assert await reports.balance(AN_OPERATOR, MERCHANT) == Balance(MERCHANT, [payable])
    wired = await paid_then_refunded()
    found = await wired.services.reports.balance(THE_MERCHANT, MERCHANT)
    assert found.balances == [CurrencyBalance("USD", 0, 0, -1000)]


async def test_another_merchants_balance_is_absent() -> None:
    wired = await paid_then_refunded()
    with pytest.raises(NotFound):
        await wired.services.reports.balance(ANOTHER_MERCHANT, MERCHANT)


async def test_the_statement_lists_every_line_with_its_cause() -> None:
    """R-SET-5: earning (held), release, payout and refund, each with its cause."""
    wired = await paid_then_refunded()
    statement = await wired.services.reports.statement(THE_MERCHANT, MERCHANT, START, END)
    rows = [(line.kind, line.cause, line.account, line.amount_minor) for line in statement.lines]
    assert rows == [
        ("earning", "order", "held", TOTAL),
        ("release", "order", "held", -TOTAL),
        ("release", "order", "payable", TOTAL),
        ("payout", "payout", "payable", -TOTAL),
        ("refund", "refund", "payable", -1000),
    ]
    assert sum(line.amount_minor for line in statement.lines) == -1000  # the balance


async def test_the_statement_as_csv_has_the_same_lines() -> None:
    wired = await paid_then_refunded()
    statement = await wired.services.reports.statement(AN_OPERATOR, MERCHANT, START, END)
    rows = list(csv.DictReader(io.StringIO(statement.csv())))
    assert [row["cause"] for row in rows] == [line.cause for line in statement.lines]
    assert [int(row["amount_minor"]) for row in rows] == [
        line.amount_minor for line in statement.lines
    ]
    assert rows[0]["order_id"] == "order-1"


async def test_a_period_running_backwards_or_too_long_is_refused() -> None:
    wired = await a_settlement_service()
    reports = wired.services.reports
    with pytest.raises(Unprocessable):
        await reports.statement(THE_MERCHANT, MERCHANT, END, START)
    with pytest.raises(Unprocessable):
        await reports.payouts_between(THE_MERCHANT, None, date(2026, 1, 1), date(2027, 6, 1))


async def test_payouts_are_listed_and_shown_with_their_lines() -> None:
    """R-SET-4: the merchant's own, an operator's of everyone; another merchant's absent."""
    wired = await paid_then_refunded()
    reports = wired.services.reports
    mine = (await reports.payouts_between(THE_MERCHANT, None, START, END)).items
    assert [payout.amount for payout in mine] == [usd(TOTAL)]
    assert await reports.payouts_between(AN_OPERATOR, None, START, END) == Payouts(mine)
    assert await reports.payouts_between(AN_OPERATOR, "merchant-2", START, END) == Payouts([])
    shown = await reports.payout(THE_MERCHANT, mine[0].payout_id)
    assert [line.kind for line in shown.lines] == ["release"]
    with pytest.raises(NotFound):
        await reports.payout(ANOTHER_MERCHANT, mine[0].payout_id)
    with pytest.raises(NotFound):
        await reports.payouts_between(ANOTHER_MERCHANT, MERCHANT, START, END)


async def test_the_platforms_refund_expense_is_for_operators() -> None:
    """R-AS-2: refunds the platform bore, per currency; merchant-borne ones are not in it."""
    wired = await paid_then_refunded(refund_by="platform")
    reports = wired.services.reports
    expense = await reports.refund_expense(AN_OPERATOR, START, END)
    assert expense == RefundExpense(START, END, {"USD": 1000})
    with pytest.raises(Forbidden):
        await reports.refund_expense(THE_MERCHANT, START, END)
    merchants = await paid_then_refunded(refund_by="merchant")
    expense = await merchants.services.reports.refund_expense(AN_OPERATOR, START, END)
    assert expense.expense_minor == {}


async def test_an_orders_entries_are_its_merchants_and_operators() -> None:
    """R-SET-5: where an order's money is, every entry whole; nobody else's to read."""
    wired = await paid_then_refunded()
    reports = wired.services.reports
    found = await reports.order_entries(THE_MERCHANT, ORDER)
    assert [entry.kind for entry in found.entries] == [
        "collection",
        "earning",
        "release",
        "refund",
    ]
    assert Journal(found.entries).balances()[PLATFORM_BUYERS] == {"USD": -TOTAL + 1000}
    assert await reports.order_entries(AN_OPERATOR, ORDER) == found
    for stranger in (ANOTHER_MERCHANT, THE_BUYER):
        with pytest.raises(NotFound):
            await reports.order_entries(stranger, ORDER)
    with pytest.raises(NotFound):
        await reports.order_entries(AN_OPERATOR, "no-such-order")
