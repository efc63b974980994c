"""Handler tables keyed by event class: mypy refuses a handler wired to the wrong event,
and a consumer refuses to start unless its table is exactly its queue's bindings."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any, cast

import pytest

from shared.clock import SystemClock
from shared.contract import Envelope
from shared.contract.events import Delivered, Shipped
from shared.messaging.consumer import EventConsumer
from shared.messaging.handlers import event_types, on
from shared.messaging.topology import ServiceQueue

ROOT = Path(__file__).resolve().parents[2]


async def shipped(envelope: Envelope, event: Shipped) -> None:
    return None


def test_a_table_handles_the_classes_it_pairs() -> None:
    assert event_types(dict([on(Shipped, shipped)])) == {"Shipped"}


def test_mypy_refuses_a_handler_wired_to_the_wrong_event(tmp_path: Path) -> None:
    # A module name of its own (mypy's cache is keyed by it) and mypy in a process of its
    # own (in this one it would raise the recursion limit for the tests after it).
    probe = tmp_path / f"probe_{uuid.uuid4().hex}.py"
    probe.write_text(
        textwrap.dedent("""
        from shared.contract import Envelope
        from shared.contract.events import Delivered, Shipped
        from shared.messaging.handlers import on

        async def delivered(envelope: Envelope, event: Delivered) -> None: ...

        right = on(Delivered, delivered)
        wrong = on(Shipped, delivered)
    """)
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            str(probe),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert [line for line in done.stdout.splitlines() if "error:" in line] == [
        f'{probe}:9: error: Argument 2 to "on" has incompatible type '
        '"Callable[[Envelope, Delivered], Coroutine[Any, Any, None]]"; expected '
        '"Callable[[Envelope, Shipped], Awaitable[None]]"  [arg-type]'
    ]


def test_a_consumer_whose_table_differs_from_its_bindings_does_not_start() -> None:
    queue = ServiceQueue("logistics", ("Shipped",))
    with pytest.raises(
        ValueError, match=r"no handler for \['Shipped'\], no binding for \['Delivered'\]"
    ):
        EventConsumer(
            cast(Any, None),
            queue,
            dict([on(Delivered, shipped)]),  # type: ignore[arg-type]
            publisher=cast(Any, None),
            clock=SystemClock(),
            max_attempts=1,
            prefetch=1,
        )
