"""Periodic jobs over deadlines: what is past its deadline, acted on once.

A job reads what is due through a named query, then acts on each aggregate in its own
versioned write, again while another writer wins the race. With several processes running
the same job, the versioned write lets exactly one of them act; the others find nothing
left to do (their `act` decides on the aggregate as it is then).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence

from shared import metrics
from shared.repository import retry_on_conflict


async def act_on_each_due(
    due: Sequence[str], act: Callable[[str], Awaitable[None]], *, service: str, deadline: str
) -> None:
    """`act` on each id in `due` (each load-decide-save retried on a conflict), with the
    number due published as `deadlines_overdue{service, deadline}`."""
    metrics.DEADLINES_OVERDUE.labels(service, deadline).set(len(due))
    for aggregate_id in due:
        await retry_on_conflict(functools.partial(act, aggregate_id))
