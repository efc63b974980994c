"""Request and response bodies of returns for information and change requests
(R-REV-12, R-REV-13)."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from review.domain.changes import ChangeRequest, ChangeStatus, InfoRequest, StoreChanges
from review.domain.issues import Issue
from review.domain.model import Stage, StageDecision, StageStatus
from review.service_layer.deadlines import Overdue
from shared.calendar import CalendarBasis
from shared.contract.events import StoreField
from shared.contract.types import UtcDateTime
from shared.inputs import Line, Prose, RequestBody, storable

#: A decision's reason: one line of at most 500 characters, as the events that carry it
#: (`StoreRejected`, `ProductRejected`) take it, so a longer one is a 422, never a 500.
Reason = Field(None, max_length=500)


class InfoItem(RequestBody):
    """R-REV-13: one item the merchant is to supply."""

    #: What it concerns, as a path into the application, e.g. `documents[0]` or `warehouse`.
    field: Line = Field(min_length=1, max_length=200)
    #: What to supply, in words the merchant can act on.
    problem: Prose = Field(min_length=1, max_length=2000)


class StageReviewBody(RequestBody):
    """`POST /stores/{id}/reviews` and `POST /stores/{id}/change-requests/{cid}/reviews`."""

    stage: Stage
    decision: StageDecision
    #: Required to reject (R-REV-3), shown to the merchant (R-REV-6); one line, as
    #: `StoreRejected` carries it.
    reason: Line | None = Reason
    #: R-REV-13: required with `needs_info`, one per item to supply; refused otherwise.
    items: list[InfoItem] = Field(default_factory=list, max_length=50)

    @field_validator("items")
    @classmethod
    def _trimmed(cls, items: list[InfoItem]) -> list[InfoItem]:
        for index, item in enumerate(items):
            if not item.field.strip() or not item.problem.strip():
                raise ValueError(f"items[{index}]: name the field and what to supply")
        return items

    def issues(self) -> list[Issue]:
        return [
            Issue(field=item.field.strip(), problem=item.problem.strip()) for item in self.items
        ]


class StoreChangesBody(RequestBody, StoreChanges):
    """`POST /stores/{id}/change-requests` and its answer `PUT …/{cid}`: the fields to
    change with their new values (R-REV-12); the others are left out."""

    @field_validator("handling_days")
    @classmethod
    def _storable_handling_days(cls, value: int | None) -> int | None:
        return storable(value, "handling_days")


class InfoRequestPublic(BaseModel):
    stage: Stage
    items: list[Issue]
    requested_by: str
    requested_at: UtcDateTime
    answered_at: UtcDateTime | None

    @classmethod
    def of(cls, request: InfoRequest) -> InfoRequestPublic:
        return cls(**request.model_dump())


class ChangeStagePublic(BaseModel):
    stage: Stage
    status: StageStatus
    reason: str | None
    decided_at: UtcDateTime | None


class ChangeRequestPublic(BaseModel):
    change_request_id: str
    store_id: str
    status: ChangeStatus
    #: The new values of the fields it changes.
    changes: StoreChanges
    changed: list[StoreField]
    #: The first stage still pending while open, and since when it stands as it is.
    current_stage: Stage | None
    since: UtcDateTime
    requested_at: UtcDateTime
    stages: list[ChangeStagePublic]
    #: R-REV-13: the items to supply while returned for information.
    issues: list[Issue]
    info_requests: list[InfoRequestPublic]
    rejected_reason: str | None
    decided_at: UtcDateTime | None
    overdue: bool
    #: R-CAL-2: the calendar years `overdue` was counted on (null when not under review).
    calendar: CalendarBasis | None

    @classmethod
    def of(cls, store_id: str, change: ChangeRequest, *, deadline: Overdue) -> ChangeRequestPublic:
        return cls(
            change_request_id=change.id,
            store_id=store_id,
            status=change.status,
            changes=change.changes,
            changed=change.changed,
            current_stage=change.current_stage,
            since=change.since,
            requested_at=change.requested_at,
            stages=[ChangeStagePublic(**stage.model_dump()) for stage in change.stages],
            issues=change.issues,
            info_requests=[InfoRequestPublic.of(each) for each in change.info_requests],
            rejected_reason=change.rejected_reason,
            decided_at=change.decided_at,
            overdue=deadline.overdue,
            calendar=deadline.calendar,
        )


class ChangeRequestList(BaseModel):
    """A store's change requests, newest first."""

    items: list[ChangeRequestPublic]
