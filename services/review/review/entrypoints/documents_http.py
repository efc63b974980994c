"""A store's documents over HTTP (R-REV-14, CONTRACT.md): uploaded as multipart/form-data
by the store's merchant, listed and downloaded by it and operators."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from review.bootstrap import ReviewServices
from review.domain.uploads import UploadedDocument
from review.entrypoints.forms import FILE_FIELD, read_form
from review.service_layer.documents import Receiving
from shared.app import wired
from shared.auth import Merchant, Principal, require_role
from shared.contract.types import UtcDateTime
from shared.guards import JsonRoute

Services = Annotated[ReviewServices, Depends(wired)]
OwnerOrOperator = Annotated[Principal, Depends(require_role("merchant", "operator"))]

#: The upload's path, as `shared.guards.BodyGuard` matches it to let a form through.
UPLOAD_PATH = r"/stores/[^/]+/documents"

# A route without a declared body never reads JSON, so `JsonRoute` lets the form through.
documents_router = APIRouter(prefix="/stores", tags=["documents"], route_class=JsonRoute)

_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["kind", FILE_FIELD],
                    "properties": {
                        "kind": {"type": "string", "maxLength": 255},
                        FILE_FIELD: {"type": "string", "format": "binary"},
                    },
                }
            }
        },
    }
}


class DocumentPublic(BaseModel):
    document_id: str
    kind: str
    filename: str
    #: What the bytes are (their magic numbers), not what was declared.
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_at: UtcDateTime

    @classmethod
    def of(cls, document: UploadedDocument) -> DocumentPublic:
        return cls(**document.model_dump(include=set(cls.model_fields)))


class DocumentList(BaseModel):
    items: list[DocumentPublic]


@documents_router.post(
    "/{store_id}/documents",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentPublic,
    openapi_extra=_FORM,
)
async def upload_document(
    store_id: str, request: Request, merchant: Merchant, services: Services
) -> DocumentPublic:
    """Form fields `kind` and `file`; the type is read from the file's bytes."""

    async def form(receiving: Receiving) -> dict[str, str]:
        return await read_form(request, receiving)

    return DocumentPublic.of(await services.documents.upload(store_id, merchant, form))


@documents_router.get("/{store_id}/documents", response_model=DocumentList)
async def list_documents(
    store_id: str, principal: OwnerOrOperator, services: Services
) -> DocumentList:
    documents = await services.documents.listed(store_id, principal)
    return DocumentList(items=[DocumentPublic.of(document) for document in documents])


@documents_router.get(
    "/{store_id}/documents/{document_id}",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/pdf": {}, "image/png": {}, "image/jpeg": {}}}},
)
async def download_document(
    store_id: str, document_id: str, principal: OwnerOrOperator, services: Services
) -> StreamingResponse:
    document, chunks = await services.documents.opened(store_id, document_id, principal)
    return StreamingResponse(chunks, media_type=document.content_type, headers=_headers(document))


def _headers(document: UploadedDocument) -> dict[str, Any]:
    ascii_name = document.filename.encode("ascii", "replace").decode().replace('"', "_")
    return {
        "Content-Length": str(document.size_bytes),
        # RFC 6266: a plain name for old clients, the exact one (RFC 5987) for the rest.
        "Content-Disposition": (
            f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(document.filename)}"
        ),
        "ETag": f'"{document.sha256}"',
        # The type is the bytes' own: a browser must not guess another.
        "X-Content-Type-Options": "nosniff",
    }
