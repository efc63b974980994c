"""Write limits on the real engine and broker: a client over its limit gets 429 with
`Retry-After` while others are served; every process of a service counts against the same
limit (its database); reads are not counted; and the counters, written only as MongoDB and
the engine both store them, restart when they lapse and go by their TTL index."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime

import httpx
import pytest
from fastapi import APIRouter, status
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from shared.app import ServiceSpec, Wiring, create_app
from shared.auth import CurrentPrincipal
from shared.mongo import Collection, connect, ensure_indexes
from shared.ports import Ports
from shared.problems import PROBLEM_JSON
from shared.ratelimit import COLLECTION, INDEXES, parse_rate
from shared.ratelimit_storage import MongoStorage
from shared.settings import ServiceSettings
from testkit.asgi import serve_in_process
from testkit.round_trips import counted
from testkit.settings import isolated
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

notes = APIRouter(prefix="/notes", tags=["notes"])


@notes.post("", status_code=status.HTTP_201_CREATED)
async def write_note(principal: CurrentPrincipal) -> dict[str, str]:
    return {"by": principal.sub}


@notes.get("")
async def read_notes(principal: CurrentPrincipal) -> dict[str, str]:
    return {"for": principal.sub}


@notes.delete("/{note_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_note(note_id: str, principal: CurrentPrincipal) -> None:
    return None


async def bootstrap(ports: Ports) -> Wiring:
    return Wiring(services=None)


#: A service of the kit alone: one write, one read, one delete (no queue of its own).
SPEC = ServiceSpec(
    name="notes",
    title="notes",
    routers=[notes],
    indexes=[],
    outbox_collections=[],
    bootstrap=bootstrap,
)
#: An hour's window: a test never straddles two (which would weigh its writes anew).
LIMIT = "3/hour"


def settings(mongo_url: str, amqp_url: str, db_prefix: str) -> ServiceSettings:
    # A service of this test's own, with no broker user: it connects as the vhost's
    # administrator (it publishes and consumes nothing).
    return isolated(
        ServiceSettings, mongo_url, amqp_url, db_prefix, rate_limit_writes=LIMIT
    ).model_copy(update={"amqp_url": amqp_url})


@pytest.fixture
async def service(
    mongo_url: str, amqp_url: str, db_prefix: str
) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_in_process(create_app(SPEC, settings(mongo_url, amqp_url, db_prefix))) as app:
        yield app


async def test_a_client_over_its_limit_waits_while_others_are_served(
    service: httpx.AsyncClient, mongo_url: str, db_prefix: str
) -> None:
    busy, other = bearer("merchant", f"m-{uuid.uuid4().hex[:6]}"), bearer("buyer", "b-1")
    for _ in range(3):
        assert (await service.post("/notes", headers=busy)).status_code == 201

    refused = await service.post("/notes", headers=busy)

    assert refused.status_code == 429, refused.text
    assert refused.headers["content-type"] == PROBLEM_JSON
    problem = refused.json()
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 3600
    assert problem["retry_after"] == wait
    assert problem["type"].endswith("/rate-limited")
    assert problem["status"] == 429
    assert f"Retry in {wait} s" in problem["detail"]
    assert "3 per 1 hour" in problem["detail"]
    # Every write method counts against the same limit; reads count against none.
    assert (await service.delete("/notes/n-1", headers=busy)).status_code == 429
    for _ in range(5):
        assert (await service.get("/notes", headers=busy)).status_code == 200
    assert (await service.post("/notes", headers=other)).status_code == 201
    # The counters are the service's own database's.
    mongo = connect(mongo_url, app_name="kit-test")
    assert await mongo[f"{db_prefix}notes"][COLLECTION].count_documents({}) == 2
    await mongo.close()


async def test_a_write_without_a_valid_token_is_refused_before_it_is_counted(
    service: httpx.AsyncClient, mongo_url: str, db_prefix: str
) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        for _ in range(5):
            refused = await service.post("/notes", headers=headers)
            assert refused.status_code == 401, refused.text
    mongo = connect(mongo_url, app_name="kit-test")
    assert await mongo[f"{db_prefix}notes"][COLLECTION].count_documents({}) == 0
    await mongo.close()


async def test_every_process_of_a_service_counts_against_one_limit(
    mongo_url: str, amqp_url: str, db_prefix: str
) -> None:
    """Two processes of one service share its database, so the limit holds across them."""
    same = settings(mongo_url, amqp_url, db_prefix)
    client = bearer("merchant", f"m-{uuid.uuid4().hex[:6]}")
    async with (
        serve_in_process(create_app(SPEC, same)) as first,
        serve_in_process(create_app(SPEC, same)) as second,
    ):
        assert (await first.post("/notes", headers=client)).status_code == 201
        assert (await second.post("/notes", headers=client)).status_code == 201
        assert (await first.post("/notes", headers=client)).status_code == 201

        assert (await second.post("/notes", headers=client)).status_code == 429
        assert (await first.post("/notes", headers=client)).status_code == 429


# --- The storage, on a clock of the test's ------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def counters(mongo_url: str, db_prefix: str) -> AsyncIterator[Collection]:
    mongo = connect(mongo_url, app_name="kit-test")
    database = mongo[f"{db_prefix}kit"]
    await ensure_indexes(database, INDEXES)
    yield database[COLLECTION]
    await mongo.close()


async def test_a_limited_client_is_served_again_as_its_window_passes(
    counters: Collection,
) -> None:
    clock = Clock()
    limiter = SlidingWindowCounterRateLimiter(MongoStorage(lambda: counters, now=clock))
    rate = parse_rate("3/minute")
    assert clock.now % 60 == 0  # a window's start

    assert [await limiter.hit(rate, "writes", "m-1") for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]
    clock.now += 60  # the next window: the previous one still weighs all of its three
    assert not await limiter.hit(rate, "writes", "m-1")
    clock.now += 20  # a third of it has passed: two of its writes still weigh
    assert await limiter.hit(rate, "writes", "m-1")
    assert not await limiter.hit(rate, "writes", "m-1")
    clock.now += 60  # that one write, of the window before, weighs two thirds: not one
    assert [await limiter.hit(rate, "writes", "m-1") for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]
    await limiter.clear(rate, "writes", "m-1")  # limits' way to forgive a client
    assert await limiter.hit(rate, "writes", "m-1")


async def test_a_counter_restarts_when_it_lapses_and_carries_the_date_its_ttl_reads(
    counters: Collection,
) -> None:
    clock = Clock()
    storage = MongoStorage(lambda: counters, now=clock)

    assert [await storage.incr("k", 10) for _ in range(3)] == [1, 2, 3]
    assert await storage.get("k") == 3
    assert await storage.get_expiry("k") == clock.now + 10
    clock.now += 10  # lapsed: not counted, and the next hit starts it again
    assert await storage.get("k") == 0
    assert await storage.incr("k", 10) == 1
    assert await storage.get_expiry("k") == clock.now + 10

    stored = await counters.find_one({"_id": "k"})
    assert stored is not None
    assert isinstance(stored["expire_at"], datetime)  # a date, which a TTL index reads
    assert stored["expire_at"].timestamp() == pytest.approx(clock.now + 10, abs=0.001)
    ttl = [
        index
        for index in (await counters.index_information()).values()
        if index["key"] == [("expire_at", 1)]
    ]
    assert [index["expireAfterSeconds"] for index in ttl] == [0]
    assert await storage.check()
    await storage.clear("k")
    assert await counters.find_one({"_id": "k"}) is None


async def test_concurrent_hits_from_two_processes_are_each_counted_once(
    counters: Collection, mongo_url: str
) -> None:
    """The first hits race to create the counter: one inserts it, the others count on it."""
    other = connect(mongo_url, app_name="kit-test-2")
    there = other[counters.database.name][COLLECTION]
    here_storage = MongoStorage(lambda: counters)
    there_storage = MongoStorage(lambda: there)

    counts = await asyncio.gather(
        *((here_storage if index % 2 else there_storage).incr("raced", 60) for index in range(20))
    )

    assert sorted(counts) == list(range(1, 21))
    assert await here_storage.get("raced") == 20
    await other.close()


async def test_hits_racing_from_two_processes_are_each_counted_once_within_the_limit(
    counters: Collection, mongo_url: str
) -> None:
    """Both processes start the client's window at once, then keep counting on it: exactly
    the limit's number of hits pass, and the refused ones take their count back."""
    other = connect(mongo_url, app_name="kit-test-2")
    there = other[counters.database.name][COLLECTION]
    limiters = [
        SlidingWindowCounterRateLimiter(MongoStorage(lambda: counters)),
        SlidingWindowCounterRateLimiter(MongoStorage(lambda: there)),
    ]
    rate = parse_rate("10/hour")

    passed = await asyncio.gather(
        *(limiters[index % 2].hit(rate, "writes", "raced") for index in range(30))
    )

    assert passed.count(True) == 10
    stored = await counters.find_one({"_id": rate.key_for("writes", "raced")})
    assert stored is not None
    assert stored["current"] == 10
    await other.close()


async def test_a_write_costs_one_command_and_three_once_its_window_turns(
    mongo_url: str, db_prefix: str
) -> None:
    async with counted(mongo_url, f"{db_prefix}kit") as (database, sent):
        clock = Clock()
        storage = MongoStorage(lambda: database[COLLECTION], now=clock)
        limiter = SlidingWindowCounterRateLimiter(storage)
        rate = parse_rate("100/minute")

        async def hit() -> list[str]:
            assert await limiter.hit(rate, "writes", "m-2")
            return [command for command, _ in sent.take()]

        assert await hit() == ["findAndModify", "find", "insert"]  # a new client
        assert await hit() == ["findAndModify"]
        clock.now += 60
        assert await hit() == ["findAndModify", "find", "update"]  # its window turned
        assert await hit() == ["findAndModify"]
