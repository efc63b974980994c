"""Domain errors of aftersales; the entrypoints map each to one problem+json status."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar


class AfterSalesError(Exception):
    """A request the domain refuses, with a reason a person can act on."""

    status: ClassVar[int] = 422
    title: ClassVar[str] = "Request refused"

    def __init__(self, detail: str, *, rule: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.rule = rule


class OutsideWindow(AfterSalesError):
    """A case opened before its window opens or after it closes (R-AS-1)."""

    status: ClassVar[int] = 422
    title: ClassVar[str] = "Outside the after-sales window"

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

    status: ClassVar[int] = 409
    title: ClassVar[str] = "Conflict with the current state"


class Invalid(AfterSalesError):
    """The request itself is wrong (e.g. a refund above the order total)."""

    status: ClassVar[int] = 422
    title: ClassVar[str] = "Invalid request"
