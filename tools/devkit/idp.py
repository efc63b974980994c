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
import os
import sys
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from shared.dev_idp import (
    AUDIENCE,
    CONTAINER_DIR,
    ISSUER,
    JWKS_FILE,
    KEY_FILE,
    TTL,
    Signing,
    create_idp,
    provider,
    public_jwk,
)
from shared.settings import ServiceSettings
from shared.tokens import ROLES

__all__ = [
    "CONTAINER_DIR",
    "JWKS_FILE",
    "KEY_FILE",
    "Signing",
    "create_idp",
    "public_jwk",
    "signing",
]

ROOT = Path(__file__).resolve().parents[2]
#: `make run`'s identity provider.
DEFAULT_DIR = ROOT / ".data" / "dev-idp"


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
        return provider(directory, issuer or ISSUER, audience or AUDIENCE, role_claim)
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
    return provider(create_idp(DEFAULT_DIR), issuer or ISSUER, audience or AUDIENCE, role_claim)


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
