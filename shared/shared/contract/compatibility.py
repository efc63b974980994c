"""Which change to an event's model breaks whom: the committed JSON Schema of a version
(its snapshot) beside the schema the model gives now.

Both are pydantic's validation schemas: what a consumer accepts. A change is classed by
who it breaks during a rolling upgrade (`shared.contract.versions` says what to do with
each class):

- **compatible**: an optional field added;
- **incompatible**: a field removed or renamed (older consumers require it); a required
  field added, or a field made required (older events lack it); a type changed or
  narrowed: a type, `null` or an enum value no longer accepted, a pattern or a format
  added or changed, a bound tightened (older events may not fit);
- **consumers first**: a field made optional; a type widened: a type, `null` or an enum
  value now accepted, a pattern or a format dropped, a bound loosened (older consumers
  park what they cannot read yet).

Titles, descriptions and defaults are documentation: a change to them is compatible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Schema = dict[str, Any]
Kind = Literal["compatible", "consumers first", "incompatible"]

#: Bounds a newer schema tightens by raising them, and by lowering them.
LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems")
UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems")
#: Keywords that only document: not compared.
DOCUMENTATION = ("title", "description", "default", "examples", "$id", "$schema")
#: Keywords pydantic does not generate for the contract's models today, which these rules
#: do not compare: a schema using one is refused rather than passed unchecked.
UNCOMPARED = ("prefixItems", "patternProperties", "dependentRequired", "not", "if", "contains")


@dataclass(frozen=True)
class Change:
    path: str
    """The field, dotted, `[]` for a list's elements: `items[].category`."""
    rule: str
    kind: Kind

    def __str__(self) -> str:
        return f"{self.path or '(the payload)'}: {self.rule} ({self.kind})"


def changes(old: Schema, new: Schema) -> list[Change]:
    """Every difference between `old` (a snapshot) and `new` that is not documentation."""
    return _Comparison(old.get("$defs", {}), new.get("$defs", {})).compare(old, new, "")


def incompatible(found: list[Change]) -> list[Change]:
    return [change for change in found if change.kind == "incompatible"]


class _Comparison:
    def __init__(self, old_defs: Schema, new_defs: Schema) -> None:
        self._old_defs, self._new_defs = old_defs, new_defs

    def compare(self, old: Schema, new: Schema, path: str) -> list[Change]:
        old_branches = _by_type(_branches(old, self._old_defs))
        new_branches = _by_type(_branches(new, self._new_defs))
        found: list[Change] = []
        for kind in old_branches.keys() - new_branches.keys():
            rule = "no longer nullable" if kind == "null" else f"no longer accepts {kind}"
            found.append(Change(path, rule, "incompatible"))
        for kind in new_branches.keys() - old_branches.keys():
            rule = "made nullable" if kind == "null" else f"now also accepts {kind}"
            found.append(Change(path, rule, "consumers first"))
        for kind in sorted(old_branches.keys() & new_branches.keys()):
            found += self._same_type(old_branches[kind], new_branches[kind], path)
        return found

    def _same_type(self, old: Schema, new: Schema, path: str) -> list[Change]:
        found = _values(old, new, path) + _bounds(old, new, path)
        for keyword in ("pattern", "format"):
            found += _keyword(old.get(keyword), new.get(keyword), keyword, path)
        if "properties" in old or "properties" in new:
            found += self._fields(old, new, path)
        if "items" in old and "items" in new:
            found += self.compare(old["items"], new["items"], f"{path}[]")
        return found

    def _fields(self, old: Schema, new: Schema, path: str) -> list[Change]:
        old_fields, new_fields = old.get("properties", {}), new.get("properties", {})
        old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
        found: list[Change] = []
        for name in old_fields.keys() - new_fields.keys():
            found.append(Change(_join(path, name), "field removed or renamed", "incompatible"))
        for name in new_fields.keys() - old_fields.keys():
            if name in new_required:
                found.append(Change(_join(path, name), "required field added", "incompatible"))
            else:
                found.append(Change(_join(path, name), "optional field added", "compatible"))
        for name in sorted(old_fields.keys() & new_fields.keys()):
            where = _join(path, name)
            if name in new_required - old_required:
                found.append(Change(where, "field made required", "incompatible"))
            if name in old_required - new_required:
                found.append(Change(where, "field made optional", "consumers first"))
            found += self.compare(old_fields[name], new_fields[name], where)
        return found


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _resolve(schema: Schema, defs: Schema) -> Schema:
    """`schema` with its `$ref` (into `$defs`) replaced by what it names."""
    while "$ref" in schema:
        named = defs[schema["$ref"].rsplit("/", 1)[-1]]
        schema = {**named, **{key: value for key, value in schema.items() if key != "$ref"}}
    return schema


def _branches(schema: Schema, defs: Schema) -> list[Schema]:
    """The alternatives `schema` accepts (`anyOf`/`oneOf` flattened), each resolved."""
    schema = _resolve(schema, defs)
    uncompared = [keyword for keyword in UNCOMPARED if keyword in schema]
    if uncompared or len(schema.get("allOf", ())) > 1:
        raise NotImplementedError(
            f"the schema uses {uncompared or ['allOf']}, which shared.contract.compatibility "
            "does not compare: extend its rules before publishing it"
        )
    if "allOf" in schema:  # one schema wrapped, as older pydantic wrapped a $ref
        [inner] = schema["allOf"]
        rest = {key: value for key, value in schema.items() if key != "allOf"}
        return _branches({**inner, **rest}, defs)
    for union in ("anyOf", "oneOf"):
        if union in schema:
            return [branch for each in schema[union] for branch in _branches(each, defs)]
    return [schema]


def _by_type(branches: list[Schema]) -> dict[str, Schema]:
    """Alternatives by the JSON type they accept (`any` when a schema names none)."""
    typed: dict[str, Schema] = {}
    for branch in branches:
        kind = branch.get("type", "any")
        for each in kind if isinstance(kind, list) else [kind]:
            typed.setdefault(each, branch)
    return typed


def _enumerated(schema: Schema) -> list[Any] | None:
    if "enum" in schema:
        return list(schema["enum"])
    if "const" in schema:
        return [schema["const"]]
    return None


def _values(old: Schema, new: Schema, path: str) -> list[Change]:
    old_values, new_values = _enumerated(old), _enumerated(new)
    if old_values is None and new_values is None:
        return []
    if old_values is None:
        return [Change(path, f"restricted to the values {new_values}", "incompatible")]
    if new_values is None:
        return [Change(path, "no longer restricted to listed values", "consumers first")]
    found = [
        Change(path, f"enum value {value!r} removed", "incompatible")
        for value in old_values
        if value not in new_values
    ]
    found += [
        Change(path, f"enum value {value!r} added", "consumers first")
        for value in new_values
        if value not in old_values
    ]
    return found


def _bounds(old: Schema, new: Schema, path: str) -> list[Change]:
    found: list[Change] = []
    for bound in (*LOWER_BOUNDS, *UPPER_BOUNDS):
        before, after = old.get(bound), new.get(bound)
        if before == after:
            continue
        lower = bound in LOWER_BOUNDS
        tightened = before is None or (
            after is not None and (after > before if lower else after < before)
        )
        if before is None:
            rule = f"{bound} {after} added"
        elif after is None:
            rule = f"{bound} {before} dropped"
        else:
            rule = f"{bound} {before} → {after}"
        found.append(Change(path, rule, "incompatible" if tightened else "consumers first"))
    return found


def _keyword(before: Any, after: Any, keyword: str, path: str) -> list[Change]:
    if before == after:
        return []
    if after is None:
        return [Change(path, f"{keyword} {before!r} dropped", "consumers first")]
    rule = f"{keyword} {after!r} added" if before is None else f"{keyword} {before!r} → {after!r}"
    return [Change(path, rule, "incompatible")]
