"""HTTP and cost growth: `POST /orders` beside a minimal endpoint doing
one insert on the same engine; then the orders service's answers as stored orders grow."""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from load import Load
from stage import Sampler, Stage, cpu_ms_per, headers, me, percentile

from devkit.engine import free_port
from devkit.journey import ADDRESS
from devkit.platform import http_ok
from devkit.wait import wait_until
from shared.mongo import Document

HERE = Path(__file__).resolve().parent


@dataclass
class Rate:
    per_second: float
    p50_ms: float
    p99_ms: float
    cpu_ms: dict[str, float] = field(default_factory=dict)
    """CPU milliseconds per request by process (where sampled)."""


async def hammer(call: Callable[[int], Awaitable[None]], count: int, concurrency: int) -> Rate:
    """`count` calls, `concurrency` at a time: calls/s and latency percentiles."""
    latencies: list[float] = []
    queue = iter(range(count))

    async def worker() -> None:
        for index in queue:
            started = time.perf_counter()
            await call(index)
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return Rate(count / elapsed, percentile(latencies, 0.5), percentile(latencies, 0.99))


def order_body(stage: Stage) -> dict[str, object]:
    return {"items": [{"product_id": stage.product_id, "quantity": 1}], "shipping_address": ADDRESS}


async def post_orders(
    stage: Stage,
    load: Load,
    count: int,
    concurrency: int,
    others: dict[str, psutil.Process] | None = None,
) -> Rate:
    """`POST /orders` by buyers (tokens minted beforehand: the client's work is not timed);
    with `others`, the CPU per request of every process (services, those, this one)."""
    tokens = [headers("buyer", f"bench-h-{uuid.uuid4().hex[:8]}") for _ in range(64)]
    url, body = f"{stage.url('orders')}/orders", order_body(stage)

    async def call(index: int) -> None:
        (await load.post(url, headers=tokens[index % len(tokens)], json=body)).expect(
            201, "POST /orders"
        )

    if others is None:
        return await hammer(call, count, concurrency)
    return await sampled({**stage.processes(), **others, **me()}, call, count, concurrency)


async def sampled(
    processes: dict[str, psutil.Process],
    call: Callable[[int], Awaitable[None]],
    count: int,
    concurrency: int,
) -> Rate:
    async with Sampler(processes) as sampler:
        rate = await hammer(call, count, concurrency)
    rate.cpu_ms = cpu_ms_per(sampler.cpu_seconds, count)
    return rate


async def minimal_endpoint(
    stage: Stage, load: Load, count: int, concurrency: int, others: dict[str, psutil.Process]
) -> Rate:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(HERE / "minimal_app.py"),
        "--port",
        str(port),
        env={**os.environ, "MONGO_URL": stage.mongo_url},
    )
    try:
        wait_until(
            lambda: http_ok(f"http://127.0.0.1:{port}/health/ready"),
            timeout=30,
            what="the minimal endpoint",
        )
        url, body = f"http://127.0.0.1:{port}/orders", order_body(stage)

        async def call(index: int) -> None:
            (await load.post(url, json=body)).expect(201, "the minimal endpoint")

        await hammer(call, count // 10, concurrency)  # warm-up
        minimal = {"minimal endpoint": psutil.Process(process.pid)}
        return await sampled({**minimal, **others, **me()}, call, count, concurrency)
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=10)


@dataclass
class Growth:
    stored: int
    place: Rate
    buyer_list: Rate
    merchant_desk: Rate
    merchant_stats: Rate


async def fill_orders(stage: Stage, target: int) -> None:
    """Stored orders up to `target`: copies of a real order, spread over 1,000 buyers and
    10 merchants (the bench's merchant keeps a tenth of them), inserted directly."""
    orders = stage.db("orders")["orders"]
    current = await orders.count_documents({})
    template: Document | None = await orders.find_one({"merchant_id": {"$eq": stage.merchant}})
    assert template is not None, "no order to copy: place one first"
    template.update(outbox=[], outbox_pending=False)
    batch: list[Document] = []
    for index in range(current, target):
        order_id = f"bench-{uuid.uuid4().hex}"
        merchant = stage.merchant if index % 10 == 0 else f"bench-m-{index % 10}"
        batch.append(
            {
                **template,
                "_id": order_id,
                "order_id": order_id,
                "buyer_id": f"bench-g-{index % 1000}",
                "merchant_id": merchant,
                "created_key": f"{template['created_key']}{index:07d}",
            }
        )
        if len(batch) == 1000:
            await orders.insert_many(batch, ordered=False)
            batch = []
    if batch:
        await orders.insert_many(batch, ordered=False)


async def growth(stage: Stage, load: Load, sizes: tuple[int, ...], count: int) -> list[Growth]:
    results = []
    base = stage.url("orders")
    buyer = headers("buyer", "bench-g-7")
    merchant = headers("merchant", stage.merchant)

    def getter(url: str, auth: dict[str, str]) -> Callable[[int], Awaitable[None]]:
        async def call(index: int) -> None:
            (await load.get(url, headers=auth)).expect(200, f"GET {url}")

        return call

    for size in sizes:
        await fill_orders(stage, size)
        results.append(
            Growth(
                stored=size,
                place=await post_orders(stage, load, count, 16),
                buyer_list=await hammer(getter(f"{base}/orders?limit=20", buyer), count, 16),
                merchant_desk=await hammer(
                    getter(f"{base}/orders?status=awaiting_confirmation&limit=20", merchant),
                    count,
                    16,
                ),
                merchant_stats=await hammer(
                    getter(f"{base}/merchants/{stage.merchant}/stats", merchant), count // 5, 16
                ),
            )
        )
    return results
