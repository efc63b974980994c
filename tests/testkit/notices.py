"""Calendar notices as operators write them (R-CAL-1): YAML text with made-up dates.

Each day is a YAML flow mapping as in a notice file: `{date: 2030-06-07}`,
`{from: 2030-02-02, to: 2030-02-08, name: Spring Festival}`.
"""

from __future__ import annotations

from collections.abc import Sequence


def a_notice(
    year: int,
    *,
    days_off: Sequence[str] = (),
    working_days: Sequence[str] = (),
    country: str = "CN",
) -> str:
    """A notice of `country` for `year`: one line a key or a day, in this order."""
    lines = [f"country: {country}", f"year: {year}", "source: test data (made-up dates)"]
    if days_off:
        lines += ["days_off:", *(f"  - {day}" for day in days_off)]
    if working_days:
        lines += ["working_days:", *(f"  - {day}" for day in working_days)]
    return "\n".join(lines) + "\n"


#: China 2030: Spring Festival off (line 5), a make-up Saturday (line 7).
CN_2030 = a_notice(
    2030,
    days_off=["{from: 2030-02-02, to: 2030-02-08, name: Spring Festival}"],
    working_days=["{date: 2030-01-26, name: make-up Saturday}"],
)
