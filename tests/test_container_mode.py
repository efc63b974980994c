"""Container mode without a Docker engine fails at once, in one clear line;
the local mode is unaffected (it is what the rest of this suite runs)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MESSAGE = "No Docker engine answers (docker info failed)"


def engine_answers() -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    return subprocess.run([docker, "info"], capture_output=True, timeout=30).returncode == 0


def test_container_mode_without_an_engine_fails_in_one_line() -> None:
    if engine_answers():
        pytest.skip("a Docker engine answers here: `make test-docker` exercises that mode")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/e2e/test_journey.py",
            "--platform=docker",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode != 0
    lines = [line for line in run.stdout.splitlines() if MESSAGE in line]
    assert lines, run.stdout[-2000:]
    assert "passed" not in run.stdout.splitlines()[-1]
