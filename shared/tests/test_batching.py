"""Group commit (shared.batching): concurrent callers share round-trips, each gets its own
outcome, and a failed round-trip fails only its own callers."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from shared.batching import GroupCommit


async def test_callers_arriving_during_a_round_trip_share_the_next_one() -> None:
    batches: list[list[int]] = []

    async def flush(items: Sequence[int]) -> list[int]:
        batches.append(list(items))
        await asyncio.sleep(0)  # in flight: the others arrive meanwhile
        return [item * 10 for item in items]

    group: GroupCommit[int, int] = GroupCommit(flush)
    results = await asyncio.gather(*(group.submit(item) for item in range(50)))
    assert results == [item * 10 for item in range(50)]
    assert batches[0] == list(range(50))
    assert len(batches) == 1


async def test_a_lone_caller_is_sent_at_once_and_batches_are_bounded() -> None:
    batches: list[int] = []

    async def flush(items: Sequence[str]) -> list[str]:
        batches.append(len(items))
        return [item.upper() for item in items]

    group: GroupCommit[str, str] = GroupCommit(flush, max_batch=4)
    assert await group.submit("a") == "A"
    assert await asyncio.gather(*(group.submit(c) for c in "bcdefghij")) == list("BCDEFGHIJ")
    assert batches == [1, 4, 4, 1]


async def test_a_failed_round_trip_fails_its_callers_only() -> None:
    calls = 0

    async def flush(items: Sequence[int]) -> list[int]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database away")
        return list(items)

    group: GroupCommit[int, int] = GroupCommit(flush, max_batch=2)
    outcomes = await asyncio.gather(*(group.submit(i) for i in range(4)), return_exceptions=True)
    assert [type(outcome) for outcome in outcomes[:2]] == [ConnectionError, ConnectionError]
    assert outcomes[2:] == [2, 3]


async def test_stopping_the_drainer_cancels_the_waiting_callers() -> None:
    started = asyncio.Event()

    async def flush(items: Sequence[int]) -> list[int]:
        started.set()
        await asyncio.Event().wait()  # never answers
        return list(items)

    group: GroupCommit[int, int] = GroupCommit(flush)
    callers = [asyncio.create_task(group.submit(i)) for i in range(3)]
    await started.wait()
    assert group._drainer is not None
    group._drainer.cancel()
    for caller in callers:
        with pytest.raises(asyncio.CancelledError):
            await caller
