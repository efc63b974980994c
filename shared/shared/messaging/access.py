"""Who may do what on the broker: one user per service, each with least privilege, and
the rule every consumer applies to who sent an event.

A service's broker user is named after the service. It may
- configure (declare) only its own queues and its own direct exchange
  (`shared.messaging.topology`);
- write only to its own queues and exchange, and to `marketplace.events` with the routing
  keys (= event types) it produces: RabbitMQ's topic permissions refuse any other;
- read (consume, bind) only its own queues, and bind to `marketplace.events` only the
  event types it consumes.

Every message a service publishes carries the AMQP `user_id` property, which RabbitMQ
checks against the connection's user: it cannot be forged. A consumer accepts an event
only from its type's producer (`sender_check`). A message the consumer sent itself (a
retry, a parking, a replay: through its own direct exchange) keeps the first sender, as
the broker validated it, in `x-sender`: a forgery parked and replayed is parked again.

`definitions` is the whole of it (users, permissions, exchanges, queues, bindings) in
RabbitMQ's definitions format: compose's broker loads it at start, `make run` and the test
harness import it into their vhost (`rabbitmqctl import_definitions`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from shared.contract.events import PRODUCERS
from shared.messaging.topology import EXCHANGE, QUEUES, ServiceQueue

#: The header in which a consumer keeps, on the messages it sends itself, who first sent
#: them (the broker-validated `user_id` of the message as it arrived).
SENDER_HEADER = "x-sender"

#: Each event type → the service that publishes it (and whose broker user must send it).
PRODUCER_OF: dict[str, str] = {model.__name__: service for model, service in PRODUCERS.items()}
SERVICES: tuple[str, ...] = tuple(QUEUES)


def produced_by(service: str) -> tuple[str, ...]:
    return tuple(event for event, producer in PRODUCER_OF.items() if producer == service)


def development_password(service: str) -> str:
    """A service's broker password when none is configured: development only (production
    settings refuse a broker URL without credentials)."""
    return f"{service}-development-only"


def _exactly(names: Iterable[str]) -> str:
    return "^(" + "|".join(re.escape(name) for name in names) + ")$"


@dataclass(frozen=True)
class Grant:
    """A service user's permissions in a vhost (regular expressions, as RabbitMQ takes them)."""

    configure: str
    write: str
    read: str
    #: On `marketplace.events`: the routing keys it may publish, and bind.
    topic_write: str
    topic_read: str


def grant(service: str) -> Grant:
    queue: ServiceQueue = QUEUES[service]
    own = (*queue.queue_names, queue.own_exchange)
    return Grant(
        configure=_exactly(own),
        write=_exactly((*own, EXCHANGE)),
        read=_exactly((*own, EXCHANGE)),
        topic_write=_exactly(produced_by(service)) if produced_by(service) else "^$",
        topic_read=_exactly(queue.event_types),
    )


class UntrustedSender(Exception):
    """An event sent by someone else than its type's producer: parked, never applied."""


def sender_of(user_id: str | None, headers: Mapping[str, Any], me: str) -> str | None:
    """Who sent a message: its broker-validated `user_id`, unless we sent it ourselves (a
    retry or a replay), in which case the sender we recorded when it first arrived."""
    if user_id == me:
        recorded = headers.get(SENDER_HEADER)
        return recorded if isinstance(recorded, str) else None
    return user_id


def sender_check(event_type: str, sender: str | None) -> None:
    """Raise `UntrustedSender` unless `sender` is the producer of `event_type`."""
    producer = PRODUCER_OF.get(event_type)
    if producer is None or sender != producer:
        raise UntrustedSender(
            f"{event_type} is published by {producer or 'no service'}'s broker user only; "
            f"this one came from {sender or 'an unnamed sender (no user_id)'}"
        )


def definitions(
    *,
    vhost: str,
    passwords: Mapping[str, str],
    retry_delay_ms: int,
    administrators: Mapping[str, str] | None = None,
    existing_administrators: Iterable[str] = (),
) -> dict[str, Any]:
    """The broker's definitions for `vhost`: a user per service (password from
    `passwords`), its grant, and the whole topology; `administrators` (name → password)
    are created with every right on the vhost, `existing_administrators` (e.g. a local
    broker's `guest`) are given every right on it without touching their password."""
    admins = dict(administrators or {})
    users = [{"name": service, "password": passwords[service], "tags": ""} for service in SERVICES]
    users += [
        {"name": name, "password": password, "tags": "administrator"}
        for name, password in admins.items()
    ]
    every_right = {"configure": ".*", "write": ".*", "read": ".*"}
    permissions = [_permission(vhost, service, grant(service)) for service in SERVICES]
    permissions += [
        {"user": name, "vhost": vhost, **every_right}
        for name in (*admins, *existing_administrators)
    ]
    return {
        "vhosts": [{"name": vhost}],
        "users": users,
        "permissions": permissions,
        "topic_permissions": [_topic_permission(vhost, s, grant(s)) for s in SERVICES],
        **_topology(vhost, retry_delay_ms),
    }


def _permission(vhost: str, user: str, rights: Grant) -> dict[str, str]:
    return {
        "user": user,
        "vhost": vhost,
        "configure": rights.configure,
        "write": rights.write,
        "read": rights.read,
    }


def _topic_permission(vhost: str, user: str, rights: Grant) -> dict[str, str]:
    return {
        "user": user,
        "vhost": vhost,
        "exchange": EXCHANGE,
        "write": rights.topic_write,
        "read": rights.topic_read,
    }


def _topology(vhost: str, retry_delay_ms: int) -> dict[str, list[dict[str, Any]]]:
    """`shared.messaging.topology`'s exchanges, queues and bindings, as definitions."""
    exchanges = [_exchange(vhost, EXCHANGE, "topic")]
    queues: list[dict[str, Any]] = []
    bindings: list[dict[str, Any]] = []
    for queue in QUEUES.values():
        exchanges.append(_exchange(vhost, queue.own_exchange, "direct"))
        for name, arguments in queue.arguments(retry_delay_ms).items():
            queues.append(
                {
                    "name": name,
                    "vhost": vhost,
                    "durable": True,
                    "auto_delete": False,
                    "arguments": arguments,
                }
            )
            bindings.append(_binding(vhost, queue.own_exchange, name, name))
        bindings += [_binding(vhost, EXCHANGE, queue.name, event) for event in queue.event_types]
    return {"exchanges": exchanges, "queues": queues, "bindings": bindings}


def _exchange(vhost: str, name: str, kind: str) -> dict[str, Any]:
    return {
        "name": name,
        "vhost": vhost,
        "type": kind,
        "durable": True,
        "auto_delete": False,
        "internal": False,
        "arguments": {},
    }


def _binding(vhost: str, source: str, queue: str, routing_key: str) -> dict[str, Any]:
    return {
        "source": source,
        "vhost": vhost,
        "destination": queue,
        "destination_type": "queue",
        "routing_key": routing_key,
        "arguments": {},
    }
