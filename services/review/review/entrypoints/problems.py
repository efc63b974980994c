"""Review's domain errors → problem+json: the one place of that mapping."""

from __future__ import annotations

from typing import Any

from review.domain.errors import Conflict, Invalid, NotAllowed
from review.domain.uploads import DocumentTooLarge
from shared.problems import Problem, ProblemMap, answer


def _unprocessable(error: Invalid) -> Problem:
    extra: dict[str, Any] = {}
    if error.issues:
        extra["issues"] = [issue.model_dump() for issue in error.issues]
    return Problem(
        error.message,
        status=422,
        kind="unprocessable",
        title="Request cannot be processed",
        **extra,
    )


PROBLEMS: ProblemMap = {
    NotAllowed: answer(403, "forbidden", "Not allowed for your role"),
    Conflict: answer(409, "conflict", "Conflicts with the current state"),
    Invalid: _unprocessable,
    DocumentTooLarge: answer(413, "payload-too-large", "Document too large"),
}
