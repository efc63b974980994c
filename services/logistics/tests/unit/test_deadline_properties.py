"""Properties of ship-by deadlines and delivery windows (R-LOG-1,2,3,5,6).

Confirmations are drawn from 2025 to 2032: across published years, the library's last
published year's end and provisional years after it (R-CAL-2); the properties hold on
every calendar.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, tzinfo
from itertools import pairwise
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from logistics.domain.deadlines import delivery_window, full_managed_ship_by
from logistics.domain.routes import DEFAULT_ROUTES, Route
from logistics.domain.zones import destination_timezone
from shared.contract.types import Warehouse
from testkit.factories import a_us_warehouse, a_warehouse
from testkit.logistics_unit import CALENDARS, MADRID, POLICY, estimate_of, ship_by_from

#: Semi-managed merchants' warehouses close to, east of and west of UTC.
WAREHOUSES = (
    MADRID,
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


class Leg(NamedTuple):
    """A default route with one of its origins and one of its destinations (R-LOG-6)."""

    route: Route
    origin: str
    destination: str


route_legs = st.sampled_from(DEFAULT_ROUTES).flatmap(
    lambda route: st.builds(
        Leg,
        st.just(route),
        st.sampled_from(route.origin_countries),
        st.sampled_from(route.destination_countries),
    )
)


Test = Callable[..., None]


def holds(**strategies: st.SearchStrategy[Any]) -> Callable[[Test], Test]:
    """A property test: true of 200 examples drawn from `strategies`, with no deadline."""

    def property_test(test: Test) -> Test:
        return settings(max_examples=200, deadline=None)(given(**strategies)(test))

    return property_test


@holds(confirmed_at=confirmations, warehouse=warehouses, handling_days=handling_options)
def test_ship_by_is_the_cutoff_of_a_working_day_after_the_confirmation(
    confirmed_at: datetime, warehouse: Warehouse, handling_days: int
) -> None:
    # R-LOG-2, R-LOG-5
    ship_by = ship_by_from(warehouse, confirmed_at, handling_days)
    local = ship_by.astimezone(ZoneInfo(warehouse.timezone))
    assert local.time() == time(hour=POLICY.pickup_cutoff_hour)
    assert CALENDARS.of(warehouse.country).is_working_day(local.date())
    assert ship_by > confirmed_at
    assert ship_by.tzinfo == UTC


@holds(confirmed_at=confirmations, warehouse=warehouses)
def test_longer_handling_never_gives_an_earlier_ship_by(
    confirmed_at: datetime, warehouse: Warehouse
) -> None:
    # R-LOG-2: each extra handling day is one more working day, so strictly later.
    deadlines = [
        ship_by_from(warehouse, confirmed_at, days)
        for days in sorted(POLICY.semi_handling_days_options)
    ]
    for shorter, longer in pairwise(deadlines):
        assert longer > shorter


def _warehouse_in(country: str) -> Warehouse:
    """A semi-managed merchant's warehouse in `country`, on its main zone."""
    return a_warehouse(country=country, timezone=destination_timezone(country))


def _ship_by(leg: Leg, confirmed_at: datetime, handling_days: int) -> datetime:
    if leg.route.store_type == "full_managed":
        return full_managed_ship_by(confirmed_at, POLICY)  # R-LOG-1
    return ship_by_from(_warehouse_in(leg.origin), confirmed_at, handling_days)


@holds(confirmed_at=confirmations, leg=route_legs, handling_days=handling_options)
def test_window_is_ordered_and_starts_no_earlier_than_the_local_ship_by_date(
    confirmed_at: datetime, leg: Leg, handling_days: int
) -> None:
    # R-LOG-3: working days of the destination, dated in the destination's zone.
    ship_by = _ship_by(leg, confirmed_at, handling_days)
    zone = destination_timezone(leg.destination)
    window = delivery_window(ship_by, leg.route, leg.destination, zone, calendars=CALENDARS)
    shipped_on = ship_by.astimezone(ZoneInfo(zone)).date()
    calendar = CALENDARS.of(leg.destination)
    assert window.earliest <= window.latest
    assert window.earliest >= shipped_on
    assert calendar.working_days_between(shipped_on, window.earliest) == leg.route.transit_days_min
    assert calendar.working_days_between(shipped_on, window.latest) == leg.route.transit_days_max


@holds(confirmed_at=confirmations, leg=route_legs, handling_days=handling_options)
def test_estimate_window_is_destination_local_and_ordered(
    confirmed_at: datetime, leg: Leg, handling_days: int
) -> None:
    # R-LOG-1,2,3,6,7: whichever route `estimate` picks, its window holds the same.
    semi = leg.route.store_type == "semi_managed"
    found = estimate_of(
        leg.route.store_type,
        confirmed_at,
        leg.destination,
        weight_grams=min(1_000, leg.route.max_weight_grams),
        handling_days=handling_days if semi else None,
        warehouse=_warehouse_in(leg.origin) if semi else None,
    )
    assert found is not None  # R-LOG-6: the leg's own route accepts the parcel
    zone = destination_timezone(leg.destination)
    shipped_on = found.ship_by.astimezone(ZoneInfo(zone)).date()
    assert shipped_on <= found.earliest <= found.latest
