"""Orders' domain errors → problem+json: the one place of that mapping."""

from __future__ import annotations

from orders.domain.errors import OrderConflict, OrderError
from shared.problems import Problem, ProblemMap, answer


def order_conflict(error: OrderConflict) -> Problem:
    """409 with `code`, the order's state for machines (`past_deadline`, `cancelled`, …),
    and what else the refusal tells (`ship_by` for `not_yet_late`, R-ORD-5)."""
    return Problem(
        str(error),
        status=409,
        kind="conflict",
        title="Conflicts with the current state",
        code=error.code,
        **error.extra,
    )


PROBLEMS: ProblemMap = {
    OrderConflict: order_conflict,
    OrderError: answer(422, "unprocessable", "Request cannot be processed"),
}
