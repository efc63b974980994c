"""Request and response bodies of the aftersales API (CONTRACT.md)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from aftersales.domain.model import Case, CaseFields, CaseStatus, Decision
from aftersales.domain.rules import Reason
from shared.contract.types import LiableParty, Money, Role, UtcDateTime
from shared.inputs import Line, Prose, RequestBody


class CaseCreate(RequestBody):
    order_id: Line = Field(min_length=1, max_length=100)
    reason: Reason
    description: Prose = Field(min_length=1, max_length=4000)
    refund_requested: Money


class CaseResolve(RequestBody):
    decision: Decision
    #: Required for `refund` (above zero), absent for `reject`.
    refund: Money | None = None
    #: Required for `reject`: the buyer is told why.
    note: Prose = Field("", max_length=4000)


class ResolutionPublic(BaseModel):
    decision: Decision
    refund: Money | None
    note: str
    operator_id: str
    at: UtcDateTime


class MessageCreate(RequestBody):
    body: Prose = Field(min_length=1, max_length=4000)


class MessagePublic(BaseModel):
    author_role: Role
    author_id: str
    body: str
    at: UtcDateTime


class CasePublic(CaseFields):
    case_id: str
    status: CaseStatus  # always shown: no default in the answer
    #: R-AS-2: who bears the refund, and the rule note it was decided by.
    liable_party: LiableParty | None
    liability_rule: str | None
    refund: Money | None
    resolved_at: UtcDateTime | None
    resolution: ResolutionPublic | None
    #: R-AS-3: the complaint thread, and how long the first operator answer took.
    messages: list[MessagePublic]
    first_operator_response_at: UtcDateTime | None
    first_response_seconds: float | None
    #: ... and when the store's merchant first answered (its scorecard's, R-SC-1).
    first_merchant_response_at: UtcDateTime | None

    @classmethod
    def of(cls, case: Case) -> CasePublic:
        resolution = case.resolution
        derived = {"case_id", "refund", "resolution", "messages", "first_response_seconds"}
        return cls(
            case_id=case.id,
            refund=resolution.refund if resolution else None,
            resolution=ResolutionPublic(**resolution.model_dump()) if resolution else None,
            messages=[MessagePublic(**message.model_dump()) for message in case.messages],
            first_response_seconds=case.first_response_seconds,
            **case.model_dump(include=set(cls.model_fields) - derived),
        )


class CaseList(BaseModel):
    items: list[CasePublic]
    next_cursor: str | None = None
