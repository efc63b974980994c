"""Review's overdue flag (R-REV-5, R-CAL-1, R-CAL-2) through its `bootstrap`: counted on
China's working days from the ports' calendars, on Beijing dates, with the calendar basis.

T0 is Tuesday 1 December 2026, 16:00 in Beijing; that week has no public holiday in China.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from review.domain.model import Store
from review.service_layer.deadlines import Overdue
from shared.calendar import CalendarBasis, Calendars
from shared.calendar.notices import Notice, NoticeDays
from shared.policy import Policy
from testkit.factories import AN_OPERATOR, THE_MERCHANT
from testkit.review_unit import (
    WiredReview,
    a_listing,
    a_review_service,
    a_store_applied_for,
    an_application,
    as_stored,
)


async def a_semi_managed_store(
    review: WiredReview, *, approved: bool = False, **changes: Any
) -> Store:
    """The merchant's semi-managed store, applied for now, its stages approved if `approved`."""
    application = an_application("semi_managed", **changes)
    return await a_store_applied_for(review, application, approved=approved)


async def overdue_at(review: WiredReview, moment: datetime, store: Store) -> Overdue:
    """The flag of the store as stored, asked at `moment`."""
    review.clock.set(moment)
    return review.services.deadline.overdue(await as_stored(review, store))


def utc(day: str, hour: int) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=UTC)


def china(year: int, basis: str = "published", source: str = "library") -> CalendarBasis:
    return CalendarBasis.model_validate(
        {"years": [{"country": "CN", "year": year, "basis": basis, "source": source}]}
    )


def a_notice_of_days_off(first: date, last: date) -> Notice:
    """An operator's notice of China's 2027 calendar, a year the library does not publish."""
    off = NoticeDays(first=first, last=last, name="test closure")
    return Notice(country="CN", year=2027, source="State Council notice", days_off=(off,))


async def test_a_store_is_overdue_after_three_china_working_days(review: WiredReview) -> None:
    """R-REV-5: Wed, Thu, Fri are three working days; the following Monday is the fourth."""
    store = await a_semi_managed_store(review)
    assert await overdue_at(review, utc("2026-12-04", 8), store) == Overdue(False, china(2026))
    assert await overdue_at(review, utc("2026-12-07", 8), store) == Overdue(True, china(2026))


async def test_the_threshold_is_the_policy_in_force() -> None:
    """R-REV-5, R-REV-10: REVIEW_OVERDUE_WORKING_DAYS from the ports' policy."""
    review = await a_review_service(policy=Policy(review_overdue_working_days=1))
    store = await a_semi_managed_store(review)
    assert (await overdue_at(review, utc("2026-12-02", 8), store)).overdue is False
    assert (await overdue_at(review, utc("2026-12-03", 8), store)).overdue is True


async def test_days_are_counted_on_beijing_dates(review: WiredReview) -> None:
    """R-REV-5 (decided): Mon 20:00 UTC is Tue in Beijing, Fri 17:00 UTC is Sat; on UTC dates
    (Tue..Fri, four days) it would already be overdue."""
    review.clock.set(utc("2026-11-30", 20))
    store = await a_semi_managed_store(review)
    assert (await overdue_at(review, utc("2026-12-04", 17), store)).overdue is False
    assert (await overdue_at(review, utc("2026-12-06", 17), store)).overdue is True


async def test_nothing_but_an_item_under_review_is_overdue(review: WiredReview) -> None:
    """R-REV-5: a returned or decided item waits for nobody; no calendar is consulted."""
    returned = await a_semi_managed_store(review, contract_signed=False)
    approved = await a_semi_managed_store(review, approved=True)
    later = utc("2026-12-31", 8)
    assert await overdue_at(review, later, returned) == Overdue(False, None)
    assert await overdue_at(review, later, approved) == Overdue(False, None)


async def test_a_product_under_review_is_overdue_like_a_store(review: WiredReview) -> None:
    """R-REV-5, R-REV-9 (decided): products use the same threshold and calendar."""
    store = await a_semi_managed_store(review, approved=True)
    product = await review.services.products.submit(THE_MERCHANT, a_listing(store))
    review.clock.set(utc("2026-12-04", 8))
    assert review.services.deadline.overdue(product) == Overdue(False, china(2026))
    review.clock.set(utc("2026-12-07", 8))
    stored = await review.services.products.get_visible(product.id, AN_OPERATOR)
    assert review.services.deadline.overdue(stored) == Overdue(True, china(2026))


async def test_a_notice_in_the_ports_calendars_is_counted() -> None:
    """R-CAL-1, R-CAL-2: the operator's notice publishes a year the library does not: its
    days off do not count; without it the year is counted provisionally and said so."""
    notice = a_notice_of_days_off(date(2027, 3, 2), date(2027, 3, 4))
    submitted, asked = utc("2027-03-01", 2), utc("2027-03-05", 8)  # Monday, Friday
    with_notice = await a_review_service(calendars=Calendars([notice]))
    without = await a_review_service()
    answers = []
    for review in (with_notice, without):
        review.clock.set(submitted)
        store = await a_semi_managed_store(review)
        answers.append(await overdue_at(review, asked, store))
    assert answers == [
        Overdue(False, china(2027, "published", "notice")),
        Overdue(True, china(2027, "provisional", "derived")),
    ]
