"""The development identity provider, and the one answer to "how does this environment sign
a token?" for every development tool.

The services verify an identity provider's tokens against its JWKS (`AUTH_JWKS_URL` or
`AUTH_JWKS_FILE`), or, in development only, HS256 tokens with `AUTH_SECRET`
(shared.tokens). Every tool that makes a token (`make token`, `make demo`, the tests'
actors and `bearer`, the chaos suite, the benchmarks) signs as `signing()` says, and every
platform the devkit starts gets `signing().env`, so tools and services agree. From the
environment:

- `AUTH_JWKS_FILE`: the development identity provider whose `jwks.json` that is, its
  private key beside it (or in `AUTH_JWKS_HOST_DIR`, the host folder docker-compose.yml
  mounts where the services' `AUTH_JWKS_FILE` points);
- else `AUTH_JWKS_URL`: a real identity provider: tokens come from it, none from here;
- else `AUTH_SECRET`: HS256 with it (development mode);
- else the identity provider of `make run`: an ES256 key pair made once in `.data/dev-idp/`.

Tokens carry `AUTH_ISSUER`/`AUTH_AUDIENCE` (a development provider's own by default) and
the role in `AUTH_ROLE_CLAIM` (default `role`), as the services read them.
"""

from __future__ import annotations

import argparse
import base64
import functools
import hashlib
import json
import os
import shutil
import sys
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

from shared.settings import ServiceSettings
from shared.tokens import ROLES

ROOT = Path(__file__).resolve().parents[2]
#: `make run`'s identity provider.
DEFAULT_DIR = ROOT / ".data" / "dev-idp"
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


def signing(environ: Mapping[str, str] | None = None) -> Signing:
    """How tokens are signed in `environ` (default: this process's environment)."""
    environ = os.environ if environ is None else environ
    issuer, audience = environ.get("AUTH_ISSUER") or None, environ.get("AUTH_AUDIENCE") or None
    role_claim = environ.get("AUTH_ROLE_CLAIM") or "role"
    if jwks := environ.get("AUTH_JWKS_FILE"):
        host = environ.get("AUTH_JWKS_HOST_DIR")
        directory = (ROOT / host).resolve() if host else Path(jwks).resolve().parent
        if not (directory / KEY_FILE).exists():
            return Signing(
                None,
                refusal=f"AUTH_JWKS_FILE={jwks} is not a development identity provider's "
                f"(no {KEY_FILE} in {directory}): get a token from the provider it belongs to.",
            )
        return _provider(directory, issuer or ISSUER, audience or AUDIENCE, role_claim)
    if url := environ.get("AUTH_JWKS_URL"):
        return Signing(
            None,
            refusal=f"The services verify the tokens of the identity provider at "
            f"AUTH_JWKS_URL={url}: get a token from it.",
        )
    if secret := environ.get("AUTH_SECRET"):
        return Signing(
            "HS256", secret, None, issuer, audience, role_claim, env={"AUTH_SECRET": secret}
        )
    return _provider(create_idp(DEFAULT_DIR), issuer or ISSUER, audience or AUDIENCE, role_claim)


@functools.cache
def _provider(directory: Path, issuer: str, audience: str, role_claim: str) -> Signing:
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


def main() -> int:
    """`make token ROLE=merchant SUB=m-1`: a token the platform `make run` started accepts."""
    parser = argparse.ArgumentParser(description="A development token")
    parser.add_argument("--role", choices=ROLES, required=True)
    parser.add_argument("--sub", required=True)
    parser.add_argument("--hours", type=float, default=TTL.total_seconds() / 3600)
    args = parser.parse_args()
    default = ServiceSettings.model_fields["auth_max_token_lifetime_seconds"].default
    longest = float(os.environ.get("AUTH_MAX_TOKEN_LIFETIME_SECONDS") or default)
    if args.hours * 3600 > longest:
        parser.error(f"the services refuse tokens that live over {longest:.0f} s")
    signer = signing()
    if signer.algorithm is None:
        print(signer.refusal, file=sys.stderr)
        return 1
    print(signer.token(args.sub, args.role, ttl=timedelta(hours=args.hours)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
