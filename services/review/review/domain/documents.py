"""Qualification documents of a store application and their checks (R-REV-2, R-REV-4,
R-REV-14).

An application cites each document it proves by `{kind, document_id}`: a file uploaded
to its store (`POST /stores/{id}/documents`), whose facts (name, type read from its bytes,
size, SHA-256) the service copies into the citation, so the operator reviews what was
uploaded and can download it. A citation of nothing uploaded to the store is an issue.

**decided** (compatibility, one release): the form before uploads, a document only
described (`filename`, `content_type`, `size_bytes`, no `document_id`), is still read and
checked by its description, and shown with `document_id` null: nothing an operator can
open. It is refused from the next release on (docs/contract.md). Whether a document's
contents match the application is for the operator reviewing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Annotated

from pydantic import Field, StrictInt, StrictStr, StringConstraints, model_validator

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
    """A document as the application cites it: an upload (`document_id`, its facts copied
    by the service: `sha256` set), or a description of before uploads (no `document_id`)."""

    kind: ShortText
    document_id: ShortText | None = None
    filename: ShortText | None = None
    content_type: ShortText | None = None
    size_bytes: StrictInt | None = Field(None, ge=0)
    #: Set by the service from the upload the citation names; None: nothing found.
    sha256: ShortText | None = None

    @model_validator(mode="after")
    def _cited_or_described(self) -> DocumentRef:
        described = (self.filename, self.content_type, self.size_bytes)
        if self.document_id is None and None in described:
            raise ValueError(
                "cite an uploaded document as {kind, document_id}: upload the file first "
                "(POST /stores/{store_id}/documents, multipart)"
            )
        return self

    @property
    def uploaded(self) -> bool:
        """A citation the service matched with an upload of the store."""
        return self.document_id is not None and self.sha256 is not None

    def unresolved(self) -> DocumentRef:
        """The bare citation, facts dropped: what the merchant said, before any lookup."""
        if self.document_id is None:
            return self
        return DocumentRef(kind=self.kind, document_id=self.document_id)


def document_issues(
    store_type: StoreType, documents: Sequence[DocumentRef], policy: Policy
) -> list[Issue]:
    """R-REV-4: missing kinds, unknown kinds, wrong formats, empty or oversized files."""
    issues: list[Issue] = []
    present = {d.kind for d in documents if d.document_id is None or d.uploaded}
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
    if document.document_id is not None and not document.uploaded:
        return [
            Issue(
                field=f"{where}.document_id",
                problem=(
                    f"no '{document.kind}' document {document.document_id} was uploaded to "
                    "this store; upload it (POST /stores/{store_id}/documents) and cite the "
                    "document_id it answers"
                ),
            )
        ]
    issues: list[Issue] = []
    if document.kind not in KNOWN_DOCUMENT_KINDS:
        known = ", ".join(sorted(KNOWN_DOCUMENT_KINDS))
        issues.append(
            Issue(
                field=f"{where}.kind", problem=f"unknown kind '{document.kind}'; use one of {known}"
            )
        )
    return issues + _format_issues(where, document, policy)


def _format_issues(where: str, document: DocumentRef, policy: Policy) -> list[Issue]:
    """R-REV-4: a PDF, JPEG or PNG named as its type, neither empty nor too large."""
    issues: list[Issue] = []
    content_type = (document.content_type or "").strip().lower()
    extension = PurePosixPath((document.filename or "").strip().lower()).suffix
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
    if not document.size_bytes:
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
