"""`make run`: the embedded engine (unless MONGO_URL is set), the five services as
separate processes and the console over them, in the foreground. Ctrl-C stops everything
it started.

The broker (AMQP_URL, as its administrator: by default the local guest) is provisioned
first: each service's own user with its development password, its rights and the whole
topology (`shared.messaging.access`); each service then connects as its own user."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from devkit.broker import DEFAULT_AMQP_URL, for_services, provision, vhost_of
from devkit.engine import EmbeddedEngine, port_open
from devkit.idp import signing
from devkit.platform import CONSOLE_PORT, DEFAULT_PORTS, Platform, console_process

ROOT = Path(__file__).resolve().parent.parent
#: The engine's data and the logs (`RUN_DATA_DIR`: another folder, for a second platform).
DATA = Path(os.environ.get("RUN_DATA_DIR") or ROOT / ".data")
ENGINE_PORT = int(os.environ.get("EMBEDDED_MONGO_PORT", "27017"))
#: Where an operator drops a government's calendar notice (R-CAL-1; README).
NOTICES = ROOT / "calendar-notices"


def main() -> int:
    DATA.mkdir(exist_ok=True)
    engine: EmbeddedEngine | None = None
    env: dict[str, str] = {}
    env["CALENDAR_NOTICES_DIR"] = os.environ.get("CALENDAR_NOTICES_DIR", str(NOTICES))
    broker = os.environ.get("AMQP_URL", DEFAULT_AMQP_URL)
    try:
        provision(vhost_of(broker), administrator=urlsplit(broker).username or "guest")
    except (RuntimeError, subprocess.SubprocessError) as error:
        print(f"The broker could not be provisioned (rabbitmqctl): {error}", file=sys.stderr)
        return 1
    env["AMQP_URL"] = for_services(broker)
    if "MONGO_URL" not in os.environ:
        if port_open("127.0.0.1", ENGINE_PORT):
            print(
                f"Port {ENGINE_PORT} is taken: set MONGO_URL to use that server, or "
                "EMBEDDED_MONGO_PORT to start the embedded engine elsewhere.",
                file=sys.stderr,
            )
            return 1
        engine = EmbeddedEngine(DATA / "mongo", ENGINE_PORT, DATA / "nx-27017.log").start()
        env["MONGO_URL"] = engine.url
        print(f"embedded MongoDB engine (nx-27017): {engine.url}  data: {DATA / 'mongo'}")
    ports = {
        name: int(os.environ.get(f"{name.upper()}_PORT", port))
        for name, port in DEFAULT_PORTS.items()
    }
    logs = DATA / "logs"
    logs.mkdir(exist_ok=True)
    platform = Platform(env, ports, logs)
    console_port = int(os.environ.get("CONSOLE_PORT", CONSOLE_PORT))
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    console = console_process(urls, console_port, {}, logs / "console.log")
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        try:
            platform.start()
            console.start()
            console.wait_ready()
        except RuntimeError as error:
            print(f"The platform did not start: {error}", file=sys.stderr)
            return 1
        print(f"calendar notices: {env['CALENDAR_NOTICES_DIR']}")
        print(f"tokens: {signing().source} (`make token ROLE=operator SUB=op-1`)")
        for name in ports:
            print(f"{name:<11} {platform.url(name)}   docs: {platform.url(name)}/docs")
        print(f"console     {console.url}   (sign in as operator op-1, or merchant <id>)")
        print(f"logs: {logs}/<service>.log    Ctrl-C stops everything.")
        while not stop.wait(1.0):
            dead = [
                s.name
                for s in (*platform.services.values(), console)
                if s.process is not None and s.process.poll() is not None
            ]
            if dead:
                print(
                    f"{', '.join(dead)} stopped unexpectedly; see {logs}. Stopping.",
                    file=sys.stderr,
                )
                return 1
        return 0
    finally:
        print("stopping…")
        console.stop()
        platform.stop()
        if engine is not None:
            engine.stop()


if __name__ == "__main__":
    sys.exit(main())
