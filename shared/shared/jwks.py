"""An identity provider's signing keys (a JWKS), by `kid`: fetched from its URL or read from
a file, never on the event loop's thread, and fetched again when they may have changed.

- An unknown `kid` (the provider rotated its key) fetches the set again, but at most once
  per `refresh_after`: tokens with made-up `kid`s cannot make the service hammer the
  provider. The set is also fetched again when older than `max_age`, so a key the provider
  withdrew stops being accepted.
- Only signing keys of asymmetric algorithms are kept: a symmetric (`oct`) key, an
  encryption key or a key of another algorithm in the set is ignored, so no token can be
  verified with a public key taken as an HMAC secret.
- A fetch that fails keeps the keys already known; with none known, the keys are
  unavailable (the caller answers 503), which is not the token's fault.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from jwt import PyJWK, PyJWTError

from shared.clock import Clock, SystemClock
from shared.errors import Unauthorized
from shared.settings import InvalidConfiguration

#: What an identity provider may sign with; HMAC (`HS*`) and `none` never.
ASYMMETRIC = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)
#: A JWKS larger than this is refused (a provider's has a handful of keys).
MAX_JWKS_BYTES = 256 * 1024
FETCH_TIMEOUT_SECONDS = 5.0

Fetch = Callable[[], Awaitable[Any]]
log = logging.getLogger("shared.jwks")


class KeysUnavailable(Exception):
    """The provider's keys cannot be had now: the token cannot be judged (503)."""


class InvalidJwks(ValueError):
    """A JWKS with no usable signing key, or not a JWKS at all."""


def signing_keys(jwks: Any) -> dict[str, PyJWK]:
    """The usable signing keys of a JWKS document, by `kid`."""
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise InvalidJwks('not a JWKS: expected {"keys": [...]}')
    keys: dict[str, PyJWK] = {}
    for jwk in jwks["keys"]:
        if not isinstance(jwk, dict) or not isinstance(jwk.get("kid"), str):
            continue
        if jwk.get("kty") == "oct" or jwk.get("use", "sig") != "sig":
            continue
        try:
            key = PyJWK(jwk)
        except PyJWTError:
            continue
        if key.algorithm_name in ASYMMETRIC:
            keys[jwk["kid"]] = key
    if not keys:
        raise InvalidJwks(f"no signing key (with a `kid`) of {', '.join(ASYMMETRIC)}")
    return keys


def _parsed(content: bytes) -> Any:
    if len(content) > MAX_JWKS_BYTES:
        raise InvalidJwks(f"larger than {MAX_JWKS_BYTES} bytes")
    return json.loads(content)


def jwks_from_url(url: str) -> Fetch:
    async def fetch() -> Any:
        async with httpx.AsyncClient(timeout=FETCH_TIMEOUT_SECONDS) as client:
            response = await client.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            return _parsed(response.content)

    return fetch


def read_jwks_file(path: Path) -> dict[str, PyJWK]:
    """A JWKS file's keys at start-up: a file that is missing or holds no usable key stops
    the service, saying which and why."""
    try:
        return signing_keys(_parsed(path.read_bytes()))
    except (OSError, ValueError) as error:
        raise InvalidConfiguration(f"AUTH_JWKS_FILE {path}: {error}") from None


def jwks_from_file(path: Path) -> Fetch:
    async def fetch() -> Any:
        return _parsed(await asyncio.to_thread(path.read_bytes))

    return fetch


class KeySet:
    def __init__(
        self,
        fetch: Fetch,
        *,
        refresh_after: timedelta,
        max_age: timedelta,
        clock: Clock | None = None,
        known: Mapping[str, PyJWK] | None = None,
    ) -> None:
        self._fetch, self._refresh_after, self._max_age = fetch, refresh_after, max_age
        self._clock = clock or SystemClock()
        self._keys: dict[str, PyJWK] = dict(known or {})
        #: The last fetch that succeeded, and the last one tried (whatever its outcome).
        started = self._clock.now() if known else None
        self._fetched_at: datetime | None = started
        self._tried_at: datetime | None = started
        self._failed = False
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> PyJWK:
        """The key `kid` names; `Unauthorized` if the provider has no such key,
        `KeysUnavailable` if its keys cannot be had."""
        if kid not in self._keys or self._aged():
            await self._refresh(kid)
        if kid in self._keys:
            return self._keys[kid]
        if self._failed or not self._keys:
            raise KeysUnavailable(
                "The identity provider's keys cannot be fetched now; retry in a moment."
            )
        raise Unauthorized(
            "The token is signed with a key this platform does not know (its `kid`): get a "
            "token from the configured identity provider."
        )

    def _aged(self) -> bool:
        return self._fetched_at is None or self._clock.now() - self._fetched_at >= self._max_age

    def _may_fetch(self) -> bool:
        """At most one fetch per `refresh_after`, whatever asks for it."""
        return self._tried_at is None or self._clock.now() - self._tried_at >= self._refresh_after

    async def _refresh(self, kid: str) -> None:
        """One fetch at a time; a request that waited for another's fetch does not repeat
        it (the conditions are asked again once the lock is held)."""
        async with self._lock:
            if not ((kid not in self._keys or self._aged()) and self._may_fetch()):
                return
            now = self._tried_at = self._clock.now()
            try:
                self._keys = signing_keys(await self._fetch())
            except (httpx.HTTPError, OSError, ValueError) as error:
                self._failed = True
                log.warning("the JWKS could not be fetched: %s", type(error).__name__)
                return
            self._fetched_at, self._failed = now, False
