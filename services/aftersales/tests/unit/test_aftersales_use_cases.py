"""The case use cases (`CaseCommands`) through `bootstrap(FakePorts(...))`: opening a case
in its window (R-AS-1), who sees a case, messages on it (R-AS-3), an order's cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aftersales.domain.errors import Conflict, Invalid, OutsideWindow
from aftersales.domain.rules import Reason
from aftersales.service_layer.commands import OpenCase
from shared.categories import CategoryList
from shared.contract.events import AfterSalesCaseOpened
from shared.contract.types import Money
from shared.errors import NotFound
from shared.policy import Policy
from testkit.aftersales_unit import (
    DELIVERED_AT,
    a_delivered_order,
    an_aftersales_service,
    open_a_case,
    ship_an_order,
)
from testkit.factories import (
    AN_OPERATOR,
    BUYER,
    MERCHANT,
    ORDER,
    THE_BUYER,
    a_day,
    a_line,
    a_shipment_exception,
    an_order_confirmed,
    usd,
)

#: The first moment a parcel shipped at SHIPPED_AT is overdue: the day after the latest date.
OVERDUE_AT = datetime.combine(a_day(11), datetime.min.time(), tzinfo=UTC)


async def test_a_buyer_opens_a_case_and_aftersales_case_opened_is_published_r_as_1() -> None:
    wired = await a_delivered_order()
    wired.clock.set(DELIVERED_AT + timedelta(days=1))
    case = await open_a_case(wired, "damaged", usd(1500))
    stored = await wired.services.commands.get_visible(case.id, THE_BUYER)
    assert (stored.status, stored.order_id, stored.buyer_id, stored.merchant_id) == (
        "open",
        ORDER,
        BUYER,
        MERCHANT,
    )
    assert (stored.refund_requested, stored.opened_at) == (usd(1500), wired.clock.now())
    assert wired.ports.published_of(AfterSalesCaseOpened) == [
        AfterSalesCaseOpened(
            case_id=case.id, order_id=ORDER, reason="damaged", opened_at=wired.clock.now()
        )
    ]
    assert [(e.producer, e.correlation_id) for e in wired.ports.published] == [
        ("aftersales", ORDER)
    ]


@pytest.mark.parametrize(
    ("category", "days"), [("food", 7), ("cosmetics", 7), ("clothing", 10), ("home", 15)]
)
async def test_a_received_goods_case_opens_within_the_window_of_its_category_r_as_1(
    category: str, days: int
) -> None:
    wired = await a_delivered_order(lines=[a_line(category=category)])
    wired.clock.set(DELIVERED_AT + timedelta(days=days) - timedelta(milliseconds=1))
    assert (await open_a_case(wired, "not_as_described")).status == "open"
    wired.clock.set(DELIVERED_AT + timedelta(days=days))
    with pytest.raises(OutsideWindow, match=f"within {days} days") as refused:
        await open_a_case(wired, "not_as_described")
    assert refused.value.rule == "R-AS-1"
    assert refused.value.closes_at == DELIVERED_AT + timedelta(days=days)


async def test_an_order_of_several_categories_gets_the_longest_window_r_as_1() -> None:
    wired = await a_delivered_order(lines=[a_line(category="food"), a_line(category="clothing")])
    wired.clock.set(DELIVERED_AT + timedelta(days=9))  # food's 7 days are over; clothing's 10 not
    assert (await open_a_case(wired)).status == "open"


async def test_the_window_of_a_category_is_read_from_the_category_list_r_as_1() -> None:
    categories = CategoryList.of({"food": 8})  # R-REV-11: a deployment's own list
    wired = await a_delivered_order(lines=[a_line(category="food")], categories=categories)
    wired.clock.set(DELIVERED_AT + timedelta(days=8))
    with pytest.raises(OutsideWindow, match="within 8 days"):
        await open_a_case(wired)


async def test_a_damaged_case_before_delivery_is_refused_r_as_1() -> None:
    wired = await an_aftersales_service()
    await ship_an_order(wired)
    with pytest.raises(OutsideWindow, match="has not been delivered yet"):
        await open_a_case(wired, "damaged")


@pytest.mark.parametrize("reason", ["lost", "not_received"])
async def test_a_transit_case_before_shipment_is_refused_r_as_1(reason: Reason) -> None:
    wired = await an_aftersales_service()
    await wired.deliver(an_order_confirmed())
    with pytest.raises(OutsideWindow, match="has not shipped yet"):
        await open_a_case(wired, reason)


async def test_a_not_received_case_opens_only_once_the_latest_estimate_has_passed_r_as_1() -> None:
    wired = await an_aftersales_service()
    await ship_an_order(wired)
    wired.clock.set(OVERDUE_AT - timedelta(milliseconds=1))
    with pytest.raises(OutsideWindow, match="opens at") as refused:
        await open_a_case(wired, "not_received")
    assert (refused.value.opens_at, refused.value.closes_at) == (
        OVERDUE_AT,
        OVERDUE_AT + timedelta(days=15),
    )
    wired.clock.set(OVERDUE_AT)
    assert (await open_a_case(wired, "not_received")).reason == "not_received"


async def test_a_late_loss_report_never_shortens_the_transit_window_r_as_1() -> None:
    """Opened by the estimate passing, counted from the later loss report."""
    wired = await an_aftersales_service()
    await ship_an_order(wired)
    reported_at = OVERDUE_AT + timedelta(days=5)
    await wired.deliver(a_shipment_exception(at=reported_at, kind="lost"))
    wired.clock.set(OVERDUE_AT + timedelta(days=15, hours=1))  # past the estimate's 15 days
    assert (await open_a_case(wired, "lost")).status == "open"
    wired.clock.set(reported_at + timedelta(days=15))
    with pytest.raises(OutsideWindow, match="the loss report"):
        await open_a_case(wired, "lost")


async def test_another_buyers_order_and_an_unknown_one_look_the_same_404() -> None:
    wired = await a_delivered_order()
    wired.clock.set(DELIVERED_AT + timedelta(days=1))
    other = OpenCase("buyer-2", ORDER, "damaged", "mine?", usd(100))
    unknown = OpenCase(BUYER, "order-404", "damaged", "where?", usd(100))
    for command in (other, unknown):
        with pytest.raises(NotFound, match="check the order id"):
            await wired.services.commands.open(command)


@pytest.mark.parametrize(
    ("refund", "message"),
    [(usd(4991), "above the order total"), (Money(amount_minor=100, currency="EUR"), "EUR")],
)
async def test_a_refund_requested_beyond_what_was_paid_is_invalid(
    refund: Money, message: str
) -> None:
    wired = await a_delivered_order()
    wired.clock.set(DELIVERED_AT + timedelta(days=1))
    with pytest.raises(Invalid, match=message):
        await open_a_case(wired, refund=refund)


async def test_a_refused_case_stores_nothing_and_publishes_nothing() -> None:
    wired = await a_delivered_order()
    wired.clock.set(DELIVERED_AT + timedelta(days=30))
    with pytest.raises(OutsideWindow):
        await open_a_case(wired)
    assert await wired.services.commands.of_order(ORDER, AN_OPERATOR) == []
    assert wired.ports.published == []


async def test_a_second_case_on_the_same_order_is_not_refused() -> None:
    """R-AS-1 bounds an order's cases only by the policy's most (5): a second one opens,
    and their refunds share the order's total."""
    wired = await a_delivered_order()
    wired.clock.set(DELIVERED_AT + timedelta(days=1))
    first = await open_a_case(wired, "damaged")
    second = await open_a_case(wired, "not_as_described")
    assert first.id != second.id
    assert len(wired.ports.published_of(AfterSalesCaseOpened)) == 2


async def test_an_order_has_at_most_the_policys_cases_r_as_1() -> None:
    wired = await a_delivered_order(policy=Policy(aftersales_max_cases_per_order=2))
    wired.clock.set(DELIVERED_AT + timedelta(days=1))
    await open_a_case(wired, "damaged")
    await open_a_case(wired, "not_as_described")
    with pytest.raises(Conflict, match=f"order {ORDER} already has 2 after-sales cases"):
        await open_a_case(wired, "damaged")
    assert len(await wired.services.commands.of_order(ORDER, AN_OPERATOR)) == 2
    assert len(wired.ports.published_of(AfterSalesCaseOpened)) == 2


async def test_cases_opened_at_once_never_get_past_the_most_r_as_1(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two requests count the order's cases before either has stored its own, so each
    would be the last one allowed. A case's id is its number on the order: the second
    cannot be stored under the same one, counts again, and is refused."""
    wired = await a_delivered_order(policy=Policy(aftersales_max_cases_per_order=1))
    wired.clock.set(DELIVERED_AT + timedelta(days=1))
    await open_a_case(wired, "damaged")
    queries = wired.services.commands.queries
    counted_before_it_was_stored, count = [0], queries.count_of_order

    async def racing_count(order_id: str, most: int) -> int:
        if counted_before_it_was_stored:
            return counted_before_it_was_stored.pop()
        return await count(order_id, most)

    monkeypatch.setattr(queries, "count_of_order", racing_count)
    with pytest.raises(Conflict, match="already has 1 after-sales cases"):
        await open_a_case(wired, "not_as_described")
    assert counted_before_it_was_stored == []
    assert len(await wired.services.commands.of_order(ORDER, AN_OPERATOR)) == 1
    assert len(wired.ports.published_of(AfterSalesCaseOpened)) == 1
