"""What a refusal looks like to a person: a page saying what happened and what to do,
never a stack trace or a service's JSON. A service's problem keeps its `detail` and each
field's message; a session that ended goes back to sign-in, then to where the user was."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from console.services import ServiceProblem, ServiceUnavailable
from console.session import NotForYou, SignInRequired, StaleForm
from console.web import render


def _page(request: Request, status: int, title: str, detail: str, **context: Any) -> Response:
    return render(request, "refused.html", status=status, title=title, detail=detail, **context)


async def signed_out(request: Request, error: Exception) -> Response:
    assert isinstance(error, SignInRequired)
    if request.headers.get("HX-Request"):  # htmx follows no redirect: it reloads
        return Response(status_code=204, headers={"HX-Redirect": error.location})
    return RedirectResponse(error.location, status_code=303)


async def not_for_you(request: Request, error: Exception) -> Response:
    return _page(request, 403, "Not your page", str(error))


async def stale_form(request: Request, error: Exception) -> Response:
    return _page(
        request,
        403,
        "This form has expired",
        "The form was not sent from this session (or the session changed): go back, reload "
        "the page and send it again.",
    )


async def service_refused(request: Request, error: Exception) -> Response:
    assert isinstance(error, ServiceProblem)
    if error.status == 401:
        why = f"Your session ended: {error.detail}"
        return await signed_out(request, SignInRequired(request.url.path, why))
    return _page(request, error.status, error.title, error.detail, problem=error)


async def service_unavailable(request: Request, error: Exception) -> Response:
    return _page(request, 502, "A service did not answer", str(error))


async def invalid_request(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    where = "; ".join(
        f"{'.'.join(str(part) for part in e['loc'][1:]) or 'the request'}: {e['msg']}"
        for e in error.errors()[:5]
    )
    return _page(request, 422, "Check what you sent", f"Fix and send again: {where}")


async def http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    title = "No such page" if error.status_code == 404 else "Not possible"
    return _page(request, error.status_code, title, str(error.detail))


REFUSALS: dict[type[Exception], Callable[[Request, Exception], Awaitable[Response]]] = {
    SignInRequired: signed_out,
    NotForYou: not_for_you,
    StaleForm: stale_form,
    ServiceProblem: service_refused,
    ServiceUnavailable: service_unavailable,
    RequestValidationError: invalid_request,
    HTTPException: http_error,
}
