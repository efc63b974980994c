"""Aftersales' refusals, in the domain's words (`entrypoints/problems.py` answers each)."""

from __future__ import annotations

from datetime import datetime

from shared.contract.types import Money


class AfterSalesError(Exception):
    """A request the domain refuses, with a reason a person can act on."""

    def __init__(self, detail: str, *, rule: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.rule = rule


class OutsideWindow(AfterSalesError):
    """A case opened before its window opens or after it closes (R-AS-1)."""

    def __init__(
        self,
        detail: str,
        *,
        rule: str,
        opens_at: datetime | None = None,
        closes_at: datetime | None = None,
    ) -> None:
        super().__init__(detail, rule=rule)
        self.opens_at = opens_at
        self.closes_at = closes_at


class Conflict(AfterSalesError):
    """The request is valid but the current state forbids it (e.g. case already closed)."""


class RefundRefused(Conflict):
    """A refund the order cannot bear any more: says how much it still can."""

    def __init__(self, detail: str, *, refundable_left: Money) -> None:
        super().__init__(detail)
        self.refundable_left = refundable_left


class Invalid(AfterSalesError):
    """The request itself is wrong (e.g. a refund above the order total)."""
