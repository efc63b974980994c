"""End-to-end: the four services as separate processes on the real broker and engine.
Each test starts its own platform (own vhost, database prefix, free ports)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.platforms import PlatformFactory, StartPlatform


@pytest.fixture
def start_platform(mongo_url: str, tmp_path: Path) -> Iterator[StartPlatform]:
    factory = PlatformFactory(mongo_url, tmp_path)
    yield factory.start
    factory.stop_all()
