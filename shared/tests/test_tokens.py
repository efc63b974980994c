"""The bearer tokens a service accepts, and why it refuses the others: the token attack
table on the verifier (`shared.tokens`, `shared.jwks`), with an identity provider of the
test's own (its JWKS behind a counting fake, or served over real HTTP) on a clock the test
moves. Every refusal says why in the platform's words."""

from __future__ import annotations

import asyncio
import base64
import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from shared.clock import FixedClock
from shared.errors import Unauthorized
from shared.jwks import InvalidJwks, KeySet, KeysUnavailable, signing_keys
from shared.settings import InvalidConfiguration, ServiceSettings
from shared.tokens import ProviderKeys, SharedSecret, TokenRules, TokenVerifier, verifier_for
from testkit.tokens import JwksServer, Key, hs256_by_hand, jwks, public_pem, rewritten

NOW = datetime(2026, 11, 27, 8, tzinfo=UTC)
ISSUER = "https://idp.test/realms/marketplace"
AUDIENCE = "marketplace"
KEY, RSA, ED = Key.ec("k-ec"), Key.rsa("k-rsa"), Key.ed25519("k-ed")
ROTATED = Key.ec("k-ec-2")
#: A symmetric key in the provider's JWKS: never a key a token may be verified with.
OCT = {"kty": "oct", "kid": "k-oct", "k": base64.urlsafe_b64encode(b"s" * 32).decode()}
SECRET = "development-secret-of-32-characters"
REFRESH, MAX_AGE = timedelta(seconds=60), timedelta(hours=1)


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def claims(at: datetime = NOW, **changes: Any) -> dict[str, Any]:
    """A good token's claims at `at`; a change to None drops the claim."""
    good = {
        "sub": "m-1",
        "role": "merchant",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": _seconds(at),
        "exp": _seconds(at + timedelta(hours=1)),
    }
    return {k: v for k, v in {**good, **changes}.items() if v is not None}


class Provider:
    """An identity provider's JWKS endpoint, faked: what it serves, how often it is asked,
    and whether it answers."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document, self.fetches, self.down = document, 0, False

    async def fetch(self) -> Any:
        self.fetches += 1
        if self.down:
            raise httpx.ConnectError("the provider is down")
        return copy.deepcopy(self.document)


def a_verifier(provider: Provider, clock: FixedClock, **rules: Any) -> TokenVerifier:
    keys = KeySet(provider.fetch, refresh_after=REFRESH, max_age=MAX_AGE, clock=clock)
    rules = {"issuer": ISSUER, "audience": AUDIENCE, **rules}
    return TokenVerifier(ProviderKeys(keys), TokenRules(**rules), clock)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def provider() -> Provider:
    return Provider({"keys": [KEY.jwk, RSA.jwk, ED.jwk, OCT]})


def _es384_on_a_p256_kid() -> str:
    p384 = ec.generate_private_key(ec.SECP384R1())
    return jwt.encode(claims(), p384, algorithm="ES384", headers={"kid": KEY.kid})


LIFETIME = timedelta(hours=24)
#: (how the token is made, what the refusal says): the attack table.
REFUSED: list[Any] = [
    pytest.param(
        lambda: jwt.encode(claims(), "", algorithm="none", headers={"kid": KEY.kid}),
        "must be signed with",
        id="alg none",
    ),
    pytest.param(
        lambda: hs256_by_hand(public_pem(KEY), claims(), KEY.kid),
        "must be signed with",
        id="HS256 signed with the public key as the secret",
    ),
    pytest.param(
        lambda: hs256_by_hand(json.dumps(KEY.jwk).encode(), claims(), KEY.kid),
        "must be signed with",
        id="HS256 signed with the public JWK as the secret",
    ),
    pytest.param(
        lambda: hs256_by_hand(b"s" * 32, claims(), kid="k-oct"),
        "must be signed with",
        id="HS256 with the kid of a symmetric key in the JWKS",
    ),
    pytest.param(
        lambda: RSA.sign(claims(), kid=KEY.kid),
        "not the algorithm of the key",
        id="RS256 on the kid of an EC key",
    ),
    pytest.param(
        _es384_on_a_p256_kid, "not the algorithm of the key", id="ES384 on the kid of a P-256 key"
    ),
    pytest.param(
        lambda: ED.sign(claims(), kid=RSA.kid),
        "not the algorithm of the key",
        id="EdDSA on the kid of an RSA key",
    ),
    pytest.param(
        lambda: rewritten(KEY.sign(claims()), role="operator"),
        "signature does not verify",
        id="tampered payload",
    ),
    pytest.param(
        lambda: Key.ec(KEY.kid).sign(claims()),
        "signature does not verify",
        id="another key under a published kid",
    ),
    pytest.param(
        lambda: jwt.encode(claims(), KEY.private, algorithm="ES256"), "`kid`", id="no kid"
    ),
    pytest.param(lambda: "not.a.jwt", "well-formed", id="not a JWT"),
    pytest.param(
        lambda: KEY.sign(claims(exp=_seconds(NOW - timedelta(seconds=31)))),
        "expired",
        id="expired beyond the leeway",
    ),
    pytest.param(lambda: KEY.sign(claims(exp=None)), "lacks the `exp`", id="exp missing"),
    pytest.param(
        lambda: KEY.sign(claims(exp=str(_seconds(NOW + timedelta(hours=1))))),
        "`exp` must be a number",
        id="exp as a string",
    ),
    pytest.param(lambda: KEY.sign(claims(exp=True)), "`exp` must be a number", id="exp true"),
    pytest.param(
        lambda: KEY.sign(claims(exp=float("nan"))), "`exp` must be a number", id="exp NaN"
    ),
    pytest.param(
        lambda: KEY.sign(claims(exp=_seconds(datetime(9999, 12, 31, tzinfo=UTC)))),
        "lives too long",
        id="exp in year 9999",
    ),
    pytest.param(
        lambda: KEY.sign(claims(exp=_seconds(NOW + LIFETIME + timedelta(seconds=31)))),
        "lives too long",
        id="exp past the maximum lifetime and the leeway",
    ),
    pytest.param(
        lambda: KEY.sign(claims(nbf=_seconds(NOW + timedelta(minutes=5)))),
        "not valid yet",
        id="nbf ahead",
    ),
    pytest.param(
        lambda: KEY.sign(claims(iat=_seconds(NOW + timedelta(minutes=5)))),
        "not valid yet",
        id="iat ahead",
    ),
    pytest.param(lambda: KEY.sign(claims(iat="now")), "`iat` must be a number", id="iat text"),
    pytest.param(lambda: KEY.sign(claims(iss="https://evil.example")), "issuer", id="wrong issuer"),
    pytest.param(lambda: KEY.sign(claims(iss=None)), "lacks the `iss`", id="issuer missing"),
    pytest.param(lambda: KEY.sign(claims(aud="another-app")), "not meant", id="wrong audience"),
    pytest.param(lambda: KEY.sign(claims(aud=None)), "lacks the `aud`", id="audience missing"),
    pytest.param(lambda: KEY.sign(claims(role=None)), "must name a role", id="role missing"),
    pytest.param(lambda: KEY.sign(claims(role="admin")), "exactly one role", id="role unknown"),
    pytest.param(lambda: KEY.sign(claims(role=7)), "must name a role", id="role not text"),
    pytest.param(lambda: KEY.sign(claims(sub=None)), "non-empty `sub`", id="sub missing"),
    pytest.param(lambda: KEY.sign(claims(sub="")), "non-empty `sub`", id="sub empty"),
    pytest.param(lambda: KEY.sign(claims(sub=42)), "`sub` must be a string", id="sub a number"),
]


@pytest.mark.parametrize(("token", "why"), REFUSED)
async def test_a_bad_token_is_refused_saying_why(
    provider: Provider, clock: FixedClock, token: Callable[[], str], why: str
) -> None:
    with pytest.raises(Unauthorized, match=why) as refused:
        await a_verifier(provider, clock).verify(token())
    # In the platform's words: none of PyJWT's own.
    assert "Signature verification failed" not in refused.value.detail
    assert "Invalid" not in refused.value.detail


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda: KEY.sign(claims()), id="ES256"),
        pytest.param(lambda: RSA.sign(claims()), id="RS256"),
        pytest.param(lambda: ED.sign(claims()), id="EdDSA"),
        pytest.param(
            lambda: KEY.sign(claims(exp=_seconds(NOW - timedelta(seconds=29)))),
            id="expired within the leeway",
        ),
        pytest.param(
            lambda: KEY.sign(claims(exp=_seconds(NOW + LIFETIME))), id="the longest lifetime"
        ),
        pytest.param(lambda: KEY.sign(claims(exp=_seconds(NOW) + 60.5)), id="exp a fraction"),
        pytest.param(lambda: KEY.sign(claims(aud=["other", AUDIENCE])), id="one of audiences"),
        pytest.param(
            lambda: KEY.sign(claims(iat=_seconds(NOW + timedelta(seconds=20)))),
            id="iat ahead within the leeway",
        ),
    ],
)
async def test_a_providers_token_says_who_calls_and_in_which_role(
    provider: Provider, clock: FixedClock, token: Callable[[], str]
) -> None:
    assert await a_verifier(provider, clock).verify(token()) == ("m-1", "merchant")


async def test_an_unknown_kid_fetches_the_keys_once_then_is_refused(
    provider: Provider, clock: FixedClock
) -> None:
    verifier = a_verifier(provider, clock)
    await verifier.verify(KEY.sign(claims()))
    assert provider.fetches == 1  # the first token: the keys fetched
    clock.advance(REFRESH)
    with pytest.raises(Unauthorized, match="key this platform does not know"):
        await verifier.verify(Key.ec("k-unknown").sign(claims()))
    assert provider.fetches == 2  # fetched again, in case the provider rotated its key
    # Within the interval, however many made-up kids: no more fetches.
    strangers = [Key.ec(f"k-made-up-{n}").sign(claims()) for n in range(20)]
    outcomes = await asyncio.gather(*map(verifier.verify, strangers), return_exceptions=True)
    assert all(isinstance(outcome, Unauthorized) for outcome in outcomes)
    assert provider.fetches == 2
    # The interval over, many at once still make one fetch.
    clock.advance(REFRESH)
    outcomes = await asyncio.gather(*map(verifier.verify, strangers), return_exceptions=True)
    assert all(isinstance(outcome, Unauthorized) for outcome in outcomes)
    assert provider.fetches == 3


async def test_a_rotated_key_is_accepted_after_one_fetch(
    provider: Provider, clock: FixedClock
) -> None:
    verifier = a_verifier(provider, clock)
    await verifier.verify(KEY.sign(claims()))
    provider.document = jwks(KEY, ROTATED)  # the provider publishes its next key
    clock.advance(REFRESH)
    assert await verifier.verify(ROTATED.sign(claims())) == ("m-1", "merchant")
    assert await verifier.verify(KEY.sign(claims())) == ("m-1", "merchant")
    assert provider.fetches == 2


async def test_a_withdrawn_key_goes_when_the_keys_are_fetched_again(
    provider: Provider, clock: FixedClock
) -> None:
    verifier = a_verifier(provider, clock)
    await verifier.verify(RSA.sign(claims()))
    provider.document = jwks(KEY)  # the provider withdraws its RSA key
    clock.advance(MAX_AGE - timedelta(seconds=1))
    assert await verifier.verify(RSA.sign(claims())) == ("m-1", "merchant")
    clock.advance(timedelta(seconds=1))
    with pytest.raises(Unauthorized, match="does not know"):
        await verifier.verify(RSA.sign(claims()))
    assert provider.fetches == 2


async def test_keys_that_cannot_be_fetched_are_unavailable_not_the_tokens_fault(
    provider: Provider, clock: FixedClock
) -> None:
    provider.down = True
    verifier = a_verifier(provider, clock)
    with pytest.raises(KeysUnavailable):
        await verifier.verify(KEY.sign(claims()))
    clock.advance(REFRESH)
    provider.down = False
    assert await verifier.verify(KEY.sign(claims())) == ("m-1", "merchant")
    # Down again when the keys are due: the known ones still serve; a new kid cannot
    # be judged.
    provider.down = True
    clock.advance(MAX_AGE)
    assert await verifier.verify(KEY.sign(claims(at=clock.now()))) == ("m-1", "merchant")
    with pytest.raises(KeysUnavailable):
        await verifier.verify(ROTATED.sign(claims(at=clock.now())))
    assert provider.fetches == 3


def test_only_asymmetric_signing_keys_with_a_kid_are_kept() -> None:
    ed_without_kid = {k: v for k, v in ED.jwk.items() if k != "kid"}
    document = {"keys": [KEY.jwk, OCT, {**RSA.jwk, "use": "enc"}, ed_without_kid, "junk"]}
    assert set(signing_keys(document)) == {KEY.kid}
    no_keys: list[Any] = [{"keys": [OCT]}, {"keys": []}, [KEY.jwk], {"not": "a JWKS"}]
    for document in no_keys:
        with pytest.raises(InvalidJwks):
            signing_keys(document)


@pytest.mark.parametrize(
    ("role_claim", "role", "principal_role"),
    [
        (
            "realm_access.roles",
            {"realm_access": {"roles": ["offline_access", "operator"]}},
            "operator",
        ),
        (
            "https://marketplace.example/role",
            {"https://marketplace.example/role": "buyer"},
            "buyer",
        ),
        ("groups", {"groups": ["merchant"]}, "merchant"),
    ],
)
async def test_the_role_is_read_from_the_configured_claim(
    provider: Provider,
    clock: FixedClock,
    role_claim: str,
    role: dict[str, Any],
    principal_role: str,
) -> None:
    verifier = a_verifier(provider, clock, role_claim=role_claim)
    token = KEY.sign({**claims(role=None), **role})
    assert await verifier.verify(token) == ("m-1", principal_role)
    with pytest.raises(Unauthorized, match=f"`{role_claim}` claim must name a role"):
        await verifier.verify(KEY.sign(claims()))  # `role` is not the claim read here


async def test_a_role_claim_naming_two_roles_is_refused(
    provider: Provider, clock: FixedClock
) -> None:
    verifier = a_verifier(provider, clock, role_claim="realm_access.roles")
    token = KEY.sign({**claims(role=None), "realm_access": {"roles": ["merchant", "operator"]}})
    with pytest.raises(Unauthorized, match=r"exactly one role .* it names 2"):
        await verifier.verify(token)


async def test_development_tokens_are_hs256_with_the_secret(clock: FixedClock) -> None:
    verifier = TokenVerifier(SharedSecret(SECRET), TokenRules(), clock)
    development = claims(iss=None, aud=None)
    assert await verifier.verify(jwt.encode(development, SECRET)) == ("m-1", "merchant")
    with pytest.raises(Unauthorized, match="signature does not verify"):
        await verifier.verify(jwt.encode(development, "another-secret-of-32-characters-"))
    with pytest.raises(Unauthorized, match="must be signed with one of HS256 "):
        await verifier.verify(KEY.sign(development))
    with pytest.raises(Unauthorized, match="must be signed with one of HS256 "):
        await verifier.verify(jwt.encode(development, "", algorithm="none"))
    with pytest.raises(Unauthorized, match="lives too long"):
        await verifier.verify(jwt.encode({**development, "exp": 253402300799}, SECRET))


# --- From the settings: a JWKS file, a JWKS URL, production ------------------------------


@pytest.fixture
def no_run_idp(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings of the test's own, not the test run's identity provider (conftest.py)."""
    for name in ("AUTH_JWKS_URL", "AUTH_JWKS_FILE", "AUTH_ISSUER", "AUTH_AUDIENCE"):
        monkeypatch.delenv(name, raising=False)


def _provider_settings(**source: Any) -> ServiceSettings:
    return ServiceSettings(auth_issuer=ISSUER, auth_audience=AUDIENCE, **source)


@pytest.mark.usefixtures("no_run_idp")
async def test_a_jwks_file_is_read_at_start_up(tmp_path: Path) -> None:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks(KEY)))
    verifier = verifier_for(_provider_settings(auth_jwks_file=path))
    path.unlink()  # read at start-up: nothing read for the first token
    token = KEY.sign(claims(at=datetime.now(UTC)))
    assert await verifier.verify(token) == ("m-1", "merchant")
    for content in ("{not json", json.dumps({"keys": [OCT]})):
        path.write_text(content)
        with pytest.raises(InvalidConfiguration, match=f"AUTH_JWKS_FILE {path}"):
            verifier_for(_provider_settings(auth_jwks_file=path))
    with pytest.raises(InvalidConfiguration, match="AUTH_JWKS_FILE"):
        verifier_for(_provider_settings(auth_jwks_file=tmp_path / "missing.json"))


@pytest.mark.usefixtures("no_run_idp")
async def test_a_jwks_url_is_fetched_over_http_when_the_first_token_comes() -> None:
    with JwksServer(jwks(KEY)).running() as server:
        verifier = verifier_for(_provider_settings(auth_jwks_url=server.url))
        assert server.hits == 0
        for _ in range(3):
            token = KEY.sign(claims(at=datetime.now(UTC)))
            assert await verifier.verify(token) == ("m-1", "merchant")
        assert server.hits == 1
        with pytest.raises(Unauthorized, match="does not know"):  # within the interval
            await verifier.verify(ROTATED.sign(claims(at=datetime.now(UTC))))
        assert server.hits == 1


@pytest.mark.usefixtures("no_run_idp")
@pytest.mark.parametrize(
    ("settings", "why"),
    [
        ({"auth_jwks_url": "https://idp.test/certs"}, "AUTH_ISSUER and AUTH_AUDIENCE"),
        (
            {"auth_jwks_file": "/keys/jwks.json", "auth_issuer": ISSUER},
            "AUTH_ISSUER and AUTH_AUDIENCE",
        ),
        (
            {
                "auth_jwks_url": "https://idp.test/certs",
                "auth_jwks_file": "/keys/jwks.json",
                "auth_issuer": ISSUER,
                "auth_audience": AUDIENCE,
            },
            "not both",
        ),
        (
            {"auth_jwks_url": "ftp://idp.test/certs", "auth_issuer": ISSUER, "auth_audience": "a"},
            "http",
        ),
        ({"auth_secret": ""}, "AUTH_SECRET"),
        ({"auth_role_claim": "realm_access..roles"}, "auth_role_claim"),
    ],
)
def test_token_settings_that_cannot_work_stop_start_up(settings: dict[str, Any], why: str) -> None:
    with pytest.raises(ValueError, match=why):
        ServiceSettings(**settings)


@pytest.mark.usefixtures("no_run_idp")
def test_compose_s_empty_optional_settings_are_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AUTH_JWKS_URL", "AUTH_JWKS_FILE", "AUTH_ISSUER", "AUTH_AUDIENCE"):
        monkeypatch.setenv(name, "")
    settings = ServiceSettings()
    assert (settings.auth_jwks_url, settings.auth_jwks_file, settings.uses_jwks) == (
        None,
        None,
        False,
    )
