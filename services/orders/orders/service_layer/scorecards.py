"""The stores' scorecards (R-SC-1): a merchant's card over any dates, and the review that
warns a store once per period and measure.

The review is a periodic job, not a reaction to each event: a scorecard is a share of a
whole period's orders, so judging it on every order would read the period again and again
for the same verdict. Instead each change of an order marks it (`Order.to_score`, stored
as `scorecard_key` in the same write, so no change is missed even if a process dies), and
at most every `scorecard_review_seconds` the review:

1. reads the marked orders (a batch, oldest first) and the merchants' periods they fall in;
2. judges each such period once, from all of its orders (`Scorecard.of`), and warns each
   store of each failing measure not yet warned of (`StorePeriod.judge`: one document per
   store and period, so with several processes, or a review repeated after a crash, the
   versioned write lets one warning through and the others find it done);
3. only then unmarks each order as it was read (`Order.scored`): an order changed in
   between stays marked, and is judged again in the next review.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial

from orders.adapters.scorecard_queries import ScorecardQueries, ToScore
from orders.domain.model import Order
from orders.domain.scorecard import Scorecard, period_of
from orders.domain.warnings import StorePeriod, key
from shared.auth import Principal, require_merchant_self_or_operator
from shared.clock import Clock, utc_days
from shared.deadlines import act_on_each_due
from shared.policy import Policy
from shared.repository import AggregateRepository, AlreadyExists, retry_on_conflict

#: How many marked orders one review reads; a full batch calls the next review at once.
REVIEW_BATCH = 500
#: The longest span one card covers.
MAX_CARD_DAYS = 366


@dataclass(frozen=True)
class MerchantCard:
    """A merchant's stores' scorecards over [`first`, `last`] (whole UTC days), and the
    warnings of the periods those days touch."""

    merchant_id: str
    first: date
    last: date
    cards: list[Scorecard]
    periods: list[StorePeriod]


def month_start(moment: datetime) -> datetime:
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def next_month(start: datetime) -> datetime:
    return (start + timedelta(days=32)).replace(day=1)


@dataclass
class Scorecards:
    queries: ScorecardQueries
    orders: AggregateRepository[Order]
    periods: AggregateRepository[StorePeriod]
    clock: Clock
    policy: Policy
    review_every: timedelta
    _next_review: datetime | None = field(default=None, init=False)

    async def card(
        self, principal: Principal, merchant_id: str, first: date | None, last: date | None
    ) -> MerchantCard:
        """The merchant's (or, for an operator, any merchant's) card: by default this
        month so far. 422 for a span backwards or longer than `MAX_CARD_DAYS`."""
        require_merchant_self_or_operator(principal, merchant_id)
        now = self.clock.now()
        first = first or now.date().replace(day=1)
        last = last or now.date()
        start, end = utc_days(first, last, most=MAX_CARD_DAYS)
        orders = await self.queries.of_merchant(merchant_id, start, end)
        periods = await self.queries.warnings(
            merchant_id, first.strftime("%Y-%m"), last.strftime("%Y-%m")
        )
        return MerchantCard(
            merchant_id, first, last, Scorecard.of(orders, self.policy, now), periods
        )

    async def review(self) -> None:
        """The periodic review (see the module's docstring); `review_every` apart at most."""
        now = self.clock.now()
        if self._next_review is not None and now < self._next_review:
            return
        marked = await self.queries.to_score(REVIEW_BATCH)
        full = len(marked) == REVIEW_BATCH
        self._next_review = now if full else now + self.review_every
        for merchant_id, start in sorted(
            {(m.merchant_id, month_start(m.created_at)) for m in marked}
        ):
            orders = await self.queries.of_merchant(merchant_id, start, next_month(start))
            for card in Scorecard.of(orders, self.policy, now):
                if card.failing:
                    await retry_on_conflict(partial(self._warn, card, period_of(start), now))
        read = {order.order_id: order for order in marked}

        async def scored(order_id: str) -> None:
            await self._scored(read[order_id])

        await act_on_each_due(list(read), scored, service="orders", deadline="scorecard_review")

    async def _warn(self, card: Scorecard, period: str, now: datetime) -> None:
        stored = await self.periods.get(key(card.store_id, period))
        store_period = stored or StorePeriod.open(card.store_id, card.merchant_id, period)
        if not store_period.judge(card, now):
            return
        if stored is not None:
            await self.periods.save(store_period, now=now)
            return
        try:
            await self.periods.add(store_period, now=now)
        except AlreadyExists:
            # Another review warned first: judge again against what it stored.
            await self._warn(card, period, now)

    async def _scored(self, marked: ToScore) -> None:
        order = await self.orders.get(marked.order_id)
        if order is not None and order.to_score:
            order.scored(marked.changes)
            await self.orders.save(order, now=self.clock.now())
