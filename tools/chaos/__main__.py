"""`make chaos`: journeys under load while faults strike, one at a time then combined;
then a checker compares every acknowledged step with the final state.

    python tools/chaos --seconds 20 --rate 2        # the full run (make chaos)
    python tools/chaos --short                      # the CI form (make test runs it)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from chaos import faults
from chaos.check import Ends, Verdict, check
from chaos.load import ENDS_KINDS, KINDS, Load
from chaos.proxy import TcpProxy
from chaos.tap import Tap
from devkit.broker import DEFAULT_AMQP_URL, IsolatedVhost, for_services
from devkit.engine import EmbeddedEngine, free_port, free_ports_of
from devkit.journey import cast, list_product, open_full_managed_store
from devkit.platform import DEFAULT_PORTS, UNLIMITED_WRITES, Platform, http_ok
from devkit.wait import eventually
from shared.messaging.topology import QUEUES
from shared.mongo import connect

CONFIRM_WINDOW_SECONDS = 10
#: The row in which every order must end (R-ORD-5): some ordered where no route goes,
#: some never handed over, the rest shipped at once. Last: it moves logistics' clock.
ENDS_ROW = "no route, never shipped"
HEADER = "| fault | journeys attempted | acknowledged | lost | duplicated | stuck | recovery (s) |"


async def recovered(platform: Platform, since: float) -> float:
    """Seconds from the fault until every service is ready again."""

    async def all_ready() -> bool:
        services = platform.services.values()
        return all(
            await asyncio.to_thread(lambda: [http_ok(f"{s.url}/health/ready") for s in services])
        )

    await eventually(all_ready, timeout=180, what="every service ready again", interval=0.2)
    return time.monotonic() - since


async def dead_letter_depths(
    operator: object, urls: dict[str, str], client: httpx.AsyncClient
) -> dict[str, int]:
    headers = operator.headers  # type: ignore[attr-defined]
    return {
        service: (await client.get(f"{urls[service]}/admin/dead-letters", headers=headers)).json()[
            "depth"
        ]
        for service in QUEUES
        if service in urls  # the payment rail's queue has no consumer here
    }


async def main(seconds: float, rate: float, only: list[str] | None) -> int:
    clock_offset = float(os.environ.get("CLOCK_OFFSET_SECONDS") or 0)
    workdir = Path(tempfile.mkdtemp(prefix="chaos-"))
    engine = EmbeddedEngine(workdir / "mongo", free_port(), workdir / "nx.log").start()
    base = os.environ.get("AMQP_URL", DEFAULT_AMQP_URL)
    vhost = IsolatedVhost(base, f"chaos-{uuid.uuid4().hex[:8]}")
    amqp_url = vhost.__enter__()
    proxy = TcpProxy("127.0.0.1", int(base.rsplit(":", 1)[1].split("/")[0]))
    await proxy.start()
    proxied = amqp_url.replace(f":{proxy.target_port}/", f":{proxy.port}/")
    env = {
        "MONGO_URL": engine.url,
        "AMQP_URL": for_services(proxied),
        "OUTBOX_POLL_SECONDS": "0.2",
        "DEADLINE_POLL_SECONDS": "0.25",
        "CONSUMER_WATCH_SECONDS": "1",
        "POLICY_ORDER_CONFIRM_WINDOW_SECONDS": str(CONFIRM_WINDOW_SECONDS),
        **UNLIMITED_WRITES,
    }
    platform = Platform(env, free_ports_of(DEFAULT_PORTS), workdir)
    rig = faults.Rig(platform, engine, proxy, amqp_url)
    plan = {
        "none": None,
        "SIGKILL each service": faults.kill_each_service(rig),
        "broker connections cut": faults.cut_broker_connections(rig),
        "RabbitMQ app stopped": faults.stop_broker_app(rig),
        "MongoDB engine killed": faults.kill_engine(rig),
        "every event twice, out of order": None,
        "poison on every queue": faults.poison_every_queue(rig),
        "combined": faults.combined(rig),
        ENDS_ROW: None,
    }
    to_run = [name for name in plan if not only or name in only]
    rows: list[tuple[str, Verdict, float]] = []
    try:
        await asyncio.to_thread(platform.start)
        tap = Tap()
        await tap.start(amqp_url)
        async with httpx.AsyncClient(timeout=10) as client:
            urls = {name: platform.url(name) for name in DEFAULT_PORTS}
            operator, merchant, _ = cast(urls, client)
            store = await open_full_managed_store(operator, merchant)
            product_id = await list_product(operator, merchant, store["store_id"])
            load = Load(operator, merchant, product_id, step_seconds=45)
            for name in to_run:
                fault = plan[name]
                ends: Ends | None = None
                kinds: tuple[str, ...] = KINDS
                restore = None
                if name == ENDS_ROW:
                    ends, restore = await faults.every_order_ends(rig, clock_offset)
                    kinds = ENDS_KINDS
                first_event = len(tap.bodies)
                running = asyncio.create_task(load.run(rate, seconds, kinds))
                await asyncio.sleep(seconds / 3)
                struck = time.monotonic()
                if fault is not None:
                    await fault()
                recovery = await recovered(platform, struck) if fault else 0.0
                journeys = await running
                if name.startswith("every event twice"):
                    await faults.redeliver_twice_out_of_order(amqp_url, tap.bodies[first_event:])
                verdict = await check(
                    journeys,
                    operator,
                    tap.events,
                    settle_seconds=CONFIRM_WINDOW_SECONDS + 60,
                    ends=ends,
                )
                rows.append((name, verdict, recovery))
                if restore is not None and name != to_run[-1]:
                    await restore()
                if os.environ.get("CHAOS_DEBUG"):
                    mongo = connect(engine.url, app_name="chaos")
                    for line in verdict.lost:
                        doc = await mongo["orders"]["orders"].find_one({"_id": line.split(":")[0]})
                        print(
                            "DEBUG",
                            line,
                            doc
                            and (
                                doc.get("outbox_pending"),
                                [e["event_type"] for e in doc.get("outbox", [])],
                                doc["version"],
                            ),
                        )
                    await mongo.close()
                print(_row(name, verdict, recovery), flush=True)
                if verdict.ends:
                    print(f"  ends: {_tally(verdict.ends)}", flush=True)
            depths = await dead_letter_depths(operator, urls, client)
        await tap.stop()
    finally:
        await asyncio.to_thread(platform.stop)
        await proxy.stop()
        engine.stop()
        vhost.__exit__()
    print("\n" + HEADER + "\n|---|---|---|---|---|---|---|")
    for name, verdict, recovery in rows:
        print(_row(name, verdict, recovery))
    for name, verdict, _ in rows:
        if verdict.ends:
            print(f"\n{name}, how its orders stand: {_tally(verdict.ends)}")
    parked_ok = all(depth == rig.poison_sent for depth in depths.values())
    print(f"\ndead-letter queues: {depths} (poison messages sent: {rig.poison_sent})")
    failures = [
        f"{name}: {detail}"
        for name, verdict, _ in rows
        for detail in verdict.lost + verdict.duplicated
    ]
    for line in failures:
        print("FAIL", line)
    return 0 if not failures and parked_ok else 1


def _tally(counts: Counter[str]) -> str:
    return "; ".join(f"{count} {how}" for how, count in sorted(counts.items()))


def _row(name: str, verdict: Verdict, recovery: float) -> str:
    return (
        f"| {name} | {verdict.attempted} | {verdict.acknowledged} | {len(verdict.lost)} | "
        f"{len(verdict.duplicated)} | {len(verdict.stuck)} | {recovery:.1f} |"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0, help="load per fault")
    parser.add_argument("--rate", type=float, default=2.0, help="journeys started a second")
    parser.add_argument("--short", action="store_true", help="the CI form: shorter, slower")
    parser.add_argument("--only", nargs="*", help="run only these faults (by name)")
    args = parser.parse_args()
    seconds, rate = (6.0, 1.0) if args.short else (args.seconds, args.rate)
    sys.exit(asyncio.run(main(seconds, rate, args.only)))
