"""The development tools sign the way the platform they start verifies (`devkit.idp`):
one decision, from the environment, for `make run`, `make token`, `make demo`, the tests'
actors, the chaos suite and the benchmarks; and the compose stack mounts the JWKS where
the decision says."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

from devkit.idp import CONTAINER_DIR, JWKS_FILE, KEY_FILE, create_idp, signing
from shared.settings import ServiceSettings
from shared.tokens import verifier_for
from testkit.platforms import COMPOSE_FILE

#: The settings the tools decide on, none inherited from this run (conftest.py).
AUTH = ("AUTH_SECRET", "AUTH_JWKS_URL", "AUTH_JWKS_FILE", "AUTH_ISSUER", "AUTH_AUDIENCE")


@pytest.fixture(autouse=True)
def _no_run_idp(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*AUTH, "AUTH_JWKS_HOST_DIR", "AUTH_ROLE_CLAIM"):
        monkeypatch.delenv(name, raising=False)


async def _services_accept(environ: dict[str, str], role_claim: str = "role") -> tuple[str, str]:
    """What a service started in `environ` (plus what the devkit passes every platform,
    `signing().env`) makes of a token the tools sign there."""
    signer = signing(environ)
    started = {**environ, **signer.env}
    auth: dict[str, Any] = {k.lower(): v for k, v in started.items() if k in AUTH}
    settings = ServiceSettings(auth_role_claim=role_claim, **auth)
    return await verifier_for(settings).verify(signer.token("m-1", "merchant"))


async def test_a_secret_in_the_environment_signs_hs256_with_it() -> None:
    # `AUTH_SECRET=x make run`, then `AUTH_SECRET=x make demo`: the same secret.
    environ = {"AUTH_SECRET": "a-users-own-development-secret-of-48-characters"}
    assert signing(environ).algorithm == "HS256"
    assert signing(environ).env == environ
    assert await _services_accept(environ) == ("m-1", "merchant")


async def test_a_development_identity_providers_jwks_file_signs_with_its_key(
    tmp_path: Path,
) -> None:
    jwks = create_idp(tmp_path / "idp") / JWKS_FILE
    # A JWKS file turns HS256 off on both sides, whatever AUTH_SECRET says.
    environ = {"AUTH_JWKS_FILE": str(jwks), "AUTH_SECRET": "ignored-once-a-jwks-is-set"}
    signer = signing(environ)
    assert (signer.algorithm, signer.env["AUTH_JWKS_FILE"]) == ("ES256", str(jwks))
    assert signer.kid == json.loads(jwks.read_text())["keys"][0]["kid"]
    assert await _services_accept(environ) == ("m-1", "merchant")
    issuer = {**environ, "AUTH_ISSUER": "https://idp.local", "AUTH_AUDIENCE": "shop"}
    assert await _services_accept(issuer) == ("m-1", "merchant")


async def test_the_role_goes_where_the_services_read_it(tmp_path: Path) -> None:
    environ = {
        "AUTH_JWKS_FILE": str(create_idp(tmp_path / "idp") / JWKS_FILE),
        "AUTH_ROLE_CLAIM": "realm_access.roles",
    }
    assert await _services_accept(environ, "realm_access.roles") == ("m-1", "merchant")


def test_no_token_is_made_for_a_real_identity_provider(tmp_path: Path) -> None:
    jwks = tmp_path / "jwks.json"
    jwks.write_text('{"keys": []}')
    for environ in (
        {"AUTH_JWKS_URL": "https://idp.example/certs"},
        {"AUTH_JWKS_FILE": str(jwks)},  # no private key beside it
    ):
        signer = signing(environ)
        assert signer.algorithm is None
        assert "get a token from" in signer.refusal
        with pytest.raises(RuntimeError, match="get a token from"):
            signer.token("m-1", "merchant")


def test_the_compose_stack_mounts_the_development_jwks_where_the_services_look(
    tmp_path: Path,
) -> None:
    folder = create_idp(tmp_path / "idp")
    compose = signing({"AUTH_JWKS_FILE": str(folder / JWKS_FILE)}).compose_env
    assert compose["AUTH_JWKS_HOST_DIR"] == str(folder)
    assert compose["AUTH_JWKS_FILE"] == f"{CONTAINER_DIR}/{JWKS_FILE}"
    # Read back as the tests' environment holds it then: the same key signs.
    assert signing(compose).kid == signing({"AUTH_JWKS_FILE": str(folder / JWKS_FILE)}).kid
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    mounts = loaded["x-service"]["volumes"]
    assert f"${{AUTH_JWKS_HOST_DIR:-./docker/auth}}:{CONTAINER_DIR}:ro" in mounts


def test_one_key_pair_however_many_make_it_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "dev-idp"
    with ThreadPoolExecutor(max_workers=8) as pool:
        made = set(pool.map(create_idp, [folder] * 8))
    assert made == {folder}
    assert sorted(p.name for p in folder.iterdir()) == sorted([JWKS_FILE, KEY_FILE])
    assert [p.name for p in tmp_path.iterdir()] == ["dev-idp"]  # no staging left
    assert os.stat(folder / KEY_FILE).st_mode & 0o777 == 0o600
    assert os.stat(folder / JWKS_FILE).st_mode & 0o777 == 0o644
