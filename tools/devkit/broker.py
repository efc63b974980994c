"""RabbitMQ for local runs and tests: is it answering, its vhosts provisioned (the
services' users, rights and topology: `shared.messaging.access`), an isolated vhost per
test run, and the URLs to reach it as whom."""

from __future__ import annotations

import json
import shutil
import subprocess
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import aio_pika

from devkit.engine import port_open
from shared.contract.wire import content_type_of
from shared.messaging.access import PRODUCER_OF, SERVICES, definitions, development_password
from shared.messaging.topology import EXCHANGE

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


def _with_netloc(amqp_url: str, userinfo: str) -> str:
    parts = urlsplit(amqp_url)
    host = parts.netloc.rpartition("@")[2]
    netloc = f"{userinfo}@{host}" if userinfo else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def for_services(amqp_url: str) -> str:
    """The broker URL without a user: each service then connects as its own development
    user (`ServiceSettings.broker_url`)."""
    return _with_netloc(amqp_url, "")


def as_service(amqp_url: str, service: str) -> str:
    """The broker URL as `service`'s development user (to publish what it would)."""
    password = quote(development_password(service), safe="")
    return _with_netloc(amqp_url, f"{quote(service, safe='')}:{password}")


async def send(
    amqp_url: str,
    routing_key: str,
    body: bytes,
    *,
    times: int = 1,
    sender: str | None = None,
    message_id: str | None = None,
) -> None:
    """`body` to `marketplace.events`, `times` times, as `sender`'s development user: by
    default the producer of the event type `routing_key`, as consumers require
    (`shared.messaging.access`); `sender=""` sends as `amqp_url`'s own user."""
    sender = PRODUCER_OF.get(routing_key, "") if sender is None else sender
    connection = await aio_pika.connect(as_service(amqp_url, sender) if sender else amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(EXCHANGE)
        for _ in range(times):
            message = aio_pika.Message(
                body,
                content_type=content_type_of(body),
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=message_id,
                user_id=connection.url.user,
            )
            await exchange.publish(message, routing_key=routing_key, mandatory=True)


def vhost_of(amqp_url: str) -> str:
    return unquote(urlsplit(amqp_url).path[1:]) or "/"


def _rabbitmqctl(*args: str, given: str | None = None) -> None:
    executable = shutil.which("rabbitmqctl")
    if executable is None:
        raise RuntimeError(
            "rabbitmqctl is needed to provision the broker's vhosts; "
            "run this on the broker's machine"
        )
    subprocess.run(
        [executable, "-q", *args],
        input=given,
        text=True,
        check=True,
        capture_output=True,
        timeout=60,
    )


def provision(vhost: str, *, administrator: str = "guest", retry_delay_ms: int = 1000) -> None:
    """Create (or bring up to date) `vhost` with the services' development users, their
    rights and the whole topology, and every right on it for `administrator` (one
    `rabbitmqctl import_definitions`)."""
    document = definitions(
        vhost=vhost,
        passwords={service: development_password(service) for service in SERVICES},
        retry_delay_ms=retry_delay_ms,
        existing_administrators=[administrator],
    )
    # On standard input: a file would have to be readable by the broker's own user.
    _rabbitmqctl("import_definitions", "--format", "json", given=json.dumps(document))


def delete_vhost(vhost: str) -> None:
    _rabbitmqctl("delete_vhost", vhost)


class IsolatedVhost:
    """A vhost that exists for one `with` block: `with IsolatedVhost(base) as url: ...`."""

    def __init__(self, base_url: str, name: str) -> None:
        self.base_url, self.name = base_url, name

    def __enter__(self) -> str:
        """The vhost's URL as the base URL's user, its administrator."""
        provision(self.name, administrator=urlsplit(self.base_url).username or "guest")
        return with_vhost(self.base_url, self.name)

    def __exit__(self, *exc: object) -> None:
        delete_vhost(self.name)


#: The broker's administrator (operators, the test harness) as compose's environment
#: names it.
ADMINISTRATOR = ("${RABBITMQ_USER}", "${RABBITMQ_PASSWORD}")


def password_variable(service: str) -> str:
    """The environment variable of `service`'s broker password in compose."""
    return f"RABBITMQ_{service.upper()}_PASSWORD"


def compose_definitions(retry_delay_ms: int) -> str:
    """docker/rabbitmq/definitions.json: the definitions of `/` with every password a
    `${VAR}` that the broker's entrypoint fills from the environment."""
    document = definitions(
        vhost="/",
        passwords={service: "${" + password_variable(service) + "}" for service in SERVICES},
        retry_delay_ms=retry_delay_ms,
        administrators=dict([ADMINISTRATOR]),
    )
    return json.dumps(document, indent=2) + "\n"
