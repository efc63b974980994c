"""What the onboarding pages share: the services' client, the fields a refusal names, and
the one call the services' client does not make: a document sent as multipart/form-data
(review's `POST /stores/{id}/documents`, R-REV-14)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.datastructures import FormData, UploadFile

from console.services import ServiceProblem, services_of
from console.session import User


def text_of(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def issue_fields(problem: ServiceProblem | None) -> dict[str, str]:
    """Each field's message (`ServiceProblem.fields`: the validation errors', then the
    domain's issues', e.g. `categories[0]` shown on `categories`)."""
    return dict(problem.fields) if problem else {}


def chosen_file(form: FormData, name: str) -> UploadFile | None:
    """The file picked in `name`, if any: a browser sends an empty part for none."""
    value = form.get(name)
    if isinstance(value, UploadFile) and value.filename and (value.size or 0) > 0:
        return value
    return None


async def upload_document(
    request: Request, user: User, store_id: str, kind: str, upload: UploadFile
) -> dict[str, Any]:
    """R-REV-14: the file passed on to review as it came, with the user's token; review
    reads its type from its bytes. A refusal is a `ServiceProblem`, as for any call."""
    content_type = upload.content_type or "application/octet-stream"
    await upload.seek(0)
    response = await services_of(request).request(
        user,
        "review",
        "POST",
        f"/stores/{store_id}/documents",
        data={"kind": kind},
        files={"file": (upload.filename or kind, upload.file, content_type)},
    )
    if response.status_code >= 400:
        raise ServiceProblem.of("review", response)
    uploaded: dict[str, Any] = response.json()
    return uploaded


async def categories(request: Request, user: User) -> list[dict[str, Any]]:
    """R-REV-11: the platform's category list, as review gives it (`GET /categories`)."""
    listed = await services_of(request).get(user, "review", "/categories")
    items: list[dict[str, Any]] = listed["items"]
    return items
