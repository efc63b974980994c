"""Fixtures of review's unit tests: the default policy, the moment a domain store is applied
for, working days Monday to Friday, and the service on fake ports. The builders are plain
functions in `testkit.review_unit` (test modules cannot import each other or this file).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from shared.policy import Policy
from testkit.review_unit import MONDAY, WiredReview, WorkingDays, a_review_service


def weekdays_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`, Monday to Friday."""
    return sum(
        1
        for offset in range(1, (end - start).days + 1)
        if (start + timedelta(days=offset)).weekday() < 5
    )


@pytest.fixture
def policy() -> Policy:
    return Policy()


@pytest.fixture
def now() -> datetime:
    return MONDAY


@pytest.fixture
def working_days() -> WorkingDays:
    return weekdays_between


@pytest.fixture
async def review() -> WiredReview:
    """Review on fake ports, its clock fixed at T0, under the default policy."""
    return await a_review_service()
