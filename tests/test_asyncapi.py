"""The committed AsyncAPI document (`docs/asyncapi.yaml`) is the one the models generate,
covers every event, every version of it and every consumer, and is a well-formed AsyncAPI
3.0 document (the rules that can be checked offline: no schema download)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import asyncapi
import pytest
import yaml

from shared.contract import REGISTRY
from shared.contract.snapshots import dataschema, path_of, versions_on_file
from shared.contract.versions import current_version
from shared.messaging.topology import EXCHANGE, QUEUES

CLOUDEVENTS = "application/cloudevents+json"
#: The CloudEvent attributes every message carries, and the optional ones.
REQUIRED_ATTRIBUTES = {
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
OPTIONAL_ATTRIBUTES = {"causationid", "traceparent"}

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
    assert document["defaultContentType"] == CLOUDEVENTS
    info = document["info"]
    assert info["title"] == "Marketplace events"
    assert info["version"] == "1.0.0"
    for words in (
        "CloudEvent",
        "structured content mode",
        CLOUDEVENTS,
        "correlationid",
        "causationid",
        "traceparent",
        "upcast",
        "previous envelope",
        "at least once",
        "event id",
        "dead-letter",
    ):
        assert words in info["description"], words
    assert {name: server["host"] for name, server in document["servers"].items()} == {
        "production": "rabbitmq:5672",
        "local": "127.0.0.1:5672",
    }
    assert all(server["protocol"] == "amqp" for server in document["servers"].values())


def _versions(event_type: str) -> list[int]:
    versions = versions_on_file(event_type)
    assert versions == list(range(1, current_version(event_type) + 1)), event_type
    return versions


def _key(event_type: str, version: int) -> str:
    return f"{event_type}.v{version}"


def _message_refs(event_type: str, versions: list[int]) -> list[dict[str, str]]:
    return [
        {"$ref": f"#/channels/{event_type}/messages/{_key(event_type, version)}"}
        for version in versions
    ]


@pytest.mark.parametrize("event_type", sorted(REGISTRY))
def test_every_event_has_a_channel_of_its_versions_and_a_send_operation(
    document: dict[str, Any], event_type: str
) -> None:
    channel = document["channels"][event_type]
    assert channel["address"] == event_type
    exchange = channel["bindings"]["amqp"]["exchange"]
    assert (exchange["name"], exchange["type"], exchange["durable"]) == (EXCHANGE, "topic", True)
    versions = _versions(event_type)
    assert channel["messages"] == {
        _key(event_type, version): {"$ref": f"#/components/messages/{_key(event_type, version)}"}
        for version in versions
    }

    producer = asyncapi.PRODUCERS[event_type]
    sends = {
        name: operation
        for name, operation in document["operations"].items()
        if operation["action"] == "send"
        and operation["channel"]["$ref"] == f"#/channels/{event_type}"
    }
    assert list(sends) == [f"{producer}.send.{event_type}"]
    # Producers publish the current version only.
    assert sends[f"{producer}.send.{event_type}"]["messages"] == _message_refs(
        event_type, [current_version(event_type)]
    )


@pytest.mark.parametrize(
    ("event_type", "version"),
    [(event_type, version) for event_type in sorted(REGISTRY) for version in _versions(event_type)],
)
def test_every_version_is_a_cloudevent_message(
    document: dict[str, Any], event_type: str, version: int
) -> None:
    message = document["components"]["messages"][_key(event_type, version)]
    assert message["name"] == event_type
    assert message["title"] == f"{event_type} v{version}"
    assert message["contentType"] == CLOUDEVENTS
    assert message["correlationId"]["location"] == "$message.payload#/correlationid"
    assert message["x-message-id"] == "$message.payload#/id"
    current = current_version(event_type)
    if version == current:
        assert "the current one" in message["description"]
    else:
        assert f"upcast to version {current}" in message["description"]

    event = message["payload"]
    assert set(event["required"]) == REQUIRED_ATTRIBUTES
    assert set(event["properties"]) == REQUIRED_ATTRIBUTES | OPTIONAL_ATTRIBUTES
    attributes = event["properties"]
    consts = {name: attributes[name].get("const") for name in attributes}
    assert consts["specversion"] == "1.0"
    assert consts["type"] == event_type
    assert consts["source"] == f"/marketplace/{asyncapi.PRODUCERS[event_type]}"
    assert consts["datacontenttype"] == "application/json"
    assert consts["dataschema"] == dataschema(event_type, version)
    assert attributes["id"]["format"] == "uuid"
    assert attributes["time"]["format"] == "date-time"
    for name in ("correlationid", *OPTIONAL_ATTRIBUTES):
        assert attributes[name]["type"] == "string", name


@pytest.mark.parametrize("event_type", sorted(REGISTRY))
def test_the_current_version_data_is_the_model(document: dict[str, Any], event_type: str) -> None:
    key = _key(event_type, current_version(event_type))
    data = document["components"]["messages"][key]["payload"]["properties"]["data"]
    assert set(data["properties"]) == set(REGISTRY[event_type].model_fields)
    assert set(data["required"]) == set(data["properties"])
    assert data["additionalProperties"] is False


@pytest.mark.parametrize(
    ("event_type", "version"),
    [
        (event_type, version)
        for event_type in sorted(REGISTRY)
        for version in _versions(event_type)[:-1]
    ],
)
def test_an_older_version_data_is_its_committed_snapshot(
    document: dict[str, Any], event_type: str, version: int
) -> None:
    data = document["components"]["messages"][_key(event_type, version)]["payload"]
    ref = data["properties"]["data"]["$ref"]
    # Inside the document: it stands alone, wherever it is copied.
    assert ref == f"#/components/schemas/{event_type}.v{version}", ref
    embedded = _resolve(document, ref)
    snapshot = json.loads(path_of(event_type, version).read_text("utf-8"))
    assert snapshot["$id"] == dataschema(event_type, version)
    assert embedded["properties"].keys() == snapshot["properties"].keys()
    assert embedded["required"] == snapshot["required"]


def test_there_are_older_versions() -> None:
    """Without one, the older-version tests above would check nothing."""
    assert any(current_version(event_type) > 1 for event_type in REGISTRY)


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
        # Consumers read every version, the older ones upcast.
        assert operation["messages"] == _message_refs(event_type, _versions(event_type))
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


def test_every_ref_resolves(committed: dict[str, Any]) -> None:
    """Every reference points inside the document."""
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
