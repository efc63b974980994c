"""An uploaded document's bytes, judged as they stream in (R-REV-14).

A document's type is read from its first bytes (their magic numbers), never from its name
or the content type its sender declared: a business licence or an identity document is a
PDF, a PNG or a JPEG, and its name must end as its bytes say (a PNG named `.pdf` would
open in the wrong program for the operator who downloads it). The bytes are counted and
hashed (SHA-256) as they arrive, and refused the moment they pass `DOCUMENT_MAX_BYTES`,
so nothing larger is ever read whole.

**decided**: the `filetype` library reads the magic numbers. The three accepted types
are a few bytes each, but it also names what a refused file is (a ZIP, a Word document, a
GIF...), which is what the merchant needs to hear.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import PurePosixPath

import filetype  # type: ignore[import-untyped]  # no type hints shipped
from pydantic import Field, StrictInt

from review.domain.documents import ACCEPTED_FORMATS, KNOWN_DOCUMENT_KINDS, DocumentRef, ShortText
from review.domain.errors import Invalid, ReviewError
from review.domain.issues import Issue
from shared.contract.types import ContractModel, UtcDateTime

#: What the type is read from: `filetype` looks at most at a file's first 8 KiB.
HEAD_BYTES = 8192
_ACCEPTED_NAMES = "a PDF, a PNG or a JPEG"


class DocumentTooLarge(ReviewError):
    """More bytes than `DOCUMENT_MAX_BYTES`: nothing was kept."""


class UploadedDocument(ContractModel):
    """A stored document's facts; its bytes are in GridFS under the same id."""

    document_id: str
    store_id: str
    merchant_id: str
    kind: ShortText
    filename: ShortText
    #: Read from the bytes (`verified_type`), never as declared.
    content_type: str
    size_bytes: StrictInt = Field(ge=1)
    sha256: str
    uploaded_at: UtcDateTime

    def cited(self) -> DocumentRef:
        """The reference an application keeps: the facts the operator reviews."""
        return DocumentRef(
            kind=self.kind,
            document_id=self.document_id,
            filename=self.filename,
            content_type=self.content_type,
            size_bytes=self.size_bytes,
            sha256=self.sha256,
        )


def refused(field: str, message: str, problem: str) -> Invalid:
    """A 422 of an upload: what is wrong with it, and the field to fix."""
    return Invalid(message, [Issue(field=field, problem=problem)])


def plain_filename(declared: str | None) -> str:
    """The name without any folder a browser sent along (`C:\\fakepath\\a.pdf` → `a.pdf`);
    a name that cannot be stored is refused (422)."""
    name = PurePosixPath((declared or "").replace("\\", "/")).name.strip()
    if not name or len(name) > 255 or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in name):
        raise refused(
            "file",
            "the file needs a name of one line, at most 255 characters",
            "send the file with its name (e.g. licence.pdf)",
        )
    return name


def known_kind(kind: str | None) -> str:
    """R-REV-2: the kind of document, one the platform knows (422 otherwise)."""
    if kind not in KNOWN_DOCUMENT_KINDS:
        known = ", ".join(sorted(KNOWN_DOCUMENT_KINDS))
        problem = f"'{kind or ''}' is not a kind; use one of {known}"
        raise refused("kind", f"a document's kind is one of {known}", problem)
    return kind


def what_the_bytes_are(head: bytes) -> str | None:
    """The MIME type the bytes' magic numbers say, or None if they say none known."""
    kind = filetype.guess(head)
    return None if kind is None else str(kind.mime)


def verified_type(filename: str, head: bytes) -> str:
    """The accepted content type the bytes are, agreeing with the name's extension;
    otherwise `Invalid` saying what the bytes are and what is accepted."""
    found = what_the_bytes_are(head)
    if found not in ACCEPTED_FORMATS:
        said = f"the bytes of a {found} file" if found else "of no type we recognise"
        raise refused(
            "file",
            f"'{filename}' is {said}; upload {_ACCEPTED_NAMES}",
            f"{said}: not {_ACCEPTED_NAMES}",
        )
    extension = PurePosixPath(filename.lower()).suffix
    extensions = ACCEPTED_FORMATS[found]
    if extension not in extensions:
        expected = " or ".join(sorted(extensions))
        raise refused(
            "file",
            f"'{filename}' holds the bytes of a {found} file; name it with {expected}",
            f"the bytes are {found}; its name ends in {expected}",
        )
    return found


class Digest:
    """What is known of a document as its bytes stream in: size, SHA-256, first bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.head = b""
        self._sha256 = hashlib.sha256()

    def add(self, chunk: bytes) -> None:
        """Count and hash `chunk`; past `max_bytes`, `DocumentTooLarge` (stop reading)."""
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise DocumentTooLarge(
                f"the file has more than {self.max_bytes} bytes, the most accepted "
                "(DOCUMENT_MAX_BYTES); compress or split it"
            )
        if len(self.head) < HEAD_BYTES:
            self.head += chunk[: HEAD_BYTES - len(self.head)]
        self._sha256.update(chunk)

    @property
    def head_complete(self) -> bool:
        return len(self.head) >= HEAD_BYTES

    @property
    def sha256(self) -> str:
        return self._sha256.hexdigest()

    def document(
        self,
        *,
        document_id: str,
        store_id: str,
        merchant_id: str,
        kind: str,
        filename: str,
        now: datetime,
    ) -> UploadedDocument:
        """The whole file's facts, once its last byte is in; an empty file is refused."""
        if self.size == 0:
            raise Invalid(
                "the file is empty", [Issue(field="file", problem="upload the file again")]
            )
        return UploadedDocument(
            document_id=document_id,
            store_id=store_id,
            merchant_id=merchant_id,
            kind=kind,
            filename=filename,
            content_type=verified_type(filename, self.head),
            size_bytes=self.size,
            sha256=self.sha256,
            uploaded_at=now,
        )
