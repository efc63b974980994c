"""R-AS-1 as every service counts it: how long an order's after-sales window lasts, and
when it closes. Pure, with the policy passed in (R-POL-1): aftersales opens cases within
it, orders waits for it, settlement holds an order's earnings until it closes (R-SET-2).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from shared.policy import Policy


def window_days(categories: Iterable[str], policy: Policy) -> int:
    """R-AS-1: the after-sales window of an order's goods, in days.

    **decided**: an order of several categories gets the most generous of their windows:
    a case names the order, not the item, and refusing a claim on the item with the longer
    window would wrong the buyer; the operator still judges the claim. No category known:
    the policy default.
    """
    return max(
        (policy.aftersales_window_days(category) for category in categories),
        default=policy.aftersales_window_days_default,
    )


def end_of_due_date(latest: date) -> datetime:
    """The end (UTC) of a parcel's latest estimated delivery date: from then on, goods that
    never arrived are overdue (R-AS-1's `lost` and `not_received` claims)."""
    return datetime.combine(latest + timedelta(days=1), time(), tzinfo=UTC)


def window_close(
    categories: Iterable[str],
    policy: Policy,
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
    return max(starts) + timedelta(days=window_days(categories, policy))
