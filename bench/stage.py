"""The platform on a bench: the four services as separate processes (as `make run` starts
them), a store with a product on sale, pre-minted tokens, and what the measurements read
off the services: shipments created (logistics' database), events handled and their hop
times (each process's `/metrics`: `events_consumed_total`, `event_hop_seconds`)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
from load import Load

from devkit.broker import for_services
from devkit.engine import free_port, free_ports_of
from devkit.idp import signing
from devkit.journey import ADDRESS, cast, list_product, open_full_managed_store
from devkit.metrics_text import buckets, summed
from devkit.platform import DEFAULT_PORTS, UNLIMITED_WRITES, Platform, ServiceProcess
from shared.mongo import Database, connect


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (share in 0..1); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def headers(role: str, sub: str) -> dict[str, str]:
    return signing().bearer(sub, role)


@dataclass
class Stage:
    mongo_url: str
    amqp_url: str
    log_dir: Path
    prefix: str = field(default_factory=lambda: f"b{uuid.uuid4().hex[:6]}_")
    platform: Platform | None = None
    extra: list[ServiceProcess] = field(default_factory=list)
    product_id: str = ""
    merchant: str = ""

    @property
    def env(self) -> dict[str, str]:
        return {
            "MONGO_URL": self.mongo_url,
            "AMQP_URL": for_services(self.amqp_url),
            "MONGO_DATABASE_PREFIX": self.prefix,
            "LOG_LEVEL": "WARNING",
            **UNLIMITED_WRITES,
        }

    def url(self, service: str) -> str:
        assert self.platform is not None
        return self.platform.url(service)

    def db(self, service: str) -> Database:
        return self._mongo[f"{self.prefix}{service}"]

    async def start(self, client: httpx.AsyncClient) -> None:
        self._client = client
        self.platform = Platform(self.env, free_ports_of(DEFAULT_PORTS), self.log_dir).start()
        self._mongo = connect(self.mongo_url, app_name="bench")
        operator, merchant, _ = cast({name: self.url(name) for name in DEFAULT_PORTS}, client)
        store = await open_full_managed_store(operator, merchant)
        self.product_id = await list_product(operator, merchant, store["store_id"])
        self.merchant = merchant.sub

    def processes(self) -> dict[str, psutil.Process]:
        assert self.platform is not None
        found = {
            name: psutil.Process(service.process.pid)
            for name, service in self.platform.services.items()
            if service.process is not None
        }
        for index, service in enumerate(self.extra, start=2):
            if service.process is not None:
                found[f"{service.name}#{index}"] = psutil.Process(service.process.pid)
        return found

    def add_process(self, name: str) -> ServiceProcess:
        """One more process of a service: same database and queue, its own port."""
        service = ServiceProcess(
            name, free_port(), self.env, self.log_dir / f"{name}-{len(self.extra) + 2}.log"
        )
        service.start()
        service.wait_ready()
        self.extra.append(service)
        return service

    def stop_extra(self) -> None:
        for service in self.extra:
            service.stop()
        self.extra.clear()

    async def stop(self) -> None:
        self.stop_extra()
        if self.platform is not None:
            self.platform.stop()
        await self._mongo.close()

    # --- the journey: create -> confirm -> shipment created -------------------------

    async def journey(self, load: Load, buyer: str) -> None:
        """One order placed by a buyer and confirmed by the merchant; the shipment follows
        through events (OrderConfirmed → logistics)."""
        placed = await load.post(
            f"{self.url('orders')}/orders",
            headers=headers("buyer", buyer),
            json={
                "items": [{"product_id": self.product_id, "quantity": 1}],
                "shipping_address": ADDRESS,
            },
        )
        order_id = json.loads(placed.expect(201, "POST /orders"))["order_id"]
        confirmed = await load.post(
            f"{self.url('orders')}/orders/{order_id}/confirm",
            headers=headers("merchant", self.merchant),
        )
        confirmed.expect(200, "POST /orders/{id}/confirm")

    async def shipments(self) -> int:
        return await self.db("logistics")["shipments"].estimated_document_count()

    def running(self, service: str) -> list[ServiceProcess]:
        """Every process of `service` up now: the platform's (unless stopped) and any added."""
        assert self.platform is not None
        every = [self.platform.services[service], *(s for s in self.extra if s.name == service)]
        return [each for each in every if each.process is not None and each.process.poll() is None]

    async def _metrics(self, services: Sequence[str]) -> list[str]:
        """The `/metrics` of every process of `services` up now; one not yet listening (a
        process handles events before it serves HTTP) tells nothing yet."""
        texts = []
        for service in services:
            for process in self.running(service):
                try:
                    texts.append((await self._client.get(f"{process.url}/metrics")).text)
                except httpx.TransportError:
                    continue
        return texts

    async def handled(self, service: str) -> int:
        """Events the processes of `service` up now have handled, each since it started (a
        process started again counts from 0; a redelivery counts again)."""
        return round(
            sum(summed(text, "events_consumed_total") for text in await self._metrics([service]))
        )

    async def hop_buckets(self, services: Sequence[str]) -> dict[float, float]:
        """The hop times (publish → handled) of every event `services`' processes up now have
        handled: `event_hop_seconds`' cumulative buckets, summed over processes and types."""
        summed_up: dict[float, float] = {}
        for text in await self._metrics(services):
            for bound, count in buckets(text, "event_hop_seconds").items():
                summed_up[bound] = summed_up.get(bound, 0.0) + count
        return summed_up


async def wait_for(probe: Callable[[], Awaitable[bool]], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await probe():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.05)


#: The process running the bench itself: the publisher in (1), the relay in (2), the
#: client in (3), the load generator in (4) and (5).
BENCH = "bench process"


@dataclass
class Throughput:
    per_second: float
    cpu_ms: dict[str, float] = field(default_factory=dict)
    """CPU milliseconds each process spent per unit (message, write, request, journey)."""


def cpu_ms_per(cpu_seconds: dict[str, float], units: int) -> dict[str, float]:
    return {name: 1000 * seconds / units for name, seconds in cpu_seconds.items()}


def me() -> dict[str, psutil.Process]:
    return {BENCH: psutil.Process()}


def rss_mb(processes: dict[str, psutil.Process]) -> dict[str, float]:
    return {name: process.memory_info().rss / 2**20 for name, process in processes.items()}


class Sampler:
    """Peak resident memory and CPU seconds of processes while a block runs."""

    def __init__(self, processes: dict[str, psutil.Process]) -> None:
        self.processes = processes
        self.peak_rss: dict[str, float] = dict.fromkeys(processes, 0.0)
        self._cpu_start: dict[str, float] = {}
        self.cpu_seconds: dict[str, float] = {}
        self._task: asyncio.Task[None] | None = None

    def _cpu(self) -> dict[str, float]:
        result = {}
        for name, process in self.processes.items():
            times = process.cpu_times()
            result[name] = times.user + times.system
        return result

    async def _sample(self) -> None:
        while True:
            for name, megabytes in rss_mb(self.processes).items():
                self.peak_rss[name] = max(self.peak_rss[name], megabytes)
            await asyncio.sleep(0.25)

    async def __aenter__(self) -> Sampler:
        self._cpu_start = self._cpu()
        self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
        end = self._cpu()
        self.cpu_seconds = {name: end[name] - self._cpu_start[name] for name in end}
