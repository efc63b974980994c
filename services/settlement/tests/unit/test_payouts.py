"""Payout cycles and payouts (R-SET-4, R-FEE-2, R-SET-3): cycles cut from one epoch, one
payout per store, currency and cycle, of a positive payable balance only, listing what it
settles; a negative balance carried forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from settlement.domain.earnings import earning, refund_entry, release
from settlement.domain.ledger import (
    PLATFORM_PAYOUTS,
    Entry,
    Journal,
    Store,
    entry_id,
    payable,
)
from settlement.domain.order import Refund
from settlement.domain.payouts import (
    CYCLE_EPOCH,
    Cycle,
    cycle_of,
    last_ended,
    payout_for,
    settled_by,
)
from shared.contract.types import Money
from shared.policy import Policy
from testkit.factories import MERCHANT, STORE, usd

POLICY = Policy()
FULL = Store(store_id=STORE, merchant_id=MERCHANT, store_type="full_managed")
#: A full-managed cycle: Monday 7 December 2026 to Monday 14 December, 00:00 UTC.
WEEK = Cycle(start=datetime(2026, 12, 7, tzinfo=UTC), end=datetime(2026, 12, 14, tzinfo=UTC))


def released(order_id: str, amount: int, at: datetime) -> Entry:
    """An order's earning released to FULL's payable balance at `at`."""
    return release(order_id, FULL, earning(order_id, FULL, usd(amount), at, POLICY), at)


def debited(case_id: str, amount: int, at: datetime) -> Entry:
    refund = Refund(case_id=case_id, amount=usd(amount), liable_party="merchant", issued_at=at)
    return refund_entry("order-x", FULL, refund, earned=True)


def test_cycles_are_cut_from_a_monday_epoch() -> None:  # R-SET-4
    assert CYCLE_EPOCH.weekday() == 0
    moment = datetime(2026, 12, 9, 15, 30, tzinfo=UTC)  # a Wednesday
    assert cycle_of("full_managed", moment, POLICY) == WEEK
    fortnight = cycle_of("semi_managed", moment, POLICY)
    assert fortnight.end - fortnight.start == timedelta(days=14)
    assert (fortnight.start - CYCLE_EPOCH).days % 14 == 0
    assert fortnight.start <= moment < fortnight.end


def test_a_cycle_is_half_open() -> None:  # R-SET-4
    assert cycle_of("full_managed", WEEK.start, POLICY) == WEEK
    assert cycle_of("full_managed", WEEK.end, POLICY).start == WEEK.end
    before_epoch = cycle_of("full_managed", CYCLE_EPOCH - timedelta(seconds=1), POLICY)
    assert before_epoch.end == CYCLE_EPOCH


def test_the_cycle_due_for_payout_is_the_last_ended() -> None:  # R-SET-4
    assert last_ended("full_managed", WEEK.end + timedelta(hours=3), POLICY) == WEEK


def test_full_managed_is_paid_on_the_shorter_cycle() -> None:  # R-FEE-2
    with pytest.raises(ValidationError, match="R-FEE-2"):
        Policy(payout_cycle_days_full_managed=14, payout_cycle_days_semi_managed=14)
    quicker = Policy(payout_cycle_days_full_managed=1, payout_cycle_days_semi_managed=3)
    day = cycle_of("full_managed", WEEK.start + timedelta(hours=5), quicker)
    assert day.end - day.start == timedelta(days=1)


def test_a_positive_payable_balance_becomes_one_payout_listing_its_lines() -> None:  # R-SET-4
    lines = [released("o-1", 3000, WEEK.start), debited("c-1", 500, WEEK.start + timedelta(days=2))]
    payout = payout_for(FULL, "USD", lines, set(), WEEK)
    assert payout is not None
    assert (payout.amount, payout.period_start, payout.period_end) == (
        usd(2500),
        WEEK.start,
        WEEK.end,
    )
    assert [(line.kind, line.amount_minor) for line in payout.lines] == [
        ("release", 3000),
        ("refund", -500),
    ]
    assert payout == payout_for(FULL, "USD", reversed(lines), set(), WEEK)  # one, however computed
    journal = Journal([*lines, payout.entry()])
    assert journal.balances()[payable(STORE)] == {"USD": 0}
    assert journal.balances()[PLATFORM_PAYOUTS] == {"USD": 2500}
    assert payout.entry().entry_id == entry_id("payout", payout.payout_id)


def test_no_payout_of_a_zero_or_negative_balance_which_is_carried_forward() -> None:
    # R-SET-3, R-SET-4: never paid, set against the next cycle's earnings.
    refund = debited("c-1", 800, WEEK.start + timedelta(days=1))
    assert payout_for(FULL, "USD", [refund], set(), WEEK) is None
    evened = [refund, released("o-1", 800, WEEK.start)]
    assert payout_for(FULL, "USD", evened, set(), WEEK) is None
    next_week = Cycle(start=WEEK.end, end=WEEK.end + timedelta(days=7))
    later = [*evened, released("o-2", 1000, next_week.start + timedelta(days=1))]
    payout = payout_for(FULL, "USD", later, set(), next_week)
    assert payout is not None
    assert payout.amount == usd(1000)
    assert len(payout.lines) == 3  # the carried lines are settled with it


def test_a_payout_settles_only_lines_of_its_cycle_not_settled_before() -> None:  # R-SET-4
    first = released("o-1", 1000, WEEK.start)
    earlier = payout_for(FULL, "USD", [first], set(), WEEK)
    assert earlier is not None
    next_week = Cycle(start=WEEK.end, end=WEEK.end + timedelta(days=7))
    late = released("o-2", 700, WEEK.end - timedelta(hours=1))  # dated in WEEK, told late
    after = released("o-3", 400, next_week.end)  # the cycle after
    entries = [first, earlier.entry(), late, after]
    payout = payout_for(FULL, "USD", entries, settled_by([earlier]), next_week)
    assert payout is not None
    assert [line.entry_id for line in payout.lines] == [late.entry_id]
    assert payout.payout_id != earlier.payout_id


def test_currencies_are_paid_apart() -> None:  # R-SET-4, R-SET-5
    dollars = released("o-1", 1000, WEEK.start)
    euros = Money(amount_minor=700, currency="EUR")
    in_euros = release("o-2", FULL, earning("o-2", FULL, euros, WEEK.start, POLICY), WEEK.start)
    payout = payout_for(FULL, "EUR", [dollars, in_euros], set(), WEEK)
    assert payout is not None
    assert (payout.amount, [line.entry_id for line in payout.lines]) == (euros, [in_euros.entry_id])
