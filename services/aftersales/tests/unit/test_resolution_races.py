"""A resolution raced or cut short (`service_layer/resolution.py`, its design docstring)
through `bootstrap(FakePorts(...))`: two operators deciding one case, two cases refunding
one order, a crash between reserving the refund and resolving the case. Never a second
refund, never refunds above the total (R-AS-2).

A race is staged by letting the other operator's whole resolution run just before one of
this operator's writes (the repository's `save`, patched on the wired instance), which is
exactly when a versioned write finds it lost; a crash, by that write failing once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any, cast

import pytest

from aftersales.bootstrap import AftersalesServices, bootstrap
from aftersales.domain.errors import Conflict, RefundRefused
from aftersales.domain.model import Case, Decision
from aftersales.service_layer.commands import OpenCase
from aftersales.service_layer.resolution import ResolveCase
from shared.app import Wiring
from shared.auth import Principal
from shared.clock import FixedClock
from shared.contract.events import RefundIssued
from shared.contract.types import Money
from shared.repository import AggregateRepository
from shared.testing import FakePorts
from testkit.factories import (
    BUYER,
    ORDER,
    T0,
    a_delivered,
    a_shipped,
    a_store_approved,
    an_order_confirmed,
    usd,
)

OPERATOR = Principal(sub="operator-1", role="operator")


class Crash(Exception):
    """The process dying between two writes."""


@dataclass
class App:
    ports: FakePorts
    wiring: Wiring

    @property
    def services(self) -> AftersalesServices:
        return cast(AftersalesServices, self.wiring.services)

    async def open(self) -> Case:
        command = OpenCase(BUYER, ORDER, "damaged", "the lid is cracked", usd(4990))
        return await self.services.commands.open(command)

    async def resolve(
        self, case: Case, refund: Money | None, decision: Decision = "refund", operator: int = 1
    ) -> Case:
        command = ResolveCase(case.id, f"operator-{operator}", decision, refund, "decided")
        return await self.services.resolution.resolve(command)

    async def status(self, case: Case) -> str:
        return (await self.services.commands.get_visible(case.id, OPERATOR)).status

    async def refund_reservations(self) -> list[tuple[str, Money]]:
        order = await self.services.events.orders.get(ORDER)
        assert order is not None
        return [(r.case_id, r.amount) for r in order.refund_reservations]


async def an_open_case() -> tuple[App, Case]:
    """A delivered order (total 4990 USD) and a case on it, a day after delivery."""
    clock = FixedClock(T0)
    ports = FakePorts("aftersales", clock=clock)
    wiring = await bootstrap(ports)
    await ports.deliver(wiring, a_store_approved(), producer="review")
    await ports.deliver(wiring, an_order_confirmed(), producer="orders")
    await ports.deliver(wiring, a_shipped(at=T0 + timedelta(days=1)), producer="logistics")
    await ports.deliver(wiring, a_delivered(at=T0 + timedelta(days=4)), producer="logistics")
    clock.set(T0 + timedelta(days=5))
    app = App(ports, wiring)
    return app, await app.open()


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


async def test_two_operators_refunding_one_case_at_once_refund_it_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, case = await an_open_case()
    other = partial(app.resolve, case, usd(2000), operator=2)
    before_next_save(monkeypatch, app.services.resolution.cases, other)
    with pytest.raises(Conflict, match="already refunded"):
        await app.resolve(case, usd(2000), operator=1)
    issued = app.ports.published_of(RefundIssued)
    assert [(e.case_id, e.amount) for e in issued] == [(case.id, usd(2000))]
    stored = await app.services.commands.get_visible(case.id, OPERATOR)
    assert stored.resolution is not None
    assert stored.resolution.operator_id == "operator-2"
    assert await app.refund_reservations() == [(case.id, usd(2000))]


async def test_a_rejection_winning_the_race_against_a_refund_leaves_nothing_held(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, case = await an_open_case()
    reject = partial(app.resolve, case, None, "reject", operator=2)
    before_next_save(monkeypatch, app.services.resolution.cases, reject)
    with pytest.raises(Conflict, match="already rejected"):
        await app.resolve(case, usd(2000), operator=1)
    assert await app.status(case) == "rejected"
    assert app.ports.published_of(RefundIssued) == []
    assert await app.refund_reservations() == []


async def test_two_cases_refunding_one_order_at_once_never_exceed_its_total(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, first = await an_open_case()
    second = await app.open()
    other = partial(app.resolve, second, usd(3000), operator=2)
    before_next_save(monkeypatch, app.services.resolution.orders, other)  # step 1's write
    with pytest.raises(RefundRefused) as refused:
        await app.resolve(first, usd(3000), operator=1)
    assert refused.value.refundable_left == usd(1990)
    assert (await app.status(first), await app.status(second)) == ("open", "refunded")
    assert [e.case_id for e in app.ports.published_of(RefundIssued)] == [second.id]
    assert await app.refund_reservations() == [(second.id, usd(3000))]


async def test_a_crash_after_the_reservation_keeps_it_for_the_case(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, case = await an_open_case()
    other = await app.open()
    crash_next_save(monkeypatch, app.services.resolution.cases)
    with pytest.raises(Crash):
        await app.resolve(case, usd(4000))
    assert await app.status(case) == "open"
    assert await app.refund_reservations() == [(case.id, usd(4000))]
    with pytest.raises(RefundRefused, match="above what is left") as refused:
        await app.resolve(other, usd(1000))  # the held 4000 still counts
    assert refused.value.refundable_left == usd(990)
    assert app.ports.published_of(RefundIssued) == []


async def test_resolving_again_with_the_same_refund_completes_it_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, case = await an_open_case()
    crash_next_save(monkeypatch, app.services.resolution.cases)
    with pytest.raises(Crash):
        await app.resolve(case, usd(4000))
    assert (await app.resolve(case, usd(4000))).status == "refunded"
    assert [e.amount for e in app.ports.published_of(RefundIssued)] == [usd(4000)]
    assert await app.refund_reservations() == [(case.id, usd(4000))]


async def test_resolving_again_with_another_amount_names_the_amount_held(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, case = await an_open_case()
    crash_next_save(monkeypatch, app.services.resolution.cases)
    with pytest.raises(Crash):
        await app.resolve(case, usd(4000))
    with pytest.raises(RefundRefused, match="already holds a refund of 4000 USD"):
        await app.resolve(case, usd(3000))
    assert await app.status(case) == "open"
    assert await app.refund_reservations() == [(case.id, usd(4000))]


async def test_rejecting_the_case_releases_what_the_crash_held(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, case = await an_open_case()
    crash_next_save(monkeypatch, app.services.resolution.cases)
    with pytest.raises(Crash):
        await app.resolve(case, usd(4000))
    assert (await app.resolve(case, None, "reject")).status == "rejected"
    assert await app.refund_reservations() == []
    assert app.ports.published_of(RefundIssued) == []


async def test_a_rejected_cases_leftover_reservation_gives_way_to_another_refund(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Crashes after reserving and again after rejecting, before the release: the hold
    of a rejected case is swept when it stands in the way of a refund on the order."""
    app, rejected = await an_open_case()
    crash_next_save(monkeypatch, app.services.resolution.cases)
    with pytest.raises(Crash):
        await app.resolve(rejected, usd(4990))
    crash_next_save(monkeypatch, app.services.resolution.orders)
    with pytest.raises(Crash):
        await app.resolve(rejected, None, "reject")
    assert await app.status(rejected) == "rejected"
    assert await app.refund_reservations() == [(rejected.id, usd(4990))]
    case = await app.open()
    assert (await app.resolve(case, usd(4990))).status == "refunded"
    assert await app.refund_reservations() == [(case.id, usd(4990))]
    assert [e.case_id for e in app.ports.published_of(RefundIssued)] == [case.id]
