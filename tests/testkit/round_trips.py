"""The database round-trips a piece of code costs (each one is CPU in the service
and in the engine, so the hot paths are held to a count, not only to a benchmark)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pymongo import AsyncMongoClient, monitoring

from shared.app import Wiring
from shared.contract import Envelope, parse_event, record_event, to_wire
from shared.contract.types import ContractModel
from shared.mongo import Database, Document, connect
from shared.testing import FakePorts
from testkit import clock as run_clock

Handlers = TypeVar("Handlers")


class RoundTrips(monitoring.CommandListener):
    """`(command, collection)` of every command the clients it listens to send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        target = event.command.get(event.command_name)
        self.sent.append((event.command_name, target if isinstance(target, str) else ""))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def take(self) -> list[tuple[str, str]]:
        """What was sent since the last `take`."""
        sent, self.sent = self.sent, []
        return sent


def client(mongo_url: str, recorder: RoundTrips) -> AsyncMongoClient[Document]:
    """A client as the services make it (`shared.mongo.connect`), reporting to `recorder`."""
    return connect(mongo_url, app_name="round-trips", listeners=[recorder])


@asynccontextmanager
async def counted(mongo_url: str, name: str) -> AsyncIterator[tuple[Database, RoundTrips]]:
    """The database `name` of a client as the services make it, and what it sends."""
    recorder = RoundTrips()
    mongo = client(mongo_url, recorder)
    try:
        yield mongo[name], recorder
    finally:
        await mongo.close()


@dataclass(frozen=True)
class CountedEvents(Generic[Handlers]):
    """A service's event handlers, as its own bootstrap wires them, and what they send."""

    events: Handlers
    recorder: RoundTrips


@asynccontextmanager
async def counted_events(
    mongo_url: str, db_prefix: str, service: str, bootstrap: Callable[[Any], Awaitable[Wiring]]
) -> AsyncIterator[CountedEvents[Any]]:
    """A service as its own bootstrap wires it on this run's engine (no broker): its event
    handlers, and the recorder of their database commands."""
    async with counted(mongo_url, f"{db_prefix}{service}") as (database, recorder):
        wiring = await bootstrap(FakePorts(service, database=database))
        yield CountedEvents(wiring.services.events, recorder)


def delivered(event: ContractModel, *, producer: str) -> tuple[Envelope, Any]:
    """`event` as the consumer hands it to a handler: recorded, then parsed (envelope and
    payload), so a handler can be called directly and its round-trips counted."""
    envelope = record_event(
        event, producer=producer, correlation_id="c-1", occurred_at=run_clock.now()
    )
    return parse_event(to_wire(envelope).encode())
