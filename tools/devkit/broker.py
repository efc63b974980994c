"""RabbitMQ for local runs and tests: is it answering, and an isolated vhost per test run."""

from __future__ import annotations

import shutil
import subprocess
from urllib.parse import quote, urlsplit, urlunsplit

from devkit.engine import port_open

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
HOW_TO_GET_ONE = (
    "RabbitMQ is not answering at {url}. Start it with `rabbitmq-server -detached`, or "
    "install it (Debian: `apt-get install rabbitmq-server`), or point AMQP_URL at one."
)


def broker_answers(amqp_url: str) -> bool:
    parts = urlsplit(amqp_url)
    return port_open(parts.hostname or "127.0.0.1", parts.port or 5672)


def with_vhost(amqp_url: str, vhost: str) -> str:
    parts = urlsplit(amqp_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + quote(vhost, safe=""), parts.query, ""))


def _rabbitmqctl(*args: str) -> None:
    executable = shutil.which("rabbitmqctl")
    if executable is None:
        raise RuntimeError(
            "rabbitmqctl is needed to create an isolated test vhost; "
            "run the tests on the broker's machine"
        )
    subprocess.run([executable, "-q", *args], check=True, capture_output=True, timeout=60)


def create_vhost(vhost: str, user: str = "guest") -> None:
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*")


def delete_vhost(vhost: str) -> None:
    _rabbitmqctl("delete_vhost", vhost)


class IsolatedVhost:
    """A vhost that exists for one `with` block: `with IsolatedVhost(base) as url: ...`."""

    def __init__(self, base_url: str, name: str) -> None:
        self.base_url, self.name = base_url, name

    def __enter__(self) -> str:
        create_vhost(self.name)
        return with_vhost(self.base_url, self.name)

    def __exit__(self, *exc: object) -> None:
        delete_vhost(self.name)
