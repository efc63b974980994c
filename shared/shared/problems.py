"""RFC 9457 problem details: every error a client sees, answered in one place.

The application's refusals (`shared.errors`) and each service's domain errors are mapped
to problems here and in the service's `entrypoints/problems.py` (a `ProblemMap`); an
entrypoint may also raise a `Problem` itself. Validation errors become 422 with
`errors: [{loc, msg}]`; a database out of reach, 503; anything unexpected is logged and
becomes a 500 problem without internals.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared import errors
from shared.mongo import DatabaseUnavailable

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://marketplace.example/problems/"
log = logging.getLogger("shared.errors")


class Problem(Exception):
    status = 400
    kind = "bad-request"
    title = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        kind: str | None = None,
        title: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status or self.status
        self.kind = kind or self.kind
        self.title = title or self.title
        self.extra = extra


#: How each service's domain errors (and any others) become problems.
ProblemMap = Mapping[type[Exception], Callable[[Any], Problem]]


def answer(status: int, kind: str, title: str) -> Callable[[Exception], Problem]:
    """An error answered as this problem: its message the detail, its `extra` (if any)
    more members."""

    def to_problem(error: Exception) -> Problem:
        extra: dict[str, Any] = getattr(error, "extra", {})
        return Problem(str(error), status=status, kind=kind, title=title, **extra)

    return to_problem


#: The application's refusals, answered alike in every service.
APPLICATION_PROBLEMS: ProblemMap = {
    errors.Unauthorized: answer(401, "unauthorized", "Authentication required"),
    errors.Forbidden: answer(403, "forbidden", "Not allowed for your role"),
    errors.NotFound: answer(404, "not-found", "Not found"),
    errors.Conflict: answer(409, "conflict", "Conflicts with the current state"),
    errors.Unprocessable: answer(422, "unprocessable", "Request cannot be processed"),
}


def problem_response(
    status: int,
    kind: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {"type": TYPE_BASE + kind, "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _validation_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        {"loc": list(error.get("loc", ())), "msg": str(error.get("msg", ""))} for error in errors
    ]


def _answer(error: Problem) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    if "retry_after" in error.extra:  # e.g. a rate limit's: how long to wait, in seconds
        headers = {"Retry-After": str(error.extra["retry_after"])}
    return problem_response(
        error.status, error.kind, error.title, error.detail, headers=headers, **error.extra
    )


async def _problem(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, Problem)
    return _answer(error)


async def _invalid(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = _validation_errors(error.errors())
    where = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors[:5])
    return problem_response(
        422,
        "validation",
        "Invalid request",
        f"Fix these fields and send again: {where}",
        errors=errors,
    )


async def _http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    return problem_response(
        error.status_code,
        f"http-{error.status_code}",
        str(error.detail),
        str(error.detail),
        headers=dict(error.headers or {}),
    )


async def _unavailable(request: Request, error: Exception) -> JSONResponse:
    log.warning("database unreachable on %s %s: %r", request.method, request.url.path, error)
    return problem_response(
        503,
        "unavailable",
        "Temporarily unavailable",
        "The service cannot reach its database; retry in a moment.",
        headers={"Retry-After": "2"},
    )


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem_response(
        500,
        "internal",
        "Internal error",
        "Something went wrong on our side; it is logged. Retry later.",
    )


def _mapped(to_problem: Callable[[Any], Problem]) -> Callable[..., Any]:
    async def handler(request: Request, error: Exception) -> JSONResponse:
        return _answer(to_problem(error))

    return handler


def install_problem_handlers(app: FastAPI, problems: ProblemMap) -> None:
    """The app's answers: `problems` (the service's own), then the application's; a
    validation error, 422; a database out of reach, 503; anything else, 500."""
    for error_type, to_problem in {**APPLICATION_PROBLEMS, **problems}.items():
        app.add_exception_handler(error_type, _mapped(to_problem))
    for error_type, handler in (
        (Problem, _problem),
        (RequestValidationError, _invalid),
        (StarletteHTTPException, _http),
        (DatabaseUnavailable, _unavailable),
        (Exception, _unexpected),
    ):
        app.add_exception_handler(error_type, handler)
