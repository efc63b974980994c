"""Sampling profiles of the services while the end-to-end load runs (`--profile`): py-spy
attached to the running processes, summarised as the functions holding the CPU."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from stage import Stage


class Profiles:
    def __init__(self, stage: Stage, services: Sequence[str], out: Path, enabled: bool) -> None:
        self.stage, self.services, self.out, self.enabled = stage, services, out, enabled
        self._recorders: dict[str, asyncio.subprocess.Process] = {}

    async def __aenter__(self) -> Profiles:
        spy = shutil.which("py-spy", path=str(Path(sys.executable).parent))
        if not self.enabled or spy is None:
            return self
        self.out.mkdir(parents=True, exist_ok=True)
        processes = self.stage.processes()
        for service in self.services:
            self._recorders[service] = await asyncio.create_subprocess_exec(
                spy,
                "record",
                "--pid",
                str(processes[service].pid),
                "--rate",
                "200",
                "--format",
                "raw",
                "--nonblocking",
                "--output",
                str(self.out / f"profile-{service}.raw"),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        return self

    async def __aexit__(self, *exc: object) -> None:
        for service, recorder in self._recorders.items():
            with contextlib.suppress(ProcessLookupError):  # its target stopped: it ended too
                recorder.send_signal(signal.SIGINT)
            await asyncio.wait_for(recorder.wait(), timeout=60)
            raw = self.out / f"profile-{service}.raw"
            if raw.exists():
                (self.out / f"profile-{service}.txt").write_text(summarise(service, raw))
                if not os.environ.get("BENCH_KEEP_RAW"):
                    raw.unlink()


def summarise(service: str, raw: Path, top: int = 60) -> str:
    """The functions on the CPU most often (inclusive, each once per sample), from
    py-spy's collapsed stacks ("frame;frame;... count")."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():  # a frame name broken over lines
            continue
        count = int(count_text)
        frames = stack.split(";")
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    lines = [
        f"# {service}: {total} samples (py-spy, 200 Hz, idle samples excluded)",
        "",
        "## Inclusive (share of samples with the function on the stack)",
        "",
    ]
    lines += [f"{count / total:6.1%}  {frame}" for frame, count in inclusive.most_common(top)]
    lines += ["", "## Own time (the function itself on the CPU)", ""]
    lines += [f"{count / total:6.1%}  {frame}" for frame, count in own.most_common(top)]
    return "\n".join(lines) + "\n"
