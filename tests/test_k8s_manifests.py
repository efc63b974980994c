"""The Kubernetes manifests (deploy/), rendered offline with `kubectl kustomize` (no cluster
is needed) and checked against the code they deploy: ports, probes, the settings each
container is given, the policy values, images, secrets, security contexts, KEDA's queues.

Each check is a function returning what disagrees, so a test can also show that a change
in the code (a port) is caught."""

from __future__ import annotations

import importlib
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from devkit import platform
from shared.messaging.topology import QUEUES
from shared.policy import Policy
from shared.runtime import BROKER_WAIT_SECONDS, CLOSE_SECONDS
from testkit.platforms import COMPOSE_FILE, ROOT

OVERLAYS = ("dev", "prod")
CONSOLE = "console"
NO_KUBECTL = (
    "No kubectl here: tests/test_k8s_manifests.py renders deploy/overlays/* with `kubectl "
    "kustomize` (no cluster needed). Install kubectl 1.27+ (Debian/Ubuntu: the "
    "pkgs.k8s.io apt repository, `apt-get install kubectl`; elsewhere "
    "https://kubernetes.io/docs/tasks/tools/), or the standalone `kustomize` 5.x."
)
#: Settings that are secrets, whatever their name says: never a literal value.
SECRET_SETTINGS = {"MONGO_URL", "AMQP_URL", "AUTH_SECRET"}
SECRET_WORDS = ("PASSWORD", "SECRET", "TOKEN", "CREDENTIAL", "PRIVATE")
Manifest = dict[str, Any]


def _kustomize_command() -> list[str]:
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    pytest.fail(NO_KUBECTL)


@cache
def _render(overlay: str) -> tuple[Manifest, ...]:
    result = subprocess.run(
        [*_kustomize_command(), str(ROOT / "deploy" / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"kustomize {overlay} failed:\n{result.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


@pytest.fixture(params=OVERLAYS)
def manifests(request: pytest.FixtureRequest) -> tuple[Manifest, ...]:
    return _render(request.param)


def _of_kind(manifests: tuple[Manifest, ...], kind: str) -> dict[str, Manifest]:
    return {m["metadata"]["name"]: m for m in manifests if m["kind"] == kind}


def _app_container(deployment: Manifest) -> Manifest:
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert isinstance(container, dict)
    return container


def _settings_class(name: str) -> type[BaseModel]:
    module = importlib.import_module(f"{name}.settings")
    [settings_class] = [
        value
        for value in vars(module).values()
        if isinstance(value, type) and value.__module__ == module.__name__
        if value.__name__.endswith("Settings")
    ]
    return settings_class


def expected_ports() -> dict[str, int]:
    """Where each process listens, as the code says (read at call time)."""
    return {**platform.DEFAULT_PORTS, CONSOLE: platform.CONSOLE_PORT}


def env_names(settings_class: type[BaseModel]) -> set[str]:
    """The environment variables a settings class reads: its fields' validation aliases,
    or their names upper-cased (pydantic-settings matches them case-insensitively)."""
    prefix = str(settings_class.model_config.get("env_prefix", ""))
    return {
        field.validation_alias
        if isinstance(field.validation_alias, str)
        else f"{prefix}{name}".upper()
        for name, field in settings_class.model_fields.items()
    }


def _named_port(container: Manifest, port: int | str) -> int | None:
    if isinstance(port, int):
        return port
    numbers = [p["containerPort"] for p in container.get("ports", []) if p.get("name") == port]
    return numbers[0] if numbers else None


def _probes(container: Manifest) -> dict[str, tuple[str, int | None]]:
    """Each probe's path and the port number it reaches (a named port resolved)."""
    return {
        probe: (get["path"], _named_port(container, get["port"]))
        for probe in ("livenessProbe", "readinessProbe")
        if (get := container[probe]["httpGet"])
    }


def port_disagreements(manifests: tuple[Manifest, ...]) -> list[str]:
    """Each process's container port, probes and Service agree with the code's port."""
    deployments, services = _of_kind(manifests, "Deployment"), _of_kind(manifests, "Service")
    problems: list[str] = []
    for name, port in expected_ports().items():
        container = _app_container(deployments[name])
        service_ports = [
            (p["port"], _named_port(container, p["targetPort"]))
            for p in services[name]["spec"]["ports"]
        ]
        wanted = {
            "settings default": (_settings_class(name).model_fields["port"].default, port),
            "container port": ({p["containerPort"] for p in container["ports"]}, {port}),
            "probes": (
                _probes(container),
                {
                    "livenessProbe": ("/health/live", port),
                    "readinessProbe": ("/health/ready", port),
                },
            ),
            "Service": (service_ports, [(port, port)]),
        }
        problems += [
            f"{name}: {what} {got} != {want}" for what, (got, want) in wanted.items() if got != want
        ]
    return problems


def _environment(container: Manifest, configmaps: Mapping[str, Manifest]) -> Iterator[str]:
    yield from (variable["name"] for variable in container.get("env", []))
    for source in container.get("envFrom", []):
        assert "configMapRef" in source, f"{source}: only ConfigMaps are read whole"
        yield from configmaps[source["configMapRef"]["name"]].get("data", {})


def test_each_process_listens_where_the_code_says(manifests: tuple[Manifest, ...]) -> None:
    assert port_disagreements(manifests) == []


def test_a_port_changed_in_the_code_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(platform.DEFAULT_PORTS, "orders", 9002)
    problems = port_disagreements(_render("prod"))
    assert problems
    assert all(problem.startswith("orders:") for problem in problems)


def test_every_variable_is_a_setting_its_process_reads(manifests: tuple[Manifest, ...]) -> None:
    configmaps = _of_kind(manifests, "ConfigMap")
    for name, deployment in _of_kind(manifests, "Deployment").items():
        known = env_names(_settings_class(name))
        if name != CONSOLE:
            known |= env_names(Policy)
        unknown = set(_environment(_app_container(deployment), configmaps)) - known
        assert not unknown, f"{name} is given settings it does not read: {sorted(unknown)}"


def test_the_console_calls_each_service_by_its_service_name(
    manifests: tuple[Manifest, ...],
) -> None:
    console = _app_container(_of_kind(manifests, "Deployment")[CONSOLE])
    values = {variable["name"]: variable.get("value") for variable in console["env"]}
    for name, port in platform.DEFAULT_PORTS.items():
        assert values[f"{name.upper()}_URL"] == f"http://{name}:{port}"
        assert name in _of_kind(manifests, "Service")


def test_the_policy_configmap_holds_every_policy_value_by_default(
    manifests: tuple[Manifest, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    [policy] = [
        m
        for m in manifests
        if m["kind"] == "ConfigMap"
        if m["metadata"]["name"].startswith("marketplace-policy")
    ]
    data: dict[str, str] = policy["data"]
    assert set(data) == env_names(Policy)
    for name in env_names(Policy):
        monkeypatch.delenv(name, raising=False)
    defaults = Policy().snapshot()
    for name, value in data.items():
        monkeypatch.setenv(name, value)
    assert Policy().snapshot() == defaults


def test_the_images_are_the_compose_ones_tagged_by_the_overlay(
    manifests: tuple[Manifest, ...],
) -> None:
    compose = yaml.safe_load(COMPOSE_FILE.read_text())["services"]
    for name, deployment in _of_kind(manifests, "Deployment").items():
        image, _, tag = _app_container(deployment)["image"].partition(":")
        assert image == compose[name]["image"].partition(":")[0]
        assert tag not in ("", "latest"), f"{name}: the overlay sets no image tag"


def _secret_looking(name: str) -> bool:
    return name in SECRET_SETTINGS or any(word in name for word in SECRET_WORDS)


def test_no_secret_is_written_in_the_manifests(manifests: tuple[Manifest, ...]) -> None:
    assert not [m for m in manifests if m["kind"] == "Secret"], "Secrets are the team's"
    for configmap in _of_kind(manifests, "ConfigMap").values():
        assert not [key for key in configmap.get("data", {}) if _secret_looking(key)]
    for name, deployment in _of_kind(manifests, "Deployment").items():
        for variable in _app_container(deployment).get("env", []):
            if _secret_looking(variable["name"]):
                assert "secretKeyRef" in variable.get("valueFrom", {}), (name, variable)


def test_the_pods_are_locked_down(manifests: tuple[Manifest, ...]) -> None:
    for name, deployment in _of_kind(manifests, "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        container = _app_container(deployment)
        context = {**pod.get("securityContext", {}), **container.get("securityContext", {})}
        assert context["runAsNonRoot"] is True, name
        # The image's user (docker/service.Dockerfile).
        assert context["runAsUser"] == 10001, name
        assert context["readOnlyRootFilesystem"] is True, name
        assert context["allowPrivilegeEscalation"] is False, name
        assert context["capabilities"]["drop"] == ["ALL"], name
        assert context["seccompProfile"]["type"] == "RuntimeDefault", name
        # Service links would set e.g. REVIEW_PORT=tcp://..., which the settings read.
        assert pod["enableServiceLinks"] is False, name
        assert {"/tmp"} <= {mount["mountPath"] for mount in container["volumeMounts"]}, name


def test_a_pod_has_time_to_start_and_to_stop(manifests: tuple[Manifest, ...]) -> None:
    for name, deployment in _of_kind(manifests, "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        container = _app_container(deployment)
        startup = container["startupProbe"]
        assert startup["periodSeconds"] * startup["failureThreshold"] > BROKER_WAIT_SECONDS
        command = container["lifecycle"]["preStop"]["exec"]["command"]
        assert command[0] == "sleep", name
        shutdown = int(command[1]) + 2 * CLOSE_SECONDS
        assert pod["terminationGracePeriodSeconds"] >= shutdown, name
        assert container["resources"]["limits"]["memory"], name


def test_keda_scales_each_service_on_its_own_queue(manifests: tuple[Manifest, ...]) -> None:
    deployments = _of_kind(manifests, "Deployment")
    authentications = _of_kind(manifests, "TriggerAuthentication")
    scaled = _of_kind(manifests, "ScaledObject")
    assert set(scaled) == set(platform.DEFAULT_PORTS)
    for scaled_object in scaled.values():
        spec = scaled_object["spec"]
        target = spec["scaleTargetRef"]["name"]
        assert target in deployments
        assert spec["minReplicaCount"] >= 1
        [trigger] = spec["triggers"]
        assert trigger["type"] == "rabbitmq"
        assert trigger["metadata"]["mode"] == "QueueLength"
        assert trigger["metadata"]["queueName"] == QUEUES[target].name
        assert trigger["authenticationRef"]["name"] in authentications


def test_production_leaves_the_consumers_replicas_to_keda() -> None:
    manifests = _render("prod")
    deployments = _of_kind(manifests, "Deployment")
    for name in _of_kind(manifests, "ScaledObject"):
        assert "replicas" not in deployments[name]["spec"], name
    budgets = _of_kind(manifests, "PodDisruptionBudget")
    for name, deployment in deployments.items():
        assert budgets[name]["spec"]["minAvailable"] == 1
        anti = deployment["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]
        [term] = anti["preferredDuringSchedulingIgnoredDuringExecution"]
        assert term["podAffinityTerm"]["topologyKey"] == "kubernetes.io/hostname"
    assert deployments[CONSOLE]["spec"]["replicas"] >= 2
    assert all(
        s["spec"]["minReplicaCount"] >= 2 for s in _of_kind(manifests, "ScaledObject").values()
    )


def test_the_network_is_denied_unless_allowed(manifests: tuple[Manifest, ...]) -> None:
    policies = _of_kind(manifests, "NetworkPolicy")
    deny = policies["default-deny-all"]["spec"]
    assert deny["podSelector"] == {}
    assert set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny
    assert "egress" not in deny
    egress = policies["marketplace-services-egress"]["spec"]["egress"]
    reached = [peer["podSelector"]["matchLabels"] for rule in egress for peer in rule["to"]]
    # The operators' pod labels: the RabbitmqCluster's name, the MongoDBCommunity's + "-svc".
    [broker] = _of_kind(manifests, "RabbitmqCluster")
    [database] = _of_kind(manifests, "MongoDBCommunity")
    assert reached == [
        {"app.kubernetes.io/name": broker},
        {"app": f"{database}-svc"},
        {"k8s-app": "kube-dns"},
    ]
