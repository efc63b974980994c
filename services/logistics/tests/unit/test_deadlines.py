"""Ship-by deadlines and delivery windows (R-LOG-1,2,3,5), with no I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from logistics.domain.deadlines import (
    DeliveryEstimate,
    delivery_window,
    full_managed_ship_by,
    self_drop_deadline,
)
from logistics.domain.routes import Route
from shared.policy import Policy
from testkit.factories import a_us_warehouse, a_warehouse
from testkit.logistics_unit import CALENDARS, POLICY, a_route, estimate_of, ship_by_from

#: A warehouse in Berlin (DE, CET/CEST).
BERLIN = a_warehouse(country="DE", city="Berlin", timezone="Europe/Berlin")


def _from_berlin(
    confirmed_at: datetime, handling_days: int = 1, policy: Policy = POLICY
) -> datetime:
    """The ship-by of a semi-managed order from BERLIN."""
    return ship_by_from(BERLIN, confirmed_at, handling_days, policy)


def _full_managed_to_the_us(confirmed_at: datetime, weight_grams: int) -> DeliveryEstimate | None:
    return estimate_of("full_managed", confirmed_at, "US", weight_grams)


def _route(transit_min: int, transit_max: int) -> Route:
    return a_route("test-line", transit_min, transit_max, destinations=("US", "JP"))


def test_seed_monday_morning_handling_2_transit_2_to_5_gives_4_to_9_days() -> None:
    # R-LOG-2, R-LOG-3: the seed's own example, in a US week with no public holiday.
    monday_morning = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 09:00 in New York
    found = estimate_of(
        "semi_managed", monday_morning, "US", 1_000, handling_days=2, warehouse=a_us_warehouse()
    )
    assert found is not None
    assert found.route == "semi-na-ground"
    # Wednesday at the 15:00 cut-off, New York daylight time (UTC-4).
    assert found.ship_by == datetime(2026, 3, 11, 19, 0, tzinfo=UTC)
    ordered_on = monday_morning.date()
    assert found.earliest == ordered_on + timedelta(days=4)
    assert found.latest == ordered_on + timedelta(days=9)


def test_confirmed_before_cutoff_counts_for_the_day() -> None:
    # R-LOG-5: 14:59 in Berlin (CET, UTC+1) on a Tuesday: day 0 is that Tuesday.
    confirmed = datetime(2026, 3, 10, 13, 59, tzinfo=UTC)
    assert _from_berlin(confirmed) == datetime(
        2026, 3, 11, 14, 0, tzinfo=UTC
    )  # Wednesday 15:00 CET


def test_confirmed_at_cutoff_counts_for_the_next_working_day() -> None:
    # R-LOG-5: 15:00 local is already too late for the day's pickup.
    confirmed = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
    assert _from_berlin(confirmed) == datetime(2026, 3, 12, 14, 0, tzinfo=UTC)  # Thursday 15:00 CET


def test_cutoff_uses_the_warehouse_local_date_not_utc() -> None:
    # R-LOG-5: 02:00 UTC Tuesday is 19:00 Monday in Los Angeles, after the cut-off.
    confirmed = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    los_angeles = a_us_warehouse(city="Los Angeles", timezone="America/Los_Angeles")
    ship_by = ship_by_from(los_angeles, confirmed)
    assert ship_by == datetime(2026, 3, 11, 22, 0, tzinfo=UTC)  # Wednesday 15:00 PDT


def test_weekend_confirmation_starts_on_monday() -> None:
    # R-LOG-2: a Saturday morning confirmation: day 0 is Monday, 1 working day -> Tuesday.
    saturday = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
    assert _from_berlin(saturday) == datetime(2026, 3, 17, 14, 0, tzinfo=UTC)


def test_handling_skips_the_warehouse_country_public_holidays() -> None:
    # R-LOG-2: Thursday before Easter 2026 in Germany; Good Friday and Easter Monday off.
    confirmed = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)  # 10:00 CEST
    assert _from_berlin(confirmed) == datetime(2026, 4, 7, 13, 0, tzinfo=UTC)  # Tuesday 15:00 CEST


def test_handling_days_outside_the_policy_options_are_refused() -> None:
    # R-LOG-2: only 1 or 2 working days by default.
    with pytest.raises(ValueError, match="handling_days"):
        _from_berlin(datetime(2026, 3, 9, tzinfo=UTC), handling_days=3)


def test_policy_changes_apply_without_code_changes() -> None:
    # R-POL-1: a new handling option and an earlier cut-off come from configuration.
    policy = Policy(semi_handling_days_options=(1, 2, 3), pickup_cutoff_hour=12)
    confirmed = datetime(2026, 3, 9, 11, 30, tzinfo=UTC)  # Monday 12:30 CET: after 12:00
    ship_by = _from_berlin(confirmed, handling_days=3, policy=policy)
    assert ship_by == datetime(2026, 3, 13, 11, 0, tzinfo=UTC)  # Friday 12:00 CET


def test_unknown_timezone_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="timezone"):
        ship_by_from(
            a_warehouse(country="DE", timezone="Mars/Base"), datetime(2026, 3, 9, tzinfo=UTC)
        )


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="offset"):
        full_managed_ship_by(datetime(2026, 3, 9), POLICY)


def test_self_drop_deadline_is_48_hours_after_confirmation() -> None:
    # R-LOG-5
    confirmed = datetime(2026, 3, 9, 16, 0, tzinfo=UTC)
    assert self_drop_deadline(confirmed, POLICY) == confirmed + timedelta(hours=48)
    assert self_drop_deadline(confirmed, Policy(self_drop_hours=24)) == confirmed + timedelta(
        hours=24
    )


def test_full_managed_ships_within_3_days_of_confirmation() -> None:
    # R-LOG-1
    confirmed = datetime(2026, 3, 9, 16, 0, tzinfo=UTC)
    assert full_managed_ship_by(confirmed, POLICY) == confirmed + timedelta(days=3)


def test_window_counts_working_days_of_the_destination() -> None:
    # R-LOG-3: shipped the Wednesday before Thanksgiving; Thursday is off in the US.
    ship_by = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
    window = delivery_window(ship_by, _route(2, 5), "US", calendars=CALENDARS)
    assert window.earliest == date(2026, 11, 30)
    assert window.latest == date(2026, 12, 3)


def test_window_starts_on_the_destination_date_when_its_timezone_is_known() -> None:
    # R-LOG-3: 23:00 UTC Wednesday is already Thursday in Tokyo.
    ship_by = datetime(2026, 3, 11, 23, 0, tzinfo=UTC)
    assert delivery_window(ship_by, _route(1, 1), "JP", calendars=CALENDARS).earliest == date(
        2026, 3, 12
    )
    in_tokyo = delivery_window(ship_by, _route(1, 1), "JP", "Asia/Tokyo", calendars=CALENDARS)
    assert in_tokyo.earliest == date(2026, 3, 13)


def test_full_managed_estimate_uses_the_fastest_route_from_china() -> None:
    # R-LOG-1, R-LOG-7
    confirmed = datetime(2026, 3, 9, 16, 0, tzinfo=UTC)
    found = _full_managed_to_the_us(confirmed, weight_grams=500)
    assert found is not None
    assert found.route == "full-cn-express"
    assert found.ship_by == confirmed + timedelta(days=POLICY.full_managed_ship_days_max)
    assert found.earliest < found.latest


def test_estimate_is_none_without_a_route() -> None:
    # R-LOG-6: nothing carries 50 kg.
    confirmed = datetime(2026, 3, 9, 16, 0, tzinfo=UTC)
    assert _full_managed_to_the_us(confirmed, weight_grams=50_000) is None


def test_semi_managed_estimate_needs_the_warehouse() -> None:
    with pytest.raises(ValueError, match="warehouse"):
        estimate_of("semi_managed", datetime(2026, 3, 9, tzinfo=UTC), "US", 1)
