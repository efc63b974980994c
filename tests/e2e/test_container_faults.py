"""Faults only containers can make, under load, each judged by the chaos checker: nothing
acknowledged is lost, nothing is done twice, nothing is left stuck (`make test-docker`).

- a service's process dies inside its container, and the restart policy brings it back;
- a service is cut off the compose network for 20 s, then reconnected;
- the broker's container is stopped, then started;
- MongoDB's container is restarted;
- three logistics and three orders containers share the queues and the deadlines: every
  confirmed order gets exactly one shipment, every timed-out order is cancelled once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from chaos.check import Verdict, check
from chaos.load import Load
from chaos.tap import Tap

from devkit.journey import Actor, cast, list_product, open_full_managed_store
from devkit.platform import http_ok
from devkit.wait import eventually
from testkit.platforms import ComposeStack, docker_cli

pytestmark = [pytest.mark.e2e, pytest.mark.docker_only]

#: The chaos suite's settings: a short confirmation window, so `timeout` journeys end.
CONFIRM_WINDOW_SECONDS = 10
FAST = {
    "POLICY_ORDER_CONFIRM_WINDOW_SECONDS": str(CONFIRM_WINDOW_SECONDS),
    "OUTBOX_POLL_SECONDS": "0.2",
    "DEADLINE_POLL_SECONDS": "0.25",
    "CONSUMER_WATCH_SECONDS": "1",
}
LOAD_SECONDS, RATE = 8.0, 1.0
CUT_SECONDS = 20.0

Fault = Callable[[ComposeStack], Awaitable[None]]


def _docker(*args: str) -> str:
    done = subprocess.run([docker_cli(), *args], capture_output=True, text=True, timeout=120,
                          check=True)  # fmt: skip
    return done.stdout.strip()


def _container(stack: ComposeStack, service: str) -> str:
    return stack.platform.compose.run("ps", "-q", service).strip().splitlines()[0]


async def _all_ready(stack: ComposeStack) -> None:
    urls = [f"http://{stack.host}:{port}/health/ready" for port in stack.ports.values()]

    async def ready() -> bool:
        return all(await asyncio.to_thread(lambda: [http_ok(url) for url in urls]))

    await eventually(ready, timeout=180, what="every service ready again", interval=0.5)


async def process_dies(stack: ComposeStack) -> None:
    """SIGKILL to the orders process from the host, as a crash: Docker's restart policy
    (`unless-stopped`) starts the container again, no one asked it to."""
    container = _container(stack, "orders")
    os.kill(int(_docker("inspect", "-f", "{{.State.Pid}}", container)), signal.SIGKILL)

    async def restarted() -> bool:
        count = await asyncio.to_thread(_docker, "inspect", "-f", "{{.RestartCount}}", container)
        return int(count) >= 1

    await eventually(restarted, timeout=60, what="orders restarted by its restart policy")


async def cut_off_the_network(stack: ComposeStack) -> None:
    """Logistics loses MongoDB and RabbitMQ for 20 s, then comes back by its name."""
    container = _container(stack, "logistics")
    network = f"{stack.platform.compose.project}_default"
    _docker("network", "disconnect", network, container)
    await asyncio.sleep(CUT_SECONDS)
    _docker("network", "connect", "--alias", "logistics", network, container)


async def broker_stopped(stack: ComposeStack) -> None:
    await asyncio.to_thread(stack.platform.compose.run, "stop", "rabbitmq")
    await asyncio.sleep(5)
    await asyncio.to_thread(stack.platform.compose.run, "start", "rabbitmq")


async def database_restarted(stack: ComposeStack) -> None:
    await asyncio.to_thread(stack.platform.compose.run, "restart", "mongo")


@pytest.fixture
async def shop(compose_stack: ComposeStack) -> AsyncIterator[tuple[ComposeStack, Actor, Load]]:
    running = compose_stack.start(**FAST)
    async with httpx.AsyncClient(timeout=10) as client:
        operator, merchant, _ = cast(running.urls, client)
        store = await open_full_managed_store(operator, merchant)
        product_id = await list_product(operator, merchant, store["store_id"])
        yield compose_stack, operator, Load(operator, merchant, product_id, step_seconds=45)


async def _under_load(stack: ComposeStack, operator: Actor, load: Load,
                      fault: Fault) -> Verdict:  # fmt: skip
    tap = Tap(f"faults.tap.{uuid.uuid4().hex[:8]}")
    await tap.start(stack.amqp_url)
    try:
        journeys = asyncio.create_task(load.run(RATE, LOAD_SECONDS))
        await asyncio.sleep(LOAD_SECONDS / 3)
        await fault(stack)
        await _all_ready(stack)
        verdict = await check(await journeys, operator, tap.events,
                              settle_seconds=CONFIRM_WINDOW_SECONDS + 90)  # fmt: skip
    finally:
        await tap.stop(delete=True)
    print(f"{fault.__name__}: {verdict}")
    return verdict


@pytest.mark.parametrize(
    "fault", [process_dies, cut_off_the_network, broker_stopped, database_restarted]
)
async def test_nothing_is_lost_or_done_twice_when_a_container_fails(
    shop: tuple[ComposeStack, Actor, Load], fault: Fault
) -> None:
    verdict = await _under_load(*shop, fault)
    assert verdict.acknowledged > 0
    assert (verdict.lost, verdict.duplicated, verdict.stuck) == ([], [], [])


async def test_three_containers_of_orders_and_logistics_act_once(
    shop: tuple[ComposeStack, Actor, Load], tmp_path: Path
) -> None:  # R-ORD-3 (cancelled once), R-ORD-4 (one shipment per confirmed order)
    stack, operator, load = shop
    extra = [stack.platform.another(name, tmp_path) for name in ("orders", "logistics") * 2]
    for container in extra:
        container.start()
    try:
        for container in extra:
            container.wait_ready()

        async def nothing(stack: ComposeStack) -> None:
            return None

        verdict = await _under_load(stack, operator, load, nothing)
    finally:
        for container in extra:
            container.stop()
    assert verdict.acknowledged > 0
    assert (verdict.lost, verdict.duplicated, verdict.stuck) == ([], [], [])
