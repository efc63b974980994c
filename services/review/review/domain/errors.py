"""Domain errors of the review service.

Each carries a message a person can act on (CONTRACT.md: "a reason a person can act
on"). The HTTP layer maps them to problem+json in one place: `NotAllowed` → 403,
`Conflict` → 409, `Invalid` → 422.
"""

from __future__ import annotations

from collections.abc import Sequence

from review.domain.issues import Issue


class ReviewError(Exception):
    """Base of every business refusal of the review service; nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(ReviewError):
    """The actor may not do this at all (e.g. full-managed store without invitation)."""


class Conflict(ReviewError):
    """The request is fine but the aggregate's current state refuses it."""


class Invalid(ReviewError):
    """The request breaks a business rule of its content; `issues` says where."""

    def __init__(self, message: str, issues: Sequence[Issue] = ()) -> None:
        super().__init__(message)
        self.issues: list[Issue] = list(issues)
