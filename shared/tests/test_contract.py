"""The event contract: every event has a model, validated on the way in and out."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.contract import REGISTRY, ContractViolation, parse_event, record_event, to_wire
from shared.contract.events import PRODUCERS, OrderCancelled
from shared.contract.types import Money
from shared.messaging.topology import QUEUES, unbound_event_types
from testkit.factories import ORDER, an_address, an_order_cancelled

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def cancelled() -> OrderCancelled:
    return an_order_cancelled(reason="buyer_cancelled", at=NOW)


def _documented_events() -> dict[str, tuple[str, set[str]]]:
    """docs/contract.md's table of implemented events: each one's producer and consumers."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "contract.md").read_text()
    table = text.split("### Event table (implemented)")[1].split("\n\n")[1]
    rows = [line.split("|")[1:4] for line in table.splitlines()[2:]]
    return {
        event.strip().strip("`"): (producer.strip(), {c.strip() for c in consumers.split(",")})
        for event, producer, consumers in rows
    }


def test_the_documented_events_are_the_registered_ones_with_their_producers_and_queues() -> None:
    documented = _documented_events()
    assert set(documented) == set(REGISTRY)
    for model, producer in PRODUCERS.items():
        consumers = {
            queue.service for queue in QUEUES.values() if model.__name__ in queue.event_types
        }
        assert documented[model.__name__] == (producer, consumers), model.__name__


def test_every_event_has_one_producer() -> None:
    assert set(PRODUCERS) == set(REGISTRY.values())
    assert set(PRODUCERS.values()) <= {"review", "orders", "logistics", "aftersales", "settlement"}


def test_every_event_type_reaches_a_queue() -> None:
    # A mandatory publish of an unbound type would be refused by the broker.
    assert unbound_event_types() == set()
    assert all(set(q.event_types) <= set(REGISTRY) for q in QUEUES.values())


def test_an_event_travels_as_a_cloudevent_and_comes_back_as_it_was_recorded() -> None:
    envelope = record_event(cancelled(), producer="orders", correlation_id=ORDER, occurred_at=NOW)
    body = json.loads(to_wire(envelope))
    assert set(body) == {
        "specversion",
        "id",
        "source",
        "type",
        "time",
        "datacontenttype",
        "dataschema",
        "correlationid",
        "data",
    }
    assert body["time"] == "2026-11-27T08:00:00Z"
    assert body["source"] == "/marketplace/orders"
    assert body["dataschema"] == "urn:marketplace:schema:OrderCancelled:v1"
    parsed, payload = parse_event(to_wire(envelope).encode())
    assert parsed == envelope
    assert payload == cancelled()


def test_the_envelope_of_the_release_before_is_still_read() -> None:
    envelope = record_event(cancelled(), producer="orders", correlation_id=ORDER, occurred_at=NOW)
    parsed, payload = parse_event(envelope.model_dump_json().encode())
    assert parsed == envelope
    assert payload == cancelled()


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"event_type": "OrderCancelled"}',
        json.dumps(
            {
                "event_id": "6f1d7c1e-3b1a-4d53-9a55-0d7f3f8c2a10",
                "event_type": "Nope",
                "occurred_at": "2026-11-27T08:00:00Z",
                "producer": "x",
                "correlation_id": "c",
                "payload": {},
            }
        ).encode(),
        json.dumps(
            {
                "event_id": "6f1d7c1e-3b1a-4d53-9a55-0d7f3f8c2a10",
                "event_type": "OrderCancelled",
                "occurred_at": "2026-11-27T08:00:00Z",
                "producer": "x",
                "correlation_id": "c",
                "payload": {"order_id": "o"},
            }
        ).encode(),
    ],
)
def test_invalid_messages_are_contract_violations(body: bytes) -> None:
    with pytest.raises(ContractViolation):
        parse_event(body)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="offset"):
        an_order_cancelled(at=datetime(2026, 11, 27, 8, 0))


def test_money_needs_a_known_currency_and_addresses_a_known_country() -> None:  # R-REV-8
    assert Money(amount_minor=1, currency="CNY").currency == "CNY"
    with pytest.raises(ValueError, match="ISO 4217"):
        Money(amount_minor=1, currency="XYZ")
    assert an_address(country="ES").country == "ES"
    with pytest.raises(ValueError, match="ISO 3166"):
        an_address(country="XX")
