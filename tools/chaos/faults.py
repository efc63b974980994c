"""The faults, each a coroutine that breaks something and heals it."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

import aio_pika

from chaos.check import Ends
from chaos.proxy import TcpProxy
from devkit.broker import send
from devkit.engine import EmbeddedEngine
from devkit.platform import Platform
from shared.contract import parse_event
from shared.messaging.topology import QUEUES, ServiceQueue

#: How long a fault lasts before it is healed.
OUTAGE_SECONDS = 3.0
#: The row in which every order must end (R-ORD-5): logistics ships full-managed orders
#: within 1 day and cancels them unshipped 1 hour later, its clock moved so that this
#: comes this many seconds after a confirmation; the journeys that ship hand over at once.
ENDS_SHIP_DAYS, ENDS_GRACE_HOURS = 1, 1
UNSHIPPED_AFTER_SECONDS = 15.0

Fault = Callable[[], Awaitable[None]]


@dataclass
class Rig:
    platform: Platform
    engine: EmbeddedEngine
    proxy: TcpProxy
    amqp_url: str  # the test's own, direct connection (not through the proxy)
    poison_sent: int = 0


def kill_each_service(rig: Rig) -> Fault:
    async def fault() -> None:
        for name in ("orders", "logistics", "aftersales", "review", "settlement"):
            rig.platform.services[name].kill()  # SIGKILL: a crash
            await asyncio.to_thread(rig.platform.restart, name)

    return fault


def cut_broker_connections(rig: Rig) -> Fault:
    async def fault() -> None:
        rig.proxy.cut()
        await asyncio.sleep(OUTAGE_SECONDS)
        rig.proxy.restore()

    return fault


def stop_broker_app(rig: Rig) -> Fault:
    async def fault() -> None:
        ctl = shutil.which("rabbitmqctl") or "rabbitmqctl"
        await asyncio.to_thread(
            subprocess.run, [ctl, "-q", "stop_app"], check=True, capture_output=True, timeout=120
        )
        await asyncio.sleep(OUTAGE_SECONDS)
        await asyncio.to_thread(
            subprocess.run, [ctl, "-q", "start_app"], check=True, capture_output=True, timeout=120
        )

    return fault


def kill_engine(rig: Rig) -> Fault:
    async def fault() -> None:
        rig.engine.kill()
        await asyncio.sleep(OUTAGE_SECONDS)
        await asyncio.to_thread(rig.engine.start)

    return fault


def poison_every_queue(rig: Rig) -> Fault:
    async def fault() -> None:
        # One message into each running service's queue, through its own exchange (as
        # the administrator): the queue of the payment rail has no consumer here.
        connection = await aio_pika.connect(rig.amqp_url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            for queue in poisoned_queues(rig.platform.services):
                exchange = await channel.get_exchange(queue.own_exchange)
                await exchange.publish(aio_pika.Message(b"{not an event"), routing_key=queue.name)
        rig.poison_sent += 1

    return fault


def poisoned_queues(running: Iterable[str]) -> list[ServiceQueue]:
    """The queues of the services `running`: each poisoned once per poison fault."""
    return [queue for service, queue in QUEUES.items() if service in running]


def combined(rig: Rig) -> Fault:
    faults = [kill_each_service(rig), cut_broker_connections(rig), kill_engine(rig)]

    async def fault() -> None:
        await asyncio.gather(*(each() for each in faults))

    return fault


async def redeliver_twice_out_of_order(amqp_url: str, bodies: list[bytes]) -> None:
    """Every event of the run again, twice, newest first (out of order), each from its
    producer's broker user, as a redelivery would bring it."""
    for body in [*reversed(bodies), *reversed(bodies)]:
        envelope, _ = parse_event(body)
        await send(amqp_url, envelope.event_type, body)


def ends_settings(clock_offset: float, services: Iterable[str]) -> tuple[dict[str, str], Ends]:
    """Logistics' settings for the row in which every order must end (R-ORD-5): a ship-by
    of `ENDS_SHIP_DAYS`, `ENDS_GRACE_HOURS` of grace, and its clock ahead of the others'
    (`clock_offset`, the run's own) by their sum less `UNSHIPPED_AFTER_SECONDS`; and what
    the checker needs to date each order's next step."""
    due = timedelta(days=ENDS_SHIP_DAYS, hours=ENDS_GRACE_HOURS).total_seconds()
    logistics = clock_offset + due - UNSHIPPED_AFTER_SECONDS
    settings = {
        "POLICY_FULL_MANAGED_SHIP_DAYS_MAX": str(ENDS_SHIP_DAYS),
        "POLICY_SHIP_GRACE_HOURS": str(ENDS_GRACE_HOURS),
        "CLOCK_OFFSET_SECONDS": str(logistics),
    }
    clocks = {**dict.fromkeys(services, clock_offset), "logistics": logistics}
    return settings, Ends(timedelta(hours=ENDS_GRACE_HOURS), clocks)


async def every_order_ends(rig: Rig, clock_offset: float) -> tuple[Ends, Fault]:
    """Logistics restarted with `ends_settings`; what the checker needs, and how to put
    logistics back as it was."""
    logistics = rig.platform.services["logistics"]
    before = dict(logistics.env)
    settings, ends = ends_settings(clock_offset, rig.platform.services)
    await asyncio.to_thread(rig.platform.restart, "logistics", settings)

    async def restore() -> None:
        logistics.env = before
        await asyncio.to_thread(rig.platform.restart, "logistics")

    return ends, restore
