"""The route table comes from configuration (R-LOG-6, R-POL-1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from logistics.domain.routes import DEFAULT_ROUTES, choose_route
from logistics.settings import LogisticsSettings
from testkit.logistics_unit import routes_from_a_file


def test_without_a_file_the_documented_defaults_apply() -> None:  # R-LOG-6
    assert LogisticsSettings().route_table() == DEFAULT_ROUTES


def test_a_route_file_replaces_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # R-LOG-6, R-LOG-7
    courier = {
        "name": "semi-es-courier",
        "carrier": "Correos Express",
        "store_type": "semi_managed",
        "origin_countries": ["ES"],
        "destination_countries": ["ES", "PT"],
        "max_weight_grams": 10_000,
        "transit_days_min": 1,
        "transit_days_max": 2,
    }
    routes_from_a_file(tmp_path, monkeypatch, courier)
    routes = LogisticsSettings().route_table()
    assert [route.name for route in routes] == ["semi-es-courier"]
    chosen = choose_route(routes, "semi_managed", "ES", "PT", 2_000)
    assert chosen is not None
    assert chosen.transit_days_max == 2
    assert choose_route(routes, "semi_managed", "ES", "FR", 2_000) is None
