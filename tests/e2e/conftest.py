"""End-to-end: the four services on the real broker and engine, in one of two modes.

- local (default): separate processes; each test starts its own platform (own vhost,
  database prefix, free ports).
- docker (`--platform=docker`, `make test-docker`): the compose stack, brought up once per
  session by pytest-docker (`up -d` of the images `make test-docker` built, then every
  service ready; `down -v` at the end); the tests talk to its published ports.
  Tests kill, stop or restart services' containers, add one, or run the stack with other
  settings through Compose; `local_only` tests (settings the compose file does not pass)
  are skipped, saying why.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright, expect

from devkit.engine import free_port, free_ports_of
from devkit.platform import DEFAULT_PORTS, console_process, http_ok
from devkit.wait import wait_until
from testkit.browser import CHROMIUM, NO_CHROMIUM
from testkit.platforms import (
    NO_COMPOSE,
    NO_ENGINE,
    ROOT,
    ClusterStack,
    Compose,
    ComposeStack,
    PlatformFactory,
    RunningPlatform,
    StartPlatform,
    compose_command,
    compose_files,
    compose_settings,
    docker_engine_answers,
    tracebacks,
)

#: From `up -d` to every service ready, on a 2-core machine with the engine stand-in.
STACK_READY_SECONDS = 240.0
LOGS_DIR = ROOT / ".compose-logs"
#: The longest a browser test waits for what a page should show.
BROWSER_WAIT_MS = 20_000
#: The most lines of the containers' tracebacks a failed session prints.
TRACEBACK_LINES = 200


def _docker_mode(config: pytest.Config) -> bool:
    return bool(config.getoption("--platform") == "docker")


@pytest.fixture
def start_platform(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StartPlatform]:
    if _docker_mode(request.config):
        stack: ComposeStack = request.getfixturevalue("compose_stack")
        yield stack.start
        return
    factory = PlatformFactory(request.getfixturevalue("mongo_url"), tmp_path)
    yield factory.start
    factory.stop_all()


@pytest.fixture
def start_console(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """Starts the console (its own process) over a platform, with settings of the test's
    (`CONSOLE_OIDC_DISCOVERY_URL=…`); its address."""
    started = []

    def start(running: RunningPlatform, **env: str) -> str:
        console = console_process(running.urls, free_port(), env, tmp_path / "console.log")
        started.append(console)
        console.start()
        console.wait_ready()
        return console.url

    yield start
    for console in started:
        console.stop()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless, through Playwright (never a downloaded browser)."""
    if not os.path.exists(CHROMIUM):  # noqa: ASYNC240 (one stat, before the browser)
        pytest.fail(NO_CHROMIUM, pytrace=False)
    # A page waits for the services' events to arrive, on a machine of 2 cores running
    # six processes, an engine and a browser: a deadline, never a sleep.
    expect.set_options(timeout=BROWSER_WAIT_MS)
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            yield chromium
        finally:
            await chromium.close()


# --- docker mode: pytest-docker's fixtures, configured ---------------------------------


@pytest.fixture(scope="session")
def compose_env() -> Iterator[dict[str, str]]:
    """The stack's settings (.env.example's development values) in the environment of
    every compose command, from `up` to `down`."""
    settings = compose_settings()
    with pytest.MonkeyPatch.context() as patch:
        for key, value in settings.items():
            patch.setenv(key, value)
        yield settings


@pytest.fixture(scope="session")
def docker_compose_command() -> str:
    return compose_command() or "docker compose"


@pytest.fixture(scope="session")
def docker_compose_file() -> list[str]:
    return compose_files()


@pytest.fixture(scope="session")
def docker_compose_project_name() -> str:
    return f"marketplace-e2e-{os.getpid()}"


@pytest.fixture(scope="session")
def docker_setup(compose_env: dict[str, str]) -> list[str]:
    # The images are built beforehand (`make test-docker`, tools/docker/build.sh: BuildKit
    # with the CA as a secret, which Compose v1 cannot pass); readiness is awaited below,
    # as Compose v1 has no `--wait`.
    return ["up -d --no-build"]


@pytest.fixture(scope="session")
def docker_cleanup(compose_env: dict[str, str]) -> list[str]:
    return ["down -v"]


def _engine_and_compose(request: pytest.FixtureRequest) -> None:
    if not docker_engine_answers():
        request.session.shouldfail = "container mode stopped: no Docker engine"
        pytest.fail(NO_ENGINE, pytrace=False)
    if compose_command() is None:
        request.session.shouldfail = "container mode stopped: no docker compose"
        pytest.fail(NO_COMPOSE, pytrace=False)


def _keep_logs_if_failed(request: pytest.FixtureRequest, compose: Compose) -> None:
    """Before the stack goes (`down -v`), when a test of the session failed: its containers'
    logs to `.compose-logs/<project>.log`, and their tracebacks to the terminal."""

    def keep() -> None:
        if not request.session.testsfailed:
            return
        logs = compose.run("logs", "--no-color", "--timestamps")
        LOGS_DIR.mkdir(exist_ok=True)
        path = LOGS_DIR / f"{compose.project}.log"
        path.write_text(logs)
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        write = print if reporter is None else reporter.write_line
        write(f"A test failed: the containers' logs are in {path}")
        for line in tracebacks(logs)[-TRACEBACK_LINES:]:
            write(line)

    request.addfinalizer(keep)


@pytest.fixture(scope="session")
def compose_stack(request: pytest.FixtureRequest) -> ComposeStack:
    _engine_and_compose(request)
    services = request.getfixturevalue("docker_services")
    compose = Compose(
        request.getfixturevalue("docker_compose_command"),
        tuple(request.getfixturevalue("docker_compose_file")),
        request.getfixturevalue("docker_compose_project_name"),
        request.getfixturevalue("compose_env"),
    )
    _keep_logs_if_failed(request, compose)
    stack = ComposeStack.published(request.getfixturevalue("docker_ip"), services.port_for, compose)
    ready = [f"http://{stack.host}:{stack.ports[name]}/health/ready" for name in DEFAULT_PORTS]
    services.wait_until_responsive(
        check=lambda: all(http_ok(url) for url in ready), timeout=STACK_READY_SECONDS, pause=0.5
    )
    return stack


@pytest.fixture(scope="module")
def cluster_stack(
    request: pytest.FixtureRequest, compose_env: dict[str, str], docker_compose_command: str
) -> Iterator[ClusterStack]:
    """The platform with RabbitMQ as three nodes (docker-compose.cluster.yml): a compose
    project of its own beside the session's stack, on free loopback ports; `down -v` after."""
    _engine_and_compose(request)
    ports = free_ports_of(key for key in compose_env if key.endswith("_PORT"))
    compose = Compose(
        docker_compose_command,
        tuple(compose_files(cluster=True)),
        f"marketplace-cluster-{os.getpid()}",
        {**compose_env, **{key: str(port) for key, port in ports.items()}},
    )
    _keep_logs_if_failed(request, compose)
    try:
        compose.run("up", "-d", "--no-build", timeout=STACK_READY_SECONDS)
        cluster = ClusterStack.of(compose)
        ready = [f"http://127.0.0.1:{port}/health/ready" for port in cluster.stack.ports.values()]
        wait_until(
            lambda: all(http_ok(url) for url in ready),
            timeout=STACK_READY_SECONDS,
            what="the cluster stack ready",
            interval=0.5,
        )
        yield cluster
    finally:
        compose.run("down", "-v")
