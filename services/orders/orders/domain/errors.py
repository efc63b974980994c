"""Orders' refusals, in the domain's words (`entrypoints/problems.py` answers each)."""

from __future__ import annotations


class OrderError(Exception):
    """A command the order refuses; the message says why and what the caller can do."""


class OrderConflict(OrderError):
    """Refused in the order's current state; `code` names the state for machines:
    `past_deadline`, `cancelled`, `already_confirmed`, `already_shipped`, …"""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code
