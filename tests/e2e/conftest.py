"""End-to-end: the four services on the real broker and engine, in one of two modes.

- local (default): separate processes; each test starts its own platform (own vhost,
  database prefix, free ports).
- docker (`--platform=docker`, `make test-docker`): the compose stack, brought up once per
  session by pytest-docker (`up --build --wait`, `down -v`); the tests talk to its
  published ports. `local_only` tests (they control processes or policy) are skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.platforms import (
    COMPOSE_FILE,
    NO_COMPOSE_V2,
    NO_ENGINE,
    ComposeStack,
    PlatformFactory,
    StartPlatform,
    compose_settings,
    docker_compose_v2_answers,
    docker_engine_answers,
)


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
def docker_compose_file() -> str:
    return str(COMPOSE_FILE)


@pytest.fixture(scope="session")
def docker_compose_project_name() -> str:
    return f"marketplace-e2e-{os.getpid()}"


@pytest.fixture(scope="session")
def docker_setup(compose_env: dict[str, str]) -> list[str]:
    return ["up --build --wait"]


@pytest.fixture(scope="session")
def docker_cleanup(compose_env: dict[str, str]) -> list[str]:
    return ["down -v"]


@pytest.fixture(scope="session")
def compose_stack(request: pytest.FixtureRequest) -> ComposeStack:
    if not docker_engine_answers():
        request.session.shouldfail = "container mode stopped: no Docker engine"
        pytest.fail(NO_ENGINE, pytrace=False)
    if not docker_compose_v2_answers():
        request.session.shouldfail = "container mode stopped: no docker compose"
        pytest.fail(NO_COMPOSE_V2, pytrace=False)
    services = request.getfixturevalue("docker_services")
    return ComposeStack.published(
        request.getfixturevalue("docker_ip"),
        services.port_for,
        request.getfixturevalue("compose_env"),
    )
