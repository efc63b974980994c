"""Request and response bodies of the aftersales API (CONTRACT.md)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from aftersales.domain.compensation import Compensation
from aftersales.domain.model import Case, CaseFields, CaseStatus, Decision
from aftersales.domain.rules import Reason
from aftersales.service_layer.reports import RefundReport
from shared.contract.types import LiableParty, Money, Role, UtcDateTime
from shared.inputs import Line, Prose, RequestBody

#: Why a refund was issued: an after-sales case, or its order's cancellation (R-ORD-5).
RefundReason = Literal["after_sales_case", "no_route", "not_shipped", "buyer_cancelled_late"]


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


class RefundPublic(BaseModel):
    #: The case refunded (R-AS-2); null for the refund of a cancelled order (R-ORD-5).
    case_id: str | None
    order_id: str
    amount: Money
    #: R-AS-2 for a case, R-ORD-6 for a cancellation.
    liable_party: LiableParty
    issued_at: UtcDateTime
    #: `after_sales_case`, or why the order was cancelled (as in `RefundIssued`).
    reason: RefundReason = "after_sales_case"

    @classmethod
    def of_case(cls, case: Case) -> RefundPublic | None:
        if not (case.resolution and case.resolution.refund and case.liable_party):
            return None
        return cls(
            case_id=case.id,
            order_id=case.order_id,
            amount=case.resolution.refund,
            liable_party=case.liable_party,
            issued_at=case.resolution.at,
        )

    @classmethod
    def of_cancellation(cls, compensation: Compensation) -> RefundPublic:
        return cls(
            case_id=None,
            order_id=compensation.order_id,
            amount=compensation.amount,
            liable_party=compensation.liable_party,
            issued_at=compensation.issued_at,
            reason=compensation.reason,
        )


class RefundTotals(BaseModel):
    currency: str
    borne_by_platform: Money
    borne_by_merchant: Money


class PayoutPublic(BaseModel):
    order_id: str
    #: What the platform pays the merchant for the goods (no commission, R-FEE-1).
    supply_price: Money
    borne_by_merchant: Money
    payout: Money


class RefundReportPublic(BaseModel):
    merchant_id: str
    period_from: date = Field(serialization_alias="from")
    period_to: date = Field(serialization_alias="to")
    totals: list[RefundTotals]
    refunds: list[RefundPublic]
    payouts: list[PayoutPublic]

    @classmethod
    def of(cls, report: RefundReport) -> RefundReportPublic:
        return cls(
            merchant_id=report.merchant_id,
            period_from=report.start,
            period_to=report.end,
            totals=[
                RefundTotals(
                    currency=currency,
                    borne_by_platform=Money(amount_minor=parties["platform"], currency=currency),
                    borne_by_merchant=Money(amount_minor=parties["merchant"], currency=currency),
                )
                for currency, parties in sorted(report.totals.items())
            ],
            # Both kinds of refund, in the order they were issued.
            refunds=sorted(
                [
                    *filter(None, map(RefundPublic.of_case, report.refunds)),
                    *map(RefundPublic.of_cancellation, report.cancellations),
                ],
                key=lambda refund: refund.issued_at,
            ),
            payouts=[PayoutPublic(**vars(payout)) for payout in report.payouts],
        )
