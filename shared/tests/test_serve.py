"""`python -m <service>` (shared.app.serve): what it does before uvicorn takes over, and
what the server it starts refuses before any app code runs."""

from __future__ import annotations

import contextlib
import gc
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from devkit.engine import free_port, stop
from devkit.platform import http_ok
from devkit.wait import wait_until
from shared import app as shared_app
from shared.settings import ServiceSettings

#: A process serving an empty app as every service is served (`serve`), on the port given.
SERVED = """
import sys
from fastapi import FastAPI
from shared.app import serve
from shared.settings import ServiceSettings
serve(FastAPI, ServiceSettings(), service="probe", port=int(sys.argv[1]))
"""


def test_the_start_up_heap_is_kept_out_of_full_collections(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A full collection over everything imported stopped a service for 40-80 ms
    (the tail of the event hops); frozen before serving, it is never traversed again."""
    frozen_when_serving: list[int] = []

    def run(app: Any, **options: Any) -> None:
        frozen_when_serving.append(gc.get_freeze_count())

    monkeypatch.setattr(uvicorn, "run", run)
    monkeypatch.setattr(shared_app, "configure_logging", lambda *args: None)
    gc.unfreeze()
    try:
        shared_app.serve(FastAPI, ServiceSettings(), service="orders", port=0)
    finally:
        gc.unfreeze()
    assert frozen_when_serving
    assert frozen_when_serving[0] > 10_000  # the imports' objects, not a handful


def test_serving_caps_the_request_line_and_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    options: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **given: options.update(given))
    monkeypatch.setattr(shared_app, "configure_logging", lambda *args: None)
    monkeypatch.setattr(gc, "freeze", lambda: None)
    shared_app.serve(FastAPI, ServiceSettings(max_header_bytes=4096), service="orders", port=0)
    assert (options["http"], options["h11_max_incomplete_event_size"]) == ("h11", 4096)


@pytest.fixture
def served() -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """The empty app served on a free port, with headers capped at 16 KiB."""
    port = free_port()
    env = {**os.environ, "MAX_HEADER_BYTES": "16384"}
    process = subprocess.Popen([sys.executable, "-c", SERVED, str(port)], env=env)
    try:
        wait_until(
            lambda: http_ok(f"http://127.0.0.1:{port}/docs"), timeout=30, what="the probe serving"
        )
        yield port, process
    finally:
        stop(process, timeout=10)


def test_a_huge_header_is_refused_unread_and_the_process_does_not_grow(
    served: tuple[int, subprocess.Popen[bytes]],
) -> None:
    """A 50 MB header was read whole (the process grew by 48 MB): now what exceeds the cap
    is refused with 400 before it is all read, and the server goes on serving."""
    port, process = served
    assert _answer(port, _get(header_bytes=8_000)).startswith(b"HTTP/1.1 200 ")  # a big cookie
    before = _peak_kib(process.pid)
    assert _answer(port, _get(header_bytes=8_000_000)).startswith(b"HTTP/1.1 400 ")
    assert _peak_kib(process.pid) - before < 2_000  # far less than the 8 MB sent
    assert http_ok(f"http://127.0.0.1:{port}/docs")


def _get(header_bytes: int) -> bytes:
    return b"GET /docs HTTP/1.1\r\nHost: probe\r\nCookie: " + b"c" * header_bytes + b"\r\n\r\n"


def _answer(port: int, request: bytes) -> bytes:
    """What the server answers `request` with, up to its first 200 bytes; the server may
    close the connection before it has read all of it."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        # Refused, the connection may be closed while the rest is still being sent.
        with contextlib.suppress(OSError):
            connection.sendall(request)
        return connection.recv(200)


def _peak_kib(pid: int) -> int:
    """The most memory the process has held (its resident set's high-water mark), in KiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1])
