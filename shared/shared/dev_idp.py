"""Signing as a development identity provider: the key pair `make run` makes once, and
tokens signed with it (or, without one, HS256 with `AUTH_SECRET`), as the services verify
them (`shared.tokens`).

Development only. The devkit's tools (`make token`, the tests, the benchmarks) sign through
`tools/devkit/idp.py`, which reads their environment; the console's development sign-in
signs through `signing_for(settings)`, from the same settings the services read. A real
identity provider's tokens come from it, never from here: with `AUTH_JWKS_URL`, or a JWKS
file with no private key beside it, `Signing.algorithm` is None and `refusal` says why.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from shared.settings import ProcessSettings

ISSUER = "marketplace-dev-idp"
AUDIENCE = "marketplace"
ALGORITHM = "ES256"
KEY_FILE, JWKS_FILE = "private-key.pem", "jwks.json"
#: Where docker-compose.yml mounts `AUTH_JWKS_HOST_DIR` in the services' containers.
CONTAINER_DIR = "/etc/marketplace/auth"
TTL = timedelta(hours=12)


@dataclass(frozen=True)
class Signing:
    """How this environment's tokens are signed (`algorithm` None: they are not, `refusal`
    says why), and what a platform's services need to verify them (`env`)."""

    algorithm: str | None
    key: Any = None
    kid: str | None = None
    issuer: str | None = None
    audience: str | None = None
    role_claim: str = "role"
    env: Mapping[str, str] = field(default_factory=dict)
    #: The development identity provider's folder, when it is one.
    idp: Path | None = None
    refusal: str = ""

    @property
    def source(self) -> str:
        """Whose tokens these are, for people reading."""
        if self.idp is not None:
            return f"the development identity provider in {self.idp}"
        if self.algorithm is None:
            return "your identity provider's (AUTH_JWKS_URL or AUTH_JWKS_FILE)"
        return "HS256 with AUTH_SECRET (development only)"

    def token(self, sub: str, role: str, *, ttl: timedelta = TTL, **claims: Any) -> str:
        if self.algorithm is None:
            raise RuntimeError(self.refusal)
        issued = datetime.now(UTC)
        payload: dict[str, Any] = {"sub": sub, "iat": issued, "exp": issued + ttl}
        payload |= {"iss": self.issuer} if self.issuer else {}
        payload |= {"aud": self.audience} if self.audience else {}
        *path, last = self.role_claim.split(".")
        holder = payload
        for part in path:  # `realm_access.roles`: {"realm_access": {"roles": role}}
            holder = holder.setdefault(part, {})
        holder[last] = role
        headers = {"kid": self.kid} if self.kid else None
        return jwt.encode(payload | claims, self.key, algorithm=self.algorithm, headers=headers)

    def bearer(self, sub: str, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(sub, role)}"}

    @property
    def compose_env(self) -> dict[str, str]:
        """The compose stack's settings that verify these tokens (its JWKS mounted)."""
        if self.idp is None:
            return dict(self.env)
        return {
            **self.env,
            "AUTH_JWKS_HOST_DIR": str(self.idp),
            "AUTH_JWKS_FILE": f"{CONTAINER_DIR}/{JWKS_FILE}",
        }


def signing_for(settings: ProcessSettings) -> Signing:
    """How a process with these settings signs development tokens the services accept: as
    the development identity provider whose JWKS file `AUTH_JWKS_FILE` names (its private
    key beside it), else HS256 with `AUTH_SECRET`; none with a real provider's keys."""
    if settings.auth_jwks_url:
        return Signing(
            None,
            refusal=f"The services verify the tokens of the identity provider at "
            f"AUTH_JWKS_URL={settings.auth_jwks_url}: get a token from it.",
        )
    if (jwks := settings.auth_jwks_file) is not None:
        directory = jwks.resolve().parent
        if not (directory / KEY_FILE).exists():
            return Signing(
                None,
                refusal=f"AUTH_JWKS_FILE={jwks} is not a development identity provider's "
                f"(no {KEY_FILE} in {directory}): get a token from the provider it belongs to.",
            )
        try:
            return provider(
                directory,
                settings.auth_issuer or ISSUER,
                settings.auth_audience or AUDIENCE,
                settings.auth_role_claim,
            )
        except OSError as error:  # a container's user may not read the host's key: fine
            return Signing(
                None,
                refusal=f"The development key in {directory} is not readable "
                f"here ({error.strerror}): sign in through the identity provider.",
            )
    secret = settings.auth_secret
    return Signing(
        "HS256",
        secret,
        None,
        settings.auth_issuer,
        settings.auth_audience,
        settings.auth_role_claim,
        env={"AUTH_SECRET": secret},
    )


@functools.cache
def provider(directory: Path, issuer: str, audience: str, role_claim: str) -> Signing:
    key = serialization.load_pem_private_key((directory / KEY_FILE).read_bytes(), password=None)
    [public] = json.loads((directory / JWKS_FILE).read_text())["keys"]
    env = {
        "AUTH_JWKS_FILE": str(directory / JWKS_FILE),
        "AUTH_ISSUER": issuer,
        "AUTH_AUDIENCE": audience,
    }
    return Signing(ALGORITHM, key, public["kid"], issuer, audience, role_claim, env, directory)


def create_idp(directory: Path) -> Path:
    """A development identity provider in `directory`: an ES256 private key (readable by
    its owner only) and its public `jwks.json` (readable by all: a container's user reads
    it), made once; several processes at once make one."""
    if (directory / KEY_FILE).exists():
        return directory
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}-"))
    key = ec.generate_private_key(ec.SECP256R1())
    private = staging / KEY_FILE
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    private.chmod(0o600)
    (staging / JWKS_FILE).write_text(json.dumps({"keys": [public_jwk(key.public_key())]}))
    (staging / JWKS_FILE).chmod(0o644)
    staging.chmod(0o755)
    try:
        staging.rename(directory)
    except OSError:  # another process made it first: theirs is the one
        shutil.rmtree(staging)
    return directory


def public_jwk(key: ec.EllipticCurvePublicKey) -> dict[str, Any]:
    """The JWK of a P-256 public key, its `kid` its RFC 7638 thumbprint."""
    jwk = ECAlgorithm.to_jwk(key, as_dict=True)
    members = json.dumps({k: jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"))
    digest = hashlib.sha256(members.encode()).digest()
    kid = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return {**jwk, "kid": kid, "alg": ALGORITHM, "use": "sig"}
