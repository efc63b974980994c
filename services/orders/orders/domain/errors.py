"""Orders' refusals, in the domain's words (`entrypoints/problems.py` answers each)."""

from __future__ import annotations

from typing import Any


class OrderError(Exception):
    """A command the order refuses; the message says why and what the caller can do."""


class OrderConflict(OrderError):
    """Refused in the order's current state; `code` names the state for machines:
    `past_deadline`, `cancelled`, `already_confirmed`, `already_shipped`, `not_yet_late`, …;
    `extra`, what else a caller needs (JSON values: `ship_by` for `not_yet_late`)."""

    def __init__(self, message: str, code: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.extra = extra
