"""Payout cycles and payouts (R-SET-4, R-FEE-2). Pure: the time and policy passed in.

**Cycles.** A store's cycle lasts `PAYOUT_CYCLE_DAYS_FULL_MANAGED` or
`PAYOUT_CYCLE_DAYS_SEMI_MANAGED` whole days by its type, aligned to one fixed epoch,
`CYCLE_EPOCH`, Monday 5 January 2026 00:00 UTC: cycle n is [epoch + n·days,
epoch + (n+1)·days), half-open, for every n (before the epoch too). Every process cuts the
same cycles without asking another; weekly cycles run Monday to Monday (UTC), and 7- and
14-day cycles end together every other week. The epoch is the calendar's anchor, not a
rule's number, so not a policy value (R-POL-1). A policy change of the days re-cuts the
cycles from the epoch at once; no line is paid twice or skipped, since a payout settles
only lines no earlier payout settled.

**Payouts.** Once a cycle has ended, each of a store's currencies gets at most one
payout: the store's `payable` lines dated before the cycle's end that no earlier payout
settled (releases, merchant-borne refunds, corrections) are summed; a positive sum is
paid out (`payable` -amount, `platform:payouts` +amount, dated the cycle's end) with the
lines it settles listed; a sum of zero or less makes no payout, its lines left unsettled,
carried to the next cycle and set against its earnings (R-SET-3). The payout's id derives
from the store, the currency and the cycle's start, so however many processes compute it
there is one; once issued it never changes: a line posted after it (an event told late),
even dated in its cycle, is settled by the next one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime, timedelta

from settlement.domain.ledger import (
    PLATFORM_PAYOUTS,
    Entry,
    Line,
    Store,
    Value,
    derived_id,
    entry_id,
    payable,
)
from shared.contract.events import PayoutIssued, PayoutLine
from shared.contract.types import Money, StoreType, UtcDateTime
from shared.policy import Policy

#: Where every payout cycle is counted from: a Monday, 00:00 UTC.
CYCLE_EPOCH = datetime(2026, 1, 5, tzinfo=UTC)


class Cycle(Value):
    """A payout cycle, [start, end)."""

    start: UtcDateTime
    end: UtcDateTime


def cycle_days(store_type: StoreType, policy: Policy) -> int:
    """R-SET-4, R-FEE-2: full-managed stores are paid on the shorter cycle."""
    if store_type == "full_managed":
        return policy.payout_cycle_days_full_managed
    return policy.payout_cycle_days_semi_managed


def cycle_of(store_type: StoreType, moment: datetime, policy: Policy) -> Cycle:
    """The cycle of a store of `store_type` that `moment` falls in."""
    span = timedelta(days=cycle_days(store_type, policy))
    start = CYCLE_EPOCH + span * ((moment - CYCLE_EPOCH) // span)
    return Cycle(start=start, end=start + span)


def last_ended(store_type: StoreType, now: datetime, policy: Policy) -> Cycle:
    """The latest cycle ended by `now`: the one its payouts are due for."""
    current = cycle_of(store_type, now, policy)
    span = current.end - current.start
    return Cycle(start=current.start - span, end=current.start)


class Payout(PayoutIssued):
    """A payout as the ledger and its event state it: the contract's `PayoutIssued` (its
    lines are the contract's `PayoutLine`s), and the entry it posts."""

    def issued(self) -> PayoutIssued:
        """The event that tells it (`PayoutIssued` by its type's name)."""
        return PayoutIssued.model_validate(self.model_dump())

    def entry(self) -> Entry:
        """The payout in the ledger: the payable balance settled, paid out."""
        lines = (
            Line(
                account=payable(self.store_id),
                currency=self.currency,
                amount_minor=-self.amount.amount_minor,
            ),
            Line(
                account=PLATFORM_PAYOUTS,
                currency=self.currency,
                amount_minor=self.amount.amount_minor,
            ),
        )
        return Entry(
            entry_id=entry_id("payout", self.payout_id),
            kind="payout",
            at=self.period_end,
            lines=lines,
            payout_id=self.payout_id,
            store_id=self.store_id,
            merchant_id=self.merchant_id,
            memo=f"payout of {len(self.lines)} lines, cycle from {self.period_start:%Y-%m-%d}",
        )


def payout_id(store_id: str, currency: str, cycle: Cycle) -> str:
    """One id per store, currency and cycle, whichever process computes it."""
    return derived_id("payout_id", store_id, currency, cycle.start.isoformat())


def settled_by(payouts: Iterable[Payout]) -> set[str]:
    """The entries these payouts settled."""
    return {line.entry_id for payout in payouts for line in payout.lines}


def payout_for(
    store: Store,
    currency: str,
    entries: Iterable[Entry],
    settled: Collection[str],
    cycle: Cycle,
) -> Payout | None:
    """R-SET-4: the payout of `store` in `currency` for the ended `cycle`, from the store's
    `entries` (`settled`: those earlier payouts settled), or None when the lines to
    settle sum to zero or less (R-SET-3: carried forward, never paid)."""
    account = payable(store.store_id)
    lines = [
        PayoutLine(
            entry_id=entry.entry_id,
            kind=entry.kind,
            at=entry.at,
            order_id=entry.order_id,
            case_id=entry.case_id,
            amount_minor=entry.amount_in(account),
        )
        for entry in entries
        if entry.kind != "payout"
        and entry.entry_id not in settled
        and entry.at < cycle.end
        and any(line.account == account and line.currency == currency for line in entry.lines)
    ]
    amount = sum(line.amount_minor for line in lines)
    if amount <= 0:
        return None
    return Payout(
        payout_id=payout_id(store.store_id, currency, cycle),
        merchant_id=store.merchant_id,
        store_id=store.store_id,
        currency=currency,
        amount=Money(amount_minor=amount, currency=currency),
        period_start=cycle.start,
        period_end=cycle.end,
        lines=tuple(sorted(lines, key=lambda line: (line.at, line.entry_id))),
    )
