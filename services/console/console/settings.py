from __future__ import annotations

from typing import Self

from pydantic import Field, field_validator, model_validator

from shared.settings import ProcessSettings

#: Usable only in development: production refuses it.
DEV_SESSION_SECRET = "development-only-console-session-secret"


class ConsoleSettings(ProcessSettings):
    """The console's settings. It verifies tokens as the services do (`AUTH_*`, inherited),
    so a token it holds is one they accept; it keeps no data, only a signed session cookie."""

    port: int = Field(8010, validation_alias="CONSOLE_PORT")
    #: Each service's public HTTP API, as the console's process reaches it.
    review_url: str = Field("http://127.0.0.1:8001", validation_alias="REVIEW_URL")
    orders_url: str = Field("http://127.0.0.1:8002", validation_alias="ORDERS_URL")
    logistics_url: str = Field("http://127.0.0.1:8003", validation_alias="LOGISTICS_URL")
    aftersales_url: str = Field("http://127.0.0.1:8004", validation_alias="AFTERSALES_URL")
    settlement_url: str = Field("http://127.0.0.1:8005", validation_alias="SETTLEMENT_URL")
    #: How long one call to a service may take before the page says it did not answer.
    service_timeout_seconds: float = Field(10.0, gt=0, validation_alias="CONSOLE_SERVICE_TIMEOUT")
    #: Signs the session cookie (which holds the signed-in user's token).
    session_secret: str = Field(
        DEV_SESSION_SECRET, min_length=16, validation_alias="CONSOLE_SESSION_SECRET"
    )
    #: The cookie is sent over HTTPS only (production needs it).
    secure_cookies: bool = Field(False, validation_alias="CONSOLE_SECURE_COOKIES")
    #: Development sign-in: anyone picks a role and a subject, and the console signs the
    #: token as the development identity provider (or with AUTH_SECRET). Production refuses it.
    dev_sign_in: bool = Field(True, validation_alias="CONSOLE_DEV_SIGN_IN")
    #: The identity provider's sign-in (OpenID Connect, authorization code flow): its
    #: discovery document, and the console's client there.
    oidc_discovery_url: str | None = Field(None, validation_alias="CONSOLE_OIDC_DISCOVERY_URL")
    oidc_client_id: str | None = Field(None, validation_alias="CONSOLE_OIDC_CLIENT_ID")
    oidc_client_secret: str | None = Field(None, validation_alias="CONSOLE_OIDC_CLIENT_SECRET")
    oidc_scope: str = Field("openid", validation_alias="CONSOLE_OIDC_SCOPE")

    @field_validator("oidc_discovery_url", "oidc_client_id", "oidc_client_secret", mode="before")
    @classmethod
    def _blank_oidc_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _production_console(self) -> Self:
        if bool(self.oidc_discovery_url) != bool(self.oidc_client_id):
            raise ValueError(
                "the identity provider's sign-in needs both CONSOLE_OIDC_DISCOVERY_URL and "
                "CONSOLE_OIDC_CLIENT_ID"
            )
        if self.environment != "production":
            return self
        if self.dev_sign_in:
            raise ValueError(
                "CONSOLE_DEV_SIGN_IN lets anyone sign in as anyone: set it to false in "
                "production and configure CONSOLE_OIDC_DISCOVERY_URL and CONSOLE_OIDC_CLIENT_ID"
            )
        if self.session_secret == DEV_SESSION_SECRET:
            raise ValueError("set CONSOLE_SESSION_SECRET: the development one is public")
        if not self.secure_cookies:
            raise ValueError(
                "production sends the session cookie over HTTPS only: set "
                "CONSOLE_SECURE_COOKIES=true"
            )
        if not self.oidc_discovery_url:
            raise ValueError(
                "production signs in through the identity provider: set "
                "CONSOLE_OIDC_DISCOVERY_URL and CONSOLE_OIDC_CLIENT_ID"
            )
        return self

    @property
    def service_urls(self) -> dict[str, str]:
        return {
            "review": self.review_url,
            "orders": self.orders_url,
            "logistics": self.logistics_url,
            "aftersales": self.aftersales_url,
            "settlement": self.settlement_url,
        }
