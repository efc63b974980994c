"""A store's scorecard (R-SC-1): how its orders of a period went, measure by measure,
each against its threshold. Pure: built from the orders as stored, with the policy and
the time passed in.

Every measure is a share of the store's orders created in the period (the period an order
belongs to is its creation's), counted from what orders knows of each (its status, and
the facts logistics and aftersales told it, `ProcessFacts`):

- `confirmation_on_time` (at least): confirmed by `confirm_by`, of those confirmed or
  timed out (R-ORD-2, R-ORD-3);
- `handover_on_time` (at least): handed to the carrier by `ship_by`, of those shipped or
  past `ship_by` unshipped (R-LOG-1, R-LOG-2, R-LOG-5);
- `delivery_in_window` (at least): delivered by the window's latest date, of those
  delivered (R-LOG-8; logistics judges lateness, semi-managed only);
- `cancellation_rate` (at most): cancelled by the store's doing, of all its orders: a
  confirmation timeout (R-ORD-3), and, where the merchant ships (semi-managed, R-ORD-6),
  `not_shipped` and `buyer_cancelled_late`; every cause is counted in `cancellations`;
- `refund_rate` (at most): refunded after an after-sales case, of those shipped (R-AS-2);
  a cancellation's refund is counted under its cause instead;
- `first_response_in_time` (at least): complaints the merchant first answered within
  `scorecard_first_response_hours` of their opening, of those answered or left unanswered
  past it (R-AS-3); a case an operator closed before the merchant answered is not counted.

**Decided**: a measure is *judged* only once it counts `scorecard_min_sample` orders (or
complaints), and the handover and the delivery only where the merchant ships
(semi-managed): a full-managed store's parcels are the platform's (R-LOG-1, R-ORD-6). A
judged measure past its threshold is *failing*: its store is warned (`StoreWarned`, once
per period, `orders.domain.warnings`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from orders.domain.facts import ProcessFacts
from shared.contract.events import CancelReason, Measure
from shared.contract.types import StoreType
from shared.policy import Policy

Bound = Literal["at_least", "at_most"]

#: The causes of cancellation the merchant answers for, by who ships (R-ORD-3, R-ORD-6).
STORE_CAUSED: dict[StoreType, frozenset[str]] = {
    "full_managed": frozenset({"confirmation_timeout"}),
    "semi_managed": frozenset({"confirmation_timeout", "not_shipped", "buyer_cancelled_late"}),
}
#: Measures only the one who ships answers for: judged for semi-managed stores only.
SHIPPER_MEASURES: frozenset[Measure] = frozenset({"handover_on_time", "delivery_in_window"})


class ScoredOrder(BaseModel):
    """What the scorecard reads of a stored order (a projection of `Order`)."""

    model_config = ConfigDict(extra="ignore")

    store_id: str
    merchant_id: str
    store_type: StoreType
    created_at: datetime
    status: str
    confirmation_outcome: Literal["on_time", "timed_out"] | None = None
    cancel_reason: CancelReason | None = None
    ship_by: datetime | None = None
    facts: ProcessFacts = Field(default_factory=ProcessFacts)


@dataclass(frozen=True)
class Figure:
    """One measure: `hits` of `sample`, against its threshold."""

    measure: Measure
    hits: int
    sample: int
    threshold: float
    bound: Bound
    judged: bool

    @property
    def value(self) -> float | None:
        return self.hits / self.sample if self.sample else None

    @property
    def failing(self) -> bool:
        """Judged, and past its threshold."""
        value = self.value
        if not self.judged or value is None:
            return False
        return value < self.threshold if self.bound == "at_least" else value > self.threshold


@dataclass
class Tally:
    """The counts of one store's orders, as `Scorecard.of` adds them up."""

    orders: int = 0
    confirmed: list[bool] = field(default_factory=list)
    handed_over: list[bool] = field(default_factory=list)
    delivered: list[bool] = field(default_factory=list)
    days_late: int = 0
    cancellations: Counter[str] = field(default_factory=Counter)
    shipped: int = 0
    refunded_after_case: int = 0
    answered: list[bool] = field(default_factory=list)
    response_seconds: list[float] = field(default_factory=list)


def _tally(tally: Tally, order: ScoredOrder, now: datetime, answer_within: timedelta) -> None:
    facts = order.facts
    tally.orders += 1
    if order.confirmation_outcome is not None:
        tally.confirmed.append(order.confirmation_outcome == "on_time")
    if order.ship_by is not None and (facts.shipped_at is not None or now > order.ship_by):
        tally.handed_over.append(facts.shipped_at is not None and facts.shipped_at <= order.ship_by)
    if facts.delivered_at is not None:
        tally.delivered.append(not facts.delivered_late)
        tally.days_late += facts.days_late
    if order.cancel_reason is not None:
        tally.cancellations[order.cancel_reason] += 1
    if facts.shipped_at is not None:
        tally.shipped += 1
        tally.refunded_after_case += bool(facts.cases_refunded)
    closed = {*facts.cases_refunded, *facts.cases_rejected}
    for case, opened_at in facts.cases_opened.items():
        answered_at = facts.cases_answered.get(case)
        if answered_at is not None:
            tally.answered.append(answered_at - opened_at <= answer_within)
            tally.response_seconds.append((answered_at - opened_at).total_seconds())
        elif case not in closed and now - opened_at > answer_within:
            tally.answered.append(False)


@dataclass(frozen=True)
class Scorecard:
    """One store's figures over its orders of a period."""

    store_id: str
    merchant_id: str
    store_type: StoreType
    tally: Tally
    figures: tuple[Figure, ...]

    @property
    def failing(self) -> list[Figure]:
        return [figure for figure in self.figures if figure.failing]

    @property
    def median_first_response_seconds(self) -> float | None:
        values = sorted(self.tally.response_seconds)
        if not values:
            return None
        middle = len(values) // 2
        return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2

    @classmethod
    def of(cls, orders: Iterable[ScoredOrder], policy: Policy, now: datetime) -> list[Scorecard]:
        """The scorecard of each store among `orders` (those of one period), at `now`."""
        tallies: dict[str, tuple[ScoredOrder, Tally]] = {}
        window = timedelta(hours=policy.scorecard_first_response_hours)
        for order in orders:
            _tally(tallies.setdefault(order.store_id, (order, Tally()))[1], order, now, window)
        return [
            cls(
                first.store_id,
                first.merchant_id,
                first.store_type,
                tally,
                _figures(first.store_type, tally, policy),
            )
            for first, tally in tallies.values()
        ]


#: Which side of its threshold each measure must stay; the threshold is the policy's
#: `scorecard_<measure>_min` (at least) or `scorecard_<measure>_max` (at most).
BOUNDS: dict[Measure, Bound] = {
    "confirmation_on_time": "at_least",
    "handover_on_time": "at_least",
    "delivery_in_window": "at_least",
    "cancellation_rate": "at_most",
    "refund_rate": "at_most",
    "first_response_in_time": "at_least",
}


def threshold(policy: Policy, measure: Measure) -> float:
    suffix = "min" if BOUNDS[measure] == "at_least" else "max"
    return float(getattr(policy, f"scorecard_{measure}_{suffix}"))


def _counts(store_type: StoreType, tally: Tally) -> dict[Measure, tuple[int, int]]:
    """Each measure's (hits, sample)."""
    caused = sum(tally.cancellations[cause] for cause in STORE_CAUSED[store_type])
    return {
        "confirmation_on_time": (sum(tally.confirmed), len(tally.confirmed)),
        "handover_on_time": (sum(tally.handed_over), len(tally.handed_over)),
        "delivery_in_window": (sum(tally.delivered), len(tally.delivered)),
        "cancellation_rate": (caused, tally.orders),
        "refund_rate": (tally.refunded_after_case, tally.shipped),
        "first_response_in_time": (sum(tally.answered), len(tally.answered)),
    }


def _figures(store_type: StoreType, tally: Tally, policy: Policy) -> tuple[Figure, ...]:
    ships = store_type == "semi_managed"
    return tuple(
        Figure(
            measure,
            hits,
            sample,
            threshold(policy, measure),
            BOUNDS[measure],
            judged=sample >= policy.scorecard_min_sample
            and (ships or measure not in SHIPPER_MEASURES),
        )
        for measure, (hits, sample) in _counts(store_type, tally).items()
    )


def period_of(moment: datetime) -> str:
    """The period an order counts in: its creation's calendar month, UTC (`2026-12`)."""
    return moment.strftime("%Y-%m")
