"""Settings read from the environment, one class per service (STYLE.md §6).

A service in `production` mode refuses to start with the development placeholder secret.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.messaging.access import development_password

#: Usable only in development: production refuses it.
DEV_AUTH_SECRET = "development-only-secret-do-not-deploy"


class InvalidConfiguration(ValueError):
    """A configuration file or value a service cannot start with; the message says where."""


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    environment: Literal["development", "production"] = "development"
    #: The broker, as the service's own user (`shared.messaging.access`). Without a user
    #: in it (development only), the service's development user and password.
    amqp_url: str = "amqp://127.0.0.1:5672/"
    mongo_url: str = "mongodb://127.0.0.1:27017/?directConnection=true"
    #: Each service has its own database, named `<prefix><service>` (tests set a prefix).
    mongo_database_prefix: str = ""
    auth_secret: str = DEV_AUTH_SECRET
    host: str = "127.0.0.1"
    log_level: str = "INFO"
    #: Unacknowledged messages a consumer holds at once.
    amqp_prefetch: int = Field(32, gt=0)
    #: Handler attempts before a message is parked in the dead-letter queue.
    max_delivery_attempts: int = Field(5, gt=0)
    #: Wait before a failed message is tried again (a queue argument: see README).
    retry_delay_ms: int = Field(1000, gt=0)
    #: The relay's idle poll; local writes wake it at once.
    outbox_poll_seconds: float = Field(0.5, gt=0)
    #: Off only to stop publishing (e.g. while draining a broker); events stay stored.
    outbox_relay_enabled: bool = True
    #: How often the consumer is checked (restored if the broker cancelled it) and the
    #: dead letters counted.
    consumer_watch_seconds: float = Field(2.0, gt=0)
    #: OpenTelemetry: spans are exported (OTLP over HTTP) only when this is set.
    otel_exporter_otlp_endpoint: str | None = None
    #: The largest request body accepted (413 above it).
    max_body_bytes: int = Field(1_048_576, gt=0)
    #: Moves this process's clock (development and end-to-end tests of deadlines only).
    clock_offset_seconds: float = 0.0
    #: How often deadlines (order confirmation, ship-by) are checked.
    deadline_poll_seconds: float = Field(1.0, gt=0)
    #: R-CAL-1: published calendar notices (a directory of YAML files, or one file) that
    #: take precedence over the `holidays` library for their country and year.
    calendar_notices_dir: Path | None = None

    @model_validator(mode="after")
    def _no_placeholder_secret_in_production(self) -> Self:
        if self.environment == "production" and (
            self.auth_secret == DEV_AUTH_SECRET or len(self.auth_secret) < 32
        ):
            raise ValueError(
                "AUTH_SECRET must be set to a random value of 32+ characters in production"
            )
        if self.environment == "production" and self.clock_offset_seconds:
            raise ValueError("CLOCK_OFFSET_SECONDS is for development only")
        if self.environment == "production":
            broker = urlsplit(self.amqp_url)
            if not broker.password or (broker.username, broker.password) == ("guest", "guest"):
                raise ValueError(
                    "AMQP_URL must carry the broker's own user and password in production "
                    "(not guest:guest, not without a password)"
                )
        return self

    def broker_url(self, service: str) -> str:
        """`amqp_url`, with the service's development credentials if it names no user."""
        parts = urlsplit(self.amqp_url)
        if parts.username:
            return self.amqp_url
        credentials = f"{quote(service, safe='')}:{quote(development_password(service), safe='')}"
        netloc = f"{credentials}@{parts.netloc}"
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

    def database_name(self, service: str) -> str:
        return f"{self.mongo_database_prefix}{service}"
