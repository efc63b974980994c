"""The answer of `GET /stores` (CONTRACT.md, review): each store as a list shows it, a
summary of `StorePublic` without what only its own page needs (the application, its
earlier submissions, the messages themselves, the returns' history)."""

from __future__ import annotations

from pydantic import BaseModel

from review.domain.issues import Issue
from review.domain.model import Stage, Store, StoreStatus, StoreWarning
from review.entrypoints.change_schemas import ChangeRequestPublic
from review.entrypoints.schemas import StageReviewPublic
from review.service_layer.deadlines import Overdue
from shared.calendar import CalendarBasis
from shared.contract.types import StoreType, UtcDateTime


class StoreSummary(BaseModel):
    store_id: str
    merchant_id: str
    store_type: StoreType
    name: str
    status: StoreStatus
    #: R-REV-6: the first stage still pending while under review.
    current_stage: Stage | None
    stages: list[StageReviewPublic]
    #: When the current submission was made (R-REV-6: a resubmission's time).
    submitted_at: UtcDateTime
    approved_at: UtcDateTime | None
    #: R-REV-3: when the current submission was approved or rejected; null before.
    decided_at: UtcDateTime | None
    rejected_reason: str | None
    overdue: bool
    #: R-CAL-2: the calendar years `overdue` was counted on (null when not under review).
    calendar: CalendarBasis | None
    #: R-REV-4, R-REV-13: what the merchant is asked to supply while `needs_info`.
    issues: list[Issue]
    #: R-SC-1: the warnings of the store's scorecard.
    warnings: list[StoreWarning]
    #: R-REV-7: how many messages its support thread holds (`GET /stores/{id}` has them).
    message_count: int
    #: R-REV-12: its latest change request (all of them: `GET …/change-requests`).
    change_request: ChangeRequestPublic | None

    @classmethod
    def of(
        cls,
        store: Store,
        *,
        deadline: Overdue,
        change_request: ChangeRequestPublic | None = None,
    ) -> StoreSummary:
        return cls(
            store_id=store.id,
            merchant_id=store.merchant_id,
            store_type=store.store_type,
            name=store.name,
            status=store.status,
            current_stage=store.current_stage,
            stages=[StageReviewPublic(**stage.model_dump()) for stage in store.stages],
            submitted_at=store.submitted_at,
            approved_at=store.approved_at,
            decided_at=store.decided_at,
            rejected_reason=store.rejected_reason,
            overdue=deadline.overdue,
            calendar=deadline.calendar,
            issues=store.issues,
            warnings=store.warnings,
            message_count=len(store.messages),
            change_request=change_request,
        )


class StorePage(BaseModel):
    """`GET /stores`: a page of stores, the latest submitted first."""

    items: list[StoreSummary]
    next_cursor: str | None
