"""The committed JSON Schema of every event type's every version
(`shared/contract/schemas/<type>/v<version>.json`), and the check that the models still
match them.

A snapshot is the model's validation schema (what a consumer accepts) with its `$id` (the
`dataschema` each message of that version names, `shared.contract.wire`) and at least one
example payload. The current version's snapshot is what `make contracts` writes, and only
for a change `shared.contract.compatibility` finds compatible; an older version's
snapshot is never rewritten: it is what was published, and what its upcaster reads. A new
version's example is the previous version's, upcast (edit it if the change deserves a
better one).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shared.contract.compatibility import Schema, changes, incompatible
from shared.contract.types import ContractModel
from shared.contract.versions import current_version

SCHEMAS = Path(__file__).resolve().parent / "schemas"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: Where the fix of an incompatible change goes.
UPCASTERS_MODULE = "shared/contract/versions.py"


def dataschema(event_type: str, version: int) -> str:
    """The URI naming `event_type`'s schema at `version`: the snapshot's `$id`, and each
    message's CloudEvents `dataschema`."""
    return f"urn:marketplace:schema:{event_type}:v{version}"


def path_of(event_type: str, version: int) -> Path:
    return SCHEMAS / event_type / f"v{version}.json"


def load(event_type: str, version: int) -> Schema | None:
    path = path_of(event_type, version)
    if not path.exists():
        return None
    loaded: Schema = json.loads(path.read_text("utf-8"))
    return loaded


def versions_on_file(event_type: str) -> list[int]:
    folder = SCHEMAS / event_type
    found = [int(path.stem[1:]) for path in folder.glob("v*.json")] if folder.exists() else []
    return sorted(found)


def model_schema(model: type[ContractModel]) -> Schema:
    """What a consumer of `model` accepts: its validation schema, open to fields it does
    not know (consumers ignore them, so adding an optional field stays compatible)."""
    opened: Schema = _open(model.model_json_schema(mode="validation"))
    return opened


def _open(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {key: _open(value) for key, value in schema.items() if key != "additionalProperties"}
    if isinstance(schema, list):
        return [_open(value) for value in schema]
    return schema


def snapshot(event_type: str, version: int, model: type[ContractModel], examples: Any) -> Schema:
    """The snapshot of `model` as `event_type`'s `version`."""
    return {
        "$schema": DIALECT,
        "$id": dataschema(event_type, version),
        **model_schema(model),
        "examples": list(examples),
    }


def write(event_type: str, version: int, schema: Schema) -> Path:
    path = path_of(event_type, version)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return path


def problems(event_type: str, model: type[ContractModel]) -> list[str]:
    """What is wrong between `model` (the current version of `event_type`) and the
    snapshots: each line names the event, the version, the field and the rule."""
    version = current_version(event_type)
    on_file = versions_on_file(event_type)
    missing = [each for each in range(1, version + 1) if each not in on_file]
    found = [f"{event_type} v{each} has no snapshot: run `make contracts`" for each in missing]
    stored = load(event_type, version)
    if stored is None:
        return found
    compared = changes(stored, model_schema(model))
    for change in incompatible(compared):
        found.append(
            f"{event_type} v{version}: {change}: publish it as version {version + 1} with an "
            f"upcaster from version {version} ({UPCASTERS_MODULE}), then run `make contracts`"
        )
    fresh = snapshot(event_type, version, model, [])
    if not found and _undocumented(stored) != _undocumented(fresh):
        listed = "; ".join(str(change) for change in compared) or "documentation"
        found.append(
            f"{event_type} v{version}: the snapshot is out of date ({listed}): run `make contracts`"
        )
    if not stored.get("examples"):
        found.append(f"{event_type} v{version}: its snapshot has no example: add one to `examples`")
    for newer in (each for each in on_file if each > version):
        found.append(f"{event_type} v{newer} is on file, but the code publishes v{version}")
    return found


def _undocumented(schema: Schema) -> Schema:
    return {key: value for key, value in schema.items() if key != "examples"}
