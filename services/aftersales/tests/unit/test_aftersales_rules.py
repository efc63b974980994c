"""The after-sales rules as pure functions: windows (R-AS-1) and liability (R-AS-2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from aftersales.domain.errors import OutsideWindow
from aftersales.domain.facts import OrderFacts, StoreFacts
from aftersales.domain.rules import (
    Reason,
    check_can_open,
    liable_party,
    refundable_left,
)
from shared.aftersales_window import window_days
from shared.categories import CategoryList, default_categories
from shared.contract.types import StoreType
from shared.policy import Policy
from testkit.aftersales_unit import ESTIMATE, order_facts
from testkit.factories import MERCHANT, STORE, usd

POLICY = Policy()
CATEGORIES = default_categories()
SHIPPED_AT = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
LATEST = ESTIMATE.latest
DUE_AT = datetime(2026, 11, 10, tzinfo=UTC)  # the day after the latest estimated date
DELIVERED_AT = datetime(2026, 11, 6, 14, 30, tzinfo=UTC)


def order(*, categories: list[str], delivered: bool = False) -> OrderFacts:
    return order_facts(
        categories, shipped_at=SHIPPED_AT, delivered_at=DELIVERED_AT if delivered else None
    )


def days_for(category: str) -> int:
    return CATEGORIES.window_days(category)


def test_window_by_category_and_unknown() -> None:  # R-AS-1, R-REV-11
    assert window_days(["food"], CATEGORIES) == 7
    assert window_days(["toys"], CATEGORIES) == 15
    assert window_days(["Food"], CATEGORIES) == POLICY.aftersales_window_days_max  # legacy text
    assert window_days([], CATEGORIES) == POLICY.aftersales_window_days_max


def test_several_categories_get_the_most_generous_window() -> None:  # R-AS-1
    assert window_days(["food", "clothing"], CATEGORIES) == max(
        days_for("food"), days_for("clothing")
    )
    assert window_days(["food", "toys"], CATEGORIES) == days_for("toys")


def test_window_follows_a_changed_list() -> None:  # R-AS-1, R-REV-11
    categories = CategoryList.of(
        {"food": 8, "toys": 9}, policy=Policy(aftersales_window_days_max=12)
    )
    assert window_days(["food"], categories) == 8
    assert window_days(["toys"], categories) == 9
    assert window_days(["lamps"], categories) == 12


@pytest.mark.parametrize("reason", ["damaged", "not_as_described"])
def test_damage_claim_is_refused_before_delivery(reason: Reason) -> None:  # R-AS-1
    with pytest.raises(OutsideWindow, match=r"R-AS-1.*after delivery") as refused:
        check_can_open(reason, order(categories=["food"]), SHIPPED_AT, CATEGORIES)
    assert refused.value.rule == "R-AS-1"


def test_damage_claim_within_the_category_window_after_delivery() -> None:  # R-AS-1
    delivered = order(categories=["food"], delivered=True)
    closes = DELIVERED_AT + timedelta(days=days_for("food"))
    check_can_open("damaged", delivered, DELIVERED_AT, CATEGORIES)
    check_can_open("damaged", delivered, closes - timedelta(milliseconds=1), CATEGORIES)
    with pytest.raises(OutsideWindow, match="2026-11-06T14:30:00Z") as refused:
        check_can_open("damaged", delivered, closes, CATEGORIES)
    assert refused.value.closes_at == closes
    assert "window closed at" in refused.value.detail


def test_a_longer_window_applies_to_other_categories() -> None:  # R-AS-1
    delivered = order(categories=["toys"], delivered=True)
    default = timedelta(days=days_for("toys"))
    check_can_open("not_as_described", delivered, DELIVERED_AT + default / 2, CATEGORIES)
    with pytest.raises(OutsideWindow):
        check_can_open("not_as_described", delivered, DELIVERED_AT + default, CATEGORIES)


@pytest.mark.parametrize("reason", ["lost", "not_received"])
def test_lost_claim_only_after_the_latest_estimated_date(reason: Reason) -> None:  # R-AS-1
    shipped = order(categories=["clothing"])
    with pytest.raises(OutsideWindow, match="2026-11-10T00:00:00Z") as refused:
        check_can_open(reason, shipped, DUE_AT - timedelta(milliseconds=1), CATEGORIES)
    assert refused.value.opens_at == DUE_AT
    check_can_open(reason, shipped, DUE_AT, CATEGORIES)
    closes = DUE_AT + timedelta(days=days_for("clothing"))
    check_can_open(reason, shipped, closes - timedelta(milliseconds=1), CATEGORIES)
    with pytest.raises(OutsideWindow, match="2026-11-09"):
        check_can_open(reason, shipped, closes, CATEGORIES)


def test_lost_claim_is_refused_before_shipping() -> None:  # R-AS-1
    unshipped = OrderFacts(id=str(uuid4()), categories=["food"], status="confirmed")
    with pytest.raises(OutsideWindow, match="not shipped"):
        check_can_open("lost", unshipped, DUE_AT, CATEGORIES)


def test_cancelled_order_has_no_case() -> None:  # R-AS-1
    cancelled = OrderFacts(id=str(uuid4()), status="cancelled")
    with pytest.raises(OutsideWindow, match="cancelled"):
        check_can_open("not_received", cancelled, DUE_AT, CATEGORIES)


def test_loss_report_opens_the_window_early_and_never_shortens_it() -> None:  # R-AS-1
    reported = order(categories=["food"])
    reported.lost_reported_at = SHIPPED_AT + timedelta(days=2)
    check_can_open("lost", reported, reported.lost_reported_at, CATEGORIES)
    # Still counted from the later start: the latest estimated date.
    check_can_open("lost", reported, DUE_AT + timedelta(days=days_for("food") - 1), CATEGORIES)


FULL: StoreType = "full_managed"
APPROVED_AT = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def approved_store() -> StoreFacts:
    return StoreFacts(id=STORE, merchant_id=MERCHANT, store_type=FULL, approved_at=APPROVED_AT)


@pytest.mark.parametrize(
    ("day", "expected"), [(0, "platform"), (89, "platform"), (90, "merchant"), (91, "merchant")]
)
def test_exemption_period_boundary(day: int, expected: str) -> None:  # R-AS-2
    assert POLICY.exemption_period_days == 90  # the boundary below is about the default
    party, note = liable_party(approved_store(), FULL, APPROVED_AT + timedelta(days=day), POLICY)
    assert party == expected
    assert note.startswith("R-AS-2")
    assert "2026-01-05T12:00:00Z" in note


def test_exemption_ends_exactly_at_approval_plus_the_period() -> None:  # R-AS-2
    ends = APPROVED_AT + timedelta(days=POLICY.exemption_period_days)
    last_moment = ends - timedelta(milliseconds=1)
    assert liable_party(approved_store(), FULL, last_moment, POLICY)[0] == "platform"
    assert liable_party(approved_store(), FULL, ends, POLICY)[0] == "merchant"


def test_exemption_period_follows_the_policy() -> None:  # R-AS-2, R-POL-1
    short = Policy(exemption_period_days=10)
    assert liable_party(approved_store(), FULL, APPROVED_AT + timedelta(days=11), short)[0] == (
        "merchant"
    )


def test_semi_managed_merchant_always_bears_the_refund() -> None:  # R-AS-2
    party, note = liable_party(None, "semi_managed", APPROVED_AT, POLICY)
    assert party == "merchant"
    assert "semi-managed" in note


def test_unknown_approval_of_a_full_managed_store_is_borne_by_the_platform() -> None:  # R-AS-2
    assert liable_party(None, FULL, APPROVED_AT, POLICY)[0] == "platform"
    no_date = StoreFacts(id=str(uuid4()))
    assert liable_party(no_date, FULL, APPROVED_AT, POLICY)[0] == "platform"


def test_refundable_left_subtracts_refunds() -> None:
    partly = order(categories=["food"])
    partly.reserve_refund("c-1", usd(1200), APPROVED_AT)
    assert refundable_left(partly) == usd(3800)
