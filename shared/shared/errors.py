"""The application's refusals, in words, not in HTTP: what a service layer raises.

Each says what went wrong and what to do (`detail`), and may carry facts a client can act
on (`extra`, e.g. `code`). How an entrypoint answers each is `shared.problems`' business
(RFC 9457 problem details): a service layer names no status.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class Unauthorized(ApplicationError):
    """Who is calling is not known (no token, or a bad one)."""


class Forbidden(ApplicationError):
    """Not for the caller's role."""


class NotFound(ApplicationError):
    """Absent, or another party's (which is the same to the caller)."""


class Conflict(ApplicationError):
    """Valid, but the current state forbids it."""


class Unprocessable(ApplicationError):
    """The request cannot be processed as sent."""
