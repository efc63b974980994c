"""`make contracts`: write the JSON Schema snapshot of each event type's current version
(`shared/shared/contract/schemas/`), refusing an incompatible change.

- A current version with no snapshot yet (a new version, or a new event type) gets one; a
  new version's examples are the previous version's, upcast.
- A current version whose model changed compatibly (`shared.contract.compatibility`) gets
  its snapshot rewritten, its examples kept.
- An incompatible change is refused, naming the event, the field and the rule: publish it
  as a new version with an upcaster (`shared.contract.versions`). Older versions'
  snapshots are never touched.

    python tools/contracts.py   # exit 1 if any change was refused
"""

from __future__ import annotations

import sys

from shared.contract import REGISTRY
from shared.contract.compatibility import changes, incompatible
from shared.contract.snapshots import load, model_schema, problems, snapshot, write
from shared.contract.types import ContractModel
from shared.contract.versions import UPCASTERS, current_version


def refresh(event_type: str, model: type[ContractModel]) -> str | None:
    """Bring `event_type`'s current snapshot up to date: what was done, or None."""
    version = current_version(event_type)
    stored = load(event_type, version)
    if stored is None:
        previous = load(event_type, version - 1) if version > 1 else None
        examples = [
            UPCASTERS[event_type, version - 1](example)
            for example in (previous or {}).get("examples", [])
        ]
        write(event_type, version, snapshot(event_type, version, model, examples))
        return f"{event_type} v{version}: written"
    if incompatible(changes(stored, model_schema(model))):
        return None
    fresh = snapshot(event_type, version, model, stored.get("examples", []))
    if fresh == stored:
        return None
    write(event_type, version, fresh)
    return f"{event_type} v{version}: updated"


def main() -> int:
    refused = []
    for event_type, model in REGISTRY.items():
        done = refresh(event_type, model)
        if done:
            print(done)
        refused += problems(event_type, model)
    for problem in refused:
        print(problem, file=sys.stderr)
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
