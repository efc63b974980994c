"""R-AS-1 as every service counts it (`shared.aftersales_window`): when an order's
after-sales window closes, from its delivery, its loss report or its due date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from shared.aftersales_window import end_of_due_date, window_close, window_days
from shared.categories import CategoryList

CATEGORIES = CategoryList.of({"food": 7, "toys": 12})
DELIVERED_AT = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)


def test_nothing_closes_before_the_goods_are_delivered_lost_or_due() -> None:  # R-AS-1
    assert window_close(["food"], CATEGORIES) is None


def test_the_window_counts_from_the_delivery() -> None:  # R-AS-1
    closes = window_close(["food"], CATEGORIES, delivered_at=DELIVERED_AT)
    assert closes == DELIVERED_AT + timedelta(days=7)


def test_the_window_counts_from_the_latest_of_its_starts() -> None:  # R-AS-1
    due = date(2026, 12, 11)  # still due after its delivery: a `not_received` claim waits
    assert end_of_due_date(due) == datetime(2026, 12, 12, tzinfo=UTC)
    closes = window_close(["food"], CATEGORIES, delivered_at=DELIVERED_AT, due_latest=due)
    assert closes == datetime(2026, 12, 19, tzinfo=UTC)
    lost_at = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)
    assert window_close(["food"], CATEGORIES, due_latest=due, lost_reported_at=lost_at) == (
        lost_at + timedelta(days=7)
    )


def test_an_order_of_several_categories_gets_the_longest_window() -> None:  # R-AS-1
    assert window_days(["food", "toys"], CATEGORIES) == 12
    closes = window_close(["food", "toys"], CATEGORIES, delivered_at=DELIVERED_AT)
    assert closes == DELIVERED_AT + timedelta(days=12)


def test_a_category_the_list_does_not_know_gets_the_longest_window_allowed() -> None:
    # R-AS-1, R-REV-11: free text written before the list, never migrated; or no category.
    assert window_days(["Widgets", "food"], CATEGORIES) == 15
    assert window_days([], CATEGORIES) == 15
