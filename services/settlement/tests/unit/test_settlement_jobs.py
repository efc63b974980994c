"""Settlement's periodic jobs through its bootstrap: releases due (R-SET-2) and payouts
at each cycle's end (R-SET-4), once whatever the number of passes or processes, none of a
balance of zero or less (R-SET-3)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from settlement.adapters.entries import from_document
from settlement.bootstrap import SettlementServices, bootstrap
from settlement.domain.ledger import PLATFORM_PAYOUTS, Journal, payable
from settlement.domain.payouts import last_ended, payout_id
from shared.clock import FixedClock
from shared.testing import FakePorts, Wired
from testkit.factories import STORE, a_case_opened, a_refund_issued, usd
from testkit.settlement_unit import (
    AFTER_ALL,
    CLOSES_AT,
    POLICY,
    TOTAL,
    a_settlement_service,
    deliver_an_order,
)


async def usd_balance(wired: Wired[SettlementServices], account: str) -> int:
    entries = wired.ports.db["entries"].find()
    found = Journal(from_document(document) for document in await entries.to_list())
    return found.balances().get(account, {}).get("USD", 0)


async def released(wired: Wired[SettlementServices]) -> None:
    """The order delivered and its window closed: its earning payable (R-SET-2)."""
    await deliver_an_order(wired)
    wired.clock.set(AFTER_ALL)
    await wired.run("releases")


async def test_a_positive_payable_balance_is_paid_once_at_its_cycles_end() -> None:
    """R-SET-4: one payout per store, currency and cycle, however often the job runs."""
    wired = await a_settlement_service()
    await released(wired)
    made = await wired.services.jobs.pay_out()
    await wired.run("payouts")
    assert [payout.amount for payout in made] == [usd(TOTAL)]
    cycle = last_ended("full_managed", AFTER_ALL, POLICY)
    assert made[0].payout_id == payout_id(STORE, "USD", cycle)
    assert await usd_balance(wired, payable(STORE)) == 0
    assert await usd_balance(wired, PLATFORM_PAYOUTS) == TOTAL
    assert await wired.ports.db["payouts"].count_documents({}) == 1


async def test_two_processes_make_one_payout() -> None:
    """R-SET-4: the payout's id derives from its store, currency and cycle."""
    first = await a_settlement_service()
    await released(first)
    ports = FakePorts("settlement", clock=FixedClock(AFTER_ALL), database=first.ports.db)
    second: Wired[SettlementServices] = await Wired.up(bootstrap, ports)
    made = await second.services.jobs.pay_out() + await first.services.jobs.pay_out()
    assert len(made) == 1
    assert await usd_balance(first, PLATFORM_PAYOUTS) == TOTAL


async def test_nothing_is_paid_before_the_cycle_ends() -> None:
    """R-SET-4: lines dated in a cycle not yet ended wait for its end."""
    wired = await a_settlement_service()
    await released(wired)
    wired.clock.set(CLOSES_AT + timedelta(minutes=10))
    assert await wired.services.jobs.pay_out() == []


async def test_a_balance_of_zero_or_less_is_not_paid_and_is_carried() -> None:
    """R-SET-3: a refund the merchant bears after the release leaves nothing to pay; a
    negative balance is never paid out."""
    wired = await a_settlement_service()
    await released(wired)
    refunded_at = last_ended("full_managed", AFTER_ALL, POLICY).end - timedelta(hours=1)
    assert refunded_at > CLOSES_AT  # the release and the refund in the same cycle
    await wired.deliver(a_case_opened(at=refunded_at))
    await wired.deliver(a_refund_issued(at=refunded_at, liable_party="merchant"))
    assert await wired.services.jobs.pay_out() == []
    wired.clock.set(AFTER_ALL + timedelta(days=30))
    assert await wired.services.jobs.pay_out() == []
    assert await usd_balance(wired, payable(STORE)) == 0


async def test_a_refund_after_the_payout_is_carried_negative() -> None:
    """R-SET-3: debited whether or not the earning was paid; never paid out."""
    wired = await a_settlement_service()
    await released(wired)
    await wired.services.jobs.pay_out()
    await wired.deliver(a_case_opened(at=AFTER_ALL))
    await wired.deliver(a_refund_issued(at=AFTER_ALL, amount=usd(1000)))
    wired.clock.set(AFTER_ALL + timedelta(days=30))
    assert await wired.services.jobs.pay_out() == []
    assert await usd_balance(wired, payable(STORE)) == -1000


async def test_a_payout_cut_short_is_completed_as_stored(monkeypatch: pytest.MonkeyPatch) -> None:
    """R-SET-4: a crash after the payout was stored leaves it pending; the next pass
    settles its lines and posts its entry, once."""
    wired = await a_settlement_service()
    await released(wired)
    entries = wired.services.jobs.entries
    original = entries.post

    async def crash(*args: Any, **kwargs: Any) -> bool:
        monkeypatch.setattr(entries, "post", original)
        raise RuntimeError("crashed before the payout's entry")

    monkeypatch.setattr(entries, "post", crash)
    with pytest.raises(RuntimeError):
        await wired.run("payouts")
    stored = await wired.ports.db["payouts"].find_one({})
    assert stored is not None
    assert stored["state"] == "pending"
    await wired.run("payouts")
    await wired.run("payouts")
    assert await usd_balance(wired, PLATFORM_PAYOUTS) == TOTAL
    stored = await wired.ports.db["payouts"].find_one({})
    assert stored is not None
    assert stored["state"] == "done"
