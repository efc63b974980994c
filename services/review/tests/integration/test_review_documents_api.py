"""A store's documents on the real engine, in-process (R-REV-14): uploaded as forms into
GridFS, typed by their bytes, bounded while they stream, downloaded by the store's merchant
and operators only, and cited by the store's application."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from review.adapters.documents import BUCKET
from review.app import create
from review.settings import ReviewSettings
from shared.mongo import Database, connect
from shared.policy import Policy
from testkit.asgi import serve_in_process
from testkit.bodies import a_store_application
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

ExpectProblem = Callable[[httpx.Response, int], dict[str, Any]]
OPERATOR = bearer("operator", "op-1")
#: Above one GridFS chunk (255 KiB), so a refused upload has stored chunks to delete.
LIMIT = 300_000
PDF = b"%PDF-1.7\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 400 + b"%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 40


def new_merchant() -> str:
    return f"m-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def review(review_settings: ReviewSettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create(review_settings, policy=Policy(document_max_bytes=LIMIT))
    async with serve_in_process(app) as client:
        yield client


@pytest.fixture
async def database(mongo_url: str, review_settings: ReviewSettings) -> AsyncIterator[Database]:
    client = connect(mongo_url, app_name="documents-test")
    yield client[review_settings.database_name("review")]
    await client.close()


async def a_store(review: httpx.AsyncClient, merchant: str, **changes: Any) -> dict[str, Any]:
    """A semi-managed store (no invitation needed), its documents not uploaded yet."""
    body = _application(documents=[], **changes)
    response = await review.post("/stores", headers=bearer("merchant", merchant), json=body)
    assert response.status_code == 201, response.text
    store: dict[str, Any] = response.json()
    return store


def _application(**changes: Any) -> dict[str, Any]:
    return a_store_application("semi_managed", **changes)


async def upload(
    review: httpx.AsyncClient,
    store_id: str,
    merchant: str,
    kind: str,
    filename: str,
    content: bytes,
    declared: str = "application/octet-stream",
) -> httpx.Response:
    return await review.post(
        f"/stores/{store_id}/documents",
        headers=bearer("merchant", merchant),
        data={"kind": kind},
        files={"file": (filename, content, declared)},
    )


async def test_uploaded_documents_are_typed_by_their_bytes_and_read_back_whole(
    review: httpx.AsyncClient, expect_problem: ExpectProblem
) -> None:
    merchant = new_merchant()
    store = await a_store(review, merchant)
    url = f"/stores/{store['store_id']}/documents"
    # The declared type is ignored: the answer's is the bytes' own.
    pdf = await upload(review, store["store_id"], merchant, "business_license", "lic.pdf", PDF)
    png = await upload(review, store["store_id"], merchant, "id_document", "id.PNG", PNG)
    assert (pdf.status_code, png.status_code) == (201, 201), (pdf.text, png.text)
    assert (pdf.json()["content_type"], png.json()["content_type"]) == (
        "application/pdf",
        "image/png",
    )
    assert pdf.json()["size_bytes"] == len(PDF)
    assert pdf.json()["sha256"] == hashlib.sha256(PDF).hexdigest()

    wrong = await upload(
        review, store["store_id"], merchant, "id_document", "id.pdf", PNG, "application/pdf"
    )
    detail = expect_problem(wrong, 422)["detail"]
    assert ("image/png" in detail, ".png" in detail) == (True, True), detail
    zipped = await upload(
        review, store["store_id"], merchant, "other", "a.pdf", b"PK\x03\x04" + bytes(40)
    )
    assert "application/zip" in expect_problem(zipped, 422)["detail"]
    expect_problem(await upload(review, store["store_id"], merchant, "diploma", "a.pdf", PDF), 422)

    for who in (bearer("merchant", merchant), OPERATOR):
        got = await review.get(f"{url}/{pdf.json()['document_id']}", headers=who)
        assert got.status_code == 200, got.text
        assert got.content == PDF
        assert hashlib.sha256(got.content).hexdigest() == pdf.json()["sha256"]
        assert got.headers["content-type"] == "application/pdf"
        assert 'filename="lic.pdf"' in got.headers["content-disposition"]
        listed = await review.get(url, headers=who)
        assert [d["document_id"] for d in listed.json()["items"]] == [
            pdf.json()["document_id"],
            png.json()["document_id"],
        ]
    other = bearer("merchant", new_merchant())
    expect_problem(await review.get(f"{url}/{pdf.json()['document_id']}", headers=other), 404)
    expect_problem(await review.get(url, headers=other), 404)
    stranger = await upload(review, store["store_id"], new_merchant(), "other", "x.pdf", PDF)
    expect_problem(stranger, 404)
    as_operator = await review.post(
        url, headers=OPERATOR, data={"kind": "other"}, files={"file": ("x.pdf", PDF)}
    )
    expect_problem(as_operator, 403)
    expect_problem(
        await review.post(url, headers=bearer("merchant", merchant), json={"kind": "other"}), 415
    )


async def test_an_oversized_upload_is_refused_while_streaming_and_nothing_is_kept(
    review: httpx.AsyncClient,
    database: Database,
    expect_problem: ExpectProblem,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    merchant = new_merchant()
    store = await a_store(review, merchant)
    kept = await upload(review, store["store_id"], merchant, "business_license", "lic.pdf", PDF)
    assert kept.status_code == 201, kept.text
    refused_id = str(uuid.uuid4())
    monkeypatch.setattr("review.service_layer.documents.uuid.uuid4", lambda: refused_id)
    too_large = PDF + bytes(LIMIT)  # under the body's bound, over the file's
    refused = await upload(review, store["store_id"], merchant, "other", "big.pdf", too_large)
    assert str(LIMIT) in expect_problem(refused, 413)["detail"]
    monkeypatch.undo()

    files = await database[f"{BUCKET}.files"].find({}).to_list(None)
    assert [each["_id"] for each in files] == [kept.json()["document_id"]]
    assert await database[f"{BUCKET}.chunks"].find({"files_id": refused_id}).to_list(None) == []
    kept_chunks = (
        await database[f"{BUCKET}.chunks"]
        .find({"files_id": kept.json()["document_id"]})
        .to_list(None)
    )
    assert len(kept_chunks) == 1
    listed = await review.get(f"/stores/{store['store_id']}/documents", headers=OPERATOR)
    assert len(listed.json()["items"]) == 1


async def test_the_application_cites_its_uploads_and_the_operator_sees_their_facts(
    review: httpx.AsyncClient, expect_problem: ExpectProblem
) -> None:  # R-REV-4, R-REV-6, R-REV-14
    merchant = new_merchant()
    store = await a_store(review, merchant)
    assert store["status"] == "needs_info"
    assert {i["field"] for i in store["issues"]} == {"documents"}
    ids: dict[str, str] = {}
    for kind, name, content in (
        ("business_license", "lic.pdf", PDF),
        ("id_document", "id.png", PNG),
        ("warehouse_proof", "lease.pdf", PDF),
    ):
        uploaded = await upload(review, store["store_id"], merchant, kind, name, content)
        ids[kind] = uploaded.json()["document_id"]
    url = f"/stores/{store['store_id']}"
    owner = bearer("merchant", merchant)
    # A citation of nothing uploaded (or of another kind) is an issue to fix, not a 500.
    wrong = [{"kind": "business_license", "document_id": ids["id_document"]}]
    returned = await review.put(url, headers=owner, json=_application(documents=wrong))
    assert returned.json()["status"] == "needs_info", returned.text
    assert "documents[0].document_id" in {i["field"] for i in returned.json()["issues"]}
    # Facts are the upload's: a citation carrying its own is refused.
    forged = [{"kind": "business_license", "document_id": ids["business_license"], "sha256": "0"}]
    expect_problem(await review.put(url, headers=owner, json=_application(documents=forged)), 422)

    cited = [{"kind": kind, "document_id": document_id} for kind, document_id in ids.items()]
    resubmitted = await review.put(url, headers=owner, json=_application(documents=cited))
    assert resubmitted.status_code == 200, resubmitted.text
    assert (resubmitted.json()["status"], resubmitted.json()["issues"]) == ("under_review", [])
    seen = (await review.get(url, headers=OPERATOR)).json()["application"]["documents"]
    assert seen[1] == {
        "kind": "id_document",
        "document_id": ids["id_document"],
        "filename": "id.png",
        "content_type": "image/png",
        "size_bytes": len(PNG),
        "sha256": hashlib.sha256(PNG).hexdigest(),
    }
