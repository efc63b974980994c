"""Settings read from the environment, one class per service (STYLE.md §6).

A service in `production` mode refuses to start with development settings (HS256 tokens,
the broker's guest user, a moved clock).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.messaging.access import development_password

#: Usable only in development: production refuses it.
DEV_AUTH_SECRET = "development-only-secret-do-not-deploy"


class InvalidConfiguration(ValueError):
    """A configuration file or value a service cannot start with; the message says where."""


class ProcessSettings(BaseSettings):
    """What every process of the platform reads, the services and the console alike: the
    mode, how tokens are verified (`shared.tokens.verifier_for`), where it listens."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    environment: Literal["development", "production"] = "development"
    #: HS256 key of development tokens, used only while no JWKS source is set.
    auth_secret: str = DEV_AUTH_SECRET
    #: An identity provider's keys (README "Security"): its JWKS URL (`jwks_uri`), or a
    #: JWKS file. Either turns HS256 off; production needs one.
    auth_jwks_url: str | None = None
    auth_jwks_file: Path | None = None
    #: `iss` and `aud` every token must carry (required with a JWKS source).
    auth_issuer: str | None = None
    auth_audience: str | None = None
    #: The claim that names the role; a dotted path reaches into objects
    #: (`realm_access.roles`) unless the whole name is a claim (`https://example.com/role`);
    #: a list must hold exactly one of the platform's roles.
    auth_role_claim: str = Field("role", pattern=r"^[^.]+(\.[^.]+)*$")
    #: Clock skew tolerated on `exp`, `nbf` and `iat`.
    auth_leeway_seconds: float = Field(30.0, ge=0, le=300)
    #: A token whose `exp` lies further ahead is refused (no tokens for ever).
    auth_max_token_lifetime_seconds: int = Field(86_400, gt=0)
    #: An unknown `kid` fetches the JWKS again at most this often (key rotation).
    auth_jwks_refresh_seconds: float = Field(60.0, gt=0)
    #: The JWKS is fetched again when older than this (a key the provider removed goes).
    auth_jwks_max_age_seconds: float = Field(3600.0, gt=0)
    host: str = "127.0.0.1"
    log_level: str = "INFO"
    #: The most a request's line and headers may take together (400 above it, unread).
    max_header_bytes: int = Field(32_768, ge=1024)
    #: Moves this process's clock (development and end-to-end tests of deadlines only).
    clock_offset_seconds: float = 0.0

    @model_validator(mode="after")
    def _identity_provider_in_production(self) -> Self:
        if self.environment == "production" and not self.uses_jwks:
            raise ValueError(
                "production verifies an identity provider's tokens: set AUTH_JWKS_URL (its "
                "jwks_uri) or AUTH_JWKS_FILE, with AUTH_ISSUER and AUTH_AUDIENCE (HS256 with "
                "AUTH_SECRET is for development only)"
            )
        if self.environment == "production" and self.clock_offset_seconds:
            raise ValueError("CLOCK_OFFSET_SECONDS is for development only")
        return self

    @field_validator(
        "auth_jwks_url", "auth_jwks_file", "auth_issuer", "auth_audience", mode="before"
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """Compose passes an optional setting it was not given as an empty string."""
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _one_token_source(self) -> Self:
        if self.auth_jwks_url and self.auth_jwks_file:
            raise ValueError("set AUTH_JWKS_URL or AUTH_JWKS_FILE, not both")
        if self.auth_jwks_url and urlsplit(self.auth_jwks_url).scheme not in ("http", "https"):
            raise ValueError("AUTH_JWKS_URL must be an http(s) URL (the provider's jwks_uri)")
        if self.uses_jwks and not (self.auth_issuer and self.auth_audience):
            raise ValueError(
                "AUTH_JWKS_URL or AUTH_JWKS_FILE needs AUTH_ISSUER and AUTH_AUDIENCE: the "
                "`iss` and `aud` this platform's tokens carry"
            )
        if not self.uses_jwks and not self.auth_secret:
            raise ValueError("set AUTH_SECRET (development) or AUTH_JWKS_URL/AUTH_JWKS_FILE")
        return self

    @property
    def uses_jwks(self) -> bool:
        """Tokens of an identity provider (asymmetric, against its JWKS), not HS256."""
        return bool(self.auth_jwks_url or self.auth_jwks_file)


class ServiceSettings(ProcessSettings):
    #: The broker, as the service's own user (`shared.messaging.access`). Without a user
    #: in it (development only), the service's development user and password.
    amqp_url: str = "amqp://127.0.0.1:5672/"
    mongo_url: str = "mongodb://127.0.0.1:27017/?directConnection=true"
    #: Each service has its own database, named `<prefix><service>` (tests set a prefix).
    mongo_database_prefix: str = ""
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
    #: The writes (POST, PUT, PATCH, DELETE) each client (`sub`) may make to a service, in
    #: `limits`' notation (`shared.ratelimit`); 429 above it.
    rate_limit_writes: str = "60/minute"
    #: How often deadlines (order confirmation, ship-by) are checked.
    deadline_poll_seconds: float = Field(1.0, gt=0)
    #: R-CAL-1: published calendar notices (a directory of YAML files, or one file) that
    #: take precedence over the `holidays` library for their country and year.
    calendar_notices_dir: Path | None = None
    #: R-REV-11: the platform's category list (`shared.categories`), a JSON file; unset,
    #: the kit's defaults.
    categories_file: Path | None = None

    @model_validator(mode="after")
    def _no_development_settings_in_production(self) -> Self:
        if self.environment == "production":
            broker = urlsplit(self.amqp_url)
            if not broker.password or (broker.username, broker.password) == ("guest", "guest"):
                raise ValueError(
                    "AMQP_URL must carry the broker's own user and password in production "
                    "(not guest:guest, not without a password)"
                )
        return self

    @field_validator("categories_file", mode="before")
    @classmethod
    def _blank_file_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

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
