"""A resolution raced or cut short (`service_layer/resolution.py`, its design docstring)
through `bootstrap(FakePorts(...))`: two operators deciding one case, two cases refunding
one order, a crash between reserving the refund and resolving the case. Never a second
refund, never refunds above the total (R-AS-2).

A race is staged by letting the other operator's whole resolution run just before one of
this operator's writes (the repository's `save`, patched on the wired instance), which is
exactly when a versioned write finds it lost; a crash, by that write failing once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import pytest

from aftersales.bootstrap import AftersalesServices
from aftersales.domain.errors import Conflict, RefundRefused
from aftersales.domain.model import Case, Decision
from shared.contract.events import RefundIssued
from shared.contract.types import Money
from shared.repository import AggregateRepository
from shared.testing import Wired
from testkit.aftersales_unit import (
    TOTAL,
    an_open_case,
    open_a_case,
    refund_reservations,
    resolve,
)
from testkit.factories import AN_OPERATOR, usd


class Crash(Exception):
    """The process dying between two writes."""


async def status(wired: Wired[AftersalesServices], case: Case) -> str:
    return (await wired.services.commands.get_visible(case.id, AN_OPERATOR)).status


def before_next_save(
    monkeypatch: pytest.MonkeyPatch,
    repository: AggregateRepository[Any],
    meanwhile: Callable[[], Awaitable[object]],
) -> None:
    """Run `meanwhile` once, just before the next `save` of `repository` is written."""
    save = repository.save
    pending = [meanwhile]

    async def save_after_meanwhile(aggregate: Any, **kwargs: Any) -> None:
        if pending:
            await pending.pop()()
        await save(aggregate, **kwargs)

    monkeypatch.setattr(repository, "save", save_after_meanwhile)


def crash_next_save(monkeypatch: pytest.MonkeyPatch, repository: AggregateRepository[Any]) -> None:
    save = repository.save
    crashed: list[bool] = []

    async def save_or_crash(aggregate: Any, **kwargs: Any) -> None:
        if not crashed:
            crashed.append(True)
            raise Crash
        await save(aggregate, **kwargs)

    monkeypatch.setattr(repository, "save", save_or_crash)


async def crash_resolving(
    monkeypatch: pytest.MonkeyPatch,
    repository: AggregateRepository[Any],
    wired: Wired[AftersalesServices],
    case: Case,
    refund: Money | None,
    decision: Decision = "refund",
) -> None:
    """Resolve the case, the process dying at the resolution's next write to `repository`."""
    crash_next_save(monkeypatch, repository)
    with pytest.raises(Crash):
        await resolve(wired, case, refund, decision)


async def a_case_whose_refund_crashed(
    monkeypatch: pytest.MonkeyPatch, refund: Money = usd(4000)
) -> tuple[Wired[AftersalesServices], Case]:
    """An open case whose refund is held on the order (step 1), the process having died
    before the case was resolved (step 2)."""
    wired, case = await an_open_case()
    await crash_resolving(monkeypatch, wired.services.resolution.cases, wired, case, refund)
    return wired, case


async def test_two_operators_refunding_one_case_at_once_refund_it_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wired, case = await an_open_case()
    other = partial(resolve, wired, case, usd(2000), operator="operator-2")
    before_next_save(monkeypatch, wired.services.resolution.cases, other)
    with pytest.raises(Conflict, match="already refunded"):
        await resolve(wired, case, usd(2000))
    issued = wired.ports.published_of(RefundIssued)
    assert [(e.case_id, e.amount) for e in issued] == [(case.id, usd(2000))]
    stored = await wired.services.commands.get_visible(case.id, AN_OPERATOR)
    assert stored.resolution is not None
    assert stored.resolution.operator_id == "operator-2"
    assert await refund_reservations(wired) == [(case.id, usd(2000))]


async def test_a_rejection_winning_the_race_against_a_refund_leaves_nothing_held(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wired, case = await an_open_case()
    reject = partial(resolve, wired, case, None, "reject", operator="operator-2")
    before_next_save(monkeypatch, wired.services.resolution.cases, reject)
    with pytest.raises(Conflict, match="already rejected"):
        await resolve(wired, case, usd(2000))
    assert await status(wired, case) == "rejected"
    assert wired.ports.published_of(RefundIssued) == []
    assert await refund_reservations(wired) == []


async def test_two_cases_refunding_one_order_at_once_never_exceed_its_total(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wired, first = await an_open_case()
    second = await open_a_case(wired, refund=TOTAL)
    other = partial(resolve, wired, second, usd(3000), operator="operator-2")
    before_next_save(monkeypatch, wired.services.resolution.orders, other)  # step 1's write
    with pytest.raises(RefundRefused) as refused:
        await resolve(wired, first, usd(3000))
    assert refused.value.refundable_left == usd(1990)
    assert (await status(wired, first), await status(wired, second)) == ("open", "refunded")
    assert [e.case_id for e in wired.ports.published_of(RefundIssued)] == [second.id]
    assert await refund_reservations(wired) == [(second.id, usd(3000))]


async def test_a_crash_after_the_reservation_keeps_it_for_the_case(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wired, case = await a_case_whose_refund_crashed(monkeypatch)
    other = await open_a_case(wired, refund=TOTAL)
    assert await status(wired, case) == "open"
    assert await refund_reservations(wired) == [(case.id, usd(4000))]
    with pytest.raises(RefundRefused, match="above what is left") as refused:
        await resolve(wired, other, usd(1000))  # the held 4000 still counts
    assert refused.value.refundable_left == usd(990)
    assert wired.ports.published_of(RefundIssued) == []


async def test_resolving_again_with_the_same_refund_completes_it_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wired, case = await a_case_whose_refund_crashed(monkeypatch)
    assert (await resolve(wired, case, usd(4000))).status == "refunded"
    assert [e.amount for e in wired.ports.published_of(RefundIssued)] == [usd(4000)]
    assert await refund_reservations(wired) == [(case.id, usd(4000))]


async def test_resolving_again_with_another_amount_names_the_amount_held(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wired, case = await a_case_whose_refund_crashed(monkeypatch)
    with pytest.raises(RefundRefused, match="already holds a refund of 4000 USD"):
        await resolve(wired, case, usd(3000))
    assert await status(wired, case) == "open"
    assert await refund_reservations(wired) == [(case.id, usd(4000))]


async def test_rejecting_the_case_releases_what_the_crash_held(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wired, case = await a_case_whose_refund_crashed(monkeypatch)
    assert (await resolve(wired, case, None, "reject")).status == "rejected"
    assert await refund_reservations(wired) == []
    assert wired.ports.published_of(RefundIssued) == []


async def test_a_rejected_cases_leftover_reservation_gives_way_to_another_refund(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Crashes after reserving and again after rejecting, before the release: the hold
    of a rejected case is swept when it stands in the way of a refund on the order."""
    wired, rejected = await a_case_whose_refund_crashed(monkeypatch, usd(4990))
    orders = wired.services.resolution.orders
    await crash_resolving(monkeypatch, orders, wired, rejected, None, "reject")
    assert await status(wired, rejected) == "rejected"
    assert await refund_reservations(wired) == [(rejected.id, usd(4990))]
    case = await open_a_case(wired, refund=TOTAL)
    assert (await resolve(wired, case, usd(4990))).status == "refunded"
    assert await refund_reservations(wired) == [(case.id, usd(4990))]
    assert [e.case_id for e in wired.ports.published_of(RefundIssued)] == [case.id]
