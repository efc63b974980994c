"""Properties of ship-by deadlines and delivery windows (R-LOG-1,2,3,5,6).

Confirmations are drawn from 2025 to 2032: across published years, the library's last
published year's end and provisional years after it (R-CAL-2); the properties hold on
every calendar.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, tzinfo
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from logistics.domain.deadlines import (
    delivery_window,
    estimate,
    full_managed_ship_by,
    semi_managed_ship_by,
)
from logistics.domain.routes import DEFAULT_ROUTES, Route
from logistics.domain.zones import destination_timezone
from shared.calendar import Calendars
from shared.contract.types import Warehouse
from shared.policy import Policy
from testkit.factories import a_us_warehouse, a_warehouse

POLICY = Policy()
CALENDARS = Calendars()

#: Semi-managed merchants' warehouses close to, east of and west of UTC.
WAREHOUSES = (
    a_warehouse(country="ES", city="Madrid", timezone="Europe/Madrid"),
    a_us_warehouse(),
    a_warehouse(country="GB", city="London", timezone="Europe/London"),
    a_warehouse(country="CN", city="Shanghai", timezone="Asia/Shanghai"),
)

#: The offsets confirmations are written in; the functions must not depend on them.
_CONFIRMATION_ZONES: tuple[tzinfo, ...] = (
    UTC,
    ZoneInfo("Pacific/Auckland"),
    ZoneInfo("America/Los_Angeles"),
    ZoneInfo("Asia/Shanghai"),
    ZoneInfo("Europe/Madrid"),
)

confirmations = st.datetimes(
    min_value=datetime(2025, 1, 2),
    max_value=datetime(2032, 12, 20),
    timezones=st.sampled_from(_CONFIRMATION_ZONES),
    allow_imaginary=False,
)
warehouses = st.sampled_from(WAREHOUSES)
handling_options = st.sampled_from(POLICY.semi_handling_days_options)
#: A default route with one of its origins and one of its destinations (R-LOG-6).
route_legs = st.sampled_from(DEFAULT_ROUTES).flatmap(
    lambda route: st.tuples(
        st.just(route),
        st.sampled_from(route.origin_countries),
        st.sampled_from(route.destination_countries),
    )
)

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)


def _semi_managed_ship_by(
    confirmed_at: datetime, handling_days: int, warehouse: Warehouse
) -> datetime:
    return semi_managed_ship_by(
        confirmed_at,
        handling_days,
        warehouse_timezone=warehouse.timezone,
        warehouse_country=warehouse.country,
        policy=POLICY,
        calendars=CALENDARS,
    )


@PROPERTY_SETTINGS
@given(confirmed_at=confirmations, warehouse=warehouses, handling_days=handling_options)
def test_ship_by_is_the_cutoff_of_a_working_day_after_the_confirmation(
    confirmed_at: datetime, warehouse: Warehouse, handling_days: int
) -> None:
    # R-LOG-2, R-LOG-5
    ship_by = _semi_managed_ship_by(confirmed_at, handling_days, warehouse)
    local = ship_by.astimezone(ZoneInfo(warehouse.timezone))
    assert local.time() == time(hour=POLICY.pickup_cutoff_hour)
    assert CALENDARS.of(warehouse.country).is_working_day(local.date())
    assert ship_by > confirmed_at
    assert ship_by.tzinfo == UTC


@PROPERTY_SETTINGS
@given(confirmed_at=confirmations, warehouse=warehouses)
def test_longer_handling_never_gives_an_earlier_ship_by(
    confirmed_at: datetime, warehouse: Warehouse
) -> None:
    # R-LOG-2: each extra handling day is one more working day, so strictly later.
    deadlines = [
        _semi_managed_ship_by(confirmed_at, days, warehouse)
        for days in sorted(POLICY.semi_handling_days_options)
    ]
    for shorter, longer in pairwise(deadlines):
        assert longer > shorter


def _ship_by(route: Route, origin: str, confirmed_at: datetime, handling_days: int) -> datetime:
    if route.store_type == "full_managed":
        return full_managed_ship_by(confirmed_at, POLICY)  # R-LOG-1
    warehouse = a_warehouse(country=origin, timezone=destination_timezone(origin))
    return _semi_managed_ship_by(confirmed_at, handling_days, warehouse)


@PROPERTY_SETTINGS
@given(confirmed_at=confirmations, leg=route_legs, handling_days=handling_options)
def test_window_is_ordered_and_starts_no_earlier_than_the_local_ship_by_date(
    confirmed_at: datetime, leg: tuple[Route, str, str], handling_days: int
) -> None:
    # R-LOG-3: working days of the destination, dated in the destination's zone.
    route, origin, destination = leg
    ship_by = _ship_by(route, origin, confirmed_at, handling_days)
    zone = destination_timezone(destination)
    window = delivery_window(ship_by, route, destination, zone, calendars=CALENDARS)
    shipped_on = ship_by.astimezone(ZoneInfo(zone)).date()
    calendar = CALENDARS.of(destination)
    assert window.earliest <= window.latest
    assert window.earliest >= shipped_on
    assert calendar.working_days_between(shipped_on, window.earliest) == route.transit_days_min
    assert calendar.working_days_between(shipped_on, window.latest) == route.transit_days_max


@PROPERTY_SETTINGS
@given(confirmed_at=confirmations, leg=route_legs, handling_days=handling_options)
def test_estimate_window_is_destination_local_and_ordered(
    confirmed_at: datetime, leg: tuple[Route, str, str], handling_days: int
) -> None:
    # R-LOG-1,2,3,6,7: whichever route `estimate` picks, its window holds the same.
    route, origin, destination = leg
    semi = route.store_type == "semi_managed"
    found = estimate(
        route.store_type,
        confirmed_at,
        destination_country=destination,
        weight_grams=min(1_000, route.max_weight_grams),
        policy=POLICY,
        routes=DEFAULT_ROUTES,
        handling_days=handling_days if semi else None,
        warehouse_country=origin if semi else None,
        warehouse_timezone=destination_timezone(origin) if semi else None,
        calendars=CALENDARS,
    )
    assert found is not None  # R-LOG-6: the leg's own route accepts the parcel
    shipped_on = found.ship_by.astimezone(ZoneInfo(destination_timezone(destination))).date()
    assert shipped_on <= found.earliest <= found.latest
