"""A store's scorecard (R-SC-1), measure by measure, from orders as stored: pure, with the
policy and the time passed in."""

from __future__ import annotations

from datetime import datetime
from typing import Any, get_args

import pytest

from orders.domain.facts import ProcessFacts
from orders.domain.scorecard import BOUNDS, Figure, Scorecard, ScoredOrder, period_of, threshold
from shared.contract.events import Measure
from shared.policy import Policy
from testkit.factories import HOUR, MERCHANT, STORE, T0

SHIP_BY = T0 + 24 * HOUR
#: Two orders make a sample here, so one of each kind shows a verdict.
POLICY = Policy(scorecard_min_sample=2)


def an_order(store_type: str = "semi_managed", **fields: Any) -> ScoredOrder:
    """One of STORE's orders created at T0, as the scorecard reads it."""
    facts = ProcessFacts(**fields.pop("facts", {}))
    base = {"store_id": STORE, "merchant_id": MERCHANT, "created_at": T0, "status": "confirmed"}
    return ScoredOrder(**{**base, "store_type": store_type, "facts": facts, **fields})


def card(*orders: ScoredOrder, now: datetime = T0 + 100 * HOUR) -> Scorecard:
    [scorecard] = Scorecard.of(orders, POLICY, now)
    return scorecard


def figure(scorecard: Scorecard, measure: Measure) -> Figure:
    [found] = [f for f in scorecard.figures if f.measure == measure]
    return found


def test_confirmations_on_time_of_those_decided() -> None:  # R-SC-1, R-ORD-3
    on_time = an_order(confirmation_outcome="on_time")
    timed_out = an_order(confirmation_outcome="timed_out", status="cancelled")
    result = figure(
        card(on_time, timed_out, an_order(status="awaiting_confirmation")), "confirmation_on_time"
    )
    assert (result.hits, result.sample, result.value, result.failing) == (1, 2, 0.5, True)


def test_a_handover_is_late_after_ship_by_or_missing_past_it() -> None:  # R-SC-1, R-LOG-5
    on_time = an_order(ship_by=SHIP_BY, facts={"shipped_at": SHIP_BY})
    late = an_order(ship_by=SHIP_BY, facts={"shipped_at": SHIP_BY + HOUR})
    missing = an_order(ship_by=SHIP_BY)
    not_yet = an_order(ship_by=T0 + 200 * HOUR)
    result = figure(card(on_time, late, missing, not_yet), "handover_on_time")
    assert (result.hits, result.sample) == (1, 3)


def test_late_deliveries_are_counted_with_their_days() -> None:  # R-SC-1, R-LOG-8
    late = {"delivered_at": T0, "delivered_late": True, "days_late": 3}
    scorecard = card(
        an_order(facts={"delivered_at": T0}), an_order(facts=late), an_order(facts=late)
    )
    result = figure(scorecard, "delivery_in_window")
    assert (result.hits, result.sample, scorecard.tally.days_late) == (1, 3, 6)
    assert result.failing


def test_cancellations_by_cause_and_the_share_the_store_caused() -> None:  # R-SC-1, R-ORD-6
    causes = ["confirmation_timeout", "not_shipped", "no_route", "buyer_cancelled"]
    orders = [an_order(status="cancelled", cancel_reason=cause) for cause in causes]
    semi = card(*orders)
    full = card(*[an_order("full_managed", **o.model_dump(exclude={"store_type"})) for o in orders])
    assert semi.tally.cancellations == dict.fromkeys(causes, 1)
    assert figure(semi, "cancellation_rate").hits == 2  # the timeout and not_shipped
    assert figure(full, "cancellation_rate").hits == 1  # the platform ships: only the timeout


def test_the_refund_rate_counts_case_refunds_of_shipped_orders() -> None:  # R-SC-1, R-AS-2
    refunded = {"shipped_at": T0, "cases_opened": {"c1": T0}, "cases_refunded": ["c1"]}
    scorecard = card(an_order(facts=refunded), an_order(facts={"shipped_at": T0}), an_order())
    result = figure(scorecard, "refund_rate")
    assert (result.hits, result.sample, result.bound, result.failing) == (1, 2, "at_most", True)


def test_first_answers_within_the_hours_count_in_time() -> None:  # R-SC-1, R-AS-3
    now = T0 + 48 * HOUR
    answered = {
        "cases_opened": {"a": T0, "b": T0},
        "cases_answered": {"a": T0 + HOUR, "b": T0 + 30 * HOUR},
    }
    unanswered = {"cases_opened": {"c": T0, "d": now - HOUR, "e": T0}, "cases_rejected": ["e"]}
    scorecard = card(an_order(facts=answered), an_order(facts=unanswered), now=now)
    result = figure(scorecard, "first_response_in_time")
    # a in time, b answered late, c never answered past 24 h; d still has time, e was closed.
    assert (result.hits, result.sample) == (1, 3)
    assert scorecard.median_first_response_seconds == (1 + 30) / 2 * 3600


def test_a_measure_is_judged_only_on_its_sample_and_where_the_store_answers_for_it() -> None:
    late = an_order("full_managed", ship_by=SHIP_BY, facts={"shipped_at": SHIP_BY + HOUR})
    full = card(late, late)
    assert not figure(full, "handover_on_time").judged  # the platform hands it over (R-LOG-1)
    one = card(an_order(confirmation_outcome="timed_out"))
    assert (
        figure(one, "confirmation_on_time").value,
        figure(one, "confirmation_on_time").judged,
    ) == (0.0, False)
    assert one.failing == []


def test_each_store_has_its_own_card() -> None:
    cards = Scorecard.of([an_order(), an_order(store_id="store-2")], POLICY, T0)
    assert sorted(c.store_id for c in cards) == [STORE, "store-2"]


@pytest.mark.parametrize("measure", get_args(Measure))
def test_every_measure_has_a_bound_and_a_policy_threshold(measure: Measure) -> None:  # R-POL-1
    assert measure in BOUNDS
    assert 0 <= threshold(Policy(), measure) <= 1


def test_an_order_counts_in_its_creations_month() -> None:
    assert period_of(datetime.fromisoformat("2026-12-31T23:59:59+00:00")) == "2026-12"
