"""Aftersales' domain errors → problem+json: the one place of that mapping."""

from __future__ import annotations

from collections.abc import Callable

from aftersales.domain.errors import (
    AfterSalesError,
    Conflict,
    Invalid,
    OutsideWindow,
    RefundRefused,
)
from shared.contract.types import rfc3339
from shared.problems import Problem, ProblemMap


def outside_window(error: OutsideWindow) -> Problem:
    """R-AS-1: 422 naming the rule and, when known, when the window opens and closes."""
    dates = {
        name: rfc3339(moment)
        for name, moment in (("opens_at", error.opens_at), ("closes_at", error.closes_at))
        if moment is not None
    }
    return Problem(
        error.detail,
        status=422,
        kind="outside-aftersales-window",
        title="Outside the after-sales window",
        rule=error.rule,
        **dates,
    )


def refund_refused(error: RefundRefused) -> Problem:
    return Problem(
        error.detail,
        status=409,
        kind="refund-conflict",
        title="Refund not possible",
        refundable_left=error.refundable_left.model_dump(mode="json"),
    )


def _refused(status: int, kind: str, title: str) -> Callable[[AfterSalesError], Problem]:
    def to_problem(error: AfterSalesError) -> Problem:
        rule = {"rule": error.rule} if error.rule else {}
        return Problem(error.detail, status=status, kind=kind, title=title, **rule)

    return to_problem


PROBLEMS: ProblemMap = {
    OutsideWindow: outside_window,
    RefundRefused: refund_refused,
    Conflict: _refused(409, "aftersales-conflict", "Conflict with the current state"),
    Invalid: _refused(422, "aftersales-invalid", "Invalid request"),
    AfterSalesError: _refused(422, "aftersales-refused", "Request refused"),
}
