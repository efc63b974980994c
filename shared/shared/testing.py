"""Test support: the kit's ports in memory, for unit tests of every handler and use case
through a service's own `bootstrap`, with no engine and no broker.

`FakePorts` is what a bootstrap takes (`shared.ports.Ports`) with the database in memory
(mongomock, behind PyMongo's async API) and the broker replaced by the list of events
the outbox would have published. The repositories are the real ones (the same documents,
versions, `AlreadyExists` and `ConcurrencyConflict`), and the named queries run their real
filters, so a unit test exercises the service's code, not a copy of it. What the engine
alone does (text search, the `count` command, index hints) is for the integration tests.

    orders = await Wired.up(bootstrap, FakePorts("orders", clock=FixedClock(T0)))
    await orders.deliver(a_store_approved())
    await orders.services.commands.place(...)
    assert orders.ports.published_of(OrderCreated) == [...]
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any, Generic, TypeVar, cast

from mongomock_motor import AsyncMongoMockClient

from shared.app import Wiring
from shared.calendar import Calendars
from shared.categories import CategoryList, default_categories
from shared.clock import Clock, FixedClock, SystemClock
from shared.contract import Envelope, parse_event, record_event
from shared.contract.events import PRODUCERS
from shared.contract.types import ContractModel
from shared.mongo import Collection, Database, Document
from shared.policy import Policy
from shared.replica import R, Replicas
from shared.repository import A, AggregateRepository
from shared.settings import ServiceSettings

E = TypeVar("E", bound=ContractModel)
S = TypeVar("S")


def in_memory_database(name: str = "test") -> Database:
    """A database of its own, in this process's memory, answering PyMongo's async API."""
    return cast(Database, AsyncMongoMockClient(tz_aware=True)[name])


class InMemoryRepository(AggregateRepository[A]):
    """The kit's aggregate repository over a collection of its own in memory: for tests
    of a replica or an aggregate's storage rules outside a service."""

    def __init__(
        self,
        model: type[A],
        *,
        producer: str = "test",
        keys: Mapping[str, Callable[[A], str]] | None = None,
        outbox: bool = True,
    ) -> None:
        collection = in_memory_database()[model.__name__]
        super().__init__(collection, model, producer=producer, keys=keys, outbox=outbox)

    async def documents(self) -> dict[str, Document]:
        """Every stored document, by id."""
        return {document["_id"]: document for document in await self.collection.find().to_list()}

    async def writes(self) -> int:
        """Every stored version, added or saved, of every aggregate."""
        return sum(int(document["version"]) for document in (await self.documents()).values())


class FakePorts:
    """A service's ports in memory (`shared.ports.Ports`); `published` is what its outbox
    relay would have published, each event once, in the order it was stored."""

    def __init__(
        self,
        service: str,
        settings: ServiceSettings | None = None,
        *,
        policy: Policy | None = None,
        clock: Clock | None = None,
        calendars: Calendars | None = None,
        categories: CategoryList | None = None,
        database: Database | None = None,
    ) -> None:
        """`database`: a real one instead (an integration test counting a handler's
        round-trips through the service's own wiring); in memory by default."""
        self.service = service
        self.settings = settings or ServiceSettings()
        self.policy = policy or Policy()
        self.clock = clock or SystemClock()
        self.calendars = calendars or Calendars()
        self.categories = categories or default_categories()
        self.db = database if database is not None else in_memory_database(service)
        self.published: list[Envelope] = []
        self._relayed: set[str] = set()

    def collection(self, name: str) -> Collection:
        return self.db[name]

    def repository(
        self, collection: str, model: type[A], keys: Mapping[str, Callable[[A], str]] | None = None
    ) -> AggregateRepository[A]:
        return AggregateRepository(
            self.db[collection], model, producer=self.service, on_outbox=self._relay, keys=keys
        )

    def replicas(
        self, collection: str, model: type[R], keys: Mapping[str, Callable[[R], str]] | None = None
    ) -> Replicas[R]:
        repository = AggregateRepository(
            self.db[collection], model, producer=self.service, keys=keys, outbox=False
        )
        return Replicas(repository, model, self.clock)

    def _relay(self, _collection: Collection, document: Document) -> None:
        for entry in document["outbox"]:
            if entry["event_id"] not in self._relayed:
                self._relayed.add(entry["event_id"])
                self.published.append(parse_event(entry["body"].encode())[0])

    def published_of(self, event: type[E]) -> list[E]:
        """The payloads of the published events of one type, in order."""
        return [
            event.model_validate(envelope.payload)
            for envelope in self.published
            if envelope.event_type == event.__name__
        ]

    async def deliver(
        self,
        wiring: Wiring,
        event: ContractModel,
        *,
        producer: str | None = None,
        at: datetime | None = None,
        envelope: Envelope | None = None,
    ) -> Envelope:
        """Hand `event` to the wiring's handler of its class, as the consumer does after
        parsing it (from its contract's producer unless told), at `at` (default: now);
        the envelope, to deliver it again (`envelope=`) as a redelivery."""
        if envelope is None:
            envelope = record_event(
                event,
                producer=producer or PRODUCERS[type(event)],
                correlation_id=str(uuid.uuid4()),
                occurred_at=at or self.clock.now(),
            )
        handler = wiring.handlers[type(event)]
        await handler(envelope, event)
        return envelope


class Wired(Generic[S]):
    """A service as its own `bootstrap` wires it on `FakePorts`: its use cases and queries
    (`services`), its handlers (`deliver`) and its periodic jobs (`run`)."""

    def __init__(self, ports: FakePorts, wiring: Wiring) -> None:
        self.ports, self.wiring = ports, wiring

    @classmethod
    async def up(
        cls, bootstrap: Callable[[Any], Awaitable[Wiring]], ports: FakePorts
    ) -> Wired[Any]:
        return cls(ports, await bootstrap(ports))

    @property
    def services(self) -> S:
        return cast(S, self.wiring.services)

    @property
    def clock(self) -> FixedClock:
        """The ports' clock, which a unit test moves (`FakePorts(clock=FixedClock(...))`)."""
        assert isinstance(self.ports.clock, FixedClock), "give the ports a FixedClock"
        return self.ports.clock

    async def deliver(
        self,
        event: ContractModel,
        *,
        at: datetime | None = None,
        envelope: Envelope | None = None,
        producer: str | None = None,
    ) -> Envelope:
        return await self.ports.deliver(
            self.wiring, event, producer=producer, at=at, envelope=envelope
        )

    async def run(self, job: str) -> None:
        """One pass of the periodic job named `job`."""
        await dict(self.wiring.jobs)[job]()
