"""Per-client limits on writes: every POST, PUT, PATCH and DELETE of a service's routers
counts against the caller's `sub`, at most `RATE_LIMIT_WRITES` (e.g. `60/minute`); over it,
429 with `Retry-After`.

- **Who is counted.** The verified principal: the limit depends on `CurrentPrincipal`, so a
  write without a valid token is refused with 401 before any counter is touched (an
  anonymous flood costs a signature check, never a database write). Reads are not counted.
- **Where.** In the service's own database (`rate_limits`), so every process of a service
  counts against the same limit; a TTL index removes the counters that have lapsed.
- **How.** `limits`' sliding window counter (`SlidingWindowCounterRateLimiter`) on
  `MongoStorage`, limits' async storage interface over PyMongo's async API. Limits' own
  MongoDB storage needs Motor and writes with update pipelines and `$push`, which the
  embedded engine lacks; this one uses single-document writes every MongoDB and the engine
  run alike: counters are created by insert, restarted by replacement and counted with
  `$inc`; their expiry is compared as a number (epoch seconds) and also kept as a date for
  the TTL index (the engine compares dates to the second only and stores a date written
  with `$set` as a string: README, "The embedded engine").
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.routing import APIRoute
from limits import RateLimitItem, parse_many
from limits.aio.storage import SlidingWindowCounterSupport, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage.base import TimestampedSlidingWindow
from pymongo import ReturnDocument
from starlette.routing import BaseRoute

from shared.auth import CurrentPrincipal
from shared.costs import working
from shared.mongo import Collection, Document, DuplicateKeyError, IndexSpec, PyMongoError
from shared.ports import Ports
from shared.problems import Problem
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


class MongoStorage(Storage, SlidingWindowCounterSupport, TimestampedSlidingWindow):
    """limits' async storage over one collection of PyMongo's async API: counters for the
    fixed window and the sliding window counter strategies (not the moving window, whose
    timestamp lists need `$push`). `counters` is called at each use: the collection exists
    only once the service's runtime is open."""

    STORAGE_SCHEME = None

    def __init__(
        self, counters: Callable[[], Collection], now: Callable[[], float] = time.time
    ) -> None:
        super().__init__()
        self._counters, self._now = counters, now

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return PyMongoError

    async def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` to `key`'s counter; a counter that is absent or has lapsed starts
        again at `amount`, lapsing `expiry` seconds from now."""
        counters, now = self._counters(), self._now()
        for _ in range(3):  # a lost race to start it is followed by counting on the winner's
            counted = await counters.find_one_and_update(
                {"_id": key, "expires": {"$gt": now}},
                {"$inc": {"count": amount}},
                projection={"count": True},
                return_document=ReturnDocument.AFTER,
            )
            if counted is not None:
                return int(counted["count"])
            fresh = _counter(amount, now + expiry)
            restarted = await counters.replace_one({"_id": key, "expires": {"$lte": now}}, fresh)
            if restarted.matched_count:
                return amount
            try:
                await counters.insert_one({"_id": key, **fresh})
            except DuplicateKeyError:
                continue  # another process started it just now: count on theirs
            return amount
        raise PyMongoError(f"the counter {key!r} is neither countable nor replaceable")

    async def decr(self, key: str, amount: int = 1) -> None:
        await self._counters().update_one({"_id": key}, {"$inc": {"count": -amount}})

    async def get(self, key: str) -> int:
        found = await self._counters().find_one(
            {"_id": key, "expires": {"$gt": self._now()}}, projection={"count": True}
        )
        return int(found["count"]) if found else 0

    async def get_expiry(self, key: str) -> float:
        now = self._now()
        found = await self._counters().find_one(
            {"_id": key, "expires": {"$gt": now}}, projection={"expires": True}
        )
        return float(found["expires"]) if found else now

    async def check(self) -> bool:
        try:
            await self._counters().database.command("ping")
        except PyMongoError:
            return False
        return True

    async def reset(self) -> int | None:
        return (await self._counters().delete_many({})).deleted_count

    async def clear(self, key: str) -> None:
        await self._counters().delete_one({"_id": key})

    async def acquire_sliding_window_entry(
        self, key: str, limit: int, expiry: int, amount: int = 1
    ) -> bool:
        """limits' counter algorithm (as its memcached storage): weigh the previous window
        by how much of it still overlaps, add the current one; count the hit if it fits,
        and take it back if concurrent hits got in first."""
        if amount > limit:
            return False
        now = self._now()
        previous_key, current_key = self.sliding_window_keys(key, expiry, now)
        previous, previous_ttl, current, _ = await self._window(
            previous_key, current_key, expiry, now
        )
        if math.floor(previous * previous_ttl / expiry + current) + amount > limit:
            return False
        # Twice the window: the counter is the previous window's all through the next one.
        current = await self.incr(current_key, 2 * expiry, amount)
        elapsed = self._now() - now
        weighted = previous * max(0.0, previous_ttl - elapsed) / expiry + current
        if math.floor(weighted) > limit:
            await self.decr(current_key, amount)
            return False
        return True

    async def get_sliding_window(self, key: str, expiry: int) -> tuple[int, float, int, float]:
        now = self._now()
        return await self._window(*self.sliding_window_keys(key, expiry, now), expiry, now)

    async def clear_sliding_window(self, key: str, expiry: int) -> None:
        keys = list(self.sliding_window_keys(key, expiry, self._now()))
        await self._counters().delete_many({"_id": {"$in": keys}})

    async def _window(
        self, previous_key: str, current_key: str, expiry: int, now: float
    ) -> tuple[int, float, int, float]:
        """(previous count, its weight in seconds, current count, seconds until the current
        window's counter stops counting), both counters read at once."""
        both = {"_id": {"$in": [previous_key, current_key]}, "expires": {"$gt": now}}
        found = await self._counters().find(both, projection={"count": True}).to_list()
        counts = {document["_id"]: int(document["count"]) for document in found}
        previous, current = counts.get(previous_key, 0), counts.get(current_key, 0)
        previous_ttl = (1 - (((now - expiry) / expiry) % 1)) * expiry if previous else 0.0
        current_ttl = (1 - ((now / expiry) % 1)) * expiry + expiry
        return previous, previous_ttl, current, current_ttl


def _is_write(route: BaseRoute) -> bool:
    return isinstance(route, APIRoute) and bool(WRITE_METHODS & (route.methods or set()))


def _counter(count: int, expires: float) -> Document:
    return {
        "count": count,
        "expires": expires,
        "expire_at": datetime.fromtimestamp(expires, UTC),
    }


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
