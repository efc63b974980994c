"""Review's overdue flag (R-REV-5, R-CAL-1, R-CAL-2) through its `bootstrap`: counted on
China's working days from the ports' calendars, on Beijing dates, with the calendar basis.

T0 is Tuesday 1 December 2026, 16:00 in Beijing; that week has no public holiday in China.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from review.bootstrap import ReviewServices, bootstrap
from review.domain.application import StoreApplication
from review.domain.model import STAGES, ProductListing, Store
from review.service_layer.commands import ApplyForStore, DecideStage
from review.service_layer.deadlines import Overdue
from shared.auth import Principal
from shared.calendar import CalendarBasis, Calendars
from shared.calendar.notices import Notice, NoticeDays
from shared.clock import FixedClock
from shared.policy import Policy
from shared.testing import FakePorts
from testkit.factories import MERCHANT, T0, usd

MakeApplication = Callable[..., StoreApplication]

OPERATOR = Principal(sub="operator-1", role="operator")
OWNER = Principal(sub=MERCHANT, role="merchant")


@dataclass(frozen=True)
class Review:
    ports: FakePorts
    clock: FixedClock
    services: ReviewServices

    async def store(self, application: StoreApplication, *, approved: bool = False) -> Store:
        """The merchant's (semi-managed) store, its three stages approved if `approved`."""
        store = await self.services.stores.apply(ApplyForStore(MERCHANT, application))
        for stage in STAGES if approved else ():
            decision = DecideStage(store.id, OPERATOR.sub, stage, "approve", None)
            store = await self.services.stores.decide(decision)
        return store

    async def overdue_at(self, moment: datetime, store: Store) -> Overdue:
        """The flag of the store as stored, asked at `moment`."""
        self.clock.set(moment)
        stored = await self.services.stores.get_visible(store.id, OPERATOR)
        return self.services.deadline.overdue(stored)


async def a_review(calendars: Calendars | None = None, policy: Policy | None = None) -> Review:
    clock = FixedClock(T0)
    ports = FakePorts("review", clock=clock, calendars=calendars, policy=policy)
    wiring = await bootstrap(ports)
    return Review(ports, clock, wiring.services)


@pytest.fixture
async def review() -> Review:
    return await a_review()


def utc(day: str, hour: int) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=UTC)


def china(year: int, basis: str = "published", source: str = "library") -> CalendarBasis:
    return CalendarBasis.model_validate(
        {"years": [{"country": "CN", "year": year, "basis": basis, "source": source}]}
    )


def a_listing(store: Store) -> ProductListing:
    """A complete listing in one of the store's categories (R-REV-8)."""
    return ProductListing(
        store_id=store.id,
        title="Tea set",
        description="Six cups and a pot",
        category="home",
        images=["https://img.example/tea.jpg"],
        price=usd(4990),
        weight_grams=500,
    )


def a_notice_of_days_off(first: date, last: date) -> Notice:
    """An operator's notice of China's 2027 calendar, a year the library does not publish."""
    off = NoticeDays(first=first, last=last, name="test closure")
    return Notice(country="CN", year=2027, source="State Council notice", days_off=(off,))


async def test_a_store_is_overdue_after_three_china_working_days(
    review: Review, make_application: MakeApplication
) -> None:
    """R-REV-5: Wed, Thu, Fri are three working days; the following Monday is the fourth."""
    store = await review.store(make_application("semi_managed"))
    assert await review.overdue_at(utc("2026-12-04", 8), store) == Overdue(False, china(2026))
    assert await review.overdue_at(utc("2026-12-07", 8), store) == Overdue(True, china(2026))


async def test_the_threshold_is_the_policy_in_force(make_application: MakeApplication) -> None:
    """R-REV-5, R-REV-10: REVIEW_OVERDUE_WORKING_DAYS from the ports' policy."""
    review = await a_review(policy=Policy(review_overdue_working_days=1))
    store = await review.store(make_application("semi_managed"))
    assert (await review.overdue_at(utc("2026-12-02", 8), store)).overdue is False
    assert (await review.overdue_at(utc("2026-12-03", 8), store)).overdue is True


async def test_days_are_counted_on_beijing_dates(
    review: Review, make_application: MakeApplication
) -> None:
    """R-REV-5 (decided): Mon 20:00 UTC is Tue in Beijing, Fri 17:00 UTC is Sat; on UTC dates
    (Tue..Fri, four days) it would already be overdue."""
    review.clock.set(utc("2026-11-30", 20))
    store = await review.store(make_application("semi_managed"))
    assert (await review.overdue_at(utc("2026-12-04", 17), store)).overdue is False
    assert (await review.overdue_at(utc("2026-12-06", 17), store)).overdue is True


async def test_nothing_but_an_item_under_review_is_overdue(
    review: Review, make_application: MakeApplication
) -> None:
    """R-REV-5: a returned or decided item waits for nobody; no calendar is consulted."""
    returned = await review.store(make_application("semi_managed", contract_signed=False))
    approved = await review.store(make_application("semi_managed"), approved=True)
    later = utc("2026-12-31", 8)
    assert await review.overdue_at(later, returned) == Overdue(False, None)
    assert await review.overdue_at(later, approved) == Overdue(False, None)


async def test_a_product_under_review_is_overdue_like_a_store(
    review: Review, make_application: MakeApplication
) -> None:
    """R-REV-5, R-REV-9 (decided): products use the same threshold and calendar."""
    store = await review.store(make_application("semi_managed"), approved=True)
    product = await review.services.products.submit(OWNER, a_listing(store))
    review.clock.set(utc("2026-12-04", 8))
    assert review.services.deadline.overdue(product) == Overdue(False, china(2026))
    review.clock.set(utc("2026-12-07", 8))
    stored = await review.services.products.get_visible(product.id, OPERATOR)
    assert review.services.deadline.overdue(stored) == Overdue(True, china(2026))


async def test_a_notice_in_the_ports_calendars_is_counted(
    make_application: MakeApplication,
) -> None:
    """R-CAL-1, R-CAL-2: the operator's notice publishes a year the library does not: its
    days off do not count; without it the year is counted provisionally and said so."""
    notice = a_notice_of_days_off(date(2027, 3, 2), date(2027, 3, 4))
    submitted, asked = utc("2027-03-01", 2), utc("2027-03-05", 8)  # Monday, Friday
    with_notice = await a_review(Calendars([notice]))
    without = await a_review()
    answers = []
    for review in (with_notice, without):
        review.clock.set(submitted)
        store = await review.store(make_application("semi_managed"))
        answers.append(await review.overdue_at(asked, store))
    assert answers == [
        Overdue(False, china(2027, "published", "notice")),
        Overdue(True, china(2027, "provisional", "derived")),
    ]
