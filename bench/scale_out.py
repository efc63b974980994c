"""`make bench-scale`: the busiest consumer scaled out across containers, with what each
container spent.

The compose stack (docker-compose.yml, with the local stand-ins' override where no registry
answers) runs as a project of its own on free ports. Aftersales (two events a journey) is
paused (its containers frozen, their connections kept) while journeys are placed and
confirmed, so its queue holds a backlog; then one, and again two, aftersales containers,
let go at once, drain it. The drain rate is read from the broker
(the queue's depth, management API) and each container's CPU from `docker stats`, sampled
through the drain. Output: bench/results/scale-out.md and scale-out.json.

Needs the images `make test-docker` builds (tools/docker/build.sh); nothing is pulled.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tools"), str(ROOT / "tests")]

from devkit.engine import free_ports_of  # noqa: E402
from devkit.journey import cast, list_product, open_full_managed_store, place_order  # noqa: E402
from devkit.platform import DEFAULT_PORTS, UNLIMITED_WRITES, http_ok  # noqa: E402
from devkit.wait import eventually, wait_until  # noqa: E402
from testkit.platforms import (  # noqa: E402
    Compose,
    compose_command,
    compose_files,
    compose_settings,
    docker_cli,
)

RESULTS = ROOT / "bench" / "results"
QUEUE = "aftersales.events"
#: Events of a journey (created, confirmed) aftersales takes.
EVENTS_PER_JOURNEY = 2


@dataclass
class Drain:
    containers: int
    events: int
    seconds: float
    per_second: float
    #: Each container's CPU through the drain, in % of one core (docker stats' mean).
    cpu_percent: dict[str, float] = field(default_factory=dict)


class Stack:
    """The compose stack as a project of its own, on free host ports."""

    def __init__(self) -> None:
        settings = compose_settings()
        ports = free_ports_of(key for key in settings if key.endswith("_PORT"))
        # The write limit would stop the load in a minute: lifted, as `make bench` does.
        ports_set = {key: str(port) for key, port in ports.items()}
        self.settings = {**settings, **UNLIMITED_WRITES, **ports_set}
        command = compose_command()
        if command is None:
            raise SystemExit("no docker compose here: `make test-docker` installs one")
        self.compose = Compose(
            command, tuple(compose_files()), f"marketplace-scale-{os.getpid()}", self.settings
        )
        self.extra: list[str] = []

    @property
    def urls(self) -> dict[str, str]:
        return {
            name: f"http://127.0.0.1:{self.settings[f'{name.upper()}_PORT']}"
            for name in DEFAULT_PORTS
        }

    def up(self) -> None:
        self.compose.run("up", "-d", "--no-build", timeout=600)
        ready = [f"{url}/health/ready" for url in self.urls.values()]
        wait_until(lambda: all(http_ok(u) for u in ready), timeout=300, what="the stack ready")

    def down(self) -> None:
        self.remove_extra()
        self.compose.run("down", "-v", timeout=600)

    def add_aftersales(self) -> None:
        """One more aftersales container on the same queue (no published port)."""
        name = f"{self.compose.project}-aftersales-{uuid.uuid4().hex[:6]}"
        self.compose.run("run", "-d", "--no-deps", "--name", name, "aftersales")
        self.extra.append(name)

    def remove_extra(self) -> None:
        for name in self.extra:
            subprocess.run([docker_cli(), "rm", "-f", name], capture_output=True, check=False)
        self.extra = []

    async def depth(self, client: httpx.AsyncClient) -> int:
        port = self.settings["RABBITMQ_MANAGEMENT_PORT"]
        auth = (self.settings["RABBITMQ_USER"], self.settings["RABBITMQ_PASSWORD"])
        answer = await client.get(f"http://127.0.0.1:{port}/api/queues/%2F/{QUEUE}", auth=auth)
        answer.raise_for_status()
        return int(answer.json().get("messages", 0))

    def cpu(self) -> dict[str, float]:
        """Each of the project's containers' CPU now (% of one core)."""
        done = subprocess.run(
            [docker_cli(), "stats", "--no-stream", "--format", "{{.Name}} {{.CPUPerc}}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        found = {}
        for line in done.stdout.splitlines():
            name, _, percent = line.partition(" ")
            if name.startswith(self.compose.project):
                short = name.removeprefix(f"{self.compose.project}").strip("-_")
                found[short] = float(percent.rstrip("%") or 0)
        return found


async def backlog(stack: Stack, client: httpx.AsyncClient, journeys: int) -> int:
    """`journeys` orders placed and confirmed while aftersales is paused: its queue's depth."""
    operator, merchant, buyer = cast(stack.urls, client)
    store = await open_full_managed_store(operator, merchant)
    product_id = await list_product(operator, merchant, store["store_id"])
    before = await stack.depth(client)
    gate = asyncio.Semaphore(16)

    async def journey() -> None:
        async with gate:
            order = await place_order(buyer, product_id)
            path = f"/orders/{order['order_id']}/confirm"
            await merchant.call("POST", "orders", path, expect=200)

    await asyncio.gather(*(journey() for _ in range(journeys)))
    target = before + journeys * EVENTS_PER_JOURNEY

    async def queued() -> int | None:
        depth = await stack.depth(client)
        return depth if depth >= target else None

    return await eventually(queued, timeout=300, what="the backlog in the queue")


def healthy(container: str) -> Callable[[], bool]:
    def check() -> bool:
        return docker("inspect", "-f", "{{.State.Health.Status}}", container).strip() == "healthy"

    return check


def docker(*args: str) -> str:
    done = subprocess.run(
        [docker_cli(), *args], capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout


async def drain(stack: Stack, client: httpx.AsyncClient, containers: int, journeys: int) -> Drain:
    """`containers` aftersales containers up and ready, paused (frozen, not stopped: they
    keep their connections) while the backlog is made, then let go at once: events a
    second from then until the queue is empty, each container's CPU sampled meanwhile."""
    for _ in range(containers - 1):
        stack.add_aftersales()
    # Compose lists the service's one-off containers too (v1), or not (v2): each once, by id.
    listed = stack.compose.run("ps", "-q", "aftersales").split()
    extra = [docker("inspect", "-f", "{{.Id}}", name).strip() for name in stack.extra]
    paused = sorted(set(listed) | set(extra))
    for name in stack.extra:
        wait_until(healthy(name), timeout=180, what=f"{name} healthy", interval=0.5)
    docker("pause", *paused)
    try:
        events = await backlog(stack, client, journeys)
    finally:
        docker("unpause", *paused)
    started = time.monotonic()
    samples: dict[str, list[float]] = defaultdict(list)
    sampler = asyncio.create_task(_sample_cpu(stack, samples))

    async def empty() -> bool:
        return await stack.depth(client) == 0

    await eventually(empty, timeout=600, what="the backlog drained", interval=0.2)
    seconds = time.monotonic() - started
    sampler.cancel()
    stack.remove_extra()
    cpu = {name: sum(values) / len(values) for name, values in sorted(samples.items())}
    return Drain(containers, events, seconds, events / seconds, cpu)


async def _sample_cpu(stack: Stack, samples: dict[str, list[float]]) -> None:
    while True:
        for name, percent in (await asyncio.to_thread(stack.cpu)).items():
            samples[name].append(percent)


def report(drains: list[Drain]) -> str:
    one, two = drains[0].per_second, drains[-1].per_second
    if one <= 0:
        return "The backlog was gone before it could be measured: give more --journeys.\n"
    names = sorted({name for drain in drains for name in drain.cpu_percent})
    rows = [
        f"Aftersales draining a backlog across containers: {two:.0f} events/s with "
        f"{drains[-1].containers} containers against {one:.0f} with one: "
        f"**{two / one:.2f}×** ({os.cpu_count()} cores).",
        "",
        "| container | " + " | ".join(f"{d.containers} aftersales, CPU %" for d in drains) + " |",
        "|---|" + "---|" * len(drains),
        *(
            f"| {name} | " + " | ".join(f"{d.cpu_percent.get(name, 0):.0f}" for d in drains) + " |"
            for name in names
        ),
    ]
    return "\n".join(rows) + "\n"


async def main(journeys: int) -> list[Drain]:
    stack = Stack()
    stack.up()
    try:
        async with httpx.AsyncClient(timeout=60) as client:
            return [await drain(stack, client, count, journeys) for count in (1, 2)]
    finally:
        stack.down()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--journeys", type=int, default=2000, help="of each backlog")
    arguments = parser.parse_args()
    drains = asyncio.run(main(arguments.journeys))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scale-out.json").write_text(
        json.dumps([asdict(drain) for drain in drains], indent=2) + "\n"
    )
    table = report(drains)
    (RESULTS / "scale-out.md").write_text(table)
    print(table)
