"""The boundaries the issue names: day 7 vs day 8 of a 7-day category (R-AS-1), and the
last second of the 90th day of the exemption period (R-AS-2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aftersales.domain.errors import OutsideWindow
from aftersales.domain.facts import OrderFacts, StoreFacts
from aftersales.domain.rules import check_can_open, liable_party
from shared.categories import default_categories
from shared.policy import Policy
from testkit.aftersales_unit import order_facts
from testkit.factories import MERCHANT, STORE

POLICY = Policy()
CATEGORIES = default_categories()
DELIVERED_AT = datetime(2026, 11, 6, 14, 30, tzinfo=UTC)
APPROVED_AT = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def delivered_food() -> OrderFacts:
    assert CATEGORIES.window_days("food") == 7  # a 7-day category by default
    shipped_at = DELIVERED_AT - timedelta(days=3)
    return order_facts(["food"], shipped_at=shipped_at, delivered_at=DELIVERED_AT)


@pytest.mark.parametrize(
    ("after_delivery", "open"),
    [
        pytest.param(
            timedelta(days=6, hours=23, minutes=59, seconds=59),
            True,
            id="R-AS-1 the last second of day 7",
        ),
        pytest.param(timedelta(days=7), False, id="R-AS-1 the first moment of day 8"),
        pytest.param(timedelta(days=7, hours=12), False, id="R-AS-1 day 8"),
    ],
)
def test_day_7_is_in_and_day_8_is_out_of_a_7_day_window(
    after_delivery: timedelta, open: bool
) -> None:  # R-AS-1
    order = delivered_food()
    if open:
        check_can_open("damaged", order, DELIVERED_AT + after_delivery, CATEGORIES)
        return
    with pytest.raises(OutsideWindow, match="R-AS-1") as refused:
        check_can_open("damaged", order, DELIVERED_AT + after_delivery, CATEGORIES)
    assert refused.value.closes_at == DELIVERED_AT + timedelta(days=7)


@pytest.mark.parametrize(
    ("after_approval", "expected"),
    [
        pytest.param(
            timedelta(days=90) - timedelta(seconds=1),
            "platform",
            id="R-AS-2 the last second of the 90th day",
        ),
        pytest.param(timedelta(days=90), "merchant", id="R-AS-2 the first moment after"),
    ],
)
def test_the_last_second_of_the_exemption_is_borne_by_the_platform(
    after_approval: timedelta, expected: str
) -> None:  # R-AS-2
    store = StoreFacts(
        id=STORE, merchant_id=MERCHANT, store_type="full_managed", approved_at=APPROVED_AT
    )
    party, rule = liable_party(store, "full_managed", APPROVED_AT + after_approval, POLICY)
    assert party == expected
    assert str(POLICY.exemption_period_days) in rule
