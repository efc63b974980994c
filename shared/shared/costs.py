"""What each unit of work costs the database: every command a service sends, counted by the
work that sent it (`engine_commands_total{service, work, command, collection}`).

The work is a context variable set where work starts: an HTTP request (`POST
/orders/{order_id}/confirm`, its route's template, once routed), an event's handling
(`handle OrderConfirmed`), the outbox relay publishing what a write offered (`relay`) or
reading what was left stored (`relay poll`), a periodic job (`job <name>`); anything else
is `other` (start-up). A command is counted when it is sent, in the context of the task
that sends it: a task started within a work counts for that work.

Counts, unlike timings, are the same on every machine: `tests/e2e/test_journey_costs.py`
holds each step of a journey to the number of commands `bench/costs.py` allows, and
`make bench` prints the table beside the minimum each step needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from pymongo import monitoring

from shared import metrics

#: The work under way: a function, so an HTTP request names its route once it is routed.
_WORK: ContextVar[Callable[[], str]] = ContextVar("work", default=lambda: "other")


@contextmanager
def working(name: str | Callable[[], str]) -> Iterator[None]:
    """Count the commands sent in this context (and the tasks it starts) for `name`."""
    token = _WORK.set(name if callable(name) else lambda: name)
    try:
        yield
    finally:
        _WORK.reset(token)


def current_work() -> str:
    return _WORK.get()()


class EngineCommands(monitoring.CommandListener):
    """Counts each command a client sends, by the work under way (PyMongo monitoring)."""

    def __init__(self, service: str) -> None:
        self.service = service

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        target = event.command.get(event.command_name)
        if not isinstance(target, str):  # getMore names its collection apart
            target = event.command.get("collection", "")
        metrics.ENGINE_COMMANDS.labels(
            self.service, current_work(), event.command_name, target
        ).inc()

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass
