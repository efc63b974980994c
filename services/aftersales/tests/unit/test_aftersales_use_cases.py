"""The case use cases (`CaseCommands`) through `bootstrap(FakePorts(...))`: opening a case
in its window (R-AS-1), who sees a case, messages on it (R-AS-3), an order's cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

import pytest

from aftersales.bootstrap import AftersalesServices, bootstrap
from aftersales.domain.errors import Invalid, OutsideWindow
from aftersales.domain.model import Case
from aftersales.domain.rules import Reason
from aftersales.service_layer.commands import OpenCase
from shared.app import Wiring
from shared.auth import Principal
from shared.clock import FixedClock
from shared.contract.events import AfterSalesCaseOpened, OrderLine
from shared.contract.types import ContractModel, Money
from shared.errors import NotFound
from shared.policy import Policy
from shared.testing import FakePorts
from testkit.factories import (
    BUYER,
    MERCHANT,
    ORDER,
    T0,
    a_day,
    a_delivered,
    a_line,
    a_shipment_exception,
    a_shipped,
    an_order_confirmed,
    usd,
)

SHIPPED_AT = T0 + timedelta(days=1)  # due at the latest on a_day(10)
DELIVERED_AT = T0 + timedelta(days=4)
#: The first moment a parcel shipped at SHIPPED_AT is overdue: the day after the latest date.
OVERDUE_AT = datetime.combine(a_day(11), datetime.min.time(), tzinfo=UTC)

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

    async def deliver(self, event: ContractModel, producer: str = "logistics") -> None:
        await self.ports.deliver(self.wiring, event, producer=producer)

    async def open(self, reason: Reason = "damaged", refund: Money | None = None) -> Case:
        command = OpenCase(BUYER, ORDER, reason, "the lid is cracked", refund or usd(1000))
        return await self.services.commands.open(command)


async def aftersales(policy: Policy | None = None) -> App:
    clock = FixedClock(T0)
    ports = FakePorts("aftersales", clock=clock, policy=policy)
    return App(ports, await bootstrap(ports), clock)


async def a_delivered_order(
    lines: list[OrderLine] | None = None, policy: Policy | None = None
) -> App:
    """An order confirmed at T0, shipped a day later and delivered at DELIVERED_AT."""
    app = await aftersales(policy)
    await app.deliver(an_order_confirmed(lines=lines), producer="orders")
    await app.deliver(a_shipped(at=SHIPPED_AT))
    await app.deliver(a_delivered(at=DELIVERED_AT))
    return app


async def test_a_buyer_opens_a_case_and_aftersales_case_opened_is_published_r_as_1() -> None:
    app = await a_delivered_order()
    app.clock.set(DELIVERED_AT + timedelta(days=1))
    case = await app.open("damaged", usd(1500))
    stored = await app.services.commands.get_visible(case.id, BUYER_P)
    assert (stored.status, stored.order_id, stored.buyer_id, stored.merchant_id) == (
        "open",
        ORDER,
        BUYER,
        MERCHANT,
    )
    assert (stored.refund_requested, stored.opened_at) == (usd(1500), app.clock.now())
    assert app.ports.published_of(AfterSalesCaseOpened) == [
        AfterSalesCaseOpened(
            case_id=case.id, order_id=ORDER, reason="damaged", opened_at=app.clock.now()
        )
    ]
    assert [(e.producer, e.correlation_id) for e in app.ports.published] == [("aftersales", ORDER)]


@pytest.mark.parametrize(
    ("category", "days"), [("food", 7), ("cosmetics", 7), ("clothing", 10), ("home", 15)]
)
async def test_a_received_goods_case_opens_within_the_window_of_its_category_r_as_1(
    category: str, days: int
) -> None:
    app = await a_delivered_order([a_line(category=category)])
    app.clock.set(DELIVERED_AT + timedelta(days=days) - timedelta(milliseconds=1))
    assert (await app.open("not_as_described")).status == "open"
    app.clock.set(DELIVERED_AT + timedelta(days=days))
    with pytest.raises(OutsideWindow, match=f"within {days} days") as refused:
        await app.open("not_as_described")
    assert refused.value.rule == "R-AS-1"
    assert refused.value.closes_at == DELIVERED_AT + timedelta(days=days)


async def test_an_order_of_several_categories_gets_the_longest_window_r_as_1() -> None:
    app = await a_delivered_order([a_line(category="food"), a_line(category="clothing")])
    app.clock.set(DELIVERED_AT + timedelta(days=9))  # food's 7 days are over; clothing's 10 not
    assert (await app.open()).status == "open"


async def test_the_window_of_a_category_is_read_from_the_policy_r_as_1() -> None:
    policy = Policy(aftersales_window_days_by_category={"food": 3})
    app = await a_delivered_order([a_line(category="food")], policy)
    app.clock.set(DELIVERED_AT + timedelta(days=3))
    with pytest.raises(OutsideWindow, match="within 3 days"):
        await app.open()


async def test_a_damaged_case_before_delivery_is_refused_r_as_1() -> None:
    app = await aftersales()
    await app.deliver(an_order_confirmed(), producer="orders")
    await app.deliver(a_shipped(at=SHIPPED_AT))
    with pytest.raises(OutsideWindow, match="has not been delivered yet"):
        await app.open("damaged")


@pytest.mark.parametrize("reason", ["lost", "not_received"])
async def test_a_transit_case_before_shipment_is_refused_r_as_1(reason: Reason) -> None:
    app = await aftersales()
    await app.deliver(an_order_confirmed(), producer="orders")
    with pytest.raises(OutsideWindow, match="has not shipped yet"):
        await app.open(reason)


async def test_a_not_received_case_opens_only_once_the_latest_estimate_has_passed_r_as_1() -> None:
    app = await aftersales()
    await app.deliver(an_order_confirmed(), producer="orders")
    await app.deliver(a_shipped(at=SHIPPED_AT))
    app.clock.set(OVERDUE_AT - timedelta(milliseconds=1))
    with pytest.raises(OutsideWindow, match="opens at") as refused:
        await app.open("not_received")
    assert (refused.value.opens_at, refused.value.closes_at) == (
        OVERDUE_AT,
        OVERDUE_AT + timedelta(days=15),
    )
    app.clock.set(OVERDUE_AT)
    assert (await app.open("not_received")).reason == "not_received"


async def test_a_late_loss_report_never_shortens_the_transit_window_r_as_1() -> None:
    """Opened by the estimate passing, counted from the later loss report."""
    app = await aftersales()
    await app.deliver(an_order_confirmed(), producer="orders")
    await app.deliver(a_shipped(at=SHIPPED_AT))
    reported_at = OVERDUE_AT + timedelta(days=5)
    await app.deliver(a_shipment_exception(at=reported_at, kind="lost"))
    app.clock.set(OVERDUE_AT + timedelta(days=15, hours=1))  # past the estimate's 15 days
    assert (await app.open("lost")).status == "open"
    app.clock.set(reported_at + timedelta(days=15))
    with pytest.raises(OutsideWindow, match="the loss report"):
        await app.open("lost")


async def test_another_buyers_order_and_an_unknown_one_look_the_same_404() -> None:
    app = await a_delivered_order()
    app.clock.set(DELIVERED_AT + timedelta(days=1))
    other = OpenCase("buyer-2", ORDER, "damaged", "mine?", usd(100))
    unknown = OpenCase(BUYER, "order-404", "damaged", "where?", usd(100))
    for command in (other, unknown):
        with pytest.raises(NotFound, match="check the order id"):
            await app.services.commands.open(command)


@pytest.mark.parametrize(
    ("refund", "message"),
    [(usd(4991), "above the order total"), (Money(amount_minor=100, currency="EUR"), "EUR")],
)
async def test_a_refund_requested_beyond_what_was_paid_is_invalid(
    refund: Money, message: str
) -> None:
    app = await a_delivered_order()
    app.clock.set(DELIVERED_AT + timedelta(days=1))
    with pytest.raises(Invalid, match=message):
        await app.open(refund=refund)


async def test_a_refused_case_stores_nothing_and_publishes_nothing() -> None:
    app = await a_delivered_order()
    app.clock.set(DELIVERED_AT + timedelta(days=30))
    with pytest.raises(OutsideWindow):
        await app.open()
    assert await app.services.commands.of_order(ORDER, OPERATOR_P) == []
    assert app.ports.published == []


async def test_a_second_case_on_the_same_order_is_not_refused() -> None:
    """Nothing in R-AS-1 limits the cases of an order; their refunds share its total."""
    app = await a_delivered_order()
    app.clock.set(DELIVERED_AT + timedelta(days=1))
    first = await app.open("damaged")
    second = await app.open("not_as_described")
    assert first.id != second.id
    assert len(app.ports.published_of(AfterSalesCaseOpened)) == 2
