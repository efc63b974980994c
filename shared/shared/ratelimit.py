"""Per-client limits on writes: every POST, PUT, PATCH and DELETE of a service's routers
counts against the caller's `sub`, at most `RATE_LIMIT_WRITES` (e.g. `60/minute`); over it,
429 with `Retry-After`.

- **Who is counted.** The verified principal: the limit depends on `CurrentPrincipal`, so a
  write without a valid token is refused with 401 before any counter is touched (an
  anonymous flood costs a signature check, never a database write). Reads are not counted.
- **Where.** In the service's own database (`rate_limits`), so every process of a service
  counts against the same limit; a TTL index removes the counters that have lapsed.
- **How.** `limits`' sliding window counter (`SlidingWindowCounterRateLimiter`) on
  `shared.ratelimit_storage.MongoStorage`: one document per client, so a write costs one
  database command (three once a window, when the client's window turns).
"""

from __future__ import annotations

import math
import time
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.routing import APIRoute
from limits import RateLimitItem, parse_many
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from starlette.routing import BaseRoute

from shared.auth import CurrentPrincipal
from shared.costs import working
from shared.mongo import IndexSpec
from shared.ports import Ports
from shared.problems import Problem
from shared.ratelimit_storage import MongoStorage
from shared.settings import InvalidConfiguration

COLLECTION = "rate_limits"
#: The TTL index: MongoDB removes a counter once its `expire_at` has passed.
INDEXES = [IndexSpec(COLLECTION, [("expire_at", 1)], expire_after_seconds=0)]
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: What the write limit's counters are named by (with the caller's `sub`).
NAMESPACE = "writes"
#: The 429 in each write route's OpenAPI.
TOO_MANY: dict[str, Any] = {
    "description": "Too many writes from this client: retry after `Retry-After` seconds"
}


def parse_rate(text: str) -> RateLimitItem:
    """`RATE_LIMIT_WRITES` in limits' notation (`60/minute`, `1000 per hour`): one rate of
    at least one write, or `InvalidConfiguration` saying what to write instead."""
    try:
        rates = parse_many(text)
    except ValueError:
        rates = []
    if len(rates) != 1 or rates[0].amount < 1:
        raise InvalidConfiguration(
            f"RATE_LIMIT_WRITES={text!r} is not one rate of at least one write: "
            "write e.g. '60/minute' or '1000/hour'"
        )
    return rates[0]


def retry_after(reset_at: float, now: float) -> int:
    """The whole seconds a refused client waits (`Retry-After`): until `reset_at`, and at
    least one."""
    return max(1, math.ceil(reset_at - now))


def _is_write(route: BaseRoute) -> bool:
    return isinstance(route, APIRoute) and bool(WRITE_METHODS & (route.methods or set()))


class WriteLimit:
    """How many writes each client may make: `rate`, counted in `storage`."""

    def __init__(self, rate: RateLimitItem, storage: MongoStorage) -> None:
        self.rate = rate
        self._limiter = SlidingWindowCounterRateLimiter(storage)

        async def within_limit(principal: CurrentPrincipal) -> None:
            await self.hit(principal.sub)

        #: The dependency of every write route: after authentication, before anything else.
        self.dependency = Depends(within_limit)

    @classmethod
    def of(cls, setting: str, ports: Ports) -> WriteLimit:
        """`RATE_LIMIT_WRITES`, counted in the service's own database."""
        return cls(parse_rate(setting), MongoStorage(lambda: ports.collection(COLLECTION)))

    async def hit(self, client: str) -> None:
        """Count one write of `client`; over the limit, a 429 saying when to retry."""
        with working("rate limit"):
            if await self._limiter.hit(self.rate, NAMESPACE, client):
                return
        window = await self._limiter.get_window_stats(self.rate, NAMESPACE, client)
        wait = retry_after(window.reset_time, time.time())
        raise Problem(
            f"Too many writes: at most {self.rate} for each client. Retry in {wait} s.",
            status=429,
            kind="rate-limited",
            title="Too many requests",
            retry_after=wait,
        )

    def on_writes(self, router: APIRouter) -> APIRouter:
        """`router`, its write routes held to this limit, its reads as they were, every
        route in its place."""
        limited = APIRouter()
        for route in router.routes:
            writes = _is_write(route)
            limited.include_router(
                APIRouter(routes=[route]),
                dependencies=[self.dependency] if writes else None,
                responses={429: TOO_MANY} if writes else None,
            )
        return limited
