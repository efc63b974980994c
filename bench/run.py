"""`make bench`: the platform beside raw baselines on the same broker and engine, so each
figure is a ratio that holds on a noisy machine (issue #9). Writes bench/results/.

Measured so far: (1) raw broker, (2) the platform's bus and its ratio to (1), (3) the raw
engine. The HTTP, end-to-end, scale, memory and growth measurements are still to come.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tools"), str(ROOT / "bench")]

from baselines import raw_broker, raw_engine  # noqa: E402
from bus import platform_bus  # noqa: E402

from devkit.broker import DEFAULT_AMQP_URL, IsolatedVhost  # noqa: E402
from devkit.engine import EmbeddedEngine, free_port  # noqa: E402
from shared.mongo import connect  # noqa: E402

RESULTS = ROOT / "bench" / "results"


async def main(count: int) -> str:
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    engine = EmbeddedEngine(workdir / "mongo", free_port(), workdir / "nx.log").start()
    vhost = IsolatedVhost(os.environ.get("AMQP_URL", DEFAULT_AMQP_URL),
                          f"bench-{uuid.uuid4().hex[:8]}")  # fmt: skip
    amqp_url = vhost.__enter__()
    mongo = connect(engine.url, app_name="bench")
    database = mongo["bench"]
    try:
        broker = await raw_broker(amqp_url, count)
        bus = await platform_bus(amqp_url, database, count)
        writes = await raw_engine(database, count)
    finally:
        await mongo.close()
        engine.stop()
        vhost.__exit__()
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    return "\n".join([
        f"Machine: {machine}; {count} messages / writes per measurement.",
        "",
        "| measurement | figure | ratio | target |",
        "|---|---|---|---|",
        f"| (1) raw broker: publish with confirms + consume with acks | {broker:.0f} msg/s | 1 | |",
        f"| (2) platform bus: outbox + relay + idempotent consumer | {bus:.0f} events/s "
        f"| {bus / broker:.2f} of (1) | ≥ 0.50 |",
        f"| (3) raw engine: single-document inserts | {writes:.0f} writes/s | | |",
    ])  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=3000)
    args = parser.parse_args()
    table = asyncio.run(main(args.count))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "results.md").write_text(table + "\n")
    print(table)
