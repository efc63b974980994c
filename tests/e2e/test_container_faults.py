"""Faults only containers can make, under load, each judged by the chaos checker: nothing
acknowledged is lost, nothing is done twice, nothing is left stuck (`make test-docker`).

- a service's process dies inside its container, and the restart policy brings it back;
- a service is cut off the compose network for 20 s, then reconnected;
- the broker's container is stopped, then started;
- MongoDB's container is restarted;
- three logistics and three orders containers share the queues and the deadlines: every
  confirmed order gets exactly one shipment, every timed-out order is cancelled once;
- with RabbitMQ as a cluster of three (docker-compose.cluster.yml), the node serving
  orders stops: its services reconnect to the others and publishing resumes within
  seconds.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from chaos.check import Verdict, check
from chaos.load import Load
from chaos.tap import Tap

from devkit.journey import Actor, cast, list_product, open_full_managed_store
from devkit.platform import DEFAULT_PORTS, UNLIMITED_WRITES, http_ok
from devkit.wait import eventually
from shared.messaging.topology import QUEUES
from testkit.platforms import ClusterStack, ComposeStack, RabbitNode, docker_cli

pytestmark = [pytest.mark.e2e, pytest.mark.docker_only]

#: The chaos suite's settings: a short confirmation window, so `timeout` journeys end.
CONFIRM_WINDOW_SECONDS = 10
FAST = {
    "POLICY_ORDER_CONFIRM_WINDOW_SECONDS": str(CONFIRM_WINDOW_SECONDS),
    "OUTBOX_POLL_SECONDS": "0.2",
    "DEADLINE_POLL_SECONDS": "0.25",
    "CONSUMER_WATCH_SECONDS": "1",
    **UNLIMITED_WRITES,
}
LOAD_SECONDS, RATE = 8.0, 1.0
CUT_SECONDS = 20.0

Fault = Callable[[ComposeStack], Awaitable[None]]


def _docker(*args: str) -> str:
    done = subprocess.run(
        [docker_cli(), *args], capture_output=True, text=True, timeout=120, check=True
    )
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


@asynccontextmanager
async def _open_shop(stack: ComposeStack) -> AsyncIterator[tuple[Actor, Load]]:
    """The stack with the chaos suite's settings, a store and a product listed."""
    running = stack.start(**FAST)
    async with httpx.AsyncClient(timeout=10) as client:
        operator, merchant, _ = cast(running.urls, client)
        store = await open_full_managed_store(operator, merchant)
        product_id = await list_product(operator, merchant, store["store_id"])
        yield operator, Load(operator, merchant, product_id, step_seconds=45)


@pytest.fixture
async def shop(compose_stack: ComposeStack) -> AsyncIterator[tuple[ComposeStack, Actor, Load]]:
    async with _open_shop(compose_stack) as (operator, load):
        yield compose_stack, operator, load


async def _under_load(
    stack: ComposeStack, operator: Actor, load: Load, fault: Fault, seconds: float = LOAD_SECONDS
) -> tuple[Verdict, Tap]:
    """Journeys for `seconds`, the fault a third of the way in, then the checker's verdict;
    the tap (every event, as it arrived) listens through `stack.amqp_url`."""
    tap = Tap(f"faults.tap.{uuid.uuid4().hex[:8]}")
    await tap.start(stack.amqp_url)
    try:
        journeys = asyncio.create_task(load.run(RATE, seconds))
        await asyncio.sleep(seconds / 3)
        await fault(stack)
        await _all_ready(stack)
        verdict = await check(
            await journeys, operator, tap.events, settle_seconds=CONFIRM_WINDOW_SECONDS + 90
        )
    finally:
        await tap.stop(delete=True)
    print(f"{fault.__name__}: {verdict}")
    return verdict, tap


@pytest.mark.parametrize(
    "fault", [process_dies, cut_off_the_network, broker_stopped, database_restarted]
)
async def test_nothing_is_lost_or_done_twice_when_a_container_fails(
    shop: tuple[ComposeStack, Actor, Load], fault: Fault
) -> None:
    verdict, _ = await _under_load(*shop, fault)
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

        verdict, _ = await _under_load(stack, operator, load, nothing)
    finally:
        for container in extra:
            container.stop()
    assert verdict.acknowledged > 0
    assert (verdict.lost, verdict.duplicated, verdict.stuck) == ([], [], [])


# --- RabbitMQ as a cluster of three --------------------------------------------------

#: Long enough for journeys to go on well after the node has stopped (about 7 s).
CLUSTER_LOAD_SECONDS = 24.0
#: How soon a service whose node stopped must be connected to another.
RECONNECT_SECONDS = 30.0


def _service_connections(cluster: ClusterStack, through: RabbitNode) -> dict[str, set[str]]:
    """Where each service is connected: service -> the nodes of its broker connections."""
    nodes: dict[str, set[str]] = {}
    for connection in cluster.management(through, "/connections"):
        service = connection["client_properties"].get("connection_name")
        if service in DEFAULT_PORTS:
            nodes.setdefault(service, set()).add(connection["node"])
    return nodes


def _platform_queues(cluster: ClusterStack, through: RabbitNode) -> dict[str, dict[str, Any]]:
    names = {
        name
        for queue in QUEUES.values()
        for name in (queue.name, queue.retry_name, queue.dead_letter_name)
    }
    return {
        queue["name"]: queue
        for queue in cluster.management(through, "/queues/%2F")
        if queue["name"] in names
    }


@pytest.fixture
async def cluster_shop(
    cluster_stack: ClusterStack,
) -> AsyncIterator[tuple[ClusterStack, Actor, Load]]:
    async with _open_shop(cluster_stack.stack) as (operator, load):
        yield cluster_stack, operator, load


async def test_one_rabbitmq_node_of_three_stops_mid_journeys(
    cluster_shop: tuple[ClusterStack, Actor, Load],
) -> None:
    cluster, operator, load = cluster_shop
    every_node = sorted(node.name for node in cluster.nodes)
    first = cluster.nodes[0]
    # One cluster of three running nodes; each of the platform's queues is a quorum queue
    # with a member on every node.
    nodes = await asyncio.to_thread(cluster.management, first, "/nodes")
    assert sorted(node["name"] for node in nodes if node["running"]) == every_node
    queues = await asyncio.to_thread(_platform_queues, cluster, first)
    assert len(queues) == 3 * len(QUEUES)
    replicas = {name: (queue["type"], sorted(queue["members"])) for name, queue in queues.items()}
    assert replicas == dict.fromkeys(queues, ("quorum", every_node))

    # The node serving orders (which publishes in every journey) goes; the tap listens
    # through another.
    connections: dict[str, set[str]] = {}

    async def every_service_connected() -> bool:  # the management API lists them in seconds
        connections.update(await asyncio.to_thread(_service_connections, cluster, first))
        return set(connections) == set(DEFAULT_PORTS)

    await eventually(
        every_service_connected, timeout=30, interval=0.5, what="every service's connection listed"
    )
    victim = cluster.node(min(connections["orders"]))
    moved = sorted(service for service, nodes in connections.items() if victim.name in nodes)
    witness = next(node for node in cluster.nodes if node != victim)
    times: dict[str, float] = {}
    gone_at: list[datetime] = []

    async def one_node_stops(stack: ComposeStack) -> None:
        times["began"] = time.monotonic()
        stopping = asyncio.create_task(
            asyncio.to_thread(stack.platform.compose.run, "stop", victim.service)
        )

        async def reconnected() -> bool:
            now = await asyncio.to_thread(_service_connections, cluster, witness)
            return all(now.get(service, set()) - {victim.name} for service in moved)

        await eventually(
            reconnected,
            timeout=RECONNECT_SECONDS,
            interval=0.25,
            what=f"{', '.join(moved)} connected to another node",
        )
        times["reconnected"] = time.monotonic() - times["began"]
        await stopping
        times["stopped"] = time.monotonic() - times["began"]
        gone_at.append(datetime.now(UTC))

    stack = replace(cluster.stack, amqp_url=cluster.amqp_url(witness))
    verdict, tap = await _under_load(
        stack, operator, load, one_node_stops, seconds=CLUSTER_LOAD_SECONDS
    )
    assert verdict.acknowledged > 0
    assert (verdict.lost, verdict.duplicated, verdict.stuck) == ([], [], [])

    # Publishing resumed: orders' events made after its node was gone reached the tap.
    arrivals = zip(tap.events, tap.arrivals, strict=True)
    resumed = [
        arrival - times["began"]
        for event, arrival in arrivals
        if event.producer == "orders" and event.occurred_at >= gone_at[0]
    ]
    assert resumed, "no event of orders made after the node stopped reached the bus"
    print(
        f"{victim.name} (serving {', '.join(moved)}) stopped: reconnected elsewhere after "
        f"{times['reconnected']:.1f} s, the node down after {times['stopped']:.1f} s, orders' "
        f"first event made since on the bus after {min(resumed):.1f} s"
    )

    # The node comes back and rejoins: every queue has its three members online again.
    await asyncio.to_thread(cluster.stack.platform.compose.run, "start", victim.service)

    async def all_members_online() -> bool:
        queues = await asyncio.to_thread(_platform_queues, cluster, witness)
        return all(sorted(queue.get("online", [])) == every_node for queue in queues.values())

    await eventually(
        all_members_online, timeout=120, interval=1, what=f"{victim.name} back in every queue"
    )
