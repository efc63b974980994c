"""Every version of every event, through every consumer: each snapshot's example, sent as a
CloudEvent of its version (and the oldest also in the envelope of the release before), is
parsed and upcast as the consumer does, and handed to the service's own handler (its
bootstrap on `FakePorts`). The handler sees the current model; what it does with an event
about an order it does not know (`NotYetKnown`, `Implausible`) is its business, never a
failure to read the event."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from aftersales.app import SPEC as AFTERSALES
from logistics.app import SPEC as LOGISTICS
from orders.app import SPEC as ORDERS
from review.app import SPEC as REVIEW
from settlement.app import SPEC as SETTLEMENT
from shared.app import ServiceSpec
from shared.contract import REGISTRY, Envelope, parse_event, to_wire
from shared.contract.events import PRODUCERS
from shared.contract.snapshots import load, versions_on_file
from shared.errors import Implausible, NotYetKnown
from shared.messaging.topology import QUEUES
from shared.testing import FakePorts, Wired
from testkit import clock as run_clock

SERVICES = (REVIEW, ORDERS, LOGISTICS, AFTERSALES, SETTLEMENT)


def bodies(kind: str) -> list[tuple[str, bytes]]:
    """Each version's examples of `kind`, as its producer sent them: a CloudEvent of that
    version, and version 1 also in the previous envelope."""
    sent = []
    for version in versions_on_file(kind):
        for example in (load(kind, version) or {})["examples"]:
            envelope = an_envelope(kind, version, example)
            sent.append((f"{kind} v{version}", to_wire(envelope).encode()))
            if version == 1:
                sent.append((f"{kind} v1 (previous envelope)", envelope.model_dump_json().encode()))
    return sent


def an_envelope(kind: str, version: int, payload: dict[str, Any]) -> Envelope:
    producer = {model.__name__: service for model, service in PRODUCERS.items()}[kind]
    return Envelope.model_validate(
        {
            "event_id": uuid.uuid4(),
            "event_type": kind,
            "schema_version": version,
            "occurred_at": run_clock.now(),
            "producer": producer,
            "correlation_id": "c-1",
            "payload": payload,
        }
    )


@pytest.mark.parametrize("spec", SERVICES, ids=lambda spec: spec.name)
async def test_every_version_of_every_event_a_service_consumes_reaches_its_handler(
    spec: ServiceSpec,
) -> None:
    wired = await Wired.up(spec.bootstrap, FakePorts(spec.name))
    handlers = wired.wiring.handlers
    queue = QUEUES.get(spec.name)
    bound = set(queue.event_types) if queue else set()
    assert {model.__name__ for model in handlers} == bound
    read = 0
    for kind in sorted(bound):
        for what, body in bodies(kind):
            envelope, payload = parse_event(body)
            assert type(payload) is REGISTRY[kind], what
            read += 1
            try:
                await handlers[type(payload)](envelope, payload)
            except (NotYetKnown, Implausible):
                continue  # about an aggregate these ports do not hold: read all the same
    assert read >= 2 * len(bound)
