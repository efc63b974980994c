"""The committed AsyncAPI document (`docs/asyncapi.yaml`) is the one the models generate,
covers every event and every consumer, and is a well-formed AsyncAPI 3.0 document (the
rules that can be checked offline: no schema download)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import asyncapi
import pytest
import yaml

from shared.contract import REGISTRY
from shared.messaging.topology import EXCHANGE, QUEUES

#: AsyncAPI 3.0: keys of `components` maps (and so ids used in references).
COMPONENT_KEY = re.compile(r"^[\w\d.\-_]+$")
RUNTIME_EXPRESSION = re.compile(r"^\$message\.(header|payload)#(/[^/]+)*$")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return asyncapi.build()


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    loaded = yaml.safe_load(asyncapi.DOCUMENT.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_committed_document_is_the_generated_one(committed: dict[str, Any]) -> None:
    assert asyncapi.DOCUMENT.exists(), "docs/asyncapi.yaml is missing: run `make asyncapi`"
    text = asyncapi.DOCUMENT.read_text(encoding="utf-8")
    fresh = asyncapi.build()
    assert committed == fresh, (
        "docs/asyncapi.yaml disagrees with the event models: run `make asyncapi`"
    )
    assert text == asyncapi.render(fresh), (
        "docs/asyncapi.yaml is not as generated: run `make asyncapi`"
    )


def test_generation_is_deterministic(document: dict[str, Any]) -> None:
    assert asyncapi.render(asyncapi.build()) == asyncapi.render(document)


def test_check_mode_agrees_with_the_committed_file() -> None:
    assert asyncapi.main(["--check"]) == 0


def test_declares_asyncapi_3(document: dict[str, Any]) -> None:
    assert document["asyncapi"] == "3.0.0"
    assert document["defaultContentType"] == "application/json"
    info = document["info"]
    assert info["title"] == "Marketplace events"
    assert info["version"] == "1.0.0"
    for words in ("envelope", "at least once", "event_id", "dead-letter"):
        assert words in info["description"]
    assert {name: server["host"] for name, server in document["servers"].items()} == {
        "production": "rabbitmq:5672",
        "local": "127.0.0.1:5672",
    }
    assert all(server["protocol"] == "amqp" for server in document["servers"].values())


@pytest.mark.parametrize("event_type", sorted(REGISTRY))
def test_every_event_has_a_channel_message_and_send_operation(
    document: dict[str, Any], event_type: str
) -> None:
    channel = document["channels"][event_type]
    assert channel["address"] == event_type
    exchange = channel["bindings"]["amqp"]["exchange"]
    assert (exchange["name"], exchange["type"], exchange["durable"]) == (EXCHANGE, "topic", True)
    assert channel["messages"] == {event_type: {"$ref": f"#/components/messages/{event_type}"}}

    message = document["components"]["messages"][event_type]
    envelope = message["payload"]
    assert envelope["properties"]["event_type"]["const"] == event_type
    assert message["correlationId"]["location"] == "$message.payload#/correlation_id"
    assert message["x-message-id"] == "$message.payload#/event_id"
    assert message["contentType"] == "application/json"
    assert set(envelope["required"]) == set(envelope["properties"])

    payload = envelope["properties"]["payload"]
    assert set(payload["properties"]) == set(REGISTRY[event_type].model_fields)
    assert payload["additionalProperties"] is False

    producer = asyncapi.PRODUCERS[event_type]
    assert envelope["properties"]["producer"]["const"] == producer
    sends = {
        name: operation
        for name, operation in document["operations"].items()
        if operation["action"] == "send"
        and operation["channel"]["$ref"] == f"#/channels/{event_type}"
    }
    assert list(sends) == [f"{producer}.send.{event_type}"]


def test_producers_match_the_contract() -> None:
    assert set(asyncapi.PRODUCERS) == set(REGISTRY)
    by_prefix = {"Store": "review", "Product": "review", "Order": "orders"}
    # The one store event review does not publish: the scorecard lives in orders (R-SC-1).
    producers = dict(asyncapi.PRODUCERS)
    assert producers.pop("StoreWarned") == "orders"
    for event_type, producer in producers.items():
        for prefix, service in by_prefix.items():
            if event_type.startswith(prefix):
                assert producer == service, event_type


def test_receive_operations_match_the_queues(document: dict[str, Any]) -> None:
    receives = {
        name: operation
        for name, operation in document["operations"].items()
        if operation["action"] == "receive"
    }
    expected = {
        f"{service}.receive.{event_type}": (queue.name, event_type)
        for service, queue in QUEUES.items()
        for event_type in queue.event_types
    }
    assert set(receives) == set(expected)
    for name, (queue_name, event_type) in expected.items():
        operation = receives[name]
        assert operation["channel"] == {"$ref": f"#/channels/{event_type}"}
        assert operation["x-amqp-queue"]["name"] == queue_name
        assert f"`{queue_name}`" in operation["description"]


def _walk(node: Any, path: str = "#") -> Iterator[tuple[str, Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}")


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"{ref} points outside the document"
    node: Any = document
    for raw in ref[2:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict), f"{ref} does not resolve"
        assert token in node, f"{ref} does not resolve"
        node = node[token]
    return node


def test_every_ref_resolves_inside_the_document(committed: dict[str, Any]) -> None:
    refs = [
        (path, node["$ref"])
        for path, node in _walk(committed)
        if isinstance(node, dict) and "$ref" in node
    ]
    assert refs
    for path, ref in refs:
        assert isinstance(ref, str), path
        target = _resolve(committed, ref)
        assert isinstance(target, dict), f"{path}: {ref} is not an object"


def test_asyncapi_3_structure(committed: dict[str, Any]) -> None:
    """The AsyncAPI 3.0 rules that hold without the official JSON schema."""
    assert set(committed) <= {
        "asyncapi",
        "id",
        "info",
        "servers",
        "defaultContentType",
        "channels",
        "operations",
        "components",
    }
    assert {"title", "version"} <= set(committed["info"])
    for server in committed["servers"].values():
        assert {"host", "protocol"} <= set(server)
        assert "://" not in server["host"]
    for section, entries in committed["components"].items():
        for key in entries:
            assert COMPONENT_KEY.match(key), f"components/{section}/{key}"
    for channel_id, channel in committed["channels"].items():
        for message_id, message in channel["messages"].items():
            assert COMPONENT_KEY.match(message_id), f"{channel_id}/{message_id}"
            assert "messageId" not in _resolve(committed, message["$ref"])
    for name, operation in committed["operations"].items():
        assert operation["action"] in {"send", "receive"}, name
        channel_ref = operation["channel"]["$ref"]
        assert channel_ref.startswith("#/channels/"), name
        # An operation's messages MUST be a subset of its channel's messages.
        for message in operation["messages"]:
            assert message["$ref"].startswith(channel_ref + "/messages/"), name
        assert operation["bindings"]["amqp"]["bindingVersion"] == "0.3.0"
    for message in committed["components"]["messages"].values():
        assert RUNTIME_EXPRESSION.match(message["correlationId"]["location"])
        assert message["payload"]["type"] == "object"
