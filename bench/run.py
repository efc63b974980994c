"""`make bench`: the platform beside raw baselines on the same broker and engine, in one
run on one machine, so each figure is a ratio that holds on a noisy machine.

Writes bench/results/results.md (the tables), results.json (every figure) and chart.png
(hop latency vs offered load; drain throughput vs consumer processes). `--profile` also
records the services' hot paths with py-spy (bench/results/profile-*.txt).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

import httpx
import psutil
import uvloop

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tools"), str(ROOT / "bench")]

from baselines import raw_broker, raw_engine  # noqa: E402
from bus import platform_bus  # noqa: E402
from http_bench import Rate, growth, minimal_endpoint, post_orders  # noqa: E402
from journeys import closed_loop, end_to_end  # noqa: E402
from load import Load  # noqa: E402
from profiling import Profiles  # noqa: E402
from report import chart, markdown  # noqa: E402
from stage import Stage, Throughput  # noqa: E402

from devkit.broker import DEFAULT_AMQP_URL, IsolatedVhost  # noqa: E402
from devkit.costs import SERVICES, journey_costs  # noqa: E402
from devkit.costs import table as cost_table  # noqa: E402
from devkit.engine import EmbeddedEngine, free_port  # noqa: E402
from devkit.journey import cast  # noqa: E402
from shared.mongo import connect  # noqa: E402

RESULTS = ROOT / "bench" / "results"
R = TypeVar("R", Rate, Throughput)

#: Writes one journey costs the engine (create → confirm → shipment created), counted in
#: the code: orders stores the order with OrderCreated (1) and forgets it once relayed (2),
#: stores the confirmation with OrderConfirmed (3) and forgets it (4); aftersales records
#: the order (5) and its confirmation (6); logistics creates the shipment (7). No inbox
#: entry: a consumer records nothing of its own, each handler's write keeps the id of the
#: event it applied (a redelivery changes nothing). Outbox forgets are batched, so under
#: load they cost less than a round-trip each.
WRITES_PER_JOURNEY = 7


def machine() -> str:
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python "
        f"{platform.python_version()}, {platform.system()} {platform.release()}"
    )


def median_run(runs: list[R]) -> R:
    """The run whose throughput is the median (its latencies and CPU come with it)."""
    return sorted(runs, key=lambda run: run.per_second)[len(runs) // 2]


def rabbitmq() -> dict[str, psutil.Process]:
    for process in psutil.process_iter(["name"]):
        if process.info["name"] == "beam.smp":
            return {"rabbitmq": process}
    return {}


async def main(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    engine = EmbeddedEngine(workdir / "mongo", free_port(), workdir / "nx.log").start()
    vhost = IsolatedVhost(
        os.environ.get("AMQP_URL", DEFAULT_AMQP_URL), f"bench-{uuid.uuid4().hex[:8]}"
    )
    amqp_url = vhost.__enter__()
    # (1)-(2) publish thousands of events of the journey's types: on a vhost of their own,
    # so the platform's queues (settlement's, aftersales') start empty in (0) and (5).
    bus_vhost = IsolatedVhost(
        os.environ.get("AMQP_URL", DEFAULT_AMQP_URL), f"bench-bus-{uuid.uuid4().hex[:8]}"
    )
    bus_url = bus_vhost.__enter__()
    mongo = connect(engine.url, app_name="bench")
    figures: dict[str, Any] = {
        "machine": machine(),
        "count": args.count,
        "concurrency": args.concurrency,
    }
    stage = Stage(engine.url, amqp_url, workdir)
    assert engine._process is not None
    others = {"engine": psutil.Process(engine._process.pid), **rabbitmq()}
    try:
        print(f"1-3: raw broker, the platform's bus, raw engine ({args.rounds} rounds)", flush=True)
        brokers, buses, writes = [], [], []
        for _ in range(args.rounds):  # interleaved, so a slow spell hits each alike
            brokers.append(await raw_broker(bus_url, args.count, others))
            buses.append(await platform_bus(bus_url, mongo["bench"], args.count, others))
            writes.append(await raw_engine(mongo["bench"], args.count, others))
        figures["raw_broker"] = asdict(median_run(brokers))
        figures["bus"] = {
            "relayed": asdict(median_run([bus.relayed for bus in buses])),
            "with_store": asdict(median_run([bus.with_store for bus in buses])),
        }
        figures["raw_engine"] = asdict(median_run(writes))
        figures["rounds"] = {
            "raw_broker": [asdict(run) for run in brokers],
            "bus": [asdict(bus) for bus in buses],
            "raw_engine": [asdict(run) for run in writes],
        }
        figures["writes_per_journey"] = WRITES_PER_JOURNEY
        # Idle connections are dropped before uvicorn closes them (5 s): no reuse race.
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64, keepalive_expiry=2)
        async with httpx.AsyncClient(timeout=60, limits=limits) as client, Load() as load:
            print("starting the services", flush=True)
            await stage.start(client)
            print("0: what one journey costs, counted (devkit.costs)", flush=True)
            urls = {name: stage.url(name) for name in SERVICES}
            costs = await journey_costs(client, *cast(urls, client))
            figures["costs"] = [asdict(cost) for cost in costs]
            figures["cost_table"] = cost_table(costs)
            print(figures["cost_table"], flush=True)
            # The journeys first, on the data they make: the thousands of orders (4) stores
            # would have them measure the embedded engine's date queries, which scan (its
            # periodic deadline queries grow with stored orders: README, "Benchmarks").
            print("5-7: journeys, hop latency, two consumer processes, memory", flush=True)
            figures["end_to_end"] = asdict(
                await end_to_end(stage, load, others, args.journeys, args.seconds)
            )
            print("4: POST /orders beside a minimal endpoint", flush=True)
            await post_orders(stage, load, args.requests // 10, args.concurrency)  # warm-up
            minimal, orders = [], []
            for _ in range(args.rounds):
                minimal.append(
                    await minimal_endpoint(stage, load, args.requests, args.concurrency, others)
                )
                orders.append(
                    await post_orders(stage, load, args.requests, args.concurrency, others)
                )
            figures["minimal"] = asdict(median_run(minimal))
            figures["post_orders"] = asdict(median_run(orders))
            figures["rounds"].update(
                minimal=[asdict(run) for run in minimal],
                post_orders=[asdict(run) for run in orders],
            )
            if args.profile:  # a run of its own: py-spy's sampling perturbs no figure
                print("profiling the services under saturated journeys", flush=True)
                async with Profiles(stage, ("orders", "aftersales"), RESULTS, True):
                    await closed_loop(stage, load, args.journeys)
            print("8: cost growth with stored orders", flush=True)
            levels = await growth(stage, load, args.sizes, args.requests // 2)
            figures["growth"] = [asdict(level) for level in levels]
    finally:
        await stage.stop()
        await mongo.close()
        engine.stop()
        vhost.__exit__()
        bus_vhost.__exit__()
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=5000, help="messages/writes in 1-3")
    parser.add_argument("--requests", type=int, default=2000, help="requests in 4 and 8")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--journeys", type=int, default=1000, help="journeys in 5 and 6")
    parser.add_argument("--seconds", type=float, default=60.0, help="each level of the sweep")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=3, help="of 1-4; medians reported")
    parser.add_argument("--profile", action="store_true", help="py-spy the services in 5")
    arguments = parser.parse_args()
    arguments.sizes = tuple(arguments.sizes)
    results = uvloop.run(main(arguments))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    table = markdown(results)
    (RESULTS / "results.md").write_text(table)
    chart(results, RESULTS / "chart.png")
    print(table)
