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
    urls["CONSOLE_URL"] = "http://console.test:8010"
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
    last_step, walk = text.rsplit("\n» ", 1)[1].split("\nThe journey is complete.\n")
    assert last_step.startswith("settlement: the merchant's statement"), text
    assert any(" earning " in line and " held " in line for line in last_step.splitlines()), text
    # Then where to walk it by clicking, and as whom.
    assert walk.strip().startswith("Walk it in the console: http://console.test:8010"), text
    assert {"operator", "merchant", "buyer"} <= {line.split()[3] for line in walk.splitlines()[1:]}
