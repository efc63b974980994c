"""Refusals before any route runs: bodies too large (413) or not JSON (415), as problems."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class BodyGuard:
    """ASGI middleware: JSON bodies only, and at most `max_bytes` of them (counted as they
    arrive, so a body without a Content-Length is bounded too)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WITH_BODY:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        has_body = bool(content_type) or declared not in (None, b"0")
        is_json = content_type == b"application/json" or content_type.endswith(b"+json")
        if has_body and not is_json:
            await _problem(
                send,
                415,
                "unsupported-media-type",
                "Send JSON",
                "The body must be JSON: send `Content-Type: application/json`.",
            )
            return
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
