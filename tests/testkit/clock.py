"""The tests' clock: the machine's, moved by `CLOCK_OFFSET_SECONDS` as the services' are.

The services honour `CLOCK_OFFSET_SECONDS` from the environment, so a whole suite can run
in another year (`CLOCK_OFFSET_SECONDS=<seconds to 2027-01-05> make test`: the platform
past its calendar library's last published year, README "Tests"). Tests compare the
services' times with this clock, never with the machine's.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta

from shared.clock import OffsetClock

#: How far the services' clocks are moved in this run (0 on the real clock).
OFFSET_SECONDS = float(os.environ.get("CLOCK_OFFSET_SECONDS") or 0)
CLOCK = OffsetClock(timedelta(seconds=OFFSET_SECONDS))


def now() -> datetime:
    """The services' now (UTC, milliseconds)."""
    return CLOCK.now()


def timestamp() -> float:
    """The services' now as seconds since the epoch, for comparing with their deadlines."""
    return time.time() + OFFSET_SECONDS


def moved_by(seconds: float) -> str:
    """`CLOCK_OFFSET_SECONDS` of a process running `seconds` ahead of the others."""
    return str(OFFSET_SECONDS + seconds)
