"""The write limit's pure parts: the setting it is read from, and the wait it answers."""

from __future__ import annotations

import pytest

from shared.ratelimit import parse_rate, retry_after
from shared.settings import InvalidConfiguration, ServiceSettings


def test_the_default_is_sixty_writes_a_minute() -> None:
    rate = parse_rate(ServiceSettings().rate_limit_writes)
    assert (rate.amount, rate.get_expiry()) == (60, 60)


@pytest.mark.parametrize(
    ("setting", "amount", "seconds"),
    [("60/minute", 60, 60), ("1000 per hour", 1000, 3600), ("5/10 seconds", 5, 10)],
)
def test_a_rate_is_read_in_the_notation_of_limits(setting: str, amount: int, seconds: int) -> None:
    rate = parse_rate(setting)
    assert (rate.amount, rate.get_expiry()) == (amount, seconds)


@pytest.mark.parametrize(
    "setting", ["", "sixty", "60", "60/fortnight", "0/minute", "10/second;100/minute"]
)
def test_anything_but_one_rate_of_at_least_one_write_is_refused(setting: str) -> None:
    with pytest.raises(InvalidConfiguration, match="RATE_LIMIT_WRITES") as refused:
        parse_rate(setting)
    assert "60/minute" in str(refused.value)  # says what to write instead


@pytest.mark.parametrize(
    ("reset_at", "now", "wait"),
    [(100.0, 88.2, 12), (100.0, 99.99, 1), (100.0, 100.0, 1), (100.0, 130.0, 1), (160, 100, 60)],
)
def test_the_wait_is_whole_seconds_rounded_up_and_at_least_one(
    reset_at: float, now: float, wait: int
) -> None:
    assert retry_after(reset_at, now) == wait
