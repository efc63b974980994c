"""The platform on a bench: the four services as separate processes (as `make run` starts
them), a store with a product on sale, pre-minted tokens, and what the measurements read
off the services' own databases (shipments created, the inbox's per-event hop times)."""

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
from devkit.platform import DEFAULT_PORTS, UNLIMITED_WRITES, Platform, ServiceProcess
from shared.mongo import Database, Document, connect


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

    async def handled(self, service: str) -> int:
        return await self.db(service)["inbox"].estimated_document_count()

    async def hops(self, services: Sequence[str], known: set[str]) -> list[float]:
        """Hop times (publish → handled) of the events handled since `known` was taken;
        adds their ids to `known`."""
        found: list[float] = []
        for service in services:
            documents: list[Document] = await (
                self.db(service)["inbox"].find({}, {"hop_seconds": 1}).to_list()
            )
            for document in documents:
                if document["_id"] not in known:
                    known.add(document["_id"])
                    found.append(float(document.get("hop_seconds", 0.0)))
        return found


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
