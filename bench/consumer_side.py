"""The consuming side of (1) and (2) in a process of its own, as in the platform (the
relay runs in the producing service, the consumer in another): prints `ready` once
consuming, then `done <epoch seconds> <CPU seconds>` when the last of `--count` messages is
handled (its own CPU time from `ready` to then).

    python bench/consumer_side.py raw --amqp-url URL --queue NAME --count N --prefetch P
    python bench/consumer_side.py bus --amqp-url URL --count N
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

import aio_pika
import uvloop

sys.path[:0] = [str(Path(__file__).resolve().parent.parent / "tools")]

from devkit.broker import as_service  # noqa: E402
from shared.clock import SystemClock  # noqa: E402
from shared.contract import REGISTRY, Envelope  # noqa: E402
from shared.messaging.consumer import EventConsumer  # noqa: E402
from shared.messaging.publisher import EventPublisher  # noqa: E402
from shared.messaging.topology import QUEUES  # noqa: E402
from shared.settings import ServiceSettings  # noqa: E402


class Countdown:
    def __init__(self, count: int) -> None:
        self.left, self.done = count, asyncio.Event()
        self.cpu_start = 0.0

    def ready(self) -> None:
        self.cpu_start = time.process_time()
        print("ready", flush=True)

    def tick(self) -> None:
        self.left -= 1
        if self.left == 0:
            self.finished = time.time()
            self.cpu = time.process_time() - self.cpu_start
            self.done.set()


async def raw(args: argparse.Namespace, countdown: Countdown) -> None:
    """aio-pika alone: consume with acks."""
    connection = await aio_pika.connect(args.amqp_url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=args.prefetch)
        queue = await channel.get_queue(args.queue)

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            await message.ack()
            countdown.tick()

        await queue.consume(on_message)
        countdown.ready()
        await countdown.done.wait()


async def bus(args: argparse.Namespace, countdown: Countdown) -> None:
    """The project's consumer, as aftersales runs it (the handler here does nothing: the
    platform's handlers are idempotent by themselves, the consumer adds no database work)."""
    connection = await aio_pika.connect_robust(as_service(args.amqp_url, "aftersales"))
    publisher = EventPublisher(connection, service="aftersales")
    await publisher.start()

    async def handle(envelope: Envelope, event: object) -> None:
        countdown.tick()

    queue = QUEUES["aftersales"]
    handlers = {REGISTRY[name]: handle for name in queue.event_types}
    consumer = EventConsumer(
        connection,
        queue,
        handlers,
        publisher=publisher,
        clock=SystemClock(),
        max_attempts=5,
        prefetch=ServiceSettings().amqp_prefetch,
    )
    await consumer.start()
    countdown.ready()
    await countdown.done.wait()
    await connection.close()


async def main(args: argparse.Namespace) -> None:
    countdown = Countdown(args.count)
    await (raw if args.kind == "raw" else bus)(args, countdown)
    print(f"done {countdown.finished} {countdown.cpu}", flush=True)


class ConsumerSide:
    """The consumer process, from the producing side: `async with` starts it and waits
    until it consumes; `finished()` waits for its last message: when (epoch seconds), and
    the CPU seconds the consumer spent."""

    def __init__(self, *args: str) -> None:
        self.args = args
        self.process: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> ConsumerSide:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, __file__, *self.args, stdout=asyncio.subprocess.PIPE
        )
        if await self._line() != "ready":
            raise RuntimeError("the consumer process did not start")
        return self

    async def _line(self) -> str:
        assert self.process is not None
        assert self.process.stdout is not None
        return (
            (await asyncio.wait_for(self.process.stdout.readline(), timeout=600)).decode().strip()
        )

    async def finished(self) -> tuple[float, float]:
        line = await self._line()
        if not line.startswith("done "):
            raise RuntimeError(f"the consumer process ended without finishing: {line!r}")
        _, at, cpu = line.split()
        return float(at), float(cpu)

    async def __aexit__(self, *exc: object) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["raw", "bus"])
    parser.add_argument("--amqp-url", required=True)
    parser.add_argument("--queue", default="")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--prefetch", type=int, default=200)
    uvloop.run(main(parser.parse_args()))
