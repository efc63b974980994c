"""Domain errors of aftersales → problem+json: the one place of that mapping."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from aftersales.domain.errors import AfterSalesError, Conflict, Invalid, OutsideWindow
from shared.contract.types import rfc3339
from shared.errors import Problem


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
        title=error.title,
        rule=error.rule,
        **dates,
    )


def _refused(status: int, kind: str) -> Callable[[AfterSalesError], Problem]:
    def to_problem(error: AfterSalesError) -> Problem:
        rule = {"rule": error.rule} if error.rule else {}
        return Problem(error.detail, status=status, kind=kind, title=error.title, **rule)

    return to_problem


DOMAIN_ERRORS: Mapping[type[Exception], Callable[[Any], Problem]] = {
    OutsideWindow: outside_window,
    Conflict: _refused(409, "aftersales-conflict"),
    Invalid: _refused(422, "aftersales-invalid"),
    AfterSalesError: _refused(422, "aftersales-refused"),
}
