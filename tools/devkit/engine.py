"""The embedded MongoDB engine (`nx-27017`) for local runs and tests.

Real deployments use MongoDB 7 (docker-compose.yml); here nx-27017 speaks the same wire
protocol on SQLite. Started only when `MONGO_URL` is not set.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from devkit.wait import wait_until


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """`count` distinct ports free now: all probed at once, since a port just released may
    be handed out again (two services of one platform on one port, one answering for both)."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def free_ports_of(names: Iterable[str]) -> dict[str, int]:
    """A distinct free port for each name."""
    names = list(names)
    return dict(zip(names, free_ports(len(names)), strict=True))


def port_open(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


class EmbeddedEngine:
    def __init__(self, data_dir: Path, port: int, log_file: Path) -> None:
        self.data_dir, self.port, self.log_file = data_dir, port, log_file
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    def start(self, timeout: float = 30.0) -> EmbeddedEngine:
        executable = shutil.which("nx-27017", path=str(Path(sys.executable).parent))
        if executable is None:
            raise RuntimeError("nx-27017 is not installed in this environment: run `make install`")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._process = subprocess.Popen(
            [
                executable,
                "--data-dir",
                str(self.data_dir),
                "--host",
                "127.0.0.1",
                "-p",
                str(self.port),
                "--log-file",
                str(self.log_file),
                "--pid-file",
                str(self.data_dir / "nx.pid"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(
            lambda: port_open("127.0.0.1", self.port) or self._died(),
            timeout=timeout,
            what=f"the embedded engine on port {self.port}",
        )
        if self._died():
            raise RuntimeError(f"nx-27017 exited at start; see {self.log_file}")
        return self

    def _died(self) -> bool:
        return self._process is not None and self._process.poll() is not None

    def kill(self) -> None:
        kill(self._process)

    def stop(self) -> None:
        stop(self._process, timeout=10)


def kill(process: subprocess.Popen[bytes] | None) -> None:
    """SIGKILL: no clean-up at all, as in a crash."""
    if process is not None and process.poll() is None:
        process.kill()
        process.wait(timeout=10)


def stop(process: subprocess.Popen[bytes] | None, *, timeout: float) -> None:
    """SIGTERM, then SIGKILL if it has not stopped within `timeout` seconds."""
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill(process)
