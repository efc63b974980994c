"""Refusals before a route's function runs, as problems: bodies too large (413) or not
JSON (415; a form only where a route takes a file), before any route (`BodyGuard`); JSON
that repeats a key in an object, or holds `NaN` or `Infinity`, in the route (`JsonRoute`,
422 naming the key)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.policy import Policy
from shared.problems import PROBLEM_JSON, TYPE_BASE

_WITH_BODY = {"POST", "PUT", "PATCH"}


class _TooLarge(Exception):
    pass


async def _problem(send: Send, status: int, kind: str, title: str, detail: str) -> None:
    body = json.dumps(
        {"type": TYPE_BASE + kind, "title": title, "status": status, "detail": detail}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


@dataclass(frozen=True)
class Upload:
    """A route taking a file as multipart/form-data (`path`: a regular expression of its
    path), whose body `BodyGuard` bounds at the policy's `max_bytes` and some room for the
    form around the file; the route enforces the file's own limit as it reads."""

    path: str
    max_bytes: Callable[[Policy], int]

    #: Room for the form's boundaries, part headers and short fields around the file.
    FORM_BYTES = 65_536

    def bound(self, policy: Policy) -> tuple[re.Pattern[str], int]:
        return re.compile(self.path), self.max_bytes(policy) + self.FORM_BYTES


class BodyGuard:
    """ASGI middleware: JSON bodies only, and at most `max_bytes` of them (counted as they
    arrive, so a body without a Content-Length is bounded too). A POST to a path of
    `uploads` may instead send a multipart/form-data body, of at most that upload's bytes
    (its route reads it as it streams in)."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        uploads: Sequence[tuple[re.Pattern[str], int]] = (),
    ) -> None:
        self.app, self.max_bytes, self.uploads = app, max_bytes, uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WITH_BODY:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        has_body = bool(content_type) or declared not in (None, b"0")
        is_json = content_type == b"application/json" or content_type.endswith(b"+json")
        upload_bytes = self._upload_bytes(scope, content_type)
        if upload_bytes is not None:
            await _Bounded(self.app, upload_bytes)(scope, receive, send)
            return
        if has_body and not is_json:
            await _problem(
                send,
                415,
                "unsupported-media-type",
                "Send JSON",
                "The body must be JSON: send `Content-Type: application/json`.",
            )
            return
        await _Bounded(self.app, self.max_bytes)(scope, receive, send)

    def _upload_bytes(self, scope: Scope, content_type: bytes) -> int | None:
        """The bound of a form sent to an upload route; None for any other body."""
        if scope["method"] != "POST" or content_type != b"multipart/form-data":
            return None
        path: str = scope["path"]
        return next((most for route, most in self.uploads if route.fullmatch(path)), None)


class _Bounded:
    """The app, its request body refused (413) past `max_bytes`: declared or received."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = dict(scope["headers"]).get(b"content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(send)
            return
        received = 0

        async def bounded() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, bounded, send)
        except _TooLarge:
            await self._too_large(send)

    async def _too_large(self, send: Send) -> None:
        await _problem(
            send,
            413,
            "payload-too-large",
            "Body too large",
            f"Send at most {self.max_bytes} bytes in one request.",
        )


class RefusedJson(ValueError):
    """JSON that Python's `json` reads but we do not: a repeated key, `NaN`, `Infinity`."""


def _one_value_per_key(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) < len(pairs):
        keys = [key for key, _ in pairs]
        repeated = next(key for key in keys if keys.count(key) > 1)
        raise RefusedJson(f"the key `{repeated}` appears twice in one object; send it once")
    return found


def _no_constant(name: str) -> Any:
    raise RefusedJson(f"`{name}` is not a JSON number; send a number")


class _StrictJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = json.loads(
                await self.body(),
                object_pairs_hook=_one_value_per_key,
                parse_constant=_no_constant,
            )
        return self._json


class JsonRoute(APIRoute):
    """A route whose JSON body is read as JSON says (RFC 8259: names within an object
    should be unique; a parser may keep either value of a repeated one). The body is read
    here first, and FastAPI finds it read: a body without a Content-Length that grows past
    `BodyGuard`'s bound reaches `BodyGuard`, which answers 413 (FastAPI's reading, 400)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()
        if self.body_field is None:
            return handle

        async def handle_strict_json(request: Request) -> Response:
            request = _StrictJsonRequest(request.scope, request.receive)
            try:
                if await request.body():
                    await request.json()
            except RefusedJson as refused:
                error = {"type": "json_invalid", "loc": ("body",), "msg": str(refused)}
                raise RequestValidationError([error]) from None
            except (ValueError, RecursionError, ClientDisconnect):
                pass  # not JSON (nor UTF-8), too deep, the client gone: FastAPI answers as ever
            return await handle(request)

        return handle_strict_json
