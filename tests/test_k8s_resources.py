"""The broker's and the database's Kubernetes resources (deploy/base/broker/, mongo/) are
the code's: the committed files are what `make k8s-resources` writes, so a change to the
topology, the rights or the services' users that is not regenerated fails here."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import k8s_resources
import pytest
import yaml

from devkit.platform import DEFAULT_PORTS
from shared.messaging import topology
from shared.messaging.access import SERVICES, grant
from shared.messaging.topology import QUEUES
from testkit.platforms import COMPOSE_FILE, ROOT

REGENERATE = "run `make k8s-resources`"


def _drifted() -> list[str]:
    """The generated files that differ from what the generator writes now."""
    return [
        str(path.relative_to(ROOT))
        for path, text in k8s_resources.files().items()
        if not path.is_file() or path.read_text() != text
    ]


def _documents(path: Path) -> list[dict[str, Any]]:
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


def _topology(kind: str) -> dict[str, dict[str, Any]]:
    """The committed topology's resources of `kind`, by the RabbitMQ name they concern (a
    User's is in its Secret: its resource is named after it)."""
    found = _documents(k8s_resources.BASE / "broker" / "topology.yaml")
    return {
        d["spec"].get("user") or d["spec"].get("name") or d["metadata"]["name"]: d
        for d in found
        if d["kind"] == kind
    }


def test_the_committed_resources_are_what_the_generator_writes() -> None:
    drifted = _drifted()
    assert not drifted, f"{', '.join(drifted)} differ from the code: {REGENERATE}"


def test_a_queue_argument_changed_in_the_code_is_drift(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(topology, "BROKER_DELIVERY_LIMIT", topology.BROKER_DELIVERY_LIMIT + 1)
    assert _drifted() == ["deploy/base/broker/topology.yaml"]


def test_a_retry_delay_other_than_the_settings_is_drift() -> None:
    default = k8s_resources.default_settings().retry_delay_ms
    assert k8s_resources.files(retry_delay_ms=default) == k8s_resources.files()
    changed = k8s_resources.files(retry_delay_ms=default + 234)
    target = k8s_resources.BASE / "broker" / "topology.yaml"
    assert changed[target] != target.read_text()
    assert f"x-message-ttl: {default + 234}" in changed[target]


def test_every_file_says_it_is_generated_and_each_folder_lists_its_files() -> None:
    for path in k8s_resources.files():
        assert path.read_text().startswith(k8s_resources.HEADER), path
    for folder in ("broker", "mongo"):
        directory = k8s_resources.BASE / folder
        (kustomization,) = _documents(directory / "kustomization.yaml")
        on_disk = {p.name for p in directory.glob("*.yaml")} - {"kustomization.yaml"}
        assert sorted(kustomization["resources"]) == sorted(on_disk), folder


def test_every_resource_names_the_cluster_and_has_a_valid_name() -> None:
    valid = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    for document in _documents(k8s_resources.BASE / "broker" / "topology.yaml"):
        assert document["apiVersion"] == "rabbitmq.com/v1beta1"
        assert valid.match(document["metadata"]["name"]), document["metadata"]["name"]
        assert document["spec"]["rabbitmqClusterReference"] == {"name": "marketplace-broker"}


def test_the_cluster_has_three_nodes_on_distinct_nodes() -> None:
    (cluster,) = _documents(k8s_resources.BASE / "broker" / "cluster.yaml")
    assert cluster["kind"] == "RabbitmqCluster"
    assert cluster["metadata"]["name"] == "marketplace-broker"
    spec = cluster["spec"]
    assert spec["replicas"] == 3
    compose = yaml.safe_load(COMPOSE_FILE.read_text())
    assert spec["image"] == compose["services"]["rabbitmq"]["image"]
    assert "default_queue_type = quorum" in spec["rabbitmq"]["additionalConfig"]
    (term,) = spec["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert term["topologyKey"] == "kubernetes.io/hostname"


def test_every_service_and_the_rail_has_a_user_from_a_secret_and_no_password() -> None:
    users = _topology("User")
    assert set(users) == set(SERVICES)
    assert {"payments", *DEFAULT_PORTS} == set(SERVICES)
    for name, user in users.items():
        assert user["spec"]["importCredentialsSecret"] == {"name": f"marketplace-broker-{name}"}
        assert "tags" not in user["spec"], "a service user has no management rights"
    text = (k8s_resources.BASE / "broker" / "topology.yaml").read_text()
    assert "password:" not in text
    assert "development-only" not in text


def test_every_user_has_its_grant_exactly() -> None:
    permissions, topics = _topology("Permission"), _topology("TopicPermission")
    assert set(permissions) == set(topics) == set(SERVICES)
    for service in SERVICES:
        rights = grant(service)
        assert permissions[service]["spec"]["permissions"] == {
            "configure": rights.configure,
            "write": rights.write,
            "read": rights.read,
        }
        assert topics[service]["spec"]["permissions"] == {
            "exchange": topology.EXCHANGE,
            "write": rights.topic_write,
            "read": rights.topic_read,
        }


def test_every_queue_is_quorum_with_the_codes_arguments() -> None:
    queues = _topology("Queue")
    delay = k8s_resources.default_settings().retry_delay_ms
    expected = {
        name: arguments
        for queue in QUEUES.values()
        for name, arguments in queue.arguments(delay).items()
    }
    assert set(queues) == set(expected)
    for name, queue in queues.items():
        assert queue["spec"]["type"] == "quorum", name
        assert queue["spec"]["durable"] is True, name
        assert queue["spec"]["arguments"] == expected[name], name
    retry = queues["orders.events.retry"]["spec"]["arguments"]
    assert retry["x-message-ttl"] == delay
    assert retry["x-dead-letter-exchange"] == "orders.events.direct"
    assert queues["orders.events"]["spec"]["arguments"]["x-delivery-limit"] == (
        topology.BROKER_DELIVERY_LIMIT
    )


def test_every_event_type_a_service_consumes_is_bound_to_its_queue() -> None:
    bindings = _documents(k8s_resources.BASE / "broker" / "topology.yaml")
    bound = {
        (d["spec"]["destination"], d["spec"]["routingKey"])
        for d in bindings
        if d["kind"] == "Binding" and d["spec"]["source"] == topology.EXCHANGE
    }
    expected = {(q.name, event) for q in QUEUES.values() for event in q.event_types}
    assert bound == expected


def test_every_database_user_has_read_write_on_its_own_database_only() -> None:
    (replica_set,) = _documents(k8s_resources.BASE / "mongo" / "replicaset.yaml")
    assert replica_set["kind"] == "MongoDBCommunity"
    spec = replica_set["spec"]
    assert (spec["members"], spec["type"]) == (3, "ReplicaSet")
    assert spec["security"]["authentication"]["modes"] == ["SCRAM"]
    compose_image = yaml.safe_load(COMPOSE_FILE.read_text())["services"]["mongo"]["image"]
    assert spec["version"].startswith(compose_image.removeprefix("mongo:") + ".")
    initdb = (ROOT / "docker" / "mongo" / "initdb" / "10-service-users.js").read_text()
    created = re.findall(r'"(\w+)"', re.search(r"for \(const service of \[(.+)\]\)", initdb)[1])  # type: ignore[index]
    users = {user["name"]: user for user in spec["users"]}
    assert list(users) == created == list(DEFAULT_PORTS)
    for name, user in users.items():
        assert user["db"] == "admin"
        assert user["roles"] == [{"name": "readWrite", "db": name}], name
        assert user["passwordSecretRef"] == {"name": f"marketplace-db-{name}", "key": "password"}
        assert user["scramCredentialsSecretName"]
        assert "password" not in {key.lower() for key in user}


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("folder", ["broker", "mongo"])
def test_kustomize_renders_the_folder(folder: str) -> None:
    done = subprocess.run(
        ["kubectl", "kustomize", str(k8s_resources.BASE / folder)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    rendered = [d for d in yaml.safe_load_all(done.stdout) if d]
    (kustomization,) = _documents(k8s_resources.BASE / folder / "kustomization.yaml")
    listed = [_documents(k8s_resources.BASE / folder / name) for name in kustomization["resources"]]
    assert len(rendered) == sum(len(documents) for documents in listed)
