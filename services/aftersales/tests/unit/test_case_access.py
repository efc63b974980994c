"""Who sees and writes on a case (`CaseCommands.get_visible`, `post_message`, `of_order`)
through `bootstrap(FakePorts(...))`: its buyer, its merchant and operators; anyone else
finds nothing (404). Messages and the first operator response (R-AS-3)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.domain.errors import Invalid
from shared.auth import Principal
from shared.contract.events import AfterSalesCaseAnswered
from shared.errors import NotFound
from testkit.aftersales_unit import a_delivered_order, an_open_case, open_a_case
from testkit.factories import (
    AN_OPERATOR,
    ANOTHER_BUYER,
    ANOTHER_MERCHANT,
    BUYER,
    MERCHANT,
    ORDER,
    THE_BUYER,
    THE_MERCHANT,
)


@pytest.mark.parametrize(
    ("principal", "sees"),
    [
        (THE_BUYER, True),
        (ANOTHER_BUYER, False),
        (THE_MERCHANT, True),
        (ANOTHER_MERCHANT, False),
        (AN_OPERATOR, True),
    ],
    ids=["its buyer", "another buyer", "its merchant", "another merchant", "an operator"],
)
async def test_a_case_is_seen_by_its_buyer_its_merchant_and_operators(
    principal: Principal, sees: bool
) -> None:
    wired, case = await an_open_case()
    if sees:
        assert (await wired.services.commands.get_visible(case.id, principal)).id == case.id
    else:
        with pytest.raises(NotFound):
            await wired.services.commands.get_visible(case.id, principal)


async def test_an_unknown_case_is_404_even_for_an_operator() -> None:
    wired, _ = await an_open_case()
    with pytest.raises(NotFound):
        await wired.services.commands.get_visible("case-404", AN_OPERATOR)


async def test_buyer_and_merchant_write_on_the_case_in_turn_r_as_3() -> None:
    wired, case = await an_open_case()
    await wired.services.commands.post_message(case.id, THE_BUYER, "It arrived broken")
    wired.clock.advance(timedelta(hours=1))
    await wired.services.commands.post_message(case.id, THE_MERCHANT, "Photo, please?")
    stored = await wired.services.commands.get_visible(case.id, AN_OPERATOR)
    assert [(m.author_role, m.author_id, m.body) for m in stored.messages] == [
        ("buyer", BUYER, "It arrived broken"),
        ("merchant", MERCHANT, "Photo, please?"),
    ]
    assert stored.messages[1].at == wired.clock.now()
    assert stored.first_operator_response_at is None  # no operator has answered yet


async def test_an_operators_first_message_is_the_first_response_r_as_3() -> None:
    wired, case = await an_open_case()
    wired.clock.advance(timedelta(hours=2))
    await wired.services.commands.post_message(case.id, AN_OPERATOR, "Looking into it")
    wired.clock.advance(timedelta(hours=5))
    await wired.services.commands.post_message(case.id, AN_OPERATOR, "Still on it")
    stored = await wired.services.commands.get_visible(case.id, THE_BUYER)
    assert stored.first_response_seconds == timedelta(hours=2).total_seconds()


async def test_the_merchants_first_answer_is_told_once_to_the_scorecard() -> None:  # R-SC-1
    wired, case = await an_open_case()
    wired.clock.advance(timedelta(hours=3))
    answered_at = wired.clock.now()
    await wired.services.commands.post_message(case.id, AN_OPERATOR, "Looking into it")
    await wired.services.commands.post_message(case.id, THE_MERCHANT, "Sorry: refund coming")
    wired.clock.advance(timedelta(hours=1))
    await wired.services.commands.post_message(case.id, THE_MERCHANT, "Anything else?")
    [told] = wired.ports.published_of(AfterSalesCaseAnswered)
    assert (told.case_id, told.order_id, told.opened_at, told.answered_at) == (
        case.id,
        ORDER,
        case.opened_at,
        answered_at,
    )
    stored = await wired.services.commands.get_visible(case.id, THE_MERCHANT)
    assert stored.first_merchant_response_at == answered_at


async def test_an_empty_message_is_invalid_and_nothing_is_written() -> None:
    wired, case = await an_open_case()
    with pytest.raises(Invalid, match="needs a body"):
        await wired.services.commands.post_message(case.id, THE_BUYER, "   ")
    assert (await wired.services.commands.get_visible(case.id, THE_BUYER)).version == case.version


async def test_another_buyer_cannot_write_on_the_case() -> None:
    wired, case = await an_open_case()
    with pytest.raises(NotFound):
        await wired.services.commands.post_message(case.id, ANOTHER_BUYER, "hi")
    assert (await wired.services.commands.get_visible(case.id, THE_BUYER)).messages == []


async def test_the_cases_of_an_order_oldest_first_for_each_party() -> None:
    wired, first = await an_open_case()
    wired.clock.advance(timedelta(hours=1))
    second = await open_a_case(wired, "not_as_described")
    for principal in (THE_BUYER, THE_MERCHANT, AN_OPERATOR):
        cases = await wired.services.commands.of_order(ORDER, principal)
        assert [case.id for case in cases] == [first.id, second.id]


@pytest.mark.parametrize(
    ("order_id", "principal"),
    [
        (ORDER, ANOTHER_BUYER),
        (ORDER, ANOTHER_MERCHANT),
        ("order-404", AN_OPERATOR),
    ],
)
async def test_the_cases_of_an_order_not_yours_or_unknown_are_404(
    order_id: str, principal: Principal
) -> None:
    wired, _ = await an_open_case()
    with pytest.raises(NotFound):
        await wired.services.commands.of_order(order_id, principal)


async def test_an_order_without_cases_has_an_empty_list() -> None:
    wired = await a_delivered_order()
    assert await wired.services.commands.of_order(ORDER, THE_BUYER) == []
