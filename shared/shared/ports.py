"""What a service's `bootstrap` takes: its ports to the world outside its rules.

A bootstrap builds its use cases and handlers from these and nothing else, so the same
wiring runs on the process's `Runtime` (MongoDB, RabbitMQ through the outbox relay) and,
in unit tests, on `shared.testing.FakePorts` (an in-memory database, no broker).
Publishing is not a port of its own: events leave through the outbox of the aggregate
that recorded them (`shared.repository`), which the runtime's relay publishes and the
fake hands to the test.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from shared.calendar import Calendars
from shared.categories import CategoryList
from shared.clock import Clock
from shared.mongo import Collection
from shared.policy import Policy
from shared.replica import R, Replicas
from shared.repository import A, AggregateRepository
from shared.settings import ServiceSettings


class Ports(Protocol):
    service: str
    settings: ServiceSettings
    policy: Policy
    clock: Clock
    #: Working days (R-CAL-1): the library plus the operator's notices.
    calendars: Calendars
    #: The platform's category list (R-REV-11), with each category's window (R-AS-1).
    categories: CategoryList

    def repository(
        self, collection: str, model: type[A], keys: Mapping[str, Callable[[A], str]] | None = None
    ) -> AggregateRepository[A]:
        """Aggregates of `model` stored in `collection`, their events in its outbox, with
        `keys` (the sort keys of their pages) stored beside them."""
        ...

    def replicas(
        self, collection: str, model: type[R], keys: Mapping[str, Callable[[R], str]] | None = None
    ) -> Replicas[R]:
        """This service's replicas of another's data (`shared.replica`), in `collection`."""
        ...

    def collection(self, name: str) -> Collection:
        """One of this service's collections, for its named queries (`adapters/`)."""
        ...
