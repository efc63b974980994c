"""Who sees and writes on a case (`CaseCommands.get_visible`, `post_message`, `of_order`)
through `bootstrap(FakePorts(...))`: its buyer, its merchant and operators; anyone else
finds nothing (404). Messages and the first operator response (R-AS-3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import cast

import pytest

from aftersales.bootstrap import AftersalesServices, bootstrap
from aftersales.domain.errors import Invalid
from aftersales.domain.model import Case
from aftersales.domain.rules import Reason
from aftersales.service_layer.commands import OpenCase
from shared.app import Wiring
from shared.auth import Principal
from shared.clock import FixedClock
from shared.contract.types import Role
from shared.errors import NotFound
from shared.testing import FakePorts
from testkit.factories import (
    BUYER,
    MERCHANT,
    ORDER,
    T0,
    a_delivered,
    a_shipped,
    an_order_confirmed,
    usd,
)

DELIVERED_AT = T0 + timedelta(days=4)

BUYER_P = Principal(sub=BUYER, role="buyer")
MERCHANT_P = Principal(sub=MERCHANT, role="merchant")
OPERATOR_P = Principal(sub="operator-1", role="operator")


@dataclass
class App:
    ports: FakePorts
    wiring: Wiring
    clock: FixedClock

    @property
    def services(self) -> AftersalesServices:
        return cast(AftersalesServices, self.wiring.services)

    async def open(self, reason: Reason = "damaged") -> Case:
        command = OpenCase(BUYER, ORDER, reason, "the lid is cracked", usd(1000))
        return await self.services.commands.open(command)


async def a_delivered_order() -> App:
    """An order confirmed at T0, shipped a day later, delivered at DELIVERED_AT; now a
    day after delivery."""
    clock = FixedClock(T0)
    ports = FakePorts("aftersales", clock=clock)
    wiring = await bootstrap(ports)
    await ports.deliver(wiring, an_order_confirmed(), producer="orders")
    await ports.deliver(wiring, a_shipped(at=T0 + timedelta(days=1)), producer="logistics")
    await ports.deliver(wiring, a_delivered(at=DELIVERED_AT), producer="logistics")
    clock.set(DELIVERED_AT + timedelta(days=1))
    return App(ports, wiring, clock)


async def an_open_case() -> tuple[App, Case]:
    app = await a_delivered_order()
    return app, await app.open()


@pytest.mark.parametrize(
    ("sub", "role", "sees"),
    [
        (BUYER, "buyer", True),
        ("buyer-2", "buyer", False),
        (MERCHANT, "merchant", True),
        ("merchant-2", "merchant", False),
        ("operator-1", "operator", True),
    ],
)
async def test_a_case_is_seen_by_its_buyer_its_merchant_and_operators(
    sub: str, role: Role, sees: bool
) -> None:
    app, case = await an_open_case()
    principal = Principal(sub=sub, role=role)
    if sees:
        assert (await app.services.commands.get_visible(case.id, principal)).id == case.id
    else:
        with pytest.raises(NotFound):
            await app.services.commands.get_visible(case.id, principal)


async def test_an_unknown_case_is_404_even_for_an_operator() -> None:
    app, _ = await an_open_case()
    with pytest.raises(NotFound):
        await app.services.commands.get_visible("case-404", OPERATOR_P)


async def test_buyer_and_merchant_write_on_the_case_in_turn_r_as_3() -> None:
    app, case = await an_open_case()
    await app.services.commands.post_message(case.id, BUYER_P, "It arrived broken")
    app.clock.advance(timedelta(hours=1))
    await app.services.commands.post_message(case.id, MERCHANT_P, "Photo, please?")
    stored = await app.services.commands.get_visible(case.id, OPERATOR_P)
    assert [(m.author_role, m.author_id, m.body) for m in stored.messages] == [
        ("buyer", BUYER, "It arrived broken"),
        ("merchant", MERCHANT, "Photo, please?"),
    ]
    assert stored.messages[1].at == app.clock.now()
    assert stored.first_operator_response_at is None  # no operator has answered yet


async def test_an_operators_first_message_is_the_first_response_r_as_3() -> None:
    app, case = await an_open_case()
    app.clock.advance(timedelta(hours=2))
    await app.services.commands.post_message(case.id, OPERATOR_P, "Looking into it")
    app.clock.advance(timedelta(hours=5))
    await app.services.commands.post_message(case.id, OPERATOR_P, "Still on it")
    stored = await app.services.commands.get_visible(case.id, BUYER_P)
    assert stored.first_response_seconds == timedelta(hours=2).total_seconds()


async def test_an_empty_message_is_invalid_and_nothing_is_written() -> None:
    app, case = await an_open_case()
    with pytest.raises(Invalid, match="needs a body"):
        await app.services.commands.post_message(case.id, BUYER_P, "   ")
    assert (await app.services.commands.get_visible(case.id, BUYER_P)).version == case.version


async def test_another_buyer_cannot_write_on_the_case() -> None:
    app, case = await an_open_case()
    with pytest.raises(NotFound):
        await app.services.commands.post_message(case.id, Principal("buyer-2", "buyer"), "hi")
    assert (await app.services.commands.get_visible(case.id, BUYER_P)).messages == []


async def test_the_cases_of_an_order_oldest_first_for_each_party() -> None:
    app, first = await an_open_case()
    app.clock.advance(timedelta(hours=1))
    second = await app.open("not_as_described")
    for principal in (BUYER_P, MERCHANT_P, OPERATOR_P):
        cases = await app.services.commands.of_order(ORDER, principal)
        assert [case.id for case in cases] == [first.id, second.id]


@pytest.mark.parametrize(
    ("order_id", "principal"),
    [
        (ORDER, Principal("buyer-2", "buyer")),
        (ORDER, Principal("merchant-2", "merchant")),
        ("order-404", OPERATOR_P),
    ],
)
async def test_the_cases_of_an_order_not_yours_or_unknown_are_404(
    order_id: str, principal: Principal
) -> None:
    app, _ = await an_open_case()
    with pytest.raises(NotFound):
        await app.services.commands.of_order(order_id, principal)


async def test_an_order_without_cases_has_an_empty_list() -> None:
    app = await a_delivered_order()
    assert await app.services.commands.of_order(ORDER, BUYER_P) == []
