"""Policy values from the environment (R-POL-1), tokens, production settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from shared.auth import Principal, decode_token, mint_token
from shared.errors import Unauthorized
from shared.policy import Policy
from shared.settings import DEV_AUTH_SECRET, ServiceSettings


def test_policy_defaults_are_the_contracts() -> None:  # R-POL-1
    policy = Policy()
    assert policy.order_confirm_window_seconds == 86_400
    assert policy.review_overdue_working_days == 3
    assert policy.full_managed_ship_days_max == 3
    assert policy.semi_handling_days_options == (1, 2)
    assert policy.pickup_cutoff_hour == 15
    assert policy.self_drop_hours == 48
    assert policy.aftersales_window_days_default == 15
    assert policy.exemption_period_days == 90
    assert policy.document_max_bytes == 10_485_760


def test_every_policy_value_is_overridable(monkeypatch: pytest.MonkeyPatch) -> None:  # R-POL-1
    monkeypatch.setenv("POLICY_ORDER_CONFIRM_WINDOW_SECONDS", "5")
    monkeypatch.setenv("POLICY_SEMI_HANDLING_DAYS_OPTIONS", "1,2,3")
    monkeypatch.setenv("POLICY_AFTERSALES_WINDOW_DAYS_BY_CATEGORY", '{"toys": 8}')
    policy = Policy()
    assert policy.order_confirm_window_seconds == 5
    assert policy.semi_handling_days_options == (1, 2, 3)
    assert policy.aftersales_window_days("toys") == 8
    assert policy.aftersales_window_days("other") == 15


def test_token_round_trip() -> None:
    principal = decode_token(
        DEV_AUTH_SECRET, mint_token(DEV_AUTH_SECRET, sub="m-1", role="merchant")
    )
    assert (principal.sub, principal.role) == ("m-1", "merchant")


@pytest.mark.parametrize(
    "token",
    [
        mint_token(DEV_AUTH_SECRET, sub="m-1", role="merchant", ttl=timedelta(seconds=-1)),
        mint_token("another-secret-of-enough-length-000", sub="m-1", role="merchant"),
        jwt.encode(
            {"sub": "m-1", "role": "merchant", "exp": datetime.now(UTC) + timedelta(hours=1)},
            key="",
            algorithm="none",
        ),
        jwt.encode(
            {"sub": "m-1", "exp": datetime.now(UTC) + timedelta(hours=1)},
            DEV_AUTH_SECRET,
            algorithm="HS256",
        ),
        mint_token(DEV_AUTH_SECRET, sub="m-1", role="admin"),
    ],
)
def test_bad_tokens_are_refused(token: str) -> None:
    with pytest.raises(Unauthorized):
        decode_token(DEV_AUTH_SECRET, token)


@pytest.fixture(autouse=True)
def _real_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Production refuses a moved clock: these settings must not inherit the run's
    `CLOCK_OFFSET_SECONDS` (a suite run in another year, README "Tests")."""
    monkeypatch.delenv("CLOCK_OFFSET_SECONDS", raising=False)


def test_production_refuses_the_placeholder_secret() -> None:
    with pytest.raises(ValueError, match="AUTH_SECRET"):
        ServiceSettings(environment="production")
    assert ServiceSettings(
        environment="production", auth_secret="x" * 40, amqp_url=PRODUCTION_AMQP_URL
    ).auth_secret


def test_production_refuses_a_moved_clock() -> None:
    with pytest.raises(ValueError, match="CLOCK_OFFSET_SECONDS"):
        ServiceSettings(environment="production", auth_secret="x" * 40, clock_offset_seconds=60)


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
        ServiceSettings(environment="production", auth_secret="x" * 40, amqp_url=amqp_url)


def test_production_refuses_the_default_broker_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AMQP_URL", raising=False)
    with pytest.raises(ValueError, match="AMQP_URL"):
        ServiceSettings(environment="production", auth_secret="x" * 40)


def test_production_accepts_the_brokers_own_credentials() -> None:
    settings = ServiceSettings(
        environment="production", auth_secret="x" * 40, amqp_url=PRODUCTION_AMQP_URL
    )
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
