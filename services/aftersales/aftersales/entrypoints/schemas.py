"""Request and response bodies of the aftersales API (CONTRACT.md)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from aftersales.domain.model import Case, CaseStatus, Decision
from aftersales.domain.rules import Reason
from shared.contract.types import LiableParty, Money, StoreType, UtcDateTime


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaseCreate(Strict):
    order_id: str = Field(min_length=1, max_length=100)
    reason: Reason
    description: str = Field(min_length=1, max_length=4000)
    refund_requested: Money


class CaseResolve(Strict):
    decision: Decision
    #: Required for `refund` (above zero), absent for `reject`.
    refund: Money | None = None
    #: Required for `reject`: the buyer is told why.
    note: str = Field("", max_length=4000)


class ResolutionPublic(BaseModel):
    decision: Decision
    refund: Money | None
    note: str
    operator_id: str
    at: UtcDateTime


class CasePublic(BaseModel):
    case_id: str
    order_id: str
    buyer_id: str
    merchant_id: str
    store_id: str
    store_type: StoreType
    reason: Reason
    description: str
    refund_requested: Money
    status: CaseStatus
    opened_at: UtcDateTime
    #: R-AS-2: who bears the refund, and the rule note it was decided by.
    liable_party: LiableParty | None
    liability_rule: str | None
    refund: Money | None
    resolved_at: UtcDateTime | None
    resolution: ResolutionPublic | None

    @classmethod
    def of(cls, case: Case) -> CasePublic:
        resolution = case.resolution
        return cls(
            case_id=case.id,
            refund=resolution.refund if resolution else None,
            resolved_at=resolution.at if resolution else None,
            resolution=ResolutionPublic(**resolution.model_dump()) if resolution else None,
            **case.model_dump(
                include=set(cls.model_fields) - {"case_id", "refund", "resolved_at", "resolution"}
            ),
        )


class CaseList(BaseModel):
    items: list[CasePublic]
