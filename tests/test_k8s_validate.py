"""The Kubernetes manifests, validated offline (no cluster exists here): both overlays are
rendered by kustomize (`kubectl kustomize`), then every Kubernetes object is checked by
kubernetes-validate against Kubernetes 1.30's own schemas in strict mode (a field the API
does not know is an error, as `kubectl apply --validate=strict` makes it), every operator
resource against the JSON Schema in tests/k8s_schemas/<group>/<Kind>.json (written from
each operator's documentation, strict where the platform's use is known), and any other
kind is refused by name, so that no resource reaches a cluster unchecked."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from testkit.platforms import ROOT

#: The oldest Kubernetes the manifests target: KEDA 2.x's current releases need 1.30, and
#: nothing in the manifests needs a newer API.
KUBERNETES_VERSION = "1.30"
OVERLAYS = ("dev", "prod")
SCHEMAS = ROOT / "tests" / "k8s_schemas"
COMMON_SCHEMA = SCHEMAS / "common.json"
#: The operator resources the platform is made of (README "Running on Kubernetes").
OPERATOR_KINDS = {
    ("rabbitmq.com/v1beta1", kind)
    for kind in ("RabbitmqCluster", "Exchange", "Queue", "Binding", "User", "Permission")
} | {
    ("mongodbcommunity.mongodb.com/v1", "MongoDBCommunity"),
    ("keda.sh/v1alpha1", "ScaledObject"),
    ("keda.sh/v1alpha1", "TriggerAuthentication"),
}
#: The operator (and its major version) each group's schemas were written for; the
#: RabbitmqCluster shares its group with the topology operator's kinds.
OPERATOR_VERSIONS = {
    "rabbitmq.com": "Messaging Topology Operator 1.x",
    "mongodbcommunity.mongodb.com": "MongoDB Community Operator 0.x",
    "keda.sh": "KEDA 2.x",
}
CLUSTER_OPERATOR_VERSION = "RabbitMQ Cluster Operator 2.x"

Manifest = dict[str, Any]


# --- rendering ---------------------------------------------------------------------------


@cache
def rendered(overlay: str) -> tuple[Manifest, ...]:
    """The overlay's objects as `kubectl apply -k` would send them."""
    path = ROOT / "deploy" / "overlays" / overlay
    if not path.is_dir():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: the Kubernetes manifests live there")
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.fail("No kubectl here: install it (its built-in kustomize renders the overlays)")
    result = subprocess.run(
        [kubectl, "kustomize", str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        pytest.fail(f"kubectl kustomize {path.relative_to(ROOT)} failed:\n{result.stderr}")
    return tuple(document for document in yaml.safe_load_all(result.stdout) if document)


def named(overlay: str, kind: str) -> Manifest:
    """The overlay's first object of a kind: the negative tests' original."""
    found = [manifest for manifest in rendered(overlay) if manifest.get("kind") == kind]
    if not found:
        pytest.fail(f"deploy/overlays/{overlay} renders no {kind}")
    return found[0]


# --- validation --------------------------------------------------------------------------


def describe(manifest: Manifest) -> str:
    name = manifest.get("metadata", {}).get("name", "?")
    return f"{manifest.get('kind')}/{name} ({manifest.get('apiVersion')})"


def is_kubernetes_api(api_version: str) -> bool:
    """Kubernetes' own API groups: the core group (`v1`), the unqualified ones (`apps`,
    `policy`, `batch`, `autoscaling`) and `*.k8s.io`. Every custom resource's group has a
    dot and is none of these."""
    group = api_version.rpartition("/")[0]
    return "." not in group or group.endswith(".k8s.io")


def schema_file(manifest: Manifest) -> Path:
    group = str(manifest.get("apiVersion", "")).rpartition("/")[0]
    return SCHEMAS / group / f"{manifest.get('kind')}.json"


@cache
def schema_registry() -> Registry[Any]:
    """The schemas' shared pieces, found by their `$id` (no network, no file URLs)."""
    resource = DRAFT202012.create_resource(json.loads(COMMON_SCHEMA.read_text()))
    return resource @ Registry()


@cache
def operator_validator(path: Path) -> jsonschema.Draft202012Validator:
    schema = json.loads(path.read_text())
    return jsonschema.Draft202012Validator(schema, registry=schema_registry())


def at(path: Iterable[Any]) -> str:
    return ".".join(str(part) for part in path) or "(the object)"


def kubernetes_problems(manifest: Manifest) -> list[str]:
    try:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.SchemaNotFoundError as error:
        return [f"{describe(manifest)}: {error.message}"]
    except kubernetes_validate.ValidationError as error:
        return [f"{describe(manifest)}: {at(error.absolute_path)}: {error.message}"]
    return []


def operator_problems(manifest: Manifest) -> list[str]:
    path = schema_file(manifest)
    if not path.is_file():
        return [
            f"{describe(manifest)}: unknown kind: not a Kubernetes API group and no schema at "
            f"{path.relative_to(ROOT)} (write one from the operator's documentation)"
        ]
    errors = operator_validator(path).iter_errors(manifest)
    return [f"{describe(manifest)}: {at(e.absolute_path)}: {e.message}" for e in errors]


def problems(manifest: Manifest) -> list[str]:
    """Why the object would be refused, or left half-understood, by its API: none if valid."""
    if is_kubernetes_api(str(manifest.get("apiVersion", ""))):
        return kubernetes_problems(manifest)
    return operator_problems(manifest)


def problems_of(manifests: tuple[Manifest, ...] | list[Manifest]) -> list[str]:
    return [problem for manifest in manifests for problem in problems(manifest)]


# --- the rendered overlays -----------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_rendered_object_is_valid(overlay: str) -> None:
    manifests = rendered(overlay)
    assert manifests, f"deploy/overlays/{overlay} renders nothing"
    found = problems_of(manifests)
    assert not found, f"deploy/overlays/{overlay}:\n" + "\n".join(found)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_rendering_holds_every_operator_resource(overlay: str) -> None:
    kinds = {(manifest["apiVersion"], manifest["kind"]) for manifest in rendered(overlay)}
    missing = sorted(f"{api} {kind}" for api, kind in OPERATOR_KINDS - kinds)
    assert not missing, f"deploy/overlays/{overlay} renders no {', '.join(missing)}"


def typo_copies(manifest: Manifest) -> Iterator[tuple[str, Manifest]]:
    """Copies of a rendered object with one misspelt field each: in its spec (or, for
    objects without one, beside its data) and in its metadata."""
    if isinstance(manifest.get("spec"), dict):
        in_spec = copy.deepcopy(manifest)
        in_spec["spec"]["replicaz"] = 1
        yield "spec.replicaz", in_spec
    else:
        beside = copy.deepcopy(manifest)
        beside["dat"] = {}
        yield "dat", beside
    in_metadata = copy.deepcopy(manifest)
    in_metadata["metadata"]["lables"] = {"a": "b"}
    yield "metadata.lables", in_metadata


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_a_typo_in_any_rendered_object_is_refused(overlay: str) -> None:
    accepted = [
        f"{describe(manifest)}: {where}"
        for manifest in rendered(overlay)
        for where, typo in typo_copies(manifest)
        if not problems(typo)
    ]
    assert not accepted, "typos the checks let through:\n" + "\n".join(accepted)


def test_a_typo_in_a_rendered_container_is_refused() -> None:
    deployment = copy.deepcopy(named("prod", "Deployment"))
    deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolcy"] = "Always"
    assert any("imagePullPolcy" in problem for problem in problems(deployment))


def test_a_typo_in_a_rendered_queue_is_refused() -> None:
    queue = copy.deepcopy(named("prod", "Queue"))
    queue["spec"]["durabel"] = True
    assert any("durabel" in problem for problem in problems(queue))


def test_an_unknown_kind_in_the_rendering_is_refused_by_name() -> None:
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    found = problems_of([*rendered("prod"), widget])
    assert found == [
        "Widget/w (example.com/v1): unknown kind: not a Kubernetes API group and no schema "
        "at tests/k8s_schemas/example.com/Widget.json (write one from the operator's "
        "documentation)"
    ]


# --- the README's list of Secrets ----------------------------------------------------------

#: Keys the operators read from a Secret that the manifests name without its keys.
IMPLIED_KEYS = {"importCredentialsSecret": ("username", "password")}


def secret_references(node: Any) -> Iterator[tuple[str, str | None]]:
    """Every (Secret, key) an object reads: containers' env, KEDA's trigger parameters, the
    topology operator's imported credentials and the database operator's passwords."""
    if isinstance(node, list):
        for item in node:
            yield from secret_references(item)
    if not isinstance(node, dict):
        return
    for field, value in node.items():
        if field in ("secretKeyRef", "passwordSecretRef", "importCredentialsSecret"):
            yield value["name"], value.get("key")
            for key in IMPLIED_KEYS.get(field, ()):
                yield value["name"], key
        elif field == "secretTargetRef":
            yield from ((ref["name"], ref["key"]) for ref in value)
        elif field == "secretRef" or (field == "secret" and isinstance(value, dict)):
            yield value.get("name") or value["secretName"], None
        else:
            yield from secret_references(value)


def readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index(f"\n{title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


def test_the_readme_lists_every_secret_and_key_the_manifests_read() -> None:
    """The Secrets are the deploying team's to create: the README's list is their recipe,
    so a Secret or key the manifests start reading cannot be left out of it."""
    section = readme_section("## Running on Kubernetes")
    patterns = [
        re.compile(re.sub(r"<[a-z]+>", "[a-z0-9-]+", re.escape(name)))
        for name in re.findall(r"`(marketplace-[a-z<>-]+)`", section)
    ]
    missing = sorted(
        {
            f"{name}" + (f" (key {key})" if key else "")
            for overlay in OVERLAYS
            for manifest in rendered(overlay)
            for name, key in secret_references(manifest)
            if not any(pattern.fullmatch(name) for pattern in patterns)
            or (key is not None and f"`{key}`" not in section)
        }
    )
    assert not missing, 'README "Running on Kubernetes" does not list: ' + ", ".join(missing)


# --- the schemas -------------------------------------------------------------------------


def operator_schemas() -> list[Path]:
    return sorted(path for path in SCHEMAS.glob("*/*.json"))


@pytest.mark.parametrize("path", operator_schemas(), ids=lambda path: path.stem)
def test_each_schema_is_valid_and_names_its_operator_version(path: Path) -> None:
    schema = json.loads(path.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    group, kind = path.parent.name, path.stem
    assert schema["properties"]["kind"] == {"const": kind}
    assert schema["properties"]["apiVersion"]["const"].startswith(f"{group}/")
    assert schema["additionalProperties"] is False
    assert schema["properties"]["spec"]["additionalProperties"] is False
    operator = CLUSTER_OPERATOR_VERSION if kind == "RabbitmqCluster" else OPERATOR_VERSIONS[group]
    assert operator in schema["description"], f"{group}/{kind}: name {operator}"


def test_every_operator_kind_has_a_schema() -> None:
    have = {(f"{path.parent.name}/", path.stem) for path in operator_schemas()}
    wanted = {(api.rpartition("/")[0] + "/", kind) for api, kind in OPERATOR_KINDS}
    assert wanted <= have


# --- small fixtures of our own: the checks, independent of the manifests -----------------

FIXTURES = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: orders, labels: {app.kubernetes.io/name: orders}}
spec:
  replicas: 1
  selector: {matchLabels: {app.kubernetes.io/name: orders}}
  template:
    metadata: {labels: {app.kubernetes.io/name: orders}}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 10001}
      containers:
        - name: orders
          image: marketplace/orders:dev
          ports: [{name: http, containerPort: 8002}]
          envFrom: [{secretRef: {name: marketplace-orders-connections}}]
          readinessProbe: {httpGet: {path: /health/ready, port: http}}
---
apiVersion: rabbitmq.com/v1beta1
kind: RabbitmqCluster
metadata: {name: marketplace-broker}
spec:
  replicas: 3
  persistence: {storage: 10Gi}
  resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {memory: 1Gi}}
  rabbitmq: {additionalConfig: "cluster_partition_handling = pause_minority"}
---
apiVersion: rabbitmq.com/v1beta1
kind: Exchange
metadata: {name: marketplace-events}
spec:
  name: marketplace.events
  type: topic
  durable: true
  rabbitmqClusterReference: {name: marketplace-broker}
---
apiVersion: rabbitmq.com/v1beta1
kind: Queue
metadata: {name: logistics-orders}
spec:
  name: logistics.orders
  type: quorum
  durable: true
  arguments: {x-dead-letter-exchange: marketplace.dead-letters}
  rabbitmqClusterReference: {name: marketplace-broker}
---
apiVersion: rabbitmq.com/v1beta1
kind: Binding
metadata: {name: logistics-orders-confirmed}
spec:
  source: marketplace.events
  destination: logistics.orders
  destinationType: queue
  routingKey: orders.order.confirmed
  rabbitmqClusterReference: {name: marketplace-broker}
---
apiVersion: rabbitmq.com/v1beta1
kind: User
metadata: {name: broker-orders}
spec:
  importCredentialsSecret: {name: marketplace-broker-orders}
  rabbitmqClusterReference: {name: marketplace-broker}
---
apiVersion: rabbitmq.com/v1beta1
kind: Permission
metadata: {name: broker-orders}
spec:
  vhost: /
  userReference: {name: broker-orders}
  permissions: {configure: "^$", write: "^marketplace\\\\.events$", read: "^orders\\\\."}
  rabbitmqClusterReference: {name: marketplace-broker}
---
apiVersion: rabbitmq.com/v1beta1
kind: TopicPermission
metadata: {name: broker-orders}
spec:
  vhost: /
  user: orders
  permissions: {exchange: marketplace.events, write: "^orders\\\\."}
  rabbitmqClusterReference: {name: marketplace-broker}
---
apiVersion: mongodbcommunity.mongodb.com/v1
kind: MongoDBCommunity
metadata: {name: marketplace-db}
spec:
  members: 3
  type: ReplicaSet
  version: "7.0.14"
  security: {authentication: {modes: [SCRAM]}}
  users:
    - name: orders
      db: admin
      passwordSecretRef: {name: marketplace-db-orders}
      roles: [{name: readWrite, db: orders}]
      scramCredentialsSecretName: marketplace-db-orders
---
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata: {name: logistics-broker}
spec:
  secretTargetRef: [{parameter: host, name: marketplace-logistics-connections, key: AMQP_URL}]
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: logistics}
spec:
  scaleTargetRef: {name: logistics}
  minReplicaCount: 1
  maxReplicaCount: 5
  triggers:
    - type: rabbitmq
      metadata: {protocol: amqp, mode: QueueLength, value: "50", queueName: logistics.orders}
      authenticationRef: {name: logistics-broker}
"""


def fixture(kind: str) -> Manifest:
    for document in yaml.safe_load_all(FIXTURES):
        if document["kind"] == kind:
            return dict(document)
    raise LookupError(kind)


FIXTURE_KINDS = [document["kind"] for document in yaml.safe_load_all(FIXTURES)]


@pytest.mark.parametrize("kind", FIXTURE_KINDS)
def test_a_documented_use_of_each_kind_passes(kind: str) -> None:
    assert problems(fixture(kind)) == []


#: One misspelt or out-of-range field per kind: (kind, path to its parent, field, value).
TYPOS = [
    ("Deployment", ("spec", "template", "spec", "containers", 0), "imagePullPolcy", "Always"),
    ("RabbitmqCluster", ("spec",), "replica", 3),
    ("Exchange", ("spec",), "autodelete", False),
    ("Queue", ("spec",), "durabel", True),
    ("Queue", ("spec",), "type", "classic"),
    ("Binding", ("spec",), "routingkey", "orders.#"),
    ("User", ("spec",), "tag", ["management"]),
    ("Permission", ("spec", "permissions"), "wirte", ".*"),
    ("TopicPermission", ("spec", "permissions"), "exchage", "marketplace.events"),
    ("MongoDBCommunity", ("spec", "users", 0), "passwordSecretRefs", {"name": "x"}),
    ("MongoDBCommunity", ("spec",), "type", "ShardedCluster"),
    ("TriggerAuthentication", ("spec", "secretTargetRef", 0), "paramter", "host"),
    ("ScaledObject", ("spec", "triggers", 0, "metadata"), "queueNmae", "logistics.orders"),
    ("ScaledObject", ("spec",), "minReplicaCount", 0),
]


@pytest.mark.parametrize(("kind", "parent", "field", "value"), TYPOS)
def test_a_typo_in_a_fixture_is_refused(
    kind: str, parent: tuple[str | int, ...], field: str, value: Any
) -> None:
    manifest = copy.deepcopy(fixture(kind))
    target: Any = manifest
    for step in parent:
        target = target[step]
    target[field] = value
    found = problems(manifest)
    assert found, f"{kind}: {field}={value!r} was accepted"
    assert any(field in problem or repr(value) in problem for problem in found), found


def test_an_unknown_kind_is_refused_by_name() -> None:
    assert problems({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {}}) == [
        "Widget/? (example.com/v1): unknown kind: not a Kubernetes API group and no schema at "
        "tests/k8s_schemas/example.com/Widget.json (write one from the operator's "
        "documentation)"
    ]


def test_an_api_version_kubernetes_does_not_serve_is_refused() -> None:
    old = {**fixture("Deployment"), "apiVersion": "extensions/v1beta1"}
    assert any("Couldn't find schema" in problem for problem in problems(old))
