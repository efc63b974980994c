"""`make demo` against a running platform: the whole journey, ending with the merchant's
statement from settlement (R-SET-5), its earning of the order held (R-SET-2)."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

from testkit.platforms import ROOT, StartPlatform

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.local_only(
        reason="local_only: the demo is `make run`'s companion, run against local processes"
    ),
]


async def test_the_demo_ends_with_the_merchants_statement(start_platform: StartPlatform) -> None:
    running = start_platform()
    urls = {f"{name.upper()}_URL": url for name, url in running.urls.items()}
    demo = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "tools" / "demo.py"),
        env={**os.environ, **urls},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(demo.communicate(), timeout=180)
    text = output.decode()
    assert demo.returncode == 0, text
    last_step = text.rsplit("\n» ", 1)[1]
    assert last_step.startswith("settlement: the merchant's statement"), text
    lines = last_step.splitlines()
    assert any(" earning " in line and " held " in line for line in lines), text
    assert lines[-1] == "The journey is complete."
