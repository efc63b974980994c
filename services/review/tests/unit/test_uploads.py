"""An upload's bytes judged as they stream in (R-REV-14): the type from the magic numbers,
never the name; the size bounded as the bytes arrive; the SHA-256 of every byte."""

from __future__ import annotations

import hashlib

import pytest

from review.domain.documents import DocumentRef, document_issues
from review.domain.errors import Invalid
from review.domain.uploads import (
    HEAD_BYTES,
    Digest,
    DocumentTooLarge,
    known_kind,
    plain_filename,
    verified_type,
)
from shared.policy import Policy
from testkit.factories import T0

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("licence.pdf", PDF, "application/pdf"),
        ("ID.PNG", PNG, "image/png"),
        ("scan.jpg", JPEG, "image/jpeg"),
        ("scan.jpeg", JPEG, "image/jpeg"),
    ],
)
def test_accepted_types_are_read_from_the_bytes(name: str, head: bytes, expected: str) -> None:
    assert verified_type(name, head + bytes(32)) == expected


def test_a_png_named_pdf_is_refused_saying_what_it_is() -> None:
    with pytest.raises(Invalid) as refused:
        verified_type("licence.pdf", PNG + bytes(32))
    assert ("image/png" in refused.value.message, ".png" in refused.value.message) == (True, True)


@pytest.mark.parametrize(
    ("head", "said"),
    [
        (b"GIF89a" + bytes(32), "image/gif"),
        (b"PK\x03\x04" + bytes(32), "application/zip"),
        (b"just some text, named as a PDF", "of no type we recognise"),
    ],
)
def test_other_bytes_are_refused_naming_them_and_the_accepted(head: bytes, said: str) -> None:
    with pytest.raises(Invalid) as refused:
        verified_type("licence.pdf", head)
    assert said in refused.value.message
    assert "a PDF, a PNG or a JPEG" in refused.value.message


def test_the_size_is_bounded_as_the_bytes_arrive() -> None:
    digest = Digest(max_bytes=10)
    digest.add(b"12345")
    digest.add(b"67890")  # exactly the limit: accepted
    with pytest.raises(DocumentTooLarge) as refused:
        digest.add(b"1")
    assert "10 bytes" in refused.value.message


def test_the_digest_hashes_every_byte_and_keeps_only_the_head() -> None:
    chunks = [PDF, bytes(HEAD_BYTES), b"tail"]
    digest = Digest(max_bytes=10**6)
    for chunk in chunks:
        digest.add(chunk)
    whole = b"".join(chunks)
    assert (digest.size, digest.sha256) == (len(whole), hashlib.sha256(whole).hexdigest())
    assert (digest.head, digest.head_complete) == (whole[:HEAD_BYTES], True)
    fields = {"store_id": "s", "merchant_id": "m", "kind": "other", "filename": "a.pdf"}
    document = digest.document(document_id="d", now=T0, **fields)
    assert (document.content_type, document.size_bytes) == ("application/pdf", len(whole))


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(Invalid, match="empty"):
        Digest(max_bytes=10).document(
            document_id="d", store_id="s", merchant_id="m", kind="other", filename="a.pdf", now=T0
        )


def test_names_lose_their_folders_and_kinds_are_known() -> None:
    assert plain_filename("C:\\fakepath\\licence.pdf") == "licence.pdf"
    assert plain_filename("../../etc/licence.pdf") == "licence.pdf"
    for bad in ("", None, "a\nb.pdf", "x" * 256):
        with pytest.raises(Invalid):
            plain_filename(bad)
    assert known_kind("business_license") == "business_license"
    with pytest.raises(Invalid):
        known_kind("diploma")


def test_a_citation_of_nothing_uploaded_is_an_issue_and_a_matched_one_is_not() -> None:
    bare = DocumentRef(kind="business_license", document_id="d-1")
    matched = DocumentRef(
        kind="id_document",
        document_id="d-2",
        filename="id.png",
        content_type="image/png",
        size_bytes=100,
        sha256="ab" * 32,
    )
    issues = document_issues("full_managed", [bare, matched], Policy())
    assert [issue.field for issue in issues] == ["documents", "documents[0].document_id"]
    assert "upload it" in issues[1].problem
    with pytest.raises(ValueError, match="upload the file first"):
        DocumentRef(kind="business_license", filename="a.pdf")
