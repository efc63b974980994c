"""Qualification documents of a store application and their checks (R-REV-2, R-REV-4).

Only the document's metadata is checked here (kind, name, type, size); whether its
contents match the application is for the operator reviewing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Annotated

from pydantic import Field, StrictInt, StrictStr, StringConstraints

from review.domain.issues import Issue
from shared.contract.types import ContractModel, StoreType
from shared.inputs import ONE_LINE
from shared.policy import Policy

ShortText = Annotated[StrictStr, StringConstraints(max_length=255), ONE_LINE]

# R-REV-2: the qualifications every store proves. **decided**: a business licence and an
# identity document of the legal representative for every store; a semi-managed store
# also proves its overseas-warehouse fulfilment (R-LOG-2), as a lease or service contract.
REQUIRED_DOCUMENT_KINDS: dict[StoreType, tuple[str, ...]] = {
    "full_managed": ("business_license", "id_document"),
    "semi_managed": ("business_license", "id_document", "warehouse_proof"),
}
#: Kinds a merchant may add beyond the required ones (e.g. a trademark registration).
OPTIONAL_DOCUMENT_KINDS: tuple[str, ...] = ("trademark_registration", "other")
KNOWN_DOCUMENT_KINDS: frozenset[str] = frozenset(
    {kind for kinds in REQUIRED_DOCUMENT_KINDS.values() for kind in kinds}
    | set(OPTIONAL_DOCUMENT_KINDS)
)

# R-REV-4 (decided): PDF, JPEG or PNG only; the file's extension must agree with its
# declared content type, so a mislabelled upload is returned rather than accepted.
ACCEPTED_FORMATS: dict[str, frozenset[str]] = {
    "application/pdf": frozenset({".pdf"}),
    "image/jpeg": frozenset({".jpg", ".jpeg"}),
    "image/png": frozenset({".png"}),
}


class DocumentRef(ContractModel):
    """An uploaded document as the application refers to it (no content here)."""

    kind: ShortText
    filename: ShortText
    content_type: ShortText
    size_bytes: StrictInt = Field(ge=0)


def document_issues(
    store_type: StoreType, documents: Sequence[DocumentRef], policy: Policy
) -> list[Issue]:
    """R-REV-4: missing kinds, unknown kinds, wrong formats, empty or oversized files."""
    issues: list[Issue] = []
    present = {document.kind for document in documents}
    for kind in REQUIRED_DOCUMENT_KINDS[store_type]:
        if kind not in present:
            issues.append(
                Issue(
                    field="documents",
                    problem=f"a {store_type} store needs a '{kind}' document; upload it",
                )
            )
    for index, document in enumerate(documents):
        issues.extend(_one_document_issues(f"documents[{index}]", document, policy))
    return issues


def _one_document_issues(where: str, document: DocumentRef, policy: Policy) -> list[Issue]:
    issues: list[Issue] = []
    if document.kind not in KNOWN_DOCUMENT_KINDS:
        known = ", ".join(sorted(KNOWN_DOCUMENT_KINDS))
        issues.append(
            Issue(
                field=f"{where}.kind", problem=f"unknown kind '{document.kind}'; use one of {known}"
            )
        )
    content_type = document.content_type.strip().lower()
    extension = PurePosixPath(document.filename.strip().lower()).suffix
    extensions = ACCEPTED_FORMATS.get(content_type)
    if extensions is None:
        issues.append(
            Issue(
                field=f"{where}.content_type",
                problem=f"'{document.content_type}' is not accepted; upload a PDF, JPEG or PNG",
            )
        )
    elif extension not in extensions:
        expected = " or ".join(sorted(extensions))
        issues.append(
            Issue(
                field=f"{where}.filename",
                problem=(
                    f"'{document.filename}' does not match its type {content_type}; "
                    f"a file of that type ends in {expected}"
                ),
            )
        )
    if document.size_bytes == 0:
        issues.append(
            Issue(field=f"{where}.size_bytes", problem="the file is empty; upload it again")
        )
    elif document.size_bytes > policy.document_max_bytes:
        issues.append(
            Issue(
                field=f"{where}.size_bytes",
                problem=(
                    f"the file has {document.size_bytes} bytes, more than the "
                    f"{policy.document_max_bytes} accepted; compress or split it"
                ),
            )
        )
    return issues
