"""A service's settings in a test: this run's engine, and the test's own broker vhost and
database prefix (the root conftest's `mongo_url`, `amqp_url` and `db_prefix`)."""

from __future__ import annotations

from typing import Any, TypeVar

from devkit.broker import for_services
from shared.settings import ServiceSettings

Settings = TypeVar("Settings", bound=ServiceSettings)

#: Background work at test speed: the relay and the deadline jobs every tenth of a second.
FAST_POLLS: dict[str, Any] = {"outbox_poll_seconds": 0.1, "deadline_poll_seconds": 0.1}


def isolated(
    kind: type[Settings], mongo_url: str, amqp_url: str, db_prefix: str, **changes: Any
) -> Settings:
    """`kind` (e.g. `OrdersSettings`) on the test's engine, vhost and prefix, with `changes`;
    the service connects to the broker as its own user."""
    return kind(
        mongo_url=mongo_url,
        amqp_url=for_services(amqp_url),
        mongo_database_prefix=db_prefix,
        **changes,
    )
