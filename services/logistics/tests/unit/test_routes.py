"""Route rules and route choice (R-LOG-6, R-LOG-7)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from logistics.domain.routes import DEFAULT_ROUTES, Route, choose_route
from shared.contract.types import StoreType
from testkit.logistics_unit import a_route


def _line(name: str, transit_min: int, transit_max: int, max_weight: int = 5_000) -> Route:
    """A full-managed line from China to the US."""
    return a_route(
        name,
        transit_min,
        transit_max,
        store_type="full_managed",
        origins=("CN",),
        max_weight_grams=max_weight,
    )


def test_fastest_accepting_route_wins() -> None:
    # R-LOG-7: lowest worst case first, then lowest best case, then name.
    routes = [_line("slow", 5, 10), _line("b-fast", 2, 4), _line("a-fast", 2, 4), _line("x", 3, 4)]
    chosen = choose_route(routes, "full_managed", "CN", "US", 1_000)
    assert chosen is not None
    assert chosen.name == "a-fast"


def test_route_too_light_for_the_parcel_is_skipped() -> None:
    # R-LOG-6
    routes = [_line("express", 2, 4, max_weight=1_000), _line("standard", 5, 10)]
    chosen = choose_route(routes, "full_managed", "CN", "US", 1_001)
    assert chosen is not None
    assert chosen.name == "standard"


@pytest.mark.parametrize(
    ("store_type", "origin", "destination", "weight"),
    [
        ("semi_managed", "CN", "US", 1_000),  # wrong store type
        ("full_managed", "DE", "US", 1_000),  # wrong origin
        ("full_managed", "CN", "AQ", 1_000),  # destination not served
        ("full_managed", "CN", "US", 9_000),  # too heavy
    ],
)
def test_no_route_accepts_the_parcel(
    store_type: StoreType, origin: str, destination: str, weight: int
) -> None:
    # R-LOG-6
    assert choose_route([_line("only", 2, 4)], store_type, origin, destination, weight) is None


def test_default_semi_managed_routes_take_2_to_5_working_days() -> None:
    # R-LOG-3
    semi = [route for route in DEFAULT_ROUTES if route.store_type == "semi_managed"]
    assert semi
    assert all((r.transit_days_min, r.transit_days_max) == (2, 5) for r in semi)


def test_default_routes_pick_express_for_light_and_standard_for_heavy_parcels() -> None:
    # R-LOG-7
    light = choose_route(DEFAULT_ROUTES, "full_managed", "CN", "DE", 800)
    heavy = choose_route(DEFAULT_ROUTES, "full_managed", "CN", "DE", 8_000)
    assert light is not None
    assert heavy is not None
    assert (light.name, heavy.name) == ("full-cn-express", "full-cn-standard")


def test_semi_managed_stays_in_the_warehouse_region() -> None:
    # R-LOG-6
    assert choose_route(DEFAULT_ROUTES, "semi_managed", "DE", "FR", 1_000) is not None
    assert choose_route(DEFAULT_ROUTES, "semi_managed", "DE", "US", 1_000) is None


def test_transit_min_above_max_is_refused() -> None:
    with pytest.raises(ValidationError):
        _line("broken", 6, 5)
