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

import pytest

from logistics.domain.deadlines import delivery_window, full_managed_ship_by
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

    confirmed_at: datetime
    handling_days: int
    warehouse: Warehouse
    ship_by: datetime


#: Each case by its test id.
SHIP_BY_CASES = {
    # --- R-LOG-5: the 15:00 cut-off, warehouse local time -----------------------------
    "R-LOG-5 Tue 14:59 CET before cut-off: day 0 Tue -> Wed 15:00 CET": ShipBy(
        _utc(2026, 3, 10, 13, 59), 1, MADRID, _utc(2026, 3, 11, 14)
    ),
    "R-LOG-5 Tue 15:00 CET at cut-off: day 0 Wed -> Thu 15:00 CET": ShipBy(
        _utc(2026, 3, 10, 14), 1, MADRID, _utc(2026, 3, 12, 14)
    ),
    "R-LOG-5 Fri 10:00 CET before cut-off: day 0 Fri -> Mon 15:00 CET": ShipBy(
        _utc(2026, 3, 13, 9), 1, MADRID, _utc(2026, 3, 16, 14)
    ),
    "R-LOG-5 Fri 16:00 CET after cut-off: day 0 Mon -> Tue 15:00 CET": ShipBy(
        _utc(2026, 3, 13, 15), 1, MADRID, _utc(2026, 3, 17, 14)
    ),
    "R-LOG-2,5 Fri 16:00 CET after cut-off, handling 2: day 0 Mon -> Wed": ShipBy(
        _utc(2026, 3, 13, 15), 2, MADRID, _utc(2026, 3, 18, 14)
    ),
    # --- R-LOG-2: weekend confirmation, handling 1 vs 2 --------------------------------
    "R-LOG-2 Sun 11:00 CET: day 0 Mon -> Tue 15:00 CET": ShipBy(
        _utc(2026, 3, 15, 10), 1, MADRID, _utc(2026, 3, 17, 14)
    ),
    "R-LOG-2 Sun 11:00 CET, handling 2: day 0 Mon -> Wed 15:00 CET": ShipBy(
        _utc(2026, 3, 15, 10), 2, MADRID, _utc(2026, 3, 18, 14)
    ),
    "R-LOG-2 Mon 09:00 CET handling 1 -> Tue 15:00 CET": ShipBy(
        _utc(2026, 3, 9, 8), 1, MADRID, _utc(2026, 3, 10, 14)
    ),
    "R-LOG-2 Mon 09:00 CET handling 2 -> Wed 15:00 CET": ShipBy(
        _utc(2026, 3, 9, 8), 2, MADRID, _utc(2026, 3, 11, 14)
    ),
    # --- R-LOG-2: the warehouse country's public holidays ------------------------------
    "R-LOG-2 ES Thu 2 Apr 10:00 CEST, Good Friday off -> Mon 6 Apr 15:00 CEST": ShipBy(
        _utc(2026, 4, 2, 8), 1, MADRID, _utc(2026, 4, 6, 13)
    ),
    "R-LOG-2,5 ES Fri 9 Oct 16:00 CEST, Mon 12 Oct off: day 0 Tue -> Wed 15:00 CEST": ShipBy(
        _utc(2026, 10, 9, 14), 1, MADRID, _utc(2026, 10, 14, 13)
    ),
    # --- R-LOG-2: China's National Day week 2026 and its make-up workdays --------------
    "R-LOG-2 CN Wed 30 Sep 10:00 CST: 1-7 Oct off -> Thu 8 Oct 15:00 CST": ShipBy(
        _utc(2026, 9, 30, 2), 1, SHANGHAI, _utc(2026, 10, 8, 7)
    ),
    "R-LOG-2,5 CN Wed 30 Sep 16:00 CST, handling 2: day 0 8 Oct -> make-up Sat 10 Oct": ShipBy(
        _utc(2026, 9, 30, 8), 2, SHANGHAI, _utc(2026, 10, 10, 7)
    ),
    "R-LOG-2 CN Fri 2 Oct 10:00 CST (holiday): day 0 Thu 8 Oct -> Fri 9 Oct": ShipBy(
        _utc(2026, 10, 2, 2), 1, SHANGHAI, _utc(2026, 10, 9, 7)
    ),
    "R-LOG-2 CN Fri 9 Oct 10:00 CST -> make-up Sat 10 Oct 15:00 CST": ShipBy(
        _utc(2026, 10, 9, 2), 1, SHANGHAI, _utc(2026, 10, 10, 7)
    ),
    "R-LOG-2,5 CN make-up Sat 10 Oct 10:00 CST counts as day 0 -> Mon 12 Oct": ShipBy(
        _utc(2026, 10, 10, 2), 1, SHANGHAI, _utc(2026, 10, 12, 7)
    ),
    "R-LOG-2 CN Sat 19 Sep: day 0 make-up Sun 20 Sep -> Mon 21 Sep 15:00 CST": ShipBy(
        _utc(2026, 9, 19, 2), 1, SHANGHAI, _utc(2026, 9, 21, 7)
    ),
    "R-LOG-2 CN Thu 24 Sep 10:00 CST, Fri 25 Sep Mid-Autumn off -> Mon 28 Sep": ShipBy(
        _utc(2026, 9, 24, 2), 1, SHANGHAI, _utc(2026, 9, 28, 7)
    ),
    # --- R-LOG-5: a warehouse timezone far from UTC ------------------------------------
    "R-LOG-5 NZ Sun 20:00 UTC is Mon 09:00 NZDT: day 0 Mon -> Tue 15:00 NZDT": ShipBy(
        _utc(2026, 3, 15, 20), 1, AUCKLAND, _utc(2026, 3, 17, 2)
    ),
    "R-LOG-5 NZ Mon 02:00 UTC is Mon 15:00 NZDT, at cut-off -> Wed 15:00 NZDT": ShipBy(
        _utc(2026, 3, 16, 2), 1, AUCKLAND, _utc(2026, 3, 18, 2)
    ),
    "R-LOG-5 LA Fri 20:00 UTC is Fri 13:00 PDT, before cut-off -> Mon 15:00 PDT": ShipBy(
        _utc(2026, 3, 13, 20), 1, LOS_ANGELES, _utc(2026, 3, 16, 22)
    ),
    "R-LOG-5 LA Sat 01:00 UTC is Fri 18:00 PDT, after cut-off -> Tue 15:00 PDT": ShipBy(
        _utc(2026, 3, 14, 1), 1, LOS_ANGELES, _utc(2026, 3, 17, 22)
    ),
    # --- R-LOG-5: daylight saving changes keep 15:00 local, not a UTC hour -------------
    "R-LOG-5 Madrid Thu 26 Mar -> Fri 27 Mar 15:00 CET = 14:00 UTC": ShipBy(
        _utc(2026, 3, 26, 9), 1, MADRID, _utc(2026, 3, 27, 14)
    ),
    "R-LOG-5 Madrid Fri 27 Mar, DST on Sun 29 -> Mon 30 Mar 15:00 CEST = 13:00 UTC": ShipBy(
        _utc(2026, 3, 27, 9), 1, MADRID, _utc(2026, 3, 30, 13)
    ),
    "R-LOG-5 Madrid Fri 23 Oct CEST, DST off Sun 25 -> Mon 26 Oct 15:00 CET = 14 UTC": ShipBy(
        _utc(2026, 10, 23, 8), 1, MADRID, _utc(2026, 10, 26, 14)
    ),
}


@pytest.mark.parametrize("case", SHIP_BY_CASES.values(), ids=list(SHIP_BY_CASES))
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


@dataclass(frozen=True)
class Window:
    """Shipped by `ship_by` on a line of `transit` (fewest, most) working days serving
    only `country`, dated in `timezone` (UTC if None): delivered from `earliest` to
    `latest`."""

    ship_by: datetime
    transit: tuple[int, int]
    country: str
    timezone: str | None
    earliest: date
    latest: date


#: Each case by its test id.
WINDOW_CASES = {
    "R-LOG-3 US Wed 1 Jul, Fri 3 Jul Independence Day observed -> Mon 6 to Thu 9": Window(
        _utc(2026, 7, 1, 19), (2, 5), "US", "America/New_York", date(2026, 7, 6), date(2026, 7, 9)
    ),
    "R-LOG-3 ES Thu 8 Oct, Mon 12 Oct Fiesta Nacional -> Tue 13 to Fri 16": Window(
        _utc(2026, 10, 8, 13), (2, 5), "ES", "Europe/Madrid", date(2026, 10, 13), date(2026, 10, 16)
    ),
    "R-LOG-3 23:00 UTC Wed is Thu 00:00 CET in Madrid -> from Thu 12 Mar": Window(
        _utc(2026, 3, 11, 23), (2, 5), "ES", "Europe/Madrid", date(2026, 3, 16), date(2026, 3, 19)
    ),
    "R-LOG-3 same ship-by without a zone is dated in UTC -> from Wed 11 Mar": Window(
        _utc(2026, 3, 11, 23), (2, 5), "ES", None, date(2026, 3, 13), date(2026, 3, 18)
    ),
    "R-LOG-3 shipped Fri: the weekend does not count -> Tue 17 to Fri 20": Window(
        _utc(2026, 3, 13, 14), (2, 5), "ES", "Europe/Madrid", date(2026, 3, 17), date(2026, 3, 20)
    ),
    "R-LOG-3 zero transit is the ship-by date itself": Window(
        _utc(2026, 3, 13, 14), (0, 0), "ES", "Europe/Madrid", date(2026, 3, 13), date(2026, 3, 13)
    ),
}


@pytest.mark.parametrize("case", WINDOW_CASES.values(), ids=list(WINDOW_CASES))
def test_delivery_window(case: Window) -> None:
    line = a_route(
        "table-line", *case.transit, origins=(case.country,), destinations=(case.country,)
    )
    window = delivery_window(
        case.ship_by,
        line,
        destination_country=case.country,
        destination_timezone=case.timezone,
        calendars=CALENDARS,
    )
    assert (window.earliest, window.latest) == (case.earliest, case.latest)


@dataclass(frozen=True)
class Order:
    """A `store_type` order confirmed at `confirmed_at` to `destination`, of
    `weight_grams` (semi-managed: `handling_days` in `warehouse`): `estimate_of`'s
    arguments, by name."""

    store_type: StoreType
    confirmed_at: datetime
    destination: str
    weight_grams: int
    handling_days: int | None
    warehouse: Warehouse | None


#: Each case by its test id: the order, and its (ship-by, earliest, latest, route).
ESTIMATE_CASES = {
    "R-LOG-2,3 seed: Mon 9 Mar morning, handling 2, transit 2-5 -> +4 to +9 days": (
        Order("semi_managed", _utc(2026, 3, 9, 8), "ES", 1_000, 2, MADRID),
        (_utc(2026, 3, 11, 14), date(2026, 3, 13), date(2026, 3, 18), "semi-eu-ground"),
    ),
    "R-LOG-3,6 DE warehouse to FR: FR's 8 May and 14 May off, not DE's calendar": (
        Order("semi_managed", _utc(2026, 5, 4, 7), "FR", 1_000, 2, BERLIN),
        (_utc(2026, 5, 6, 13), date(2026, 5, 11), date(2026, 5, 15), "semi-eu-ground"),
    ),
    "R-LOG-2,3 US Tue 30 Jun 09:00 EDT -> Wed 1 Jul, 3 Jul off in transit": (
        Order("semi_managed", _utc(2026, 6, 30, 13), "US", 1_000, 1, NEW_YORK),
        (_utc(2026, 7, 1, 19), date(2026, 7, 6), date(2026, 7, 9), "semi-na-ground"),
    ),
    "R-LOG-1,3,7 ship-by 02:00 UTC Thu is Wed 22:00 EDT: dated from Wed 11 Mar": (
        Order("full_managed", _utc(2026, 3, 9, 2), "US", 500, None, None),
        (_utc(2026, 3, 12, 2), date(2026, 3, 16), date(2026, 3, 20), "full-cn-express"),
    ),
    "R-LOG-1,3,7 5 kg to ES: standard 7-15, 8 Dec and 25 Dec off": (
        Order("full_managed", _utc(2026, 12, 1, 10), "ES", 5_000, None, None),
        (_utc(2026, 12, 4, 10), date(2026, 12, 16), date(2026, 12, 29), "full-cn-standard"),
    ),
}


@pytest.mark.parametrize(("order", "expected"), ESTIMATE_CASES.values(), ids=list(ESTIMATE_CASES))
def test_estimate(order: Order, expected: tuple[datetime, date, date, str]) -> None:
    found = estimate_of(**vars(order))
    assert found is not None
    assert (found.ship_by, found.earliest, found.latest, found.route) == expected


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
