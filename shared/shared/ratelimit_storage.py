"""The write limit's counters: limits' async storage interface over one collection of
PyMongo's async API.

Limits' own MongoDB storage needs Motor and writes with update pipelines and `$push`, which
the embedded engine lacks; this one uses single-document writes every MongoDB and the
engine run alike. Its expiries are compared as numbers (epoch seconds) and also kept as a
date for the TTL index (the engine compares dates to the second only and stores a date
written with `$set` as a string: README, "The embedded engine").

**The sliding window counter in one document per client.** Limits' algorithm weighs the
previous window's count by how much of it still overlaps and adds the current one's. Its
stock storages keep each window in a counter of its own: two reads and a write for every
hit. Here one document holds the client's window number, its count and the previous
window's count, so a hit is one `$inc` guarded by the window number, which returns both
counts at once. When the client's window has turned, that write misses; the document is
read and replaced (guarded by the window it held), carrying its count as the previous one.
That is three commands once a window; a new client's first hit costs an insert instead of
the replacement. A hit is counted first and checked after, so a refused hit takes its
count back; concurrent hits from any number of processes are each counted once.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, datetime

from limits.aio.storage import SlidingWindowCounterSupport, Storage
from pymongo import ReturnDocument

from shared.mongo import Collection, Document, DuplicateKeyError, PyMongoError

#: Attempts at counting a hit while other processes start or turn the same window.
ATTEMPTS = 3


class MongoStorage(Storage, SlidingWindowCounterSupport):
    """Counters for limits' fixed window and sliding window counter strategies (not the
    moving window, whose timestamp lists need `$push`). `counters` is called at each use:
    the collection exists only once the service's runtime is open."""

    STORAGE_SCHEME = None

    def __init__(
        self, counters: Callable[[], Collection], now: Callable[[], float] = time.time
    ) -> None:
        super().__init__()
        self._counters, self._now = counters, now

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return PyMongoError

    # --- the sliding window counter (the write limit) -------------------------------

    async def acquire_sliding_window_entry(
        self, key: str, limit: int, expiry: int, amount: int = 1
    ) -> bool:
        if amount > limit:
            return False
        now = self._now()
        window = await self._count(key, math.floor(now / expiry), expiry, amount)
        if math.floor(_weighted(window, now, expiry)) > limit:
            await self._counters().update_one(
                {"_id": key, "window": window["window"]}, {"$inc": {"current": -amount}}
            )
            return False
        return True

    async def get_sliding_window(self, key: str, expiry: int) -> tuple[int, float, int, float]:
        now = self._now()
        found = await self._counters().find_one({"_id": key})
        previous, current = _counts(found, math.floor(now / expiry))
        previous_ttl = (1 - (((now - expiry) / expiry) % 1)) * expiry if previous else 0.0
        current_ttl = (1 - ((now / expiry) % 1)) * expiry + expiry
        return previous, previous_ttl, current, current_ttl

    async def clear_sliding_window(self, key: str, expiry: int) -> None:
        await self._counters().delete_one({"_id": key})

    async def _count(self, key: str, window: int, expiry: int, amount: int) -> Document:
        """Add `amount` to `key`'s count in `window`: the document after it."""
        counters = self._counters()
        for _ in range(ATTEMPTS):
            counted = await counters.find_one_and_update(
                {"_id": key, "window": window},
                {"$inc": {"current": amount}},
                return_document=ReturnDocument.AFTER,
            )
            if counted is not None:
                return counted
            held = await counters.find_one({"_id": key})
            if held is not None and held["window"] >= window:
                window = held["window"]  # turned by another process (or a clock ahead)
                continue
            previous, _ = _counts(held, window)
            turned = {"window": window, "current": amount, "previous": previous}
            turned.update(_expiring((window + 2) * expiry))  # useless after the next window
            if held is not None:
                guard = {"_id": key, "window": held["window"]}
                if (await counters.replace_one(guard, turned)).matched_count:
                    return turned
                continue
            try:
                await counters.insert_one({"_id": key, **turned})
            except DuplicateKeyError:
                continue  # another process started it just now: count on theirs
            return turned
        raise PyMongoError(f"the counter {key!r} could not be counted in {ATTEMPTS} attempts")

    # --- the fixed window (limits' interface; not used by the write limit) ------------

    async def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` to `key`'s counter; a counter that is absent or has lapsed starts
        again at `amount`, lapsing `expiry` seconds from now."""
        counters, now = self._counters(), self._now()
        for _ in range(ATTEMPTS):  # a lost race to start it is followed by counting on theirs
            counted = await counters.find_one_and_update(
                {"_id": key, "expires": {"$gt": now}},
                {"$inc": {"count": amount}},
                projection={"count": True},
                return_document=ReturnDocument.AFTER,
            )
            if counted is not None:
                return int(counted["count"])
            fresh = {"count": amount, **_expiring(now + expiry)}
            restarted = await counters.replace_one({"_id": key, "expires": {"$lte": now}}, fresh)
            if restarted.matched_count:
                return amount
            try:
                await counters.insert_one({"_id": key, **fresh})
            except DuplicateKeyError:
                continue
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

    # --- the rest of limits' interface ----------------------------------------------

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


def _counts(held: Document | None, window: int) -> tuple[int, int]:
    """(previous window's count, current window's count) as of `window`, from the client's
    document as stored (absent, or of an older window)."""
    if held is None or held["window"] < window - 1:
        return 0, 0
    if held["window"] == window - 1:
        return int(held["current"]), 0
    return int(held["previous"]), int(held["current"])


def _weighted(held: Document, now: float, expiry: int) -> float:
    """Limits' weighted count: the previous window by the share of it that still overlaps
    the last `expiry` seconds, plus the current window."""
    previous, current = _counts(held, math.floor(now / expiry))
    overlap = (1 - (((now - expiry) / expiry) % 1)) if previous else 0.0
    return previous * overlap + current


def _expiring(expires: float) -> Document:
    return {"expires": expires, "expire_at": datetime.fromtimestamp(expires, UTC)}
