"""A store application as the merchant types it into the console's form, and as review
takes it (`POST /stores`, `PUT /stores/{id}`: `StoreApplication`, R-REV-2, R-REV-4): the
form's fields read into the body, each document kind's file input, and review's issues
put back beside the field they concern."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from console.pages.onboarding_common import text_of
from console.services import ServiceProblem

STORE_TYPES = {"full_managed": "Full-managed", "semi_managed": "Semi-managed"}
#: R-REV-2: the document kinds review knows, the store types that must prove each, and how
#: people call them. Review publishes no list of them, so they are named here; review
#: still checks every application (R-REV-4).
DOCUMENT_KINDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("business_license", "Business licence", ("full_managed", "semi_managed")),
    ("id_document", "Identity document of the legal representative", tuple(STORE_TYPES)),
    ("warehouse_proof", "Overseas warehouse lease or service contract", ("semi_managed",)),
    ("trademark_registration", "Trademark registration", ()),
    ("other", "Other document", ()),
)
WAREHOUSE_PARTS = ("country", "city", "address", "timezone")
TEXT_FIELDS = ("name", "company_name", "business_license_no", "contact_email", "handling_days")


@dataclass
class Typed:
    """What the merchant typed, to show again: nothing is lost to a refusal."""

    values: dict[str, str] = field(default_factory=dict)
    categories: list[str] = field(default_factory=list)
    contract_signed: bool = False
    #: Each document kind's upload to this store already (`document_id`), to cite again.
    cited: dict[str, str] = field(default_factory=dict)
    #: The store the application was opened as, once review has it.
    store_id: str = ""


def typed_of(form: FormData) -> Typed:
    names = (*TEXT_FIELDS, "store_type", *(f"warehouse_{part}" for part in WAREHOUSE_PARTS))
    cited = {kind: text_of(form, f"cited_{kind}") for kind, _, _ in DOCUMENT_KINDS}
    return Typed(
        values={name: text_of(form, name) for name in names},
        categories=[str(code) for code in form.getlist("categories") if str(code).strip()],
        contract_signed=text_of(form, "contract_signed") == "yes",
        cited={kind: document_id for kind, document_id in cited.items() if document_id},
        store_id=text_of(form, "store_id"),
    )


def application_of(typed: Typed) -> tuple[dict[str, Any], dict[str, str]]:
    """The body review takes (without its documents), and what the console can say is
    wrong before asking: a store type not offered, days that are not a number."""
    values, errors = typed.values, {}
    store_type = values.get("store_type", "")
    if store_type not in STORE_TYPES:
        errors["store_type"] = "Choose full-managed or semi-managed."
    body: dict[str, Any] = {
        "store_type": store_type,
        **{name: values.get(name, "") for name in TEXT_FIELDS[:4]},
        "categories": typed.categories,
        "contract_signed": typed.contract_signed,
    }
    if store_type == "semi_managed":  # R-LOG-2: its overseas warehouse and handling time
        parts = {part: values.get(f"warehouse_{part}", "") for part in WAREHOUSE_PARTS}
        body["warehouse"] = parts if any(parts.values()) else None
        days = values.get("handling_days", "")
        body["handling_days"] = int(days) if days.isdigit() else None
        if days and not days.isdigit():
            errors["handling_days"] = "Give the handling time as a whole number of days."
    return body, errors


def missing_documents(store_type: str, chosen: set[str], cited: dict[str, str]) -> dict[str, str]:
    """R-REV-2: each kind the store type proves, neither chosen now nor uploaded before."""
    return {
        f"doc_{kind}": f"Upload the {label.lower()}: a PDF, JPEG or PNG."
        for kind, label, required_of in DOCUMENT_KINDS
        if store_type in required_of and kind not in chosen and kind not in cited
    }


def citations(cited: dict[str, str]) -> list[dict[str, str]]:
    """R-REV-14: each upload cited as `{kind, document_id}`; review copies its facts."""
    return [{"kind": kind, "document_id": document_id} for kind, document_id in cited.items()]


def _target(name: str, problem: str, cited_kinds: list[str]) -> str:
    """The form's field an issue of review concerns (`documents[1].filename` is the file
    input of the second document cited, `warehouse.timezone` is `warehouse_timezone`)."""
    if found := re.match(r"documents\[(\d+)\]", name):
        index = int(found.group(1))
        return f"doc_{cited_kinds[index]}" if index < len(cited_kinds) else "documents"
    if name == "documents" and (kind := re.search(r"'(\w+)' document", problem)):
        return f"doc_{kind.group(1)}"
    if name.startswith("warehouse.") or name in WAREHOUSE_PARTS:
        return f"warehouse_{name.removeprefix('warehouse.')}"
    return name.split("[")[0]


def beside_fields(
    problem: ServiceProblem | None, issues: list[dict[str, Any]], cited_kinds: list[str]
) -> dict[str, str]:
    """Each message of a refusal (its `errors`, its `issues`) or of the store's issues
    (R-REV-4: returned for information), on the field of the form it concerns."""
    named: list[tuple[str, str]] = list(problem.fields.items()) if problem else []
    found = (problem.body.get("issues") or []) if problem else []
    for issue in [*found, *issues]:
        if isinstance(issue, dict) and issue.get("field"):
            named.append((str(issue["field"]), str(issue.get("problem", ""))))
    errors: dict[str, str] = {}
    for name, message in named:
        target = _target(name, message, cited_kinds)
        errors[target] = f"{errors[target]}; {message}" if target in errors else message
    return errors


def form_problem(detail: str, status: int = 422) -> ServiceProblem:
    """A problem the console found itself, shown as a service's: above the form, with
    each field's message beside it."""
    return ServiceProblem("console", status, "Check the form", detail)
