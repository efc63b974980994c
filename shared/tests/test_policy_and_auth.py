"""Policy values from the environment (R-POL-1), production settings, who sees what
(the tokens themselves: test_tokens.py)."""

from __future__ import annotations

from typing import Any

import pytest

from shared.auth import Principal
from shared.policy import Policy
from shared.settings import ServiceSettings


def test_policy_defaults_are_the_contracts() -> None:  # R-POL-1
    policy = Policy()
    assert policy.order_confirm_window_seconds == 86_400
    assert policy.review_overdue_working_days == 3
    assert policy.full_managed_ship_days_max == 3
    assert policy.semi_handling_days_options == (1, 2)
    assert policy.pickup_cutoff_hour == 15
    assert policy.self_drop_hours == 48
    assert (policy.aftersales_window_days_min, policy.aftersales_window_days_max) == (7, 15)
    assert policy.exemption_period_days == 90
    assert policy.document_max_bytes == 10_485_760
    assert policy.aftersales_max_cases_per_order == 5
    assert policy.aftersales_max_messages_per_party == 20


def test_every_policy_value_is_overridable(monkeypatch: pytest.MonkeyPatch) -> None:  # R-POL-1
    monkeypatch.setenv("POLICY_ORDER_CONFIRM_WINDOW_SECONDS", "5")
    monkeypatch.setenv("POLICY_SEMI_HANDLING_DAYS_OPTIONS", "1,2,3")
    monkeypatch.setenv("POLICY_AFTERSALES_WINDOW_DAYS_MAX", "20")
    policy = Policy()
    assert policy.order_confirm_window_seconds == 5
    assert policy.semi_handling_days_options == (1, 2, 3)
    assert policy.aftersales_window_days_max == 20


@pytest.fixture(autouse=True)
def _real_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Production refuses a moved clock: these settings must not inherit the run's
    `CLOCK_OFFSET_SECONDS` (a suite run in another year, README "Tests")."""
    monkeypatch.delenv("CLOCK_OFFSET_SECONDS", raising=False)


#: An identity provider's tokens, as production needs them (shared.tokens).
IDP: dict[str, Any] = {
    "auth_jwks_url": "https://idp.example/realms/marketplace/protocol/openid-connect/certs",
    "auth_jwks_file": None,  # not the test run's (conftest.py)
    "auth_issuer": "https://idp.example/realms/marketplace",
    "auth_audience": "marketplace",
}


def test_production_refuses_hs256_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AUTH_JWKS_URL", "AUTH_JWKS_FILE", "AUTH_ISSUER", "AUTH_AUDIENCE"):
        monkeypatch.delenv(name, raising=False)  # the test run's identity provider
    for secret in ("development-only-secret-do-not-deploy", "a-random-secret-" * 4):
        with pytest.raises(ValueError, match="AUTH_JWKS_URL"):
            ServiceSettings(
                environment="production", auth_secret=secret, amqp_url=PRODUCTION_AMQP_URL
            )
    assert ServiceSettings(environment="production", amqp_url=PRODUCTION_AMQP_URL, **IDP).uses_jwks


def test_production_refuses_a_moved_clock() -> None:
    with pytest.raises(ValueError, match="CLOCK_OFFSET_SECONDS"):
        ServiceSettings(environment="production", **IDP, clock_offset_seconds=60)


PRODUCTION_AMQP_URL = "amqp://marketplace:s3cret-broker-password@rabbitmq:5672/"


@pytest.mark.parametrize(
    "amqp_url",
    [
        "amqp://guest:guest@127.0.0.1:5672/",
        "amqp://guest:guest@rabbitmq:5672/",
        "amqp://marketplace@rabbitmq:5672/",
        "amqp://marketplace:@rabbitmq:5672/",
        "amqp://rabbitmq:5672/",
    ],
)
def test_production_refuses_default_or_passwordless_broker_credentials(amqp_url: str) -> None:
    with pytest.raises(ValueError, match="AMQP_URL"):
        ServiceSettings(environment="production", **IDP, amqp_url=amqp_url)


def test_production_refuses_the_default_broker_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AMQP_URL", raising=False)
    with pytest.raises(ValueError, match="AMQP_URL"):
        ServiceSettings(environment="production", **IDP)


def test_production_accepts_the_brokers_own_credentials() -> None:
    settings = ServiceSettings(environment="production", **IDP, amqp_url=PRODUCTION_AMQP_URL)
    assert settings.amqp_url == PRODUCTION_AMQP_URL


def test_development_keeps_the_local_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AMQP_URL", raising=False)
    settings = ServiceSettings(environment="development")
    assert settings.amqp_url == "amqp://127.0.0.1:5672/"
    # No user in the URL: each service is its own development user.
    assert settings.broker_url("orders") == "amqp://orders:orders-development-only@127.0.0.1:5672/"
    given = ServiceSettings(amqp_url="amqp://orders:s3cret@rabbitmq:5672/")
    assert given.broker_url("orders") == "amqp://orders:s3cret@rabbitmq:5672/"


OPERATOR, MERCHANT, BUYER = (
    Principal("op-1", "operator"),
    Principal("m-1", "merchant"),
    Principal("b-1", "buyer"),
)


@pytest.mark.parametrize(
    ("principal", "merchant_id", "buyer_id", "sees"),
    [
        (OPERATOR, "m-2", "b-2", True),  # an operator sees all
        (OPERATOR, None, None, True),
        (MERCHANT, "m-1", "b-2", True),  # a merchant its own
        (MERCHANT, "m-2", "m-1", False),  # ... not another's, whoever bought
        (MERCHANT, None, None, False),
        (BUYER, "m-2", "b-1", True),  # a buyer what they bought
        (BUYER, "b-1", "b-2", False),
        (BUYER, "m-1", None, False),  # a merchant's resource with no buyer
    ],
)
def test_who_sees_what(
    principal: Principal, merchant_id: str | None, buyer_id: str | None, sees: bool
) -> None:
    assert principal.may_see(merchant_id=merchant_id, buyer_id=buyer_id) is sees


def test_the_same_rule_as_a_query_condition() -> None:
    assert OPERATOR.scope() == {}
    assert MERCHANT.scope() == {"merchant_id": "m-1"}
    assert BUYER.scope() == {"buyer_id": "b-1"}
