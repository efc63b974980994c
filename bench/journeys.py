"""End to end: whole order journeys through the service processes.

- saturation: as many journeys as the platform completes, closed loop;
- the sustainable rate, open loop: the highest rate of evenly spaced journeys whose event
  hops (publish → handled in the next service) keep their p99 under `HOP_P99_BOUND_MS`
  for a whole level, found by a sweep from 30 % of saturation; p50 and p99 estimated from
  the consumers' `event_hop_seconds` buckets (`devkit.metrics_text.histogram_quantile`);
- scale: a backlog of events drained by one, then two processes of the busiest consumer;
- memory: each service's resident memory idle and at its peak under load.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field

import psutil
from load import Load
from stage import Sampler, Stage, me, rss_mb, wait_for

from devkit.metrics_text import histogram_quantile, since

#: Every consumer a journey's events reach, with how many each handles: aftersales and
#: settlement (OrderCreated, OrderConfirmed), logistics (OrderConfirmed), orders
#: (ShipmentCreated). A measurement waits for all of them, so no backlog of one level (or
#: of the saturated run before the sweep) is still being handled in the next one, and its
#: hops are every hop of the journey.
EVENTS_PER_JOURNEY = {"aftersales": 2, "settlement": 2, "logistics": 1, "orders": 1}
CONSUMERS = tuple(EVENTS_PER_JOURNEY)

#: The sweep: a rate is sustained when its hops' p99 stays under this bound and the
#: journeys keep up with the offer (`KEPT_UP` of it); at most `SWEEP_LEVELS` levels, and it
#: stops once the highest sustained and the lowest not are within `SWEEP_PRECISION`.
HOP_P99_BOUND_MS = 50.0
KEPT_UP = 0.95
SWEEP_LEVELS = 6
SWEEP_PRECISION = 0.1


@dataclass
class Level:
    share: float
    offered: float
    achieved: float
    hop_p50_ms: float
    hop_p99_ms: float
    hop_max_ms: float
    """The upper bound of the highest bucket a hop fell in: the largest is at most that."""
    journeys: int


@dataclass
class EndToEnd:
    saturation: float = 0.0
    #: Every level the sweep offered, in the order offered.
    levels: list[Level] = field(default_factory=list)
    #: The highest level sustained (None: not even the first).
    sustainable: Level | None = None
    one_process: float = 0.0
    two_processes: float = 0.0
    cpu_saturated: dict[str, float] = field(default_factory=dict)
    cpu_one: dict[str, float] = field(default_factory=dict)
    cpu_two: dict[str, float] = field(default_factory=dict)
    rss_idle: dict[str, float] = field(default_factory=dict)
    rss_peak: dict[str, float] = field(default_factory=dict)


async def _all_handled(stage: Stage, journeys: int, base: dict[str, int]) -> bool:
    for service in CONSUMERS:
        if await stage.handled(service) < base[service] + journeys * EVENTS_PER_JOURNEY[service]:
            return False
    return True


async def _counts(stage: Stage) -> dict[str, int]:
    return {service: await stage.handled(service) for service in CONSUMERS}


async def _journeys(stage: Stage, load: Load, journeys: int, workers: int = 48) -> None:
    """`journeys` journeys, `workers` at a time (closed loop)."""
    queue = iter(range(journeys))

    async def worker() -> None:
        for _ in queue:
            await stage.journey(load, f"bench-b-{uuid.uuid4().hex[:8]}")

    await asyncio.gather(*(worker() for _ in range(workers)))


async def closed_loop(stage: Stage, load: Load, journeys: int) -> float:
    """Journeys/s from the first request until every journey's events are handled."""
    base = await _counts(stage)
    started = time.perf_counter()
    await _journeys(stage, load, journeys)
    await wait_for(lambda: _all_handled(stage, journeys, base), timeout=600, what="the backlog")
    return journeys / (time.perf_counter() - started)


async def open_loop(stage: Stage, load: Load, rate: float, seconds: float, share: float) -> Level:
    """`rate` journeys a second for `seconds`, started on schedule whatever the answers."""
    base = await _counts(stage)
    hops_before = await stage.hop_buckets(CONSUMERS)
    tasks = []
    started = time.perf_counter()
    count = int(rate * seconds)
    for index in range(count):
        await asyncio.sleep(max(started + index / rate - time.perf_counter(), 0))
        tasks.append(asyncio.create_task(stage.journey(load, f"bench-b-{uuid.uuid4().hex[:8]}")))
    await asyncio.gather(*tasks)
    await wait_for(lambda: _all_handled(stage, count, base), timeout=600, what="the backlog")
    elapsed = time.perf_counter() - started
    hops = since(await stage.hop_buckets(CONSUMERS), hops_before)

    def ms(quantile: float) -> float:
        return 1000 * (histogram_quantile(quantile, hops) or 0.0)

    return Level(share, rate, count / elapsed, ms(0.5), ms(0.99), ms(1.0), count)


def sustained(level: Level) -> bool:
    return level.hop_p99_ms < HOP_P99_BOUND_MS and level.achieved >= KEPT_UP * level.offered


async def sweep(
    stage: Stage, load: Load, saturation: float, seconds: float
) -> tuple[list[Level], Level | None]:
    """The highest rate of evenly spaced journeys sustained for `seconds` (`sustained`):
    from 30 % of the closed-loop saturation, up by 30 % while sustained, then halving the
    gap between the highest rate sustained and the lowest not."""
    levels: list[Level] = []
    best: Level | None = None
    failed: float | None = None
    rate = 0.3 * saturation
    for _ in range(SWEEP_LEVELS):
        level = await open_loop(stage, load, rate, seconds, rate / saturation)
        levels.append(level)
        low = best.offered if best else 0.0
        if sustained(level):
            best = level
            rate = rate * 1.3 if failed is None else (rate + failed) / 2
        else:
            failed = rate
            rate = (low + rate) / 2
        if best and failed and (failed - best.offered) / best.offered < SWEEP_PRECISION:
            break
    return levels, best


async def drain(
    stage: Stage, load: Load, journeys: int, processes: int, others: dict[str, psutil.Process]
) -> tuple[float, dict[str, float]]:
    """A backlog of aftersales events (its process stopped while journeys ran), then drained
    by `processes` aftersales processes: events/s from the first handled to the last."""
    assert stage.platform is not None
    aftersales = stage.platform.services["aftersales"]
    aftersales.stop()
    base = await _counts(stage)  # 0 for aftersales: counted by its processes up, none now
    await closed_loop_without(stage, load, journeys)
    target = base["aftersales"] + journeys * EVENTS_PER_JOURNEY["aftersales"]
    aftersales.start()
    for _ in range(processes - 1):
        stage.add_process("aftersales")
    await wait_for(lambda: _above(stage, base["aftersales"]), timeout=120, what="a first event")
    first = await stage.handled("aftersales")
    started = time.perf_counter()
    async with Sampler({**stage.processes(), **others}) as sampler:
        await wait_for(lambda: _at_least(stage, target), timeout=600, what="the drain")
    elapsed = time.perf_counter() - started
    aftersales.wait_ready()
    stage.stop_extra()
    cpu = {name: seconds / elapsed for name, seconds in sampler.cpu_seconds.items()}
    return (target - first) / elapsed, cpu


async def _above(stage: Stage, count: int) -> bool:
    return await stage.handled("aftersales") > count


async def _at_least(stage: Stage, count: int) -> bool:
    return await stage.handled("aftersales") >= count


async def closed_loop_without(stage: Stage, load: Load, journeys: int) -> None:
    """Journeys while aftersales is down: wait only for the shipments (logistics)."""
    base = await stage.shipments()
    await _journeys(stage, load, journeys)

    async def shipped() -> bool:
        return await stage.shipments() >= base + journeys

    await wait_for(shipped, timeout=600, what="the shipments")


async def end_to_end(
    stage: Stage, load: Load, others: dict[str, psutil.Process], journeys: int, seconds: float
) -> EndToEnd:
    result = EndToEnd()
    await closed_loop(stage, load, max(journeys // 10, 20))  # warm-up
    result.rss_idle = rss_mb(stage.processes())
    async with Sampler(stage.processes()) as sampler:
        started = time.perf_counter()
        async with Sampler({**stage.processes(), **others, **me()}) as saturated:
            result.saturation = await closed_loop(stage, load, journeys)
        elapsed = time.perf_counter() - started
        result.cpu_saturated = {
            name: seconds / elapsed for name, seconds in saturated.cpu_seconds.items()
        }
        result.levels, result.sustainable = await sweep(stage, load, result.saturation, seconds)
    result.rss_peak = sampler.peak_rss
    result.one_process, result.cpu_one = await drain(stage, load, journeys, 1, others)
    result.two_processes, result.cpu_two = await drain(stage, load, journeys, 2, others)
    return result
