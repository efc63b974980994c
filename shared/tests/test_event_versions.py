"""Events that evolve: every model matches its committed snapshots, a change is classed by
who it breaks (`shared.contract.compatibility`), an incompatible one must come as a new
version with an upcaster, and every version's example reads as the current model."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Literal

import pytest
from contracts import refresh
from jsonschema import Draft202012Validator
from pydantic import BaseModel, Field

from shared.contract import REGISTRY, ContractViolation, Envelope, NewerVersion, snapshots
from shared.contract import events as ev
from shared.contract.compatibility import Change, changes
from shared.contract.snapshots import load, model_schema, problems, versions_on_file
from shared.contract.versions import UPCASTERS, category_code, current_version
from testkit import clock as run_clock


def test_every_event_type_matches_its_snapshots() -> None:
    found = [problem for kind, model in REGISTRY.items() for problem in problems(kind, model)]
    assert not found, "\n".join(found)


class ShippedWithANumberedCarrier(ev.Shipped):
    carrier: int  # type: ignore[assignment]  # the change under test


def test_changing_a_fields_type_fails_naming_the_event_the_field_and_the_rule() -> None:
    found = problems("Shipped", ShippedWithANumberedCarrier)

    assert found[0] == (
        "Shipped v1: carrier: no longer accepts string (incompatible): publish it as version 2 "
        "with an upcaster from version 1 (shared/contract/versions.py), then run "
        "`make contracts`"
    )


class ShippedWithAParcelCount(ev.Shipped):
    parcels: int | None = None


@pytest.fixture
def schemas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The committed snapshots, copied: `make contracts` writes into the copy."""
    copy = tmp_path / "schemas"
    shutil.copytree(snapshots.SCHEMAS, copy)
    monkeypatch.setattr(snapshots, "SCHEMAS", copy)
    return copy


def test_an_optional_field_added_passes_once_make_contracts_updates_the_snapshot(
    schemas: Path,
) -> None:
    committed = load("Shipped", 1)
    assert committed is not None
    assert problems("Shipped", ShippedWithAParcelCount) == [
        "Shipped v1: the snapshot is out of date (parcels: optional field added (compatible)): "
        "run `make contracts`"
    ]

    assert refresh("Shipped", ShippedWithAParcelCount) == "Shipped v1: updated"

    assert problems("Shipped", ShippedWithAParcelCount) == []
    updated = load("Shipped", 1)
    assert updated is not None
    assert "parcels" in updated["properties"]
    assert updated["examples"] == committed["examples"]


def test_make_contracts_refuses_an_incompatible_change(schemas: Path) -> None:
    before = (schemas / "Shipped" / "v1.json").read_text()

    assert refresh("Shipped", ShippedWithANumberedCarrier) is None

    assert (schemas / "Shipped" / "v1.json").read_text() == before
    assert problems("Shipped", ShippedWithANumberedCarrier)


# --- the rules, one by one ------------------------------------------------------------


class Line(BaseModel):
    sku: str
    size: Literal["s", "m"]
    note: str | None = None
    quantity: int = Field(gt=0, le=10)


class Before(BaseModel):
    line: Line
    lines: list[Line]
    code: str


class NewLine(BaseModel):
    sku: str
    size: Literal["s", "m", "l"]  # an enum value added
    note: str  # no longer nullable, and made required
    quantity: int = Field(gt=0, le=5)  # a bound tightened
    colour: str  # a required field added


class After(BaseModel):
    line: NewLine
    lines: list[NewLine]
    code: str = Field(pattern="^[a-z]+$")  # a pattern added
    gift: bool = False  # an optional field added


def test_each_change_is_classed_by_who_it_breaks() -> None:
    found = {
        (change.path, change.rule, change.kind) for change in changes(schema(Before), schema(After))
    }

    for where in ("line", "lines[]"):
        assert (f"{where}.size", "enum value 'l' added", "consumers first") in found
        assert (f"{where}.note", "no longer nullable", "incompatible") in found
        assert (f"{where}.note", "field made required", "incompatible") in found
        assert (f"{where}.quantity", "maximum 10 → 5", "incompatible") in found
        assert (f"{where}.colour", "required field added", "incompatible") in found
    assert ("code", "pattern '^[a-z]+$' added", "incompatible") in found
    assert ("gift", "optional field added", "compatible") in found
    assert len(found) == 12


def test_a_removed_field_and_a_removed_enum_value_are_incompatible() -> None:
    found = changes(schema(After), schema(Before))

    assert Change("gift", "field removed or renamed", "incompatible") in found
    assert Change("line.size", "enum value 'l' removed", "incompatible") in found
    assert Change("line.note", "made nullable", "consumers first") in found
    assert Change("line.quantity", "maximum 5 → 10", "consumers first") in found


def schema(model: type[BaseModel]) -> dict[str, object]:
    return model_schema(model)  # type: ignore[arg-type]  # any model's schema, as an event's


# --- versions and upcasters ------------------------------------------------------------


def test_each_event_types_upcasters_lead_without_a_gap_to_its_current_version() -> None:
    for kind in REGISTRY:
        steps = sorted(version for event_type, version in UPCASTERS if event_type == kind)
        assert steps == list(range(1, current_version(kind))), kind
        assert versions_on_file(kind) == list(range(1, current_version(kind) + 1)), kind


def test_every_versions_examples_fit_their_schema_and_read_as_the_current_model() -> None:
    read = 0
    for kind, model in REGISTRY.items():
        for version in versions_on_file(kind):
            stored = load(kind, version)
            assert stored is not None
            validator = Draft202012Validator(
                stored, format_checker=Draft202012Validator.FORMAT_CHECKER
            )
            for example in stored["examples"]:
                validator.validate(example)
                payload = an_envelope(kind, version, example).typed_payload()
                assert type(payload) is model
                read += 1
    assert read >= len(REGISTRY) + len(UPCASTERS)


def an_envelope(kind: str, version: int, payload: dict[str, object]) -> Envelope:
    return Envelope.model_validate(
        {
            "event_id": "6f1d7c1e-3b1a-4d53-9a55-0d7f3f8c2a10",
            "event_type": kind,
            "schema_version": version,
            "occurred_at": run_clock.now(),
            "producer": "review",
            "correlation_id": "c-1",
            "payload": payload,
        }
    )


def test_version_1_categories_are_read_as_codes_and_never_guessed() -> None:  # R-REV-11
    assert [category_code(text) for text in ("Home", " 家居 ", "home", "pet-food")] == [
        "home",
        "home",
        "home",
        "pet-food",
    ]
    example = (load("ProductApproved", 1) or {})["examples"][0]
    with pytest.raises(ContractViolation, match="'Gadgets & Co' is neither a category code"):
        an_envelope("ProductApproved", 1, {**example, "category": "Gadgets & Co"}).typed_payload()


def test_a_version_newer_than_the_service_reads_is_refused_with_what_to_do() -> None:
    example = (load("ProductApproved", 2) or {})["examples"][0]
    with pytest.raises(NewerVersion, match="version 3 is newer than this service reads"):
        an_envelope("ProductApproved", 3, example).typed_payload()


def test_fields_a_newer_producer_added_are_ignored() -> None:
    example = (load("Shipped", 1) or {})["examples"][0]
    payload = an_envelope("Shipped", 1, {**example, "parcels": 2}).typed_payload()
    assert payload == ev.Shipped.model_validate(example)


class Pair(BaseModel):
    pair: tuple[int, str]


def test_a_schema_the_rules_do_not_compare_is_refused_not_passed() -> None:
    with pytest.raises(NotImplementedError, match=r"\['prefixItems'\]"):
        changes(schema(Pair), schema(Pair))
