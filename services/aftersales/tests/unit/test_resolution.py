"""Resolving a case (`CaseResolution.resolve`, R-AS-2) through `bootstrap(FakePorts(...))`:
what a refund and a rejection record, who bears a refund, refunds never above what the
buyer paid. Races and crashes between the two steps (`service_layer/resolution.py`) are in
test_resolution_races.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.domain.errors import Conflict, Invalid, RefundRefused
from aftersales.domain.model import Decision
from aftersales.service_layer.resolution import ResolveCase
from shared.contract.events import AfterSalesCaseRejected, RefundIssued
from shared.contract.types import Money
from shared.errors import NotFound
from shared.policy import Policy
from testkit.aftersales_unit import (
    OPENED_AT,
    TOTAL,
    an_open_case,
    open_a_case,
    refund_reservations,
    resolve,
)
from testkit.factories import AN_OPERATOR, ORDER, T0, THE_BUYER, usd


async def test_a_refund_is_recorded_and_refund_issued_published_once_r_as_2() -> None:
    wired, case = await an_open_case()
    wired.clock.advance(timedelta(hours=3))
    resolved = await resolve(wired, case, usd(2500))
    stored = await wired.services.commands.get_visible(case.id, AN_OPERATOR)
    assert stored.model_dump() == resolved.model_dump()
    assert (stored.status, stored.resolved_at, stored.liable_party) == (
        "refunded",
        wired.clock.now(),
        "platform",
    )
    assert stored.resolution is not None
    assert (stored.resolution.decision, stored.resolution.refund) == ("refund", usd(2500))
    assert (stored.resolution.operator_id, stored.resolution.at) == (
        "operator-1",
        wired.clock.now(),
    )
    assert stored.policy_snapshot == Policy().snapshot()  # R-REV-10: the values decided under
    assert stored.first_response_seconds == timedelta(hours=3).total_seconds()  # R-AS-3
    assert wired.ports.published_of(RefundIssued) == [
        RefundIssued(
            case_id=case.id,
            order_id=ORDER,
            amount=usd(2500),
            liable_party="platform",
            issued_at=wired.clock.now(),
        )
    ]
    assert await refund_reservations(wired) == [(case.id, usd(2500))]


async def test_a_full_managed_store_within_its_exemption_period_costs_the_platform_r_as_2() -> None:
    wired, case = await an_open_case(approved_at=OPENED_AT - timedelta(days=90, milliseconds=-1))
    resolved = await resolve(wired, case, usd(100))
    assert resolved.liable_party == "platform"
    assert resolved.liability_rule is not None
    assert resolved.liability_rule.startswith("R-AS-2: full-managed, within the exemption")


async def test_a_full_managed_store_pays_from_the_end_of_its_exemption_period_r_as_2() -> None:
    """The period is [approved_at, approved_at + 90 days): a case opened at its end is the
    merchant's."""
    wired, case = await an_open_case(approved_at=OPENED_AT - timedelta(days=90))
    resolved = await resolve(wired, case, usd(100))
    assert resolved.liable_party == "merchant"
    assert [e.liable_party for e in wired.ports.published_of(RefundIssued)] == ["merchant"]


async def test_liability_is_judged_when_the_case_was_opened_not_when_decided_r_as_2() -> None:
    wired, case = await an_open_case(approved_at=OPENED_AT - timedelta(days=89))
    wired.clock.advance(timedelta(days=30))  # decided long after the period ended
    assert (await resolve(wired, case, usd(100))).liable_party == "platform"


async def test_the_exemption_period_is_read_from_the_policy_r_as_2() -> None:
    wired, case = await an_open_case(policy=Policy(exemption_period_days=0))
    assert (await resolve(wired, case, usd(100))).liable_party == "merchant"


async def test_a_semi_managed_store_always_bears_the_refund_r_as_2() -> None:
    wired, case = await an_open_case(approved_at=T0, store_type="semi_managed")
    resolved = await resolve(wired, case, usd(100))
    assert (resolved.liable_party, resolved.liability_rule) == (
        "merchant",
        "R-AS-2: semi-managed store; the merchant bears after-sales refunds",
    )


async def test_a_full_managed_store_whose_approval_is_unknown_costs_the_platform_r_as_2() -> None:
    wired, case = await an_open_case(approved_at=None)
    resolved = await resolve(wired, case, usd(100))
    assert resolved.liable_party == "platform"
    assert resolved.liability_rule is not None
    assert "unknown approval date" in resolved.liability_rule


async def test_refunds_of_several_cases_add_up_to_the_total_to_the_minor_unit() -> None:
    wired, first = await an_open_case()
    second, third, fourth = [await open_a_case(wired, refund=TOTAL) for _ in range(3)]
    for case, minor in ((first, 1663), (second, 1663), (third, 1664)):  # 4990 in all
        await resolve(wired, case, usd(minor))
    with pytest.raises(RefundRefused, match="0 USD") as refused:
        await resolve(wired, fourth, usd(1))
    assert refused.value.refundable_left == usd(0)
    assert [e.amount.amount_minor for e in wired.ports.published_of(RefundIssued)] == [
        1663,
        1663,
        1664,
    ]
    still = await wired.services.commands.get_visible(fourth.id, AN_OPERATOR)
    assert still.status == "open"


async def test_a_refund_above_what_is_left_is_refused_naming_what_is_left() -> None:
    wired, first = await an_open_case()
    second = await open_a_case(wired, refund=TOTAL)
    await resolve(wired, first, usd(3000))
    with pytest.raises(RefundRefused, match="above what is left") as refused:
        await resolve(wired, second, usd(1991))
    assert refused.value.refundable_left == usd(1990)
    assert await refund_reservations(wired) == [(first.id, usd(3000))]  # nothing held for it
    assert (await resolve(wired, second, usd(1990))).status == "refunded"


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
    wired, case = await an_open_case()
    with pytest.raises(Invalid, match=message):
        await resolve(wired, case, refund, decision, note)
    assert await refund_reservations(wired) == []
    assert (await wired.services.commands.get_visible(case.id, AN_OPERATOR)).status == "open"
    assert wired.ports.published_of(RefundIssued) == []


async def test_a_rejection_records_the_note_and_refunds_nothing() -> None:
    wired, case = await an_open_case()
    resolved = await resolve(wired, case, None, "reject", "the photos show no damage")
    assert (resolved.status, resolved.liable_party, resolved.resolved_at) == (
        "rejected",
        None,
        OPENED_AT,
    )
    assert resolved.resolution is not None
    assert resolved.resolution.note == "the photos show no damage"
    assert wired.ports.published_of(RefundIssued) == []
    assert await refund_reservations(wired) == []
    # R-ORD-5: the order's process no longer waits on the case.
    assert wired.ports.published_of(AfterSalesCaseRejected) == [
        AfterSalesCaseRejected(
            case_id=case.id,
            order_id=case.order_id,
            note="the photos show no damage",
            rejected_at=OPENED_AT,
        )
    ]


@pytest.mark.parametrize(
    ("decision", "refund", "status"),
    [("refund", usd(100), "refunded"), ("reject", None, "rejected")],
)
async def test_a_decided_case_cannot_be_resolved_again(
    decision: Decision, refund: Money | None, status: str
) -> None:
    wired, case = await an_open_case()
    await resolve(wired, case, refund, decision)
    with pytest.raises(Conflict, match=f"already {status}"):
        await resolve(wired, case, usd(100))
    assert len(wired.ports.published_of(RefundIssued)) == (decision == "refund")
    assert await refund_reservations(wired) == ([(case.id, usd(100))] if refund else [])


async def test_an_unknown_case_is_404() -> None:
    wired, _ = await an_open_case()
    with pytest.raises(NotFound):
        await wired.services.resolution.resolve(
            ResolveCase("case-404", "operator-1", "reject", None, "no such case")
        )


async def test_the_parties_still_write_on_a_decided_case_r_as_3() -> None:
    wired, case = await an_open_case()
    await resolve(wired, case, usd(100))
    await wired.services.commands.post_message(case.id, THE_BUYER, "Thanks")
    stored = await wired.services.commands.get_visible(case.id, THE_BUYER)
    assert (stored.status, [m.body for m in stored.messages]) == ("refunded", ["Thanks"])
