"""Resolving a case (`CaseResolution.resolve`, R-AS-2) through `bootstrap(FakePorts(...))`:
what a refund and a rejection record, who bears a refund, refunds never above what the
buyer paid. Races and crashes between the two steps (`service_layer/resolution.py`) are in
test_resolution_races.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

import pytest

from aftersales.bootstrap import AftersalesServices, bootstrap
from aftersales.domain.errors import Conflict, Invalid, RefundRefused
from aftersales.domain.model import Case, Decision
from aftersales.service_layer.commands import OpenCase
from aftersales.service_layer.resolution import ResolveCase
from shared.app import Wiring
from shared.auth import Principal
from shared.clock import FixedClock
from shared.contract.events import RefundIssued
from shared.contract.types import ContractModel, Money
from shared.errors import NotFound
from shared.policy import Policy
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

DELIVERED_AT = T0 + timedelta(days=4)
OPENED_AT = DELIVERED_AT + timedelta(days=1)
#: The order's total: one line of the factories' default price.
TOTAL = usd(4990)


@dataclass
class App:
    ports: FakePorts
    wiring: Wiring
    clock: FixedClock

    @property
    def services(self) -> AftersalesServices:
        return cast(AftersalesServices, self.wiring.services)

    async def deliver(self, event: ContractModel, producer: str) -> None:
        await self.ports.deliver(self.wiring, event, producer=producer)

    async def open(self) -> Case:
        command = OpenCase(BUYER, ORDER, "damaged", "the lid is cracked", TOTAL)
        return await self.services.commands.open(command)

    async def resolve(
        self,
        case: Case,
        refund: Money | None,
        decision: Decision = "refund",
        note: str = "photos show the damage",
    ) -> Case:
        command = ResolveCase(case.id, "operator-1", decision, refund, note)
        return await self.services.resolution.resolve(command)

    async def refund_reservations(self) -> list[tuple[str, Money]]:
        order = await self.services.events.orders.get(ORDER)
        assert order is not None
        return [(r.case_id, r.amount) for r in order.refund_reservations]


async def an_open_case(
    *,
    approved_at: datetime | None = T0,
    store_type: str = "full_managed",
    policy: Policy | None = None,
) -> tuple[App, Case]:
    """A delivered order of a store approved at `approved_at` (None: aftersales has not
    heard of the approval), and a case on it opened at OPENED_AT."""
    clock = FixedClock(T0)
    ports = FakePorts("aftersales", clock=clock, policy=policy)
    app = App(ports, await bootstrap(ports), clock)
    if approved_at is not None:
        await app.deliver(a_store_approved(at=approved_at, store_type=store_type), "review")
    await app.deliver(an_order_confirmed(store_type=store_type), "orders")
    await app.deliver(a_shipped(at=T0 + timedelta(days=1)), "logistics")
    await app.deliver(a_delivered(at=DELIVERED_AT), "logistics")
    clock.set(OPENED_AT)
    return app, await app.open()


async def test_a_refund_is_recorded_and_refund_issued_published_once_r_as_2() -> None:
    app, case = await an_open_case()
    app.clock.advance(timedelta(hours=3))
    resolved = await app.resolve(case, usd(2500))
    stored = await app.services.commands.get_visible(case.id, _operator())
    assert stored.model_dump() == resolved.model_dump()
    assert (stored.status, stored.resolved_at, stored.liable_party) == (
        "refunded",
        app.clock.now(),
        "platform",
    )
    assert stored.resolution is not None
    assert (stored.resolution.decision, stored.resolution.refund) == ("refund", usd(2500))
    assert (stored.resolution.operator_id, stored.resolution.at) == ("operator-1", app.clock.now())
    assert stored.policy_snapshot == Policy().snapshot()  # R-REV-10: the values decided under
    assert stored.first_response_seconds == timedelta(hours=3).total_seconds()  # R-AS-3
    assert app.ports.published_of(RefundIssued) == [
        RefundIssued(
            case_id=case.id,
            order_id=ORDER,
            amount=usd(2500),
            liable_party="platform",
            issued_at=app.clock.now(),
        )
    ]
    assert await app.refund_reservations() == [(case.id, usd(2500))]


async def test_a_full_managed_store_within_its_exemption_period_costs_the_platform_r_as_2() -> None:
    app, case = await an_open_case(approved_at=OPENED_AT - timedelta(days=90, milliseconds=-1))
    resolved = await app.resolve(case, usd(100))
    assert resolved.liable_party == "platform"
    assert resolved.liability_rule is not None
    assert resolved.liability_rule.startswith("R-AS-2: full-managed, within the exemption")


async def test_a_full_managed_store_pays_from_the_end_of_its_exemption_period_r_as_2() -> None:
    """The period is [approved_at, approved_at + 90 days): a case opened at its end is the
    merchant's."""
    app, case = await an_open_case(approved_at=OPENED_AT - timedelta(days=90))
    resolved = await app.resolve(case, usd(100))
    assert resolved.liable_party == "merchant"
    assert [e.liable_party for e in app.ports.published_of(RefundIssued)] == ["merchant"]


async def test_liability_is_judged_when_the_case_was_opened_not_when_decided_r_as_2() -> None:
    app, case = await an_open_case(approved_at=OPENED_AT - timedelta(days=89))
    app.clock.advance(timedelta(days=30))  # decided long after the period ended
    assert (await app.resolve(case, usd(100))).liable_party == "platform"


async def test_the_exemption_period_is_read_from_the_policy_r_as_2() -> None:
    app, case = await an_open_case(policy=Policy(exemption_period_days=0))
    assert (await app.resolve(case, usd(100))).liable_party == "merchant"


async def test_a_semi_managed_store_always_bears_the_refund_r_as_2() -> None:
    app, case = await an_open_case(approved_at=OPENED_AT, store_type="semi_managed")
    resolved = await app.resolve(case, usd(100))
    assert (resolved.liable_party, resolved.liability_rule) == (
        "merchant",
        "R-AS-2: semi-managed store; the merchant bears after-sales refunds",
    )


async def test_a_full_managed_store_whose_approval_is_unknown_costs_the_platform_r_as_2() -> None:
    app, case = await an_open_case(approved_at=None)
    resolved = await app.resolve(case, usd(100))
    assert resolved.liable_party == "platform"
    assert resolved.liability_rule is not None
    assert "unknown approval date" in resolved.liability_rule


async def test_refunds_of_several_cases_add_up_to_the_total_to_the_minor_unit() -> None:
    app, first = await an_open_case()
    second, third, fourth = [await app.open() for _ in range(3)]
    for case, minor in ((first, 1663), (second, 1663), (third, 1664)):  # 4990 in all
        await app.resolve(case, usd(minor))
    with pytest.raises(RefundRefused, match="0 USD") as refused:
        await app.resolve(fourth, usd(1))
    assert refused.value.refundable_left == usd(0)
    assert [e.amount.amount_minor for e in app.ports.published_of(RefundIssued)] == [
        1663,
        1663,
        1664,
    ]
    still = await app.services.commands.get_visible(fourth.id, _operator())
    assert still.status == "open"


async def test_a_refund_above_what_is_left_is_refused_naming_what_is_left() -> None:
    app, first = await an_open_case()
    second = await app.open()
    await app.resolve(first, usd(3000))
    with pytest.raises(RefundRefused, match="above what is left") as refused:
        await app.resolve(second, usd(1991))
    assert refused.value.refundable_left == usd(1990)
    assert await app.refund_reservations() == [(first.id, usd(3000))]  # nothing held for it
    assert (await app.resolve(second, usd(1990))).status == "refunded"


@pytest.mark.parametrize(
    ("refund", "decision", "note", "message"),
    [
        (usd(4991), "refund", "", "above the order total"),
        (Money(amount_minor=100, currency="EUR"), "refund", "", "paid in USD"),
        (usd(0), "refund", "", "above zero"),
        (None, "refund", "", "above zero"),
        (usd(100), "reject", "no", "carries no refund"),
        (None, "reject", "  ", "needs a note"),
    ],
)
async def test_a_decision_of_the_wrong_shape_is_invalid_and_holds_nothing(
    refund: Money | None, decision: Decision, note: str, message: str
) -> None:
    app, case = await an_open_case()
    with pytest.raises(Invalid, match=message):
        await app.resolve(case, refund, decision, note)
    assert await app.refund_reservations() == []
    assert (await app.services.commands.get_visible(case.id, _operator())).status == "open"
    assert app.ports.published_of(RefundIssued) == []


async def test_a_rejection_records_the_note_and_refunds_nothing() -> None:
    app, case = await an_open_case()
    resolved = await app.resolve(case, None, "reject", "the photos show no damage")
    assert (resolved.status, resolved.liable_party, resolved.resolved_at) == (
        "rejected",
        None,
        OPENED_AT,
    )
    assert resolved.resolution is not None
    assert resolved.resolution.note == "the photos show no damage"
    assert app.ports.published_of(RefundIssued) == []
    assert await app.refund_reservations() == []


@pytest.mark.parametrize(
    ("decision", "refund", "status"),
    [("refund", usd(100), "refunded"), ("reject", None, "rejected")],
)
async def test_a_decided_case_cannot_be_resolved_again(
    decision: Decision, refund: Money | None, status: str
) -> None:
    app, case = await an_open_case()
    await app.resolve(case, refund, decision)
    with pytest.raises(Conflict, match=f"already {status}"):
        await app.resolve(case, usd(100))
    assert len(app.ports.published_of(RefundIssued)) == (decision == "refund")
    assert await app.refund_reservations() == ([(case.id, usd(100))] if refund else [])


async def test_an_unknown_case_is_404() -> None:
    app, _ = await an_open_case()
    with pytest.raises(NotFound):
        await app.services.resolution.resolve(
            ResolveCase("case-404", "operator-1", "reject", None, "no such case")
        )


async def test_the_parties_still_write_on_a_decided_case_r_as_3() -> None:
    app, case = await an_open_case()
    await app.resolve(case, usd(100))
    await app.services.commands.post_message(case.id, _buyer(), "Thanks")
    stored = await app.services.commands.get_visible(case.id, _buyer())
    assert (stored.status, [m.body for m in stored.messages]) == ("refunded", ["Thanks"])


def _operator() -> Principal:
    return Principal(sub="operator-1", role="operator")


def _buyer() -> Principal:
    return Principal(sub=BUYER, role="buyer")
