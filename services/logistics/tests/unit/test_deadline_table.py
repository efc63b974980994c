"""Table-driven ship-by deadlines and delivery windows (R-LOG-1,2,3,5,6,7).

Every expected value is written out and was worked out by hand from the 2026 calendars
of the `holidays` library (national holidays only, no subdivision) and the IANA zones:

- ES: 3 Apr Good Friday, 12 Oct Fiesta Nacional (Mon), 8 Dec (Tue), 25 Dec (Fri).
- US: 3 Jul Independence Day observed (Fri; the 4th is a Saturday).
- FR: 8 May Victoire 1945 (Fri), 14 May Ascension (Thu); neither 8 May is off in DE.
- CN: National Day week 1-7 Oct (Thu-Wed) off; Sun 20 Sep and Sat 10 Oct are make-up
  workdays; 25 Sep Mid-Autumn (Fri) off.
- DST 2026: Europe/Madrid CET->CEST on Sun 29 Mar, CEST->CET on Sun 25 Oct; America/*
  (US) EST->EDT on Sun 8 Mar; Pacific/Auckland is NZDT (UTC+13) until Sun 5 Apr.

Times in the ids are warehouse local; expected ship-by times are UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from operator import attrgetter

import pytest

from logistics.domain.deadlines import delivery_window, full_managed_ship_by
from logistics.domain.routes import Route
from logistics.domain.zones import destination_timezone
from shared.contract.types import StoreType, Warehouse
from testkit.factories import a_us_warehouse, a_warehouse
from testkit.logistics_unit import (
    CALENDARS,
    MADRID,
    POLICY,
    a_route,
    estimate_of,
    ship_by_from,
)

#: Each row's `why` is its test id.
BY_WHY = attrgetter("why")


# Semi-managed merchants' warehouses: each one's zone and its country's calendar count.
SHANGHAI = a_warehouse(country="CN", city="Shanghai", timezone="Asia/Shanghai")
AUCKLAND = a_warehouse(country="NZ", city="Auckland", timezone="Pacific/Auckland")
LOS_ANGELES = a_warehouse(country="US", city="Los Angeles", timezone="America/Los_Angeles")
NEW_YORK = a_us_warehouse()
BERLIN = a_warehouse(country="DE", city="Berlin", timezone="Europe/Berlin")


def _utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@dataclass(frozen=True)
class ShipBy:
    """Confirmed at `confirmed_at` (UTC) with `handling_days` in `warehouse`: ship by
    `ship_by` (UTC)."""

    why: str
    confirmed_at: datetime
    handling_days: int
    warehouse: Warehouse
    ship_by: datetime


SHIP_BY_CASES = [
    # --- R-LOG-5: the 15:00 cut-off, warehouse local time -----------------------------
    ShipBy(
        "R-LOG-5 Tue 14:59 CET before cut-off: day 0 Tue -> Wed 15:00 CET",
        confirmed_at=_utc(2026, 3, 10, 13, 59),
        handling_days=1,
        warehouse=MADRID,
        ship_by=_utc(2026, 3, 11, 14),
    ),
    ShipBy(
        "R-LOG-5 Tue 15:00 CET at cut-off: day 0 Wed -> Thu 15:00 CET",
        confirmed_at=_utc(2026, 3, 10, 14),
        handling_days=1,
        warehouse=MADRID,
        ship_by=_utc(2026, 3, 12, 14),
    ),
    ShipBy(
        "R-LOG-5 Fri 10:00 CET before cut-off: day 0 Fri -> Mon 15:00 CET",
        confirmed_at=_utc(2026, 3, 13, 9),
        handling_days=1,
        warehouse=MADRID,
        ship_by=_utc(2026, 3, 16, 14),
    ),
    ShipBy(
        "R-LOG-5 Fri 16:00 CET after cut-off: day 0 Mon -> Tue 15:00 CET",
        confirmed_at=_utc(2026, 3, 13, 15),
        handling_days=1,
        warehouse=MADRID,
        ship_by=_utc(2026, 3, 17, 14),
    ),
    ShipBy(
        "R-LOG-2,5 Fri 16:00 CET after cut-off, handling 2: day 0 Mon -> Wed",
        confirmed_at=_utc(2026, 3, 13, 15),
        handling_days=2,
        warehouse=MADRID,
        ship_by=_utc(2026, 3, 18, 14),
    ),
    # --- R-LOG-2: weekend confirmation, handling 1 vs 2 --------------------------------
    ShipBy(
        "R-LOG-2 Sun 11:00 CET: day 0 Mon -> Tue 15:00 CET",
        confirmed_at=_utc(2026, 3, 15, 10),
        handling_days=1,
        warehouse=MADRID,
        ship_by=_utc(2026, 3, 17, 14),
    ),
    ShipBy(
        "R-LOG-2 Sun 11:00 CET, handling 2: day 0 Mon -> Wed 15:00 CET",
        confirmed_at=_utc(2026, 3, 15, 10),
        handling_days=2,
        warehouse=MADRID,
        ship_by=_utc(2026, 3, 18, 14),
    ),
    ShipBy(
        "R-LOG-2 Mon 09:00 CET handling 1 -> Tue 15:00 CET",
        confirmed_at=_utc(2026, 3, 9, 8),
        handling_days=1,
        warehouse=MADRID,
        ship_by=_utc(2026, 3, 10, 14),
    ),
    ShipBy(
        "R-LOG-2 Mon 09:00 CET handling 2 -> Wed 15:00 CET",
        confirmed_at=_utc(2026, 3, 9, 8),
        handling_days=2,
        warehouse=MADRID,
        ship_by=_utc(2026, 3, 11, 14),
    ),
    # --- R-LOG-2: the warehouse country's public holidays ------------------------------
    ShipBy(
        "R-LOG-2 ES Thu 2 Apr 10:00 CEST, Good Friday off -> Mon 6 Apr 15:00 CEST",
        confirmed_at=_utc(2026, 4, 2, 8),
        handling_days=1,
        warehouse=MADRID,
        ship_by=_utc(2026, 4, 6, 13),
    ),
    ShipBy(
        "R-LOG-2,5 ES Fri 9 Oct 16:00 CEST, Mon 12 Oct off: day 0 Tue -> Wed 15:00 CEST",
        confirmed_at=_utc(2026, 10, 9, 14),
        handling_days=1,
        warehouse=MADRID,
        ship_by=_utc(2026, 10, 14, 13),
    ),
    # --- R-LOG-2: China's National Day week 2026 and its make-up workdays --------------
    ShipBy(
        "R-LOG-2 CN Wed 30 Sep 10:00 CST: 1-7 Oct off -> Thu 8 Oct 15:00 CST",
        confirmed_at=_utc(2026, 9, 30, 2),
        handling_days=1,
        warehouse=SHANGHAI,
        ship_by=_utc(2026, 10, 8, 7),
    ),
    ShipBy(
        "R-LOG-2,5 CN Wed 30 Sep 16:00 CST, handling 2: day 0 8 Oct -> make-up Sat 10 Oct",
        confirmed_at=_utc(2026, 9, 30, 8),
        handling_days=2,
        warehouse=SHANGHAI,
        ship_by=_utc(2026, 10, 10, 7),
    ),
    ShipBy(
        "R-LOG-2 CN Fri 2 Oct 10:00 CST (holiday): day 0 Thu 8 Oct -> Fri 9 Oct",
        confirmed_at=_utc(2026, 10, 2, 2),
        handling_days=1,
        warehouse=SHANGHAI,
        ship_by=_utc(2026, 10, 9, 7),
    ),
    ShipBy(
        "R-LOG-2 CN Fri 9 Oct 10:00 CST -> make-up Sat 10 Oct 15:00 CST",
        confirmed_at=_utc(2026, 10, 9, 2),
        handling_days=1,
        warehouse=SHANGHAI,
        ship_by=_utc(2026, 10, 10, 7),
    ),
    ShipBy(
        "R-LOG-2,5 CN make-up Sat 10 Oct 10:00 CST counts as day 0 -> Mon 12 Oct",
        confirmed_at=_utc(2026, 10, 10, 2),
        handling_days=1,
        warehouse=SHANGHAI,
        ship_by=_utc(2026, 10, 12, 7),
    ),
    ShipBy(
        "R-LOG-2 CN Sat 19 Sep: day 0 make-up Sun 20 Sep -> Mon 21 Sep 15:00 CST",
        confirmed_at=_utc(2026, 9, 19, 2),
        handling_days=1,
        warehouse=SHANGHAI,
        ship_by=_utc(2026, 9, 21, 7),
    ),
    ShipBy(
        "R-LOG-2 CN Thu 24 Sep 10:00 CST, Fri 25 Sep Mid-Autumn off -> Mon 28 Sep",
        confirmed_at=_utc(2026, 9, 24, 2),
        handling_days=1,
        warehouse=SHANGHAI,
        ship_by=_utc(2026, 9, 28, 7),
    ),
    # --- R-LOG-5: a warehouse timezone far from UTC ------------------------------------
    ShipBy(
        "R-LOG-5 NZ Sun 20:00 UTC is Mon 09:00 NZDT: day 0 Mon -> Tue 15:00 NZDT",
        confirmed_at=_utc(2026, 3, 15, 20),
        handling_days=1,
        warehouse=AUCKLAND,
        ship_by=_utc(2026, 3, 17, 2),
    ),
    ShipBy(
        "R-LOG-5 NZ Mon 02:00 UTC is Mon 15:00 NZDT, at cut-off -> Wed 15:00 NZDT",
        confirmed_at=_utc(2026, 3, 16, 2),
        handling_days=1,
        warehouse=AUCKLAND,
        ship_by=_utc(2026, 3, 18, 2),
    ),
    ShipBy(
        "R-LOG-5 LA Fri 20:00 UTC is Fri 13:00 PDT, before cut-off -> Mon 15:00 PDT",
        confirmed_at=_utc(2026, 3, 13, 20),
        handling_days=1,
        warehouse=LOS_ANGELES,
        ship_by=_utc(2026, 3, 16, 22),
    ),
    ShipBy(
        "R-LOG-5 LA Sat 01:00 UTC is Fri 18:00 PDT, after cut-off -> Tue 15:00 PDT",
        confirmed_at=_utc(2026, 3, 14, 1),
        handling_days=1,
        warehouse=LOS_ANGELES,
        ship_by=_utc(2026, 3, 17, 22),
    ),
    # --- R-LOG-5: daylight saving changes keep 15:00 local, not a UTC hour -------------
    ShipBy(
        "R-LOG-5 Madrid Thu 26 Mar -> Fri 27 Mar 15:00 CET = 14:00 UTC",
        confirmed_at=_utc(2026, 3, 26, 9),
        handling_days=1,
        warehouse=MADRID,
        ship_by=_utc(2026, 3, 27, 14),
    ),
    ShipBy(
        "R-LOG-5 Madrid Fri 27 Mar, DST on Sun 29 -> Mon 30 Mar 15:00 CEST = 13:00 UTC",
        confirmed_at=_utc(2026, 3, 27, 9),
        handling_days=1,
        warehouse=MADRID,
        ship_by=_utc(2026, 3, 30, 13),
    ),
    ShipBy(
        "R-LOG-5 Madrid Fri 23 Oct CEST, DST off Sun 25 -> Mon 26 Oct 15:00 CET = 14 UTC",
        confirmed_at=_utc(2026, 10, 23, 8),
        handling_days=1,
        warehouse=MADRID,
        ship_by=_utc(2026, 10, 26, 14),
    ),
]


@pytest.mark.parametrize("case", SHIP_BY_CASES, ids=BY_WHY)
def test_semi_managed_ship_by(case: ShipBy) -> None:
    assert ship_by_from(case.warehouse, case.confirmed_at, case.handling_days) == case.ship_by


@pytest.mark.parametrize(
    ("confirmed_at", "expected"),
    [
        pytest.param(_utc(2026, 3, 9, 16), _utc(2026, 3, 12, 16), id="R-LOG-1 Mon +3 days -> Thu"),
        pytest.param(
            _utc(2026, 9, 30, 8),
            _utc(2026, 10, 3, 8),
            id="R-LOG-1 calendar days even through CN National Day",
        ),
    ],
)
def test_full_managed_ship_by(confirmed_at: datetime, expected: datetime) -> None:
    assert full_managed_ship_by(confirmed_at, POLICY) == expected


def _line(destinations: tuple[str, ...], transit_min: int, transit_max: int) -> Route:
    return a_route(
        "table-line", transit_min, transit_max, origins=destinations, destinations=destinations
    )


@dataclass(frozen=True)
class Window:
    """Shipped by `ship_by` on `route` to `country` (dated in `timezone`, UTC if None):
    delivered from `earliest` to `latest`."""

    why: str
    ship_by: datetime
    route: Route
    country: str
    timezone: str | None
    earliest: date
    latest: date


WINDOW_CASES = [
    Window(
        "R-LOG-3 US Wed 1 Jul, Fri 3 Jul Independence Day observed -> Mon 6 to Thu 9",
        ship_by=_utc(2026, 7, 1, 19),
        route=_line(("US",), 2, 5),
        country="US",
        timezone="America/New_York",
        earliest=date(2026, 7, 6),
        latest=date(2026, 7, 9),
    ),
    Window(
        "R-LOG-3 ES Thu 8 Oct, Mon 12 Oct Fiesta Nacional -> Tue 13 to Fri 16",
        ship_by=_utc(2026, 10, 8, 13),
        route=_line(("ES",), 2, 5),
        country="ES",
        timezone="Europe/Madrid",
        earliest=date(2026, 10, 13),
        latest=date(2026, 10, 16),
    ),
    Window(
        "R-LOG-3 23:00 UTC Wed is Thu 00:00 CET in Madrid -> from Thu 12 Mar",
        ship_by=_utc(2026, 3, 11, 23),
        route=_line(("ES",), 2, 5),
        country="ES",
        timezone="Europe/Madrid",
        earliest=date(2026, 3, 16),
        latest=date(2026, 3, 19),
    ),
    Window(
        "R-LOG-3 same ship-by without a zone is dated in UTC -> from Wed 11 Mar",
        ship_by=_utc(2026, 3, 11, 23),
        route=_line(("ES",), 2, 5),
        country="ES",
        timezone=None,
        earliest=date(2026, 3, 13),
        latest=date(2026, 3, 18),
    ),
    Window(
        "R-LOG-3 shipped Fri: the weekend does not count -> Tue 17 to Fri 20",
        ship_by=_utc(2026, 3, 13, 14),
        route=_line(("ES",), 2, 5),
        country="ES",
        timezone="Europe/Madrid",
        earliest=date(2026, 3, 17),
        latest=date(2026, 3, 20),
    ),
    Window(
        "R-LOG-3 zero transit is the ship-by date itself",
        ship_by=_utc(2026, 3, 13, 14),
        route=_line(("ES",), 0, 0),
        country="ES",
        timezone="Europe/Madrid",
        earliest=date(2026, 3, 13),
        latest=date(2026, 3, 13),
    ),
]


@pytest.mark.parametrize("case", WINDOW_CASES, ids=BY_WHY)
def test_delivery_window(case: Window) -> None:
    window = delivery_window(
        case.ship_by,
        case.route,
        destination_country=case.country,
        destination_timezone=case.timezone,
        calendars=CALENDARS,
    )
    assert (window.earliest, window.latest) == (case.earliest, case.latest)


@dataclass(frozen=True)
class Estimate:
    """A `store_type` order confirmed at `confirmed_at` to `destination`, of
    `weight_grams` (semi-managed: `handling_days` in `warehouse`): ship by `ship_by`,
    delivered from `earliest` to `latest`, on `route`."""

    why: str
    store_type: StoreType
    confirmed_at: datetime
    destination: str
    weight_grams: int
    ship_by: datetime
    earliest: date
    latest: date
    route: str
    handling_days: int | None = None
    warehouse: Warehouse | None = None


ESTIMATE_CASES = [
    Estimate(
        "R-LOG-2,3 seed: Mon 9 Mar morning, handling 2, transit 2-5 -> +4 to +9 days",
        store_type="semi_managed",
        confirmed_at=_utc(2026, 3, 9, 8),
        destination="ES",
        weight_grams=1_000,
        handling_days=2,
        warehouse=MADRID,
        ship_by=_utc(2026, 3, 11, 14),
        earliest=date(2026, 3, 13),
        latest=date(2026, 3, 18),
        route="semi-eu-ground",
    ),
    Estimate(
        "R-LOG-3,6 DE warehouse to FR: FR's 8 May and 14 May off, not DE's calendar",
        store_type="semi_managed",
        confirmed_at=_utc(2026, 5, 4, 7),
        destination="FR",
        weight_grams=1_000,
        handling_days=2,
        warehouse=BERLIN,
        ship_by=_utc(2026, 5, 6, 13),
        earliest=date(2026, 5, 11),
        latest=date(2026, 5, 15),
        route="semi-eu-ground",
    ),
    Estimate(
        "R-LOG-2,3 US Tue 30 Jun 09:00 EDT -> Wed 1 Jul, 3 Jul off in transit",
        store_type="semi_managed",
        confirmed_at=_utc(2026, 6, 30, 13),
        destination="US",
        weight_grams=1_000,
        handling_days=1,
        warehouse=NEW_YORK,
        ship_by=_utc(2026, 7, 1, 19),
        earliest=date(2026, 7, 6),
        latest=date(2026, 7, 9),
        route="semi-na-ground",
    ),
    Estimate(
        "R-LOG-1,3,7 ship-by 02:00 UTC Thu is Wed 22:00 EDT: dated from Wed 11 Mar",
        store_type="full_managed",
        confirmed_at=_utc(2026, 3, 9, 2),
        destination="US",
        weight_grams=500,
        ship_by=_utc(2026, 3, 12, 2),
        earliest=date(2026, 3, 16),
        latest=date(2026, 3, 20),
        route="full-cn-express",
    ),
    Estimate(
        "R-LOG-1,3,7 5 kg to ES: standard 7-15, 8 Dec and 25 Dec off",
        store_type="full_managed",
        confirmed_at=_utc(2026, 12, 1, 10),
        destination="ES",
        weight_grams=5_000,
        ship_by=_utc(2026, 12, 4, 10),
        earliest=date(2026, 12, 16),
        latest=date(2026, 12, 29),
        route="full-cn-standard",
    ),
]


@pytest.mark.parametrize("case", ESTIMATE_CASES, ids=BY_WHY)
def test_estimate(case: Estimate) -> None:
    found = estimate_of(
        case.store_type,
        case.confirmed_at,
        case.destination,
        case.weight_grams,
        handling_days=case.handling_days,
        warehouse=case.warehouse,
    )
    assert found is not None
    assert (found.ship_by, found.earliest, found.latest, found.route) == (
        case.ship_by,
        case.earliest,
        case.latest,
        case.route,
    )


def test_seed_window_is_4_to_9_calendar_days_after_the_order() -> None:
    # R-LOG-3: "with weekends, delivery lands 4-9 days after the order".
    ordered = _utc(2026, 3, 9, 8)  # Monday 09:00 CET
    found = estimate_of("semi_managed", ordered, "ES", 1_000, handling_days=2, warehouse=MADRID)
    assert found is not None
    assert found.earliest - ordered.date() == timedelta(days=4)
    assert found.latest - ordered.date() == timedelta(days=9)


@pytest.mark.parametrize(
    ("country", "zone"),
    [
        pytest.param("US", "America/New_York", id="R-LOG-3 US first-listed zone"),
        pytest.param("ES", "Europe/Madrid", id="R-LOG-3 ES mainland"),
        pytest.param("CN", "Asia/Shanghai", id="R-LOG-3 CN"),
        pytest.param("GB", "Europe/London", id="R-LOG-3 GB"),
        pytest.param("fr", "Europe/Paris", id="R-LOG-3 lower-case code"),
        pytest.param("AU", "Australia/Sydney", id="R-LOG-3 AU main zone, not Lord Howe"),
        pytest.param("CA", "America/Toronto", id="R-LOG-3 CA main zone, not St Johns"),
    ],
)
def test_destination_timezone(country: str, zone: str) -> None:
    assert destination_timezone(country) == zone


def test_destination_timezone_of_an_unknown_country_names_it() -> None:
    with pytest.raises(ValueError, match="'XX'"):
        destination_timezone("XX")
