"""The application's refusals, in words, not in HTTP: what a service layer raises.

Each says what went wrong and what to do (`detail`), and may carry facts a client can act
on (`extra`, e.g. `code`). How an entrypoint answers each is `shared.problems`' business
(RFC 9457 problem details): a service layer names no status. The last two refuse an
event, not a request: the consumer parks or retries them (`shared.messaging.consumer`).
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


class Implausible(ValueError):
    """An event a handler refuses because it can never be true: a decision dated ahead of
    now, a refund above what its order has left, an order of another merchant's store.
    The consumer parks it at once, with this message (`x-error`), and changes nothing;
    never answered over HTTP (no request sends an event)."""


class NotYetKnown(LookupError):
    """An event about something this service has not heard of yet, where it must have (a
    product of a store not seen approved, a delivery of a parcel not seen shipped): an
    event still on its way may tell it, as delivery is at least once and in any order, so
    the consumer retries it, then parks it with this message (`x-error`)."""
