"""Request and response bodies of the review API (CONTRACT.md, review)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from review.domain.application import DocumentRef, StoreApplication
from review.domain.invitation import InvitationStatus
from review.domain.issues import Issue
from review.domain.model import (
    Invitation,
    Message,
    Stage,
    StageStatus,
    Store,
    StoreStatus,
    StoreWarning,
)
from review.entrypoints.change_schemas import ChangeRequestPublic, InfoRequestPublic
from review.service_layer.deadlines import Overdue
from shared.calendar import CalendarBasis
from shared.contract.types import Role, StoreType, UtcDateTime
from shared.inputs import Line, Prose, RequestBody, storable


class InvitationCreate(RequestBody):
    merchant_id: Line = Field(min_length=1, max_length=100)


class InvitationPublic(BaseModel):
    invitation_id: str
    merchant_id: str
    invited_by: str
    invited_at: UtcDateTime
    # R-REV-16: until when it opens a store, and where it stands now.
    expires_at: UtcDateTime
    status: InvitationStatus
    used_by_store_id: str | None
    used_at: UtcDateTime | None
    revoked_by: str | None
    revoked_at: UtcDateTime | None

    @classmethod
    def of(cls, invitation: Invitation, now: datetime) -> InvitationPublic:
        fields = set(cls.model_fields) - {"invitation_id", "status"}
        return cls(
            invitation_id=invitation.id,
            status=invitation.status(now),
            **invitation.model_dump(include=fields),
        )


class InvitationList(BaseModel):
    """`GET /invitations?merchant_id=`: a merchant's invitations, oldest first."""

    items: list[InvitationPublic]


class StoreApplicationBody(RequestBody, StoreApplication):
    """An application as the API accepts it: the shape of `StoreApplication`, with integers
    that can be stored. Substance is checked by the domain (R-REV-4)."""

    @field_validator("handling_days")
    @classmethod
    def _storable_handling_days(cls, value: int | None) -> int | None:
        return storable(value, "handling_days")

    @field_validator("documents")
    @classmethod
    def _storable_sizes(cls, documents: list[DocumentRef]) -> list[DocumentRef]:
        for index, document in enumerate(documents):
            storable(document.size_bytes, f"documents[{index}].size_bytes")
            facts = (document.filename, document.content_type, document.size_bytes)
            cited_with_facts = document.document_id is not None and facts != (None,) * 3
            if cited_with_facts or document.sha256 is not None:
                # R-REV-14: an upload's facts are what its bytes were, never what is said.
                raise ValueError(
                    f"documents[{index}]: cite an upload as {{kind, document_id}} alone; "
                    "its name, type, size and SHA-256 are the upload's"
                )
        return documents


class StoreCreate(StoreApplicationBody):
    """`POST /stores`: a new application (R-REV-1, R-REV-4)."""


class StoreUpdate(StoreApplicationBody):
    """`PUT /stores/{id}`: the corrected application (R-REV-6)."""


class MessageCreate(RequestBody):
    body: Prose = Field(min_length=1, max_length=5000)


class StageReviewPublic(BaseModel):
    stage: Stage
    status: StageStatus
    reason: str | None
    decided_at: UtcDateTime | None


class SubmissionPublic(BaseModel):
    """R-REV-6: an earlier submission and how it ended."""

    submitted_at: UtcDateTime
    outcome: StoreStatus
    issues: list[Issue]
    stages: list[StageReviewPublic]
    rejected_reason: str | None
    superseded_at: UtcDateTime


class MessagePublic(BaseModel):
    author_role: Role
    author_id: str
    body: str
    at: UtcDateTime

    @classmethod
    def of(cls, message: Message) -> MessagePublic:
        return cls(**message.model_dump(include=set(cls.model_fields)))


class StorePublic(BaseModel):
    store_id: str
    merchant_id: str
    store_type: StoreType
    name: str
    status: StoreStatus
    #: R-REV-6: the first stage still pending while under review.
    current_stage: Stage | None
    stages: list[StageReviewPublic]
    submitted_at: UtcDateTime
    approved_at: UtcDateTime | None
    rejected_reason: str | None
    overdue: bool
    #: R-CAL-2: the calendar years `overdue` was counted on (null when not under review).
    calendar: CalendarBasis | None
    issues: list[Issue]
    messages: list[MessagePublic]
    application: StoreApplication
    history: list[SubmissionPublic]
    #: R-SC-1: the warnings of the store's scorecard (orders' `StoreWarned`).
    warnings: list[StoreWarning]
    #: R-REV-13: the operators' returns of this submission for information, answered or not.
    info_requests: list[InfoRequestPublic]
    #: R-REV-12: its latest change request (all of them: `GET …/change-requests`).
    change_request: ChangeRequestPublic | None

    @classmethod
    def of(
        cls,
        store: Store,
        *,
        deadline: Overdue,
        change_request: ChangeRequestPublic | None = None,
    ) -> StorePublic:
        return cls(
            **store_facts(store, deadline, change_request),
            messages=[MessagePublic.of(message) for message in store.messages],
            application=store.application,
            history=[
                SubmissionPublic(**past.model_dump(exclude={"application", "policy"}))
                for past in store.history
            ],
            info_requests=[InfoRequestPublic.of(each) for each in store.info_requests],
        )


def store_facts(
    store: Store, deadline: Overdue, change_request: ChangeRequestPublic | None
) -> dict[str, Any]:
    """What a store's page and a list of stores both show of it (R-REV-5, R-REV-6, R-SC-1,
    R-REV-12)."""
    return {
        "store_id": store.id,
        "merchant_id": store.merchant_id,
        "store_type": store.store_type,
        "name": store.name,
        "status": store.status,
        "current_stage": store.current_stage,
        "stages": [StageReviewPublic(**stage.model_dump()) for stage in store.stages],
        "submitted_at": store.submitted_at,
        "approved_at": store.approved_at,
        "rejected_reason": store.rejected_reason,
        "overdue": deadline.overdue,
        "calendar": deadline.calendar,
        "issues": store.issues,
        "warnings": store.warnings,
        "change_request": change_request,
    }
