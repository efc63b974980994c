"""`make broker-definitions`: writes docker/rabbitmq/definitions.json, the broker's users,
rights and topology for compose (`shared.messaging.access`), its passwords as `${VAR}`
placeholders that docker/rabbitmq/entrypoint.sh fills from the environment at each start.
A test keeps the file equal to what this writes."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from devkit.broker import compose_definitions
from shared.settings import ServiceSettings

TARGET = Path(__file__).resolve().parent.parent / "docker" / "rabbitmq" / "definitions.json"


def main() -> int:
    # The retry queues' delay is a queue argument: RETRY_DELAY_MS here, and the same in
    # the services' environment.
    TARGET.write_text(compose_definitions(ServiceSettings().retry_delay_ms))
    print(f"wrote {TARGET}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
