"""One process's connections and background work, opened and closed by the lifespan.

Nothing connects at import time: `Runtime.open` connects to MongoDB and RabbitMQ (a robust
connection that reconnects by itself), declares the topology, and starts the publisher;
`start` runs the outbox relay, the consumer and the service's periodic jobs; `close`
stops them in reverse.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any

import aio_pika
from aio_pika.abc import AbstractRobustConnection
from pymongo import AsyncMongoClient

from shared import metrics
from shared.calendar import Calendars
from shared.categories import CategoryList
from shared.clock import Clock
from shared.costs import EngineCommands, working
from shared.messaging.consumer import EventConsumer
from shared.messaging.dead_letters import DeadLetters
from shared.messaging.handlers import HandlerTable
from shared.messaging.publisher import EventPublisher
from shared.messaging.topology import EXCHANGE, QUEUES, declare_own
from shared.mongo import (
    Collection,
    Database,
    Document,
    IndexSpec,
    connect,
    ensure_indexes,
    is_reachable,
)
from shared.outbox import OutboxRelay, outbox_index
from shared.policy import Policy
from shared.replica import R, Replicas
from shared.repository import A, AggregateRepository
from shared.settings import ServiceSettings

log = logging.getLogger("shared.runtime")

#: How long a starting service waits for the broker before giving up.
BROKER_WAIT_SECONDS = 60.0
#: How long a stopping service waits for each part of its shutdown.
CLOSE_SECONDS = 10.0


class Runtime:
    def __init__(
        self,
        service: str,
        settings: ServiceSettings,
        policy: Policy,
        clock: Clock,
        calendars: Calendars | None = None,
        categories: CategoryList | None = None,
    ) -> None:
        self.service = service
        self.settings = settings
        self.policy = policy
        self.clock = clock
        #: Working days (R-CAL-1): the library plus the operator's notices, read at start-up.
        self.calendars = calendars or Calendars()
        #: The category list (R-REV-11): given, or `CATEGORIES_FILE` (else the defaults),
        #: read and checked once, before anything connects.
        self.categories = categories or CategoryList.load(settings.categories_file, policy)
        self._mongo: AsyncMongoClient[Document] | None = None
        self._connection: AbstractRobustConnection | None = None
        self.publisher: EventPublisher | None = None
        self.relay: OutboxRelay | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.consumer: EventConsumer | None = None
        self.dead_letters: DeadLetters | None = None

    @property
    def db(self) -> Database:
        if self._mongo is None:
            raise RuntimeError("runtime not open")
        return self._mongo[self.settings.database_name(self.service)]

    def collection(self, name: str) -> Collection:
        return self.db[name]

    def offer_to_relay(self, collection: Collection, document: Document) -> None:
        if self.relay is not None:
            self.relay.offer(collection, document)

    def repository(
        self, collection: str, model: type[A], keys: Mapping[str, Callable[[A], str]] | None = None
    ) -> AggregateRepository[A]:
        """A repository of this service's database whose writes offer their events to the
        relay (published at once, without a read), storing `keys` for pages."""
        return AggregateRepository(
            self.db[collection],
            model,
            producer=self.service,
            on_outbox=self.offer_to_relay,
            keys=keys,
        )

    def replicas(
        self, collection: str, model: type[R], keys: Mapping[str, Callable[[R], str]] | None = None
    ) -> Replicas[R]:
        """This service's replicas of another's data (`shared.replica`), in `collection`:
        they publish nothing, so their documents carry no outbox."""
        repository = AggregateRepository(
            self.db[collection], model, producer=self.service, keys=keys, outbox=False
        )
        return Replicas(repository, model, self.clock)

    async def open(self, indexes: Sequence[IndexSpec], outbox_collections: Sequence[str]) -> None:
        self._mongo = connect(
            self.settings.mongo_url,
            app_name=self.service,
            listeners=[EngineCommands(self.service)],
        )
        await ensure_indexes(self.db, [*indexes, *map(outbox_index, outbox_collections)])
        self._connection = await self._connect_broker()
        channel = await self._connection.channel()
        queue = QUEUES.get(self.service)
        if queue is not None:
            await declare_own(channel, queue, retry_delay_ms=self.settings.retry_delay_ms)
        else:
            await channel.get_exchange(EXCHANGE, ensure=True)
        await channel.close()
        self.publisher = EventPublisher(self._connection, service=self.service)
        await self.publisher.start()
        self.relay = OutboxRelay(
            [self.db[name] for name in outbox_collections],
            self.publisher,
            service=self.service,
            clock=self.clock,
            idle_poll_seconds=self.settings.outbox_poll_seconds,
        )

    async def _connect_broker(self) -> AbstractRobustConnection:
        deadline = asyncio.get_running_loop().time() + BROKER_WAIT_SECONDS
        while True:
            try:
                return await aio_pika.connect_robust(
                    self.settings.broker_url(self.service),
                    client_properties={"connection_name": self.service},
                )
            except (OSError, aio_pika.exceptions.AMQPError) as error:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                log.warning("broker not reachable yet (%r); retrying", error)
                await asyncio.sleep(1.0)

    async def start(
        self,
        handlers: HandlerTable,
        jobs: Sequence[tuple[str, Callable[[], Awaitable[None]]]] = (),
    ) -> None:
        assert self.relay is not None
        assert self.publisher is not None
        assert self._connection is not None
        if self.settings.outbox_relay_enabled:
            self._spawn("outbox-relay", self.relay.run)
        queue = QUEUES.get(self.service)
        if queue is not None:
            consumer = EventConsumer(
                self._connection,
                queue,
                handlers,
                publisher=self.publisher,
                clock=self.clock,
                max_attempts=self.settings.max_delivery_attempts,
                prefetch=self.settings.amqp_prefetch,
            )
            await consumer.start()
            self.consumer = consumer
            self.dead_letters = DeadLetters(self._connection, queue, self.publisher, self.clock)
            self._spawn(
                "consumer-watchdog",
                self._every(self._watch_consumer, self.settings.consumer_watch_seconds),
            )
        for name, job in jobs:
            self._spawn(name, self._every(job, self.settings.deadline_poll_seconds))

    def _every(
        self, job: Callable[[], Awaitable[None]], seconds: float
    ) -> Callable[[], Coroutine[Any, Any, None]]:
        async def loop() -> None:
            while True:
                try:
                    await job()
                except Exception:
                    log.exception("periodic job failed; it runs again")
                await asyncio.sleep(seconds)

        return loop

    def _spawn(self, name: str, run: Callable[[], Coroutine[Any, Any, None]]) -> None:
        # Each task's commands count for its own work (`shared.costs`): the relay names
        # its passes itself, the rest are periodic jobs.
        with working("relay" if name == "outbox-relay" else f"job {name}"):
            self._tasks.append(asyncio.create_task(run(), name=name))

    async def _watch_consumer(self) -> None:
        """Restore a consumer the broker cancelled; publish the dead-letter queue's depth."""
        assert self.consumer is not None
        assert self.dead_letters is not None
        if self._connection is None or self._connection.is_closed:
            return  # reconnecting: the robust connection restores the consumer itself
        await self.consumer.restore(self.settings.retry_delay_ms)
        metrics.DEAD_LETTERS.labels(self.service).set(await self.dead_letters.depth())

    async def ready(self) -> bool:
        """MongoDB answers, the broker connection is up and our consumer still consumes."""
        broker_up = self._connection is not None and not self._connection.is_closed
        consuming = self.consumer is None or self.consumer.is_consuming()
        return (
            broker_up and consuming and self._mongo is not None and await is_reachable(self._mongo)
        )

    async def close(self) -> None:
        """Stop the background work, then the connections; never hang a shutdown."""
        for task in reversed(self._tasks):
            task.cancel()
        _, stuck = (
            await asyncio.wait(self._tasks, timeout=CLOSE_SECONDS)
            if self._tasks
            else (set(), set())
        )
        if stuck:
            log.warning("shutting down with %s task(s) still stopping", len(stuck))
        if self._connection is not None:
            try:
                await asyncio.wait_for(self._connection.close(), timeout=CLOSE_SECONDS)
            except TimeoutError:
                log.warning("the broker connection did not close in %ss", CLOSE_SECONDS)
        if self._mongo is not None:
            await self._mongo.close()
