"""Platforms for end-to-end tests.

- Local (default): the four services as separate processes, each platform isolated: its
  own vhost, database prefix and free ports.
- Docker (`--platform=docker`): the compose stack of docker-compose.yml, brought up once
  per session by pytest-docker; every test talks to its published ports and controls
  services through Compose (kill, stop, recreate with other settings, one more container).
  The RabbitMQ cluster (docker-compose.cluster.yml) is a stack of its own.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from devkit.broker import DEFAULT_AMQP_URL, IsolatedVhost, for_services
from devkit.engine import free_ports_of
from devkit.idp import signing
from devkit.platform import DEFAULT_PORTS, Platform, ServiceProcess, http_ok
from devkit.wait import wait_until


@dataclass
class RunningPlatform:
    platform: Platform
    amqp_url: str
    mongo_url: str
    db_prefix: str

    def url(self, service: str) -> str:
        return self.platform.url(service)

    @property
    def urls(self) -> dict[str, str]:
        return {name: self.url(name) for name in DEFAULT_PORTS}


StartPlatform = Callable[..., RunningPlatform]


class PlatformFactory:
    def __init__(self, mongo_url: str, log_dir: Path) -> None:
        self._mongo_url, self._log_dir = mongo_url, log_dir
        self._started: list[tuple[RunningPlatform, IsolatedVhost]] = []

    def start(self, **env: str) -> RunningPlatform:
        vhost = IsolatedVhost(
            os.environ.get("AMQP_URL", DEFAULT_AMQP_URL), f"e2e-{uuid.uuid4().hex[:10]}"
        )
        amqp_url = vhost.__enter__()
        prefix = f"e{uuid.uuid4().hex[:8]}_"
        settings = {
            "MONGO_URL": self._mongo_url,
            "AMQP_URL": for_services(amqp_url),
            "MONGO_DATABASE_PREFIX": prefix,
            "OUTBOX_POLL_SECONDS": "0.2",
            "DEADLINE_POLL_SECONDS": "0.25",
            **env,
        }
        platform = Platform(settings, free_ports_of(DEFAULT_PORTS), self._log_dir)
        running = RunningPlatform(platform, amqp_url, self._mongo_url, prefix)
        self._started.append((running, vhost))
        platform.start()
        return running

    def stop_all(self) -> None:
        for running, vhost in reversed(self._started):
            running.platform.stop()
            vhost.__exit__()


# --- Docker mode: the compose stack ---------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
#: The local stand-ins of the official images (`make test-docker` on a machine with no
#: registry sets COMPOSE_STAND_INS=1).
STAND_INS_FILE = ROOT / "docker-compose.local.yml"
#: RabbitMQ as three nodes, and the stand-in image of the two it adds.
CLUSTER_FILE = ROOT / "docker-compose.cluster.yml"
CLUSTER_STAND_INS_FILE = ROOT / "docker-compose.cluster.local.yml"
ENV_EXAMPLE = ROOT / ".env.example"
NO_ENGINE = (
    "No Docker engine answers (docker info failed): container mode needs one; "
    "`make test-docker` starts or installs one, or run without --platform=docker."
)
NO_COMPOSE = (
    "A Docker engine answers but neither `docker compose` (v2) nor `docker-compose` (v1) "
    "does: install one (Debian: apt-get install docker-compose)."
)
DOCKER_ONLY = (
    "docker_only: faults only containers can make; runs with `make test-docker` (--platform=docker)"
)
LOCAL_ONLY = (
    "local_only: needs what the compose stack cannot give; runs with local processes "
    "(without --platform=docker)"
)


def read_env_file(path: Path) -> dict[str, str]:
    """`KEY=value` lines of an env file (comments, blank lines and quotes as Compose reads
    them in .env.example)."""
    values: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def compose_settings(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The settings of the test stack: the development values of .env.example, whatever
    .env holds (the tests expect the default policy); only the host ports (`*_PORT`) may be
    moved from the environment, to avoid a clash. The services verify the tokens the tests
    sign (`devkit.idp.signing`: the run's identity provider, its JWKS mounted)."""
    settings = read_env_file(ENV_EXAMPLE)
    for key in settings:
        if key.endswith("_PORT") and environ.get(key):
            settings[key] = environ[key]
    return {**settings, **signing(environ).compose_env}


def _succeeds(*command: str) -> bool:
    executable = shutil.which(command[0])
    if executable is None:
        return False
    try:
        subprocess.run([executable, *command[1:]], capture_output=True, timeout=60, check=True)
    except (OSError, subprocess.SubprocessError):
        return False
    return True


def docker_cli() -> str:
    """Debian's /usr/bin/docker when there (tools/docker/lib.sh says why), else `docker`."""
    return "/usr/bin/docker" if Path("/usr/bin/docker").exists() else "docker"


def docker_engine_answers() -> bool:
    return _succeeds(docker_cli(), "info")


def compose_command() -> str | None:
    """`docker compose` (v2) if it answers, else `docker-compose` (v1.29, Debian's)."""
    if _succeeds("docker", "compose", "version"):
        return "docker compose"
    if _succeeds("docker-compose", "version"):
        return "docker-compose"
    return None


def compose_files(environ: Mapping[str, str] = os.environ, *, cluster: bool = False) -> list[str]:
    """The production file, with the RabbitMQ cluster's when `cluster`, each followed by
    its stand-ins' override when COMPOSE_STAND_INS=1."""
    stand_ins = environ.get("COMPOSE_STAND_INS") == "1"
    files = [COMPOSE_FILE, *([STAND_INS_FILE] if stand_ins else [])]
    if cluster:
        files += [CLUSTER_FILE, *([CLUSTER_STAND_INS_FILE] if stand_ins else [])]
    return [str(file) for file in files]


def tracebacks(logs: str, context: int = 30) -> list[str]:
    """The lines of `compose logs` that show a traceback: each from its first line, for up
    to `context` lines of the same container."""
    lines = logs.splitlines()
    shown: list[str] = []
    for index, line in enumerate(lines):
        if "Traceback (most recent call last)" not in line:
            continue
        container = line.split("|", 1)[0]
        shown += [ln for ln in lines[index : index + context] if ln.startswith(container)]
    return shown


def _not_here(what: str) -> RuntimeError:
    return RuntimeError(f"{what}: the compose stack cannot; mark the test local_only")


#: The settings a test may change in the compose stack: those docker-compose.yml reads
#: from the environment (`${NAME...}`), so a recreated container gets the new value.
def _changeable() -> frozenset[str]:
    return frozenset(re.findall(r"\$\{(\w+)", COMPOSE_FILE.read_text()))


@dataclass(frozen=True)
class Compose:
    """Compose commands on the test stack: v1 or v2, its files, project and settings."""

    command: str
    files: tuple[str, ...]
    project: str
    settings: Mapping[str, str]

    def run(self, *args: str, env: Mapping[str, str] | None = None, timeout: float = 300) -> str:
        argv = [
            *self.command.split(),
            *(a for f in self.files for a in ("-f", f)),
            "-p",
            self.project,
            *args,
        ]
        done = subprocess.run(
            argv,
            cwd=ROOT,
            env={**os.environ, **self.settings, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"compose {' '.join(args)} failed: {done.stderr[-2000:]}")
        return done.stdout


class PublishedService(ServiceProcess):
    """A service of the compose stack at its published port; its container is controlled
    through Compose (kill, stop, recreate with other settings)."""

    def __init__(self, name: str, host: str, port: int, stack: StackPlatform) -> None:
        super().__init__(name, port, {}, None)
        self.host, self.stack = host, stack

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self.stack.recreate(self.name)

    def kill(self) -> None:
        """SIGKILL to the container, as in a crash (the restart policy leaves it down:
        Docker does not restart a container it was told to kill)."""
        self.stack.compose.run("kill", "-s", "SIGKILL", self.name)

    def stop(self) -> None:
        self.stack.compose.run("stop", self.name)

    def wait_ready(self, timeout: float = 120.0) -> None:
        wait_until(
            lambda: http_ok(f"{self.url}/health/ready"),
            timeout=timeout,
            what=f"{self.name}'s container to be ready",
            interval=0.25,
        )


class ComposeInstance(ServiceProcess):
    """One more container of a service (`compose run`, no published port), with the
    service's current settings: several consumers sharing its queue and deadlines."""

    def __init__(self, name: str, stack: StackPlatform) -> None:
        super().__init__(name, 0, {}, None)
        self.stack = stack
        self.container = f"{stack.compose.project}-{name}-{uuid.uuid4().hex[:6]}"

    def start(self) -> None:
        self.stack.compose.run(
            "run",
            "-d",
            "--no-deps",
            "--name",
            self.container,
            self.name,
            env=self.stack.overrides[self.name],
        )

    def wait_ready(self, timeout: float = 120.0) -> None:
        def healthy() -> bool:
            done = subprocess.run(
                [docker_cli(), "inspect", "-f", "{{.State.Health.Status}}", self.container],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
            return done.stdout.strip() == "healthy"

        wait_until(
            healthy, timeout=timeout, what=f"container {self.container} healthy", interval=0.5
        )

    def kill(self) -> None:
        self.stop()

    def stop(self) -> None:
        subprocess.run(
            [docker_cli(), "rm", "-f", self.container], capture_output=True, timeout=60, check=False
        )


class StackPlatform(Platform):
    """The four services of the compose stack. pytest-docker brings it up and down; a test
    may kill, stop or restart a service, add a container of one, or run the stack with
    other settings (each service recreated with them, then back for the next test)."""

    def __init__(self, host: str, ports: Mapping[str, int], compose: Compose) -> None:
        self.compose = compose
        self.services: dict[str, ServiceProcess] = {
            name: PublishedService(name, host, port, self) for name, port in ports.items()
        }
        #: Each service's settings beyond the stack's defaults, as its container runs now.
        self.overrides: dict[str, dict[str, str]] = {name: {} for name in ports}

    def start(self, timeout: float = 60.0) -> Platform:
        return self

    def recreate(self, name: str) -> None:
        self.compose.run(
            "up",
            "-d",
            "--no-deps",
            "--force-recreate",
            "--no-build",
            name,
            env=self.overrides[name],
        )
        self.services[name].wait_ready()

    def restart(self, name: str, extra_env: Mapping[str, str] | None = None) -> None:
        self.overrides[name] = {**self.overrides[name], **_checked(extra_env or {})}
        self.recreate(name)

    def run_with(self, env: Mapping[str, str]) -> None:
        """Every service with exactly these settings beyond the defaults."""
        wanted = _checked(env)
        for name, service in self.services.items():
            # Recreated too when an earlier test left it killed or stopped.
            if self.overrides[name] != wanted or not http_ok(f"{service.url}/health/ready"):
                self.overrides[name] = dict(wanted)
                self.recreate(name)

    def another(self, name: str, log_dir: Path) -> ServiceProcess:
        return ComposeInstance(name, self)

    def stop(self) -> None:
        pass


def _checked(env: Mapping[str, str]) -> dict[str, str]:
    fixed = set(env) - _changeable()
    if fixed:
        raise _not_here(f"set {', '.join(sorted(fixed))} (not read by docker-compose.yml)")
    return dict(env)


@dataclass(frozen=True)
class ComposeStack:
    """The running compose stack as the tests see it: published ports and URLs."""

    host: str
    ports: Mapping[str, int]
    amqp_url: str
    mongo_url: str
    db_prefix: str
    platform: StackPlatform

    @classmethod
    def at_settings_ports(cls, compose: Compose) -> ComposeStack:
        """A stack whose host ports are its settings' (`REVIEW_PORT`, `RABBITMQ_PORT`…)."""
        return cls.published(
            "127.0.0.1",
            lambda service, _: int(compose.settings[f"{service.upper()}_PORT"]),
            compose,
        )

    @classmethod
    def published(
        cls, host: str, port_for: Callable[[str, int], int], compose: Compose
    ) -> ComposeStack:
        settings = compose.settings
        user, password = quote(settings["RABBITMQ_USER"]), quote(settings["RABBITMQ_PASSWORD"])
        ports = {name: port_for(name, port) for name, port in DEFAULT_PORTS.items()}
        # MongoDB's root user, but on the engine stand-in, which has no access control.
        root = (
            ""
            if str(STAND_INS_FILE) in compose.files
            else (f"{quote(settings['MONGO_ROOT_USER'])}:{quote(settings['MONGO_ROOT_PASSWORD'])}@")
        )
        mongo = f"{host}:{port_for('mongo', 27017)}/?directConnection=true"
        return cls(
            host=host,
            ports=ports,
            amqp_url=f"amqp://{user}:{password}@{host}:{port_for('rabbitmq', 5672)}/",
            mongo_url=f"mongodb://{root}{mongo}" + ("&authSource=admin" if root else ""),
            db_prefix=settings.get("MONGO_DATABASE_PREFIX", ""),
            platform=StackPlatform(host, ports, compose),
        )

    def start(self, **env: str) -> RunningPlatform:
        """`start_platform(**env)` in docker mode: the one stack of the session, its
        services recreated with `env` when their settings differ."""
        self.platform.run_with(env)
        return RunningPlatform(self.platform, self.amqp_url, self.mongo_url, self.db_prefix)


# --- Docker mode: the RabbitMQ cluster (docker-compose.cluster.yml) -------------------


@dataclass(frozen=True)
class RabbitNode:
    """A node of the cluster: its compose service, Erlang name and loopback ports."""

    service: str
    name: str
    amqp_port: int
    management_port: int


@dataclass(frozen=True)
class ClusterStack:
    """A compose stack of its own with RabbitMQ as three nodes; each node's AMQP port and
    management API published on loopback."""

    stack: ComposeStack
    nodes: tuple[RabbitNode, ...]

    @classmethod
    def of(cls, compose: Compose) -> ClusterStack:
        settings = compose.settings
        nodes = tuple(
            RabbitNode(
                service,
                f"rabbit@rabbitmq-{number}",
                int(settings[f"{prefix}_PORT"]),
                int(settings[f"{prefix}_MANAGEMENT_PORT"]),
            )
            for number, service, prefix in (
                (1, "rabbitmq", "RABBITMQ"),
                (2, "rabbitmq-2", "RABBITMQ_2"),
                (3, "rabbitmq-3", "RABBITMQ_3"),
            )
        )
        return cls(ComposeStack.at_settings_ports(compose), nodes)

    def node(self, name: str) -> RabbitNode:
        return next(node for node in self.nodes if node.name == name)

    def amqp_url(self, node: RabbitNode) -> str:
        """The broker as reached through this one node (the tests' own connections)."""
        return re.sub(r":\d+/$", f":{node.amqp_port}/", self.stack.amqp_url)

    def management(self, node: RabbitNode, path: str) -> Any:
        """GET the management API of `node` (`/api` + path), as the broker's user."""
        settings = self.stack.platform.compose.settings
        response = httpx.get(
            f"http://127.0.0.1:{node.management_port}/api{path}",
            auth=(settings["RABBITMQ_USER"], settings["RABBITMQ_PASSWORD"]),
            timeout=10,
        )
        response.raise_for_status()
        return response.json()
