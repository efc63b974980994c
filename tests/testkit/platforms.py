"""Platforms of separate service processes for end-to-end tests, each isolated: its own
vhost, database prefix and free ports."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from devkit.broker import DEFAULT_AMQP_URL, IsolatedVhost
from devkit.engine import free_port
from devkit.platform import DEFAULT_PORTS, Platform


@dataclass
class RunningPlatform:
    platform: Platform
    amqp_url: str
    mongo_url: str
    db_prefix: str

    def url(self, service: str) -> str:
        return self.platform.url(service)

    @property
    def urls(self) -> dict[str, str]:
        return {name: self.url(name) for name in DEFAULT_PORTS}


StartPlatform = Callable[..., RunningPlatform]


class PlatformFactory:
    def __init__(self, mongo_url: str, log_dir: Path) -> None:
        self._mongo_url, self._log_dir = mongo_url, log_dir
        self._started: list[tuple[RunningPlatform, IsolatedVhost]] = []

    def start(self, **env: str) -> RunningPlatform:
        vhost = IsolatedVhost(
            os.environ.get("AMQP_URL", DEFAULT_AMQP_URL), f"e2e-{uuid.uuid4().hex[:10]}"
        )
        amqp_url = vhost.__enter__()
        prefix = f"e{uuid.uuid4().hex[:8]}_"
        settings = {
            "MONGO_URL": self._mongo_url,
            "AMQP_URL": amqp_url,
            "MONGO_DATABASE_PREFIX": prefix,
            "OUTBOX_POLL_SECONDS": "0.2",
            "DEADLINE_POLL_SECONDS": "0.25",
            **env,
        }
        platform = Platform(settings, {name: free_port() for name in DEFAULT_PORTS}, self._log_dir)
        running = RunningPlatform(platform, amqp_url, self._mongo_url, prefix)
        self._started.append((running, vhost))
        platform.start()
        return running

    def stop_all(self) -> None:
        for running, vhost in reversed(self._started):
            running.platform.stop()
            vhost.__exit__()
