"""Bearer tokens through HTTP, on the real app (orders, in-process, on the real engine and
broker) verifying an identity provider's tokens against its JWKS served over HTTP: a good
token passes, forged ones get a 401 problem that says why, a rotated key is fetched, and
a provider out of reach is a 503, not the caller's fault."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
import pytest

from devkit.wait import eventually
from orders.app import create
from orders.settings import OrdersSettings
from testkit.asgi import serve_in_process
from testkit.settings import isolated
from testkit.tokens import JwksServer, Key, hs256_by_hand, jwks, public_pem, rewritten

pytestmark = pytest.mark.integration

ISSUER = "https://idp.test/realms/marketplace"
AUDIENCE = "marketplace"
KEY, ROTATED = Key.ec("k-1"), Key.ec("k-2")
PROBLEM = "application/problem+json"


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def claims(**changes: Any) -> dict[str, Any]:
    now = _seconds(datetime.now(UTC))
    good = {"sub": "b-1", "role": "buyer", "iss": ISSUER, "aud": AUDIENCE, "iat": now}
    return {**good, "exp": now + 600, **changes}


def authorization(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def provider() -> Iterator[JwksServer]:
    with JwksServer(jwks(KEY)).running() as server:
        yield server


@pytest.fixture
async def orders(
    mongo_url: str, amqp_url: str, db_prefix: str, provider: JwksServer
) -> AsyncIterator[httpx.AsyncClient]:
    settings = isolated(
        OrdersSettings,
        mongo_url,
        amqp_url,
        db_prefix,
        auth_jwks_url=provider.url,
        auth_jwks_file=None,  # not the test run's provider (conftest.py)
        auth_issuer=ISSUER,
        auth_audience=AUDIENCE,
        auth_jwks_refresh_seconds=0.2,
    )
    async with serve_in_process(create(settings)) as client:
        yield client


async def test_a_providers_token_passes_and_forged_ones_are_refused_saying_why(
    orders: httpx.AsyncClient, provider: JwksServer
) -> None:
    accepted = await orders.get("/orders", headers=authorization(KEY.sign(claims())))
    assert accepted.status_code == 200
    forged = {
        "alg none": (jwt.encode(claims(), "", algorithm="none"), "must be signed with"),
        "HS256, the public key as its secret": (
            hs256_by_hand(public_pem(KEY), claims(), KEY.kid),
            "must be signed with",
        ),
        "expired": (KEY.sign(claims(exp=_seconds(datetime.now(UTC)) - 3600)), "expired"),
        "exp in year 9999": (
            KEY.sign(claims(exp=_seconds(datetime(9999, 1, 1, tzinfo=UTC)))),
            "lives too long",
        ),
        "another audience": (KEY.sign(claims(aud="another-app")), "not meant for this platform"),
        "an operator's role written in": (
            rewritten(KEY.sign(claims()), role="operator"),
            "signature does not verify",
        ),
    }
    for name, (token, why) in forged.items():
        response = await orders.get("/orders", headers=authorization(token))
        assert response.status_code == 401, name
        assert response.headers["content-type"] == PROBLEM
        assert response.headers["www-authenticate"] == "Bearer"
        assert why in response.json()["detail"], (name, response.json())
    assert provider.hits == 1


async def test_a_rotated_key_is_fetched_from_the_provider(
    orders: httpx.AsyncClient, provider: JwksServer
) -> None:
    first = await orders.get("/orders", headers=authorization(KEY.sign(claims())))
    assert first.status_code == 200
    provider.document = jwks(KEY, ROTATED)

    async def accepted() -> bool:
        response = await orders.get("/orders", headers=authorization(ROTATED.sign(claims())))
        return response.status_code == 200

    await eventually(accepted, what="the rotated key accepted")
    # Refused, without a fetch, until the interval (AUTH_JWKS_REFRESH_SECONDS) was over.
    assert provider.hits == 2


async def test_a_provider_out_of_reach_is_a_503_not_a_401(
    orders: httpx.AsyncClient, provider: JwksServer
) -> None:
    provider.status = 500
    response = await orders.get("/orders", headers=authorization(KEY.sign(claims())))
    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM
    assert "retry" in response.json()["detail"]
