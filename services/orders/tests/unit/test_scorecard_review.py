"""The scorecards' review and the merchant's card (R-SC-1), through orders' own bootstrap
on fake ports: a store below a threshold is warned once per period and measure, not once
per order nor once per review; the card shows the figures and the warnings."""

from __future__ import annotations

from datetime import date

import pytest

from orders.domain.model import Order
from orders.settings import OrdersSettings
from shared.contract.events import StoreWarned
from shared.errors import NotFound, Unprocessable
from shared.policy import Policy
from testkit.factories import (
    AN_OPERATOR,
    ANOTHER_MERCHANT,
    HOUR,
    MERCHANT,
    STORE,
    T0,
    THE_MERCHANT,
    a_case_opened,
    a_day,
    a_delivered,
)
from testkit.orders_unit import WiredOrders, orders_selling_the_product, placed

REVIEW = OrdersSettings(scorecard_review_seconds=300)
DAY = 24 * HOUR


async def timed_out(wired: WiredOrders, placed_orders: int) -> list[Order]:
    """`placed_orders` orders of STORE placed now and left unconfirmed past `confirm_by`:
    each cancelled by the deadline job (R-ORD-3)."""
    orders = [await placed(wired) for _ in range(placed_orders)]
    wired.clock.advance(DAY + HOUR)
    await wired.run("confirmation-deadlines")
    return orders


async def a_failing_store() -> WiredOrders:
    """STORE's three orders of December 2026, all timed out: its confirmations (0 of 3)
    and its cancellations (3 of 3) are past their thresholds, on a sample of 2."""
    wired = await orders_selling_the_product(policy=Policy(scorecard_min_sample=2), settings=REVIEW)
    await timed_out(wired, 3)
    return wired


def warnings(wired: WiredOrders) -> list[tuple[str, str, float, int]]:
    return [(w.measure, w.period, w.value, w.sample) for w in wired.ports.published_of(StoreWarned)]


async def test_a_store_past_a_threshold_is_warned_once_per_measure() -> None:  # R-SC-1
    wired = await a_failing_store()
    await wired.run("scorecard-review")
    assert warnings(wired) == [
        ("confirmation_on_time", "2026-12", 0.0, 3),
        ("cancellation_rate", "2026-12", 1.0, 3),
    ]
    [warned, _] = wired.ports.published_of(StoreWarned)
    assert (warned.store_id, warned.merchant_id, warned.threshold, warned.bound) == (
        STORE,
        MERCHANT,
        0.95,
        "at_least",
    )


async def test_more_orders_and_more_reviews_warn_no_more_in_the_period() -> None:  # R-SC-1
    wired = await a_failing_store()
    await wired.run("scorecard-review")
    await timed_out(wired, 2)
    wired.clock.advance(HOUR)
    await wired.run("scorecard-review")
    await wired.run("scorecard-review")
    assert len(warnings(wired)) == 2


async def test_reviewed_orders_are_unmarked_and_a_change_marks_them_again() -> None:
    wired = await a_failing_store()
    confirmed = await placed(wired, confirmed=True)
    marked = await wired.services.scorecards.queries.to_score(100)
    assert len(marked) == 4
    await wired.run("scorecard-review")
    assert await wired.services.scorecards.queries.to_score(100) == []
    await wired.deliver(a_case_opened(order_id=confirmed.id))
    [again] = await wired.services.scorecards.queries.to_score(100)
    assert again.order_id == confirmed.id


async def test_a_change_since_the_review_read_it_leaves_the_order_marked() -> None:
    wired = await orders_selling_the_product(settings=REVIEW)
    order = await placed(wired, confirmed=True)
    read = order.changes
    order.take("event-1", a_delivered(order_id=order.id))
    order.scored(read)
    assert order.to_score


async def test_the_review_waits_its_interval_between_passes() -> None:
    wired = await a_failing_store()
    await wired.run("scorecard-review")
    await timed_out(wired, 1)  # the clock moves 25 h: the next review is due
    first = len(await wired.services.scorecards.queries.to_score(100))
    await wired.run("scorecard-review")
    await placed(wired)
    await wired.run("scorecard-review")  # within 300 s of the last: not yet
    assert (first, len(await wired.services.scorecards.queries.to_score(100))) == (1, 1)


async def test_a_healthy_store_is_not_warned() -> None:  # R-SC-1
    wired = await orders_selling_the_product(policy=Policy(scorecard_min_sample=2), settings=REVIEW)
    for _ in range(3):
        await placed(wired, confirmed=True)
    await wired.run("scorecard-review")
    assert warnings(wired) == []


async def test_the_card_shows_the_figures_and_the_warnings_of_the_period() -> None:
    wired = await a_failing_store()
    await wired.run("scorecard-review")
    card = await wired.services.scorecards.card(THE_MERCHANT, MERCHANT, None, None)
    [store] = card.cards
    assert (store.store_id, store.tally.orders, dict(store.tally.cancellations)) == (
        STORE,
        3,
        {"confirmation_timeout": 3},
    )
    assert [f.measure for f in store.failing] == ["confirmation_on_time", "cancellation_rate"]
    assert sorted(card.periods[0].warnings) == ["cancellation_rate", "confirmation_on_time"]
    assert (card.first, card.last) == (T0.date().replace(day=1), wired.clock.now().date())


async def test_an_operator_sees_any_card_and_another_merchant_none() -> None:
    wired = await a_failing_store()
    assert (await wired.services.scorecards.card(AN_OPERATOR, MERCHANT, None, None)).cards
    with pytest.raises(NotFound):
        await wired.services.scorecards.card(ANOTHER_MERCHANT, MERCHANT, None, None)


@pytest.mark.parametrize(
    ("first", "last", "says"),
    [(a_day(5), a_day(4), "before"), (a_day(0), a_day(366), "at most 366 days")],
)
async def test_a_span_backwards_or_too_long_is_refused(first: date, last: date, says: str) -> None:
    wired = await a_failing_store()
    with pytest.raises(Unprocessable, match=says):
        await wired.services.scorecards.card(THE_MERCHANT, MERCHANT, first, last)
