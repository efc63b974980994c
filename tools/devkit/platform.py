"""The five services as separate processes (`python -m <service>`), and the console beside
them, for `make run` and the end-to-end tests."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from devkit.engine import free_port, kill, stop
from devkit.idp import signing
from devkit.wait import wait_until

DEFAULT_PORTS: dict[str, int] = {
    "review": 8001,
    "orders": 8002,
    "logistics": 8003,
    "aftersales": 8004,
    "settlement": 8005,
}
#: The console's port in `make run` (`CONSOLE_PORT`).
CONSOLE_PORT = 8010
#: Load runs (the chaos suite, the benchmarks, fuzzing) write far faster than one client
#: may (`RATE_LIMIT_WRITES`): a limit they never reach, still counted as in production.
UNLIMITED_WRITES: dict[str, str] = {"RATE_LIMIT_WRITES": "1000000/minute"}


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


class ServiceProcess:
    def __init__(self, name: str, port: int, env: Mapping[str, str], log_path: Path | None) -> None:
        self.name, self.port, self.env, self.log_path = name, port, dict(env), log_path
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, **self.env, f"{self.name.upper()}_PORT": str(self.port)}
        if self.log_path is not None:
            self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.name], env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        def ready_or_dead() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode}{self._last_words()}; "
                    f"see {self.log_path}"
                )
            return http_ok(f"{self.url}/health/ready")

        wait_until(ready_or_dead, timeout=timeout, what=f"{self.name} to be ready", interval=0.1)

    def _last_words(self) -> str:
        """The last line the process wrote (why it refused to start), if it was logged."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        lines = self.log_path.read_text(errors="replace").strip().splitlines()
        return f": {lines[-1]}" if lines else ""

    def kill(self) -> None:
        """SIGKILL: no clean-up at all, as in a crash."""
        kill(self.process)

    def stop(self) -> None:
        stop(self.process, timeout=15)
        if self._log is not None:
            self._log.close()
            self._log = None


class Platform:
    def __init__(
        self, env: Mapping[str, str], ports: Mapping[str, int], log_dir: Path | None
    ) -> None:
        # The services verify the tokens the devkit signs (devkit.idp), unless told otherwise.
        env = {**signing().env, **env}
        self.services = {
            name: ServiceProcess(
                name, port, env, log_dir / f"{name}.log" if log_dir is not None else None
            )
            for name, port in ports.items()
        }

    def url(self, name: str) -> str:
        return self.services[name].url

    def start(self, timeout: float = 60.0) -> Platform:
        for service in self.services.values():
            service.start()
        for service in self.services.values():
            service.wait_ready(timeout)
        return self

    def another(self, name: str, log_dir: Path) -> ServiceProcess:
        """One more process of service `name` with the same environment, on a free port
        (not started): several processes sharing the queue and the deadlines."""
        service = self.services[name]
        return ServiceProcess(name, free_port(), service.env, log_dir / f"{name}-another.log")

    def restart(self, name: str, extra_env: Mapping[str, str] | None = None) -> None:
        service = self.services[name]
        service.stop()
        service.env.update(extra_env or {})
        service.start()
        service.wait_ready()

    def stop(self) -> None:
        for service in self.services.values():
            service.stop()


def console_process(
    urls: Mapping[str, str], port: int, env: Mapping[str, str], log_path: Path | None
) -> ServiceProcess:
    """The console (`python -m console`, not started) over the services at `urls`, signing
    development tokens as the devkit does, so the services accept them."""
    settings = {f"{name.upper()}_URL": url for name, url in urls.items()}
    return ServiceProcess("console", port, {**signing().env, **env, **settings}, log_path)
