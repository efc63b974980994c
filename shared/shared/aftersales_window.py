"""R-AS-1 as every service counts it: how long an order's after-sales window lasts, and
when it closes. Pure, with the category list passed in (R-REV-11, `shared.categories`):
aftersales opens cases within it, orders waits for it, settlement holds an order's earnings
until it closes (R-SET-2).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from shared.categories import CategoryList


def window_days(codes: Iterable[str], categories: CategoryList) -> int:
    """R-AS-1: the after-sales window of an order's goods, in days.

    **decided**: an order of several categories gets the most generous of their windows:
    a case names the order, not the item, and refusing a claim on the item with the longer
    window would wrong the buyer; the operator still judges the claim. A code the list does
    not know (data written before it), or no category at all: the longest window R-AS-1
    allows (`CategoryList.unknown_window_days`).
    """
    return max(
        (categories.window_days(code) for code in codes),
        default=categories.unknown_window_days,
    )


def end_of_due_date(latest: date) -> datetime:
    """The end (UTC) of a parcel's latest estimated delivery date: from then on, goods that
    never arrived are overdue (R-AS-1's `lost` and `not_received` claims)."""
    return datetime.combine(latest + timedelta(days=1), time(), tzinfo=UTC)


def window_close(
    codes: Iterable[str],
    categories: CategoryList,
    *,
    delivered_at: datetime | None = None,
    lost_reported_at: datetime | None = None,
    due_latest: date | None = None,
) -> datetime | None:
    """R-AS-1: the moment no case can be opened on the order any more (the window is
    half-open, [start, close)): its days after the latest of the delivery, the loss report
    and the end of the latest estimated delivery date of a parcel handed over
    (`due_latest`, given only once it shipped); None before any of them."""
    starts = [at for at in (delivered_at, lost_reported_at) if at is not None]
    if due_latest is not None:
        starts.append(end_of_due_date(due_latest))
    if not starts:
        return None
    return max(starts) + timedelta(days=window_days(codes, categories))
