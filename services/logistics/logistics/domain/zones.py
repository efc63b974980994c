"""The timezone a delivery window is dated in, from a destination country (R-LOG-3).

A buyer's address carries a country and no zone, yet `estimated_delivery.earliest` /
`.latest` are destination-local dates. The zone used is the country's *first-listed*
zone in the IANA `zone.tab` shipped with the `tzdata` package (the same data `zoneinfo`
falls back on), so the choice is reproducible and changes only with a `tzdata` release.

For a country spanning several zones that is a convention, not the buyer's real zone:
the first row of `zone.tab` is the tz maintainers' listing order, often but not always
the most populous area (US -> America/New_York, ES -> Europe/Madrid, CN -> Asia/Shanghai;
but AU -> Australia/Lord_Howe, CA -> America/St_Johns, BR -> America/Noronha).
**Decided**: where the first-listed zone is a small outlying one, `MAIN_ZONES` names the
zone most of the country lives in. The date may still differ from a buyer's in another
zone of the country by one day, at the edges of the day.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

#: Where the tzdata package keeps the zone table (country code, coordinates, zone, ...).
_ZONE_TAB = ("tzdata", "zoneinfo/zone.tab")


#: Countries whose first-listed zone is not where most of the country lives.
MAIN_ZONES: dict[str, str] = {
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "RU": "Europe/Moscow",
}


@cache
def _first_zone_by_country() -> dict[str, str]:
    """Country code -> its first-listed zone in `zone.tab`, read once."""
    package, resource = _ZONE_TAB
    text = files(package).joinpath(resource).read_text(encoding="utf-8")
    first: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        columns = line.split("\t")
        if len(columns) < 3:
            continue
        first.setdefault(columns[0].strip().upper(), columns[2].strip())
    return first


def destination_timezone(country: str) -> str:
    """R-LOG-3: the IANA zone a delivery to `country` (ISO 3166-1 alpha-2) is dated in.

    The first zone `tzdata`'s `zone.tab` lists for the country code: a country spanning
    several zones (US, CA, AU, BR, MX, ...) uses that first-listed zone. ValueError when
    the table has no zone for the code.
    """
    code = country.strip().upper()
    zone = MAIN_ZONES.get(code) or _first_zone_by_country().get(code)
    if zone is None:
        raise ValueError(f"no timezone listed for country {country!r} in tzdata's zone.tab")
    return zone
