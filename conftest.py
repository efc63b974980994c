"""Fixtures for every test layer: the real engine and the real broker, isolated.

- MongoDB: `MONGO_URL` if set, else an embedded engine (nx-27017) of this test run on a
  free port; each test platform or app uses its own database prefix.
- RabbitMQ: `AMQP_URL` (default the local broker), in a vhost of each test that is
  deleted afterwards, so tests never meet a running `make run` platform or each other.
- Tokens: an identity provider of the run (`pytest_configure`), whose JWKS every service
  verifies and whose key every test signs with.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from devkit.broker import (
    DEFAULT_AMQP_URL,
    HOW_TO_GET_ONE,
    IsolatedVhost,
    broker_answers,
)
from devkit.engine import EmbeddedEngine, free_port
from devkit.idp import JWKS_FILE, create_idp, signing
from testkit.platforms import DOCKER_ONLY, LOCAL_ONLY


@pytest.fixture(scope="session")
def mongo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if url := os.environ.get("MONGO_URL"):
        yield url
        return
    folder = tmp_path_factory.mktemp("engine")
    engine = EmbeddedEngine(folder / "data", free_port(), folder / "nx.log").start()
    yield engine.url
    engine.stop()


@pytest.fixture
def amqp_url() -> Iterator[str]:
    """A vhost of this one test (about a second to create and delete): no test ever sees
    another's messages or queues."""
    base = os.environ.get("AMQP_URL", DEFAULT_AMQP_URL)
    if not broker_answers(base):
        pytest.fail(HOW_TO_GET_ONE.format(url=base), pytrace=False)
    with IsolatedVhost(base, f"test-{uuid.uuid4().hex[:10]}") as url:
        yield url


@pytest.fixture
def db_prefix() -> str:
    """A database prefix of one test: its data never meets another test's."""
    return f"t{uuid.uuid4().hex[:10]}_"


#: The run's identity provider's folder (`pytest_configure`).
TEST_IDP = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    """The run's identity provider, a key pair of its own: every service the run starts
    (in-process, as processes, or the compose stack) verifies its tokens against its JWKS,
    and every test signs with it (`devkit.idp.signing` reads the environment). Set before
    collection, as test modules make tokens when imported."""
    folder = Path(tempfile.mkdtemp(prefix="marketplace-test-idp-"))
    config.stash[TEST_IDP] = folder
    for other_source in ("AUTH_JWKS_URL", "AUTH_JWKS_HOST_DIR"):
        os.environ.pop(other_source, None)
    jwks = create_idp(folder / "idp") / JWKS_FILE
    os.environ.update(signing({"AUTH_JWKS_FILE": str(jwks)}).env)


def pytest_unconfigure(config: pytest.Config) -> None:
    if folder := config.stash.get(TEST_IDP, None):
        shutil.rmtree(folder, ignore_errors=True)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--platform",
        choices=("local", "docker"),
        default="local",
        help="end-to-end tests against the services as local processes (default) or "
        "against the docker compose stack, brought up and torn down by pytest-docker",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Each mode skips, saying why, the tests only the other can run."""
    docker = config.getoption("--platform") == "docker"
    for item in items:
        if docker and (marker := item.get_closest_marker("local_only")):
            item.add_marker(pytest.mark.skip(reason=marker.kwargs.get("reason", LOCAL_ONLY)))
        if not docker and item.get_closest_marker("docker_only"):
            item.add_marker(pytest.mark.skip(reason=DOCKER_ONLY))
