"""Bearer tokens verified: who is calling, with which role, and why a token is refused.

With a JWKS source (`AUTH_JWKS_URL` or `AUTH_JWKS_FILE`) a token must be signed by the
identity provider with an asymmetric algorithm (RS*, PS*, ES*, EdDSA) and the key its
`kid` names, for that key's algorithm only; without one (development), HS256 with
`AUTH_SECRET`. Either way the same claims are checked: `iss` and `aud` (when set), `exp`
(a number, not past, and not further ahead than the maximum lifetime), `nbf` and `iat`
(not ahead), `sub`, and the role. The signature and `iss`/`aud` are PyJWT's to verify;
the times and the role are checked here, on real time (an identity provider's clock is
not moved by `CLOCK_OFFSET_SECONDS`). A refusal says why, in the platform's words, never
the library's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol, cast, get_args

import jwt
from jwt.exceptions import InvalidSubjectError

from shared.clock import Clock, SystemClock
from shared.contract.types import Role
from shared.errors import Unauthorized
from shared.jwks import ASYMMETRIC, KeySet, jwks_from_file, jwks_from_url, read_jwks_file
from shared.settings import ProcessSettings

ROLES: tuple[str, ...] = get_args(Role)
ROLE_NAMES = ", ".join(ROLES)
HS256 = "HS256"

#: PyJWT's refusals, in the platform's words (the first that matches applies).
REFUSALS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (
        jwt.InvalidSignatureError,
        "The token's signature does not verify: it was altered, or signed with another key.",
    ),
    (jwt.InvalidAlgorithmError, "The token's `alg` is not the algorithm of the key it names."),
    (jwt.InvalidIssuerError, "The token's issuer (`iss`) is not the one this platform trusts."),
    (jwt.InvalidAudienceError, "The token is not meant for this platform (its `aud`)."),
    (InvalidSubjectError, "The token's `sub` must be a string."),
    (jwt.DecodeError, "The token is not a well-formed JWT."),
)


class Keys(Protocol):
    """Where the key of a token comes from, and the algorithms it may be signed with."""

    @property
    def algorithms(self) -> tuple[str, ...]: ...

    async def key_for(self, header: dict[str, Any]) -> Any: ...


@dataclass(frozen=True)
class SharedSecret:
    """Development: HS256 with `AUTH_SECRET`."""

    secret: str
    algorithms: tuple[str, ...] = (HS256,)

    async def key_for(self, header: dict[str, Any]) -> Any:
        return self.secret


@dataclass(frozen=True)
class ProviderKeys:
    """An identity provider's keys (its JWKS): the one a token's `kid` names."""

    keys: KeySet
    algorithms: tuple[str, ...] = ASYMMETRIC

    async def key_for(self, header: dict[str, Any]) -> Any:
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthorized("The token's header needs the `kid` of the key that signed it.")
        return await self.keys.key(kid)


@dataclass(frozen=True)
class TokenRules:
    issuer: str | None = None
    audience: str | None = None
    leeway: timedelta = timedelta(seconds=30)
    max_lifetime: timedelta = timedelta(hours=24)
    #: A dotted path (`realm_access.roles`) reaches into objects, unless the whole name is
    #: a claim (`https://example.com/role`).
    role_claim: str = "role"


@dataclass(frozen=True)
class TokenVerifier:
    keys: Keys
    rules: TokenRules = TokenRules()
    clock: Clock = field(default_factory=SystemClock)

    async def verify(self, token: str) -> tuple[str, Role]:
        """The token's `sub` and role; `Unauthorized`, saying why, if it is refused."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthorized("The token is not a well-formed JWT.") from None
        if header.get("alg") not in self.keys.algorithms:
            raise Unauthorized(
                f"The token must be signed with one of {', '.join(self.keys.algorithms)} "
                "(`alg` none, or another algorithm, is refused)."
            )
        claims = self._decoded(token, await self.keys.key_for(header))
        self._check_times(claims)
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub:
            raise Unauthorized("The token needs a non-empty `sub`: who is calling.")
        return sub, self._role(claims)

    def _decoded(self, token: str, key: Any) -> dict[str, Any]:
        # A provider's key verifies with its own algorithm only.
        own = [key.algorithm_name] if isinstance(key, jwt.PyJWK) else list(self.keys.algorithms)
        try:
            return jwt.decode(
                token,
                key,
                algorithms=own,
                issuer=self.rules.issuer,
                audience=self.rules.audience,
                # The times are checked below, as numbers only; PyJWT would take strings.
                options={
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "enforce_minimum_key_length": isinstance(key, jwt.PyJWK),
                },
            )
        except jwt.MissingRequiredClaimError as error:
            raise Unauthorized(f"The token lacks the `{error.claim}` claim.") from None
        except jwt.PyJWTError as error:
            reason = next((text for kind, text in REFUSALS if isinstance(error, kind)), None)
            raise Unauthorized(reason or "The token is not valid.") from None

    def _check_times(self, claims: dict[str, Any]) -> None:
        now = self.clock.now().timestamp()
        leeway = self.rules.leeway.total_seconds()
        exp = claims.get("exp")
        if exp is None:
            raise Unauthorized("The token lacks the `exp` claim: tokens must expire.")
        if not _seconds(exp):
            raise Unauthorized("The token's `exp` must be a number (seconds since 1970).")
        if exp <= now - leeway:
            raise Unauthorized("The token has expired; get a new one.")
        if exp > now + self.rules.max_lifetime.total_seconds() + leeway:
            raise Unauthorized(
                "The token lives too long: its `exp` may lie at most "
                f"{int(self.rules.max_lifetime.total_seconds())} seconds ahead."
            )
        for claim in ("nbf", "iat"):
            value = claims.get(claim)
            if value is None:
                continue
            if not _seconds(value):
                raise Unauthorized(f"The token's `{claim}` must be a number (seconds since 1970).")
            if value > now + leeway:
                raise Unauthorized(f"The token is not valid yet (its `{claim}` is ahead).")

    def _role(self, claims: dict[str, Any]) -> Role:
        name = self.rules.role_claim
        value: Any = claims.get(name)
        if value is None:  # a dotted path, unless the name itself is a claim (a URL's dots)
            value = claims
            for part in name.split("."):
                value = value.get(part) if isinstance(value, dict) else None
        roles = [value] if isinstance(value, str) else value
        if not isinstance(roles, list) or not roles:
            raise Unauthorized(f"The token's `{name}` claim must name a role: {ROLE_NAMES}.")
        known = [role for role in roles if role in ROLES]
        if len(known) != 1:
            raise Unauthorized(
                f"The token's `{name}` must name exactly one role of {ROLE_NAMES}; "
                f"it names {len(known)}."
            )
        return cast(Role, known[0])


def _seconds(value: Any) -> bool:
    """A JSON number of seconds: not a string, not a boolean, not NaN or infinite."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def verifier_for(settings: ProcessSettings) -> TokenVerifier:
    """The verifier `settings` describe; a JWKS file is read now (a bad one stops
    start-up), a JWKS URL fetched when the first token comes."""
    rules = TokenRules(
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        leeway=timedelta(seconds=settings.auth_leeway_seconds),
        max_lifetime=timedelta(seconds=settings.auth_max_token_lifetime_seconds),
        role_claim=settings.auth_role_claim,
    )
    if not settings.uses_jwks:
        return TokenVerifier(SharedSecret(settings.auth_secret), rules)
    path, url = settings.auth_jwks_file, settings.auth_jwks_url
    keys = KeySet(
        jwks_from_file(path) if path else jwks_from_url(str(url)),
        known=read_jwks_file(path) if path else None,
        refresh_after=timedelta(seconds=settings.auth_jwks_refresh_seconds),
        max_age=timedelta(seconds=settings.auth_jwks_max_age_seconds),
    )
    return TokenVerifier(ProviderKeys(keys), rules)
