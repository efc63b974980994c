"""Logistics routes: which parcels a line accepts and how long it takes (R-LOG-3,6,7).

A route is data, not code: the defaults below are what `GET /routes` shows until
configuration replaces them, and `choose_route` only reads the rules passed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.contract.types import CountryCode, StoreType


class Route(BaseModel):
    """One logistics line. Transit days are working days of the destination (R-LOG-3)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    carrier: str = Field(min_length=1)
    store_type: StoreType
    origin_countries: tuple[CountryCode, ...] = Field(min_length=1)
    destination_countries: tuple[CountryCode, ...] = Field(min_length=1)
    max_weight_grams: int = Field(gt=0)
    transit_days_min: int = Field(ge=0)
    transit_days_max: int = Field(ge=0)

    @model_validator(mode="after")
    def _min_not_above_max(self) -> Self:
        if self.transit_days_min > self.transit_days_max:
            raise ValueError("transit_days_min must not exceed transit_days_max")
        return self

    def accepts(
        self, store_type: StoreType, origin_country: str, destination_country: str, weight: int
    ) -> bool:
        """R-LOG-6: the route's rules: store type, where from, where to, how heavy."""
        return (
            self.store_type == store_type
            and origin_country.upper() in self.origin_countries
            and destination_country.upper() in self.destination_countries
            and 0 < weight <= self.max_weight_grams
        )


def choose_route(
    routes: Iterable[Route],
    store_type: StoreType,
    origin_country: str,
    destination_country: str,
    weight_grams: int,
) -> Route | None:
    """R-LOG-6,7: among the routes that accept the parcel, the fastest (lowest worst-case
    transit, then lowest best case, then name so the choice is deterministic); None if
    no route accepts it."""
    accepting = [
        route
        for route in routes
        if route.accepts(store_type, origin_country, destination_country, weight_grams)
    ]
    if not accepting:
        return None
    return min(
        accepting, key=lambda route: (route.transit_days_max, route.transit_days_min, route.name)
    )


# Semi-managed parcels leave the merchant's overseas warehouse and stay in its region;
# the seed gives 2-5 working days of transit for every delivery region (R-LOG-3).
_EU = ("AT", "BE", "CZ", "DE", "DK", "ES", "FR", "IE", "IT", "NL", "PL", "PT", "SE")
_NORTH_AMERICA = ("US", "CA")
_SEMI_TRANSIT_MIN = 2
_SEMI_TRANSIT_MAX = 5

# Full-managed parcels leave the platform's warehouse in China (R-LOG-1). Decided
# defaults, modelled on the usual cross-border offer: an express line for light parcels
# to the main markets (3-7 working days) and a standard line for heavier parcels to a
# wider list (7-15 working days). R-LOG-7 picks express whenever it accepts the parcel.
_FULL_MANAGED_ORIGINS = ("CN",)
_EXPRESS_DESTINATIONS = ("US", "GB", "DE", "FR", "ES", "IT", "NL", "CA", "AU", "JP", "KR")
_STANDARD_DESTINATIONS = (*_EXPRESS_DESTINATIONS, *_EU, "BR", "MX", "NZ", "CH", "NO", "SA")


def _regional_line(
    name: str, carrier: str, region: tuple[str, ...], max_weight_grams: int
) -> Route:
    """A semi-managed line: parcels leave a warehouse in `region` for an address in it."""
    return Route(
        name=name,
        carrier=carrier,
        store_type="semi_managed",
        origin_countries=region,
        destination_countries=region,
        max_weight_grams=max_weight_grams,
        transit_days_min=_SEMI_TRANSIT_MIN,
        transit_days_max=_SEMI_TRANSIT_MAX,
    )


DEFAULT_ROUTES: tuple[Route, ...] = (
    _regional_line("semi-eu-ground", "dhl-parcel", _EU, 30_000),
    _regional_line("semi-na-ground", "ups-ground", _NORTH_AMERICA, 30_000),
    _regional_line("semi-gb-ground", "royal-mail-tracked", ("GB",), 20_000),
    Route(
        name="full-cn-express",
        carrier="cainiao-express",
        store_type="full_managed",
        origin_countries=_FULL_MANAGED_ORIGINS,
        destination_countries=_EXPRESS_DESTINATIONS,
        max_weight_grams=2_000,
        transit_days_min=3,
        transit_days_max=7,
    ),
    Route(
        name="full-cn-standard",
        carrier="cainiao-standard",
        store_type="full_managed",
        origin_countries=_FULL_MANAGED_ORIGINS,
        destination_countries=tuple(dict.fromkeys(_STANDARD_DESTINATIONS)),
        max_weight_grams=20_000,
        transit_days_min=7,
        transit_days_max=15,
    ),
)
