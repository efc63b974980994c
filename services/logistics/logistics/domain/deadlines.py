"""Ship-by deadlines and delivery windows, as pure functions of time and policy.

Every number comes from `Policy` (R-POL-1) or from the route; every time and the
countries' working calendars (`Calendars`, R-CAL-1) are passed in. Times in and out are
timezone-aware; ship-by deadlines are UTC, delivery windows are dates in the
destination's zone (R-LOG-3, `zones.destination_timezone`). An estimate says which
calendar years it was computed on, and whether any was provisional (R-CAL-2).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict

from logistics.domain.routes import Route, choose_route
from logistics.domain.zones import destination_timezone
from shared.calendar import CalendarBasis, Calendars, combine
from shared.clock import utc_ms
from shared.contract.events import DeliveryWindow
from shared.contract.types import IsoDate, StoreType, UtcDateTime
from shared.policy import Policy

# R-LOG-1: full-managed goods are stocked beforehand in the platform's warehouse in China.
FULL_MANAGED_ORIGIN_COUNTRY = "CN"
FULL_MANAGED_TIMEZONE = "Asia/Shanghai"


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{name} must carry its timezone offset")
    return moment


def _zone(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown timezone {timezone!r}") from error


def full_managed_ship_by(confirmed_at: datetime, policy: Policy) -> datetime:
    """R-LOG-1: the platform ships within N calendar days of the confirmation."""
    confirmed_at = _aware(confirmed_at, "confirmed_at")
    return utc_ms(confirmed_at + timedelta(days=policy.full_managed_ship_days_max))


def semi_managed_ship_by(
    confirmed_at: datetime,
    handling_days: int,
    warehouse_timezone: str,
    warehouse_country: str,
    policy: Policy,
    *,
    calendars: Calendars,
) -> datetime:
    """R-LOG-2, R-LOG-5: the cut-off hour (warehouse local time) of the working day that
    is `handling_days` working days after day 0, in UTC.

    Day 0 is the confirmation's local date when that is a working day and the local time
    is before the pickup cut-off (the order still counts for the day, R-LOG-5); else the
    next working day of the warehouse's country.
    """
    confirmed_at = _aware(confirmed_at, "confirmed_at")
    # R-LOG-2: only the handling times the policy offers.
    if handling_days not in policy.semi_handling_days_options:
        raise ValueError(
            f"handling_days must be one of {list(policy.semi_handling_days_options)}, "
            f"got {handling_days}"
        )
    zone = _zone(warehouse_timezone)
    calendar = calendars.of(warehouse_country)
    local = confirmed_at.astimezone(zone)
    cutoff = time(hour=policy.pickup_cutoff_hour)
    day_zero = local.date()
    if not calendar.is_working_day(day_zero) or local.time() >= cutoff:
        day_zero = calendar.add_working_days(day_zero, 1)
    ship_day = calendar.add_working_days(day_zero, handling_days)
    return utc_ms(datetime.combine(ship_day, cutoff, tzinfo=zone))


def self_drop_deadline(confirmed_at: datetime, policy: Policy) -> datetime:
    """R-LOG-5: without a pickup, the merchant drops the parcel at the carrier in time."""
    confirmed_at = _aware(confirmed_at, "confirmed_at")
    return utc_ms(confirmed_at + timedelta(hours=policy.self_drop_hours))


def unshipped_cancel_at(ship_by: datetime, policy: Policy) -> datetime:
    """R-ORD-5 (`not_shipped`): a shipment not handed over by this time is cancelled:
    `SHIP_GRACE_HOURS` (policy `ship_grace_hours`) after its ship-by."""
    ship_by = _aware(ship_by, "ship_by")
    return utc_ms(ship_by + timedelta(hours=policy.ship_grace_hours))


def days_late(delivered_at: datetime, latest: date, destination_country: str) -> int:
    """R-LOG-8: how many days after its window's latest date a parcel was delivered; 0
    within the window.

    The delivery's date is taken in the destination's zone, the one its window is dated in
    (R-LOG-3, `zones.destination_timezone`); the days are calendar days (a parcel a day
    past a Friday `latest` is one day late on Saturday).
    """
    zone = _zone(destination_timezone(destination_country))
    local = _aware(delivered_at, "delivered_at").astimezone(zone).date()
    return max(0, (local - latest).days)


def delivery_window(
    ship_by: datetime,
    route: Route,
    destination_country: str,
    destination_timezone: str | None = None,
    *,
    calendars: Calendars,
) -> DeliveryWindow:
    """R-LOG-3: ship-by date plus the route's transit, in working days of the destination.

    The start date is `ship_by`'s date in the destination's timezone when given, else its
    UTC date: an address carries a country and no zone, and a country may span several
    zones (US, CA, BR); the two differ by at most one day at the edges of the day.
    """
    ship_by = _aware(ship_by, "ship_by")
    zone = _zone(destination_timezone) if destination_timezone else UTC
    start = ship_by.astimezone(zone).date()
    calendar = calendars.of(destination_country)
    return DeliveryWindow(
        earliest=calendar.add_working_days(start, route.transit_days_min),
        latest=calendar.add_working_days(start, route.transit_days_max),
    )


class DeliveryEstimate(BaseModel):
    """What a buyer is told before and after confirming (`GET /delivery-estimate`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ship_by: UtcDateTime
    earliest: IsoDate
    latest: IsoDate
    route: str
    #: The calendar years the deadline and the window were counted on (R-CAL-2).
    calendar: CalendarBasis

    @property
    def window(self) -> DeliveryWindow:
        return DeliveryWindow(earliest=self.earliest, latest=self.latest)


def _semi_managed(
    confirmed_at: datetime,
    handling_days: int,
    warehouse_country: str,
    warehouse_timezone: str,
    policy: Policy,
    calendars: Calendars,
) -> tuple[datetime, CalendarBasis]:
    """R-LOG-2's ship-by, and the warehouse's calendar years it counted on."""
    ship_by = semi_managed_ship_by(
        confirmed_at,
        handling_days,
        warehouse_timezone,
        warehouse_country,
        policy,
        calendars=calendars,
    )
    zone = _zone(warehouse_timezone)
    local_start = _aware(confirmed_at, "confirmed_at").astimezone(zone).date()
    basis = calendars.of(warehouse_country).basis_between(
        local_start, ship_by.astimezone(zone).date()
    )
    return ship_by, basis


def estimate(
    store_type: StoreType,
    confirmed_at: datetime,
    destination_country: str,
    weight_grams: int,
    policy: Policy,
    routes: Iterable[Route],
    handling_days: int | None = None,
    warehouse_country: str | None = None,
    warehouse_timezone: str | None = None,
    *,
    calendars: Calendars,
) -> DeliveryEstimate | None:
    """R-LOG-1,2,3,5,6,7 in one computation; None when no route accepts the parcel.

    Semi-managed needs the store's handling days and its warehouse's country and timezone
    (ValueError without them); full-managed ships from the platform's warehouse in China.
    The window is dated in the destination's zone (R-LOG-3): the first zone tzdata's
    `zone.tab` lists for the country, so a country spanning zones uses its first-listed
    one (`zones.destination_timezone`); ValueError if the country has none.
    """
    origin_country, ship_by, bases = _origin_and_ship_by(
        store_type,
        confirmed_at,
        policy,
        handling_days,
        warehouse_country,
        warehouse_timezone,
        calendars,
    )
    route = choose_route(routes, store_type, origin_country, destination_country, weight_grams)
    if route is None:
        return None
    zone_name = destination_timezone(destination_country)
    window = delivery_window(ship_by, route, destination_country, zone_name, calendars=calendars)
    start = ship_by.astimezone(_zone(zone_name)).date()
    bases.append(calendars.of(destination_country).basis_between(start, window.latest))
    return DeliveryEstimate(
        ship_by=ship_by,
        earliest=window.earliest,
        latest=window.latest,
        route=route.name,
        calendar=calendars.noted(combine(*bases)),
    )


def _origin_and_ship_by(
    store_type: StoreType,
    confirmed_at: datetime,
    policy: Policy,
    handling_days: int | None,
    warehouse_country: str | None,
    warehouse_timezone: str | None,
    calendars: Calendars,
) -> tuple[str, datetime, list[CalendarBasis]]:
    """Where the parcel leaves from, when by, and the origin's calendar years counted on."""
    if store_type == "full_managed":
        # R-LOG-1 counts calendar days: no working calendar of the origin is consulted.
        return FULL_MANAGED_ORIGIN_COUNTRY, full_managed_ship_by(confirmed_at, policy), []
    if handling_days is None or warehouse_country is None or warehouse_timezone is None:
        raise ValueError(
            "a semi-managed estimate needs handling_days, warehouse_country and warehouse_timezone"
        )
    ship_by, basis = _semi_managed(
        confirmed_at, handling_days, warehouse_country, warehouse_timezone, policy, calendars
    )
    return warehouse_country, ship_by, [basis]
