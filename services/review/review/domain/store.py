"""A store application under review, and its life after approval: the Store aggregate
(R-REV-1..7, R-REV-10, R-REV-12, R-REV-13; the design of changes and returns is in
`review.domain.changes`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from review.domain.application import StoreApplication, completeness_issues
from review.domain.changes import InfoRequest, info_request
from review.domain.errors import Conflict, Invalid, NotAllowed
from review.domain.invitation import Invitation
from review.domain.issues import Issue
from review.domain.overdue import UnderReview
from review.domain.store_changes import ChangingStore
from review.domain.store_parts import (
    Message,
    Stage,
    StageDecision,
    StageReview,
    StoreStatus,
    StoreWarning,
    Submission,
    pending_stage,
    pending_stages,
)
from shared.clock import utc_ms
from shared.contract.events import StoreApproved, StoreRejected, StoreWarned
from shared.contract.types import Role, UtcDateTime
from shared.policy import Policy


class Store(UnderReview, ChangingStore):
    merchant_id: str
    application: StoreApplication
    status: StoreStatus
    issues: list[Issue] = Field(default_factory=list)
    stages: list[StageReview] = Field(default_factory=pending_stages)
    submitted_at: UtcDateTime

    approved_at: UtcDateTime | None = None
    rejected_reason: str | None = None
    # R-REV-10: the policy the current submission was checked against.
    submission_policy: dict[str, Any] = Field(default_factory=dict)
    # R-REV-6: earlier submissions of this store and how each ended.
    history: list[Submission] = Field(default_factory=list)
    messages: list[Message] = Field(default_factory=list)
    # R-SC-1: the warnings of its scorecard, one per period and measure.
    warnings: list[StoreWarning] = Field(default_factory=list)
    # R-REV-13: the operators' returns of the current submission for information.
    info_requests: list[InfoRequest] = Field(default_factory=list)

    @classmethod
    def apply(
        cls,
        store_id: str,
        merchant_id: str,
        application: StoreApplication,
        policy: Policy,
        now: datetime,
        *,
        invitation: Invitation | None = None,
    ) -> Store:
        """A new application: `under_review`, or `needs_info` with its issues (R-REV-4)."""
        if application.store_type == "full_managed":
            # R-REV-1: a full-managed store opens only on the platform's invitation.
            if invitation is None:
                raise NotAllowed(
                    "a full-managed store opens only on the platform's invitation; "
                    "ask an operator to invite you"
                )
            invitation.use(store_id, merchant_id, now)
        store = cls(
            id=store_id,
            merchant_id=merchant_id,
            application=application,
            status="needs_info",
            submitted_at=utc_ms(now),
        )
        store._start_submission(application, policy, now)
        return store

    @property
    def current_stage(self) -> Stage | None:
        """R-REV-6: the first stage still pending while under review."""
        if self.status != "under_review":
            return None
        return next((review.stage for review in self.stages if review.status == "pending"), None)

    @property
    def decided_at(self) -> datetime | None:
        """When the current submission was decided (R-REV-3): approved, or rejected at a
        stage; None while it waits for the merchant or the operators."""
        if self.status == "approved":
            return self.approved_at
        rejected = [s.decided_at for s in self.stages if s.status == "rejected" and s.decided_at]
        return max(rejected) if self.status == "rejected" and rejected else None

    @property
    def returned(self) -> InfoRequest | None:
        """R-REV-13: the operator's return for information the merchant has yet to answer."""
        last = self.info_requests[-1] if self.info_requests else None
        return last if self.status == "needs_info" and last and not last.answered_at else None

    def resubmit(self, application: StoreApplication, policy: Policy, now: datetime) -> None:
        """R-REV-6: corrected information after `needs_info` or a rejection. An answer to
        an operator's return (R-REV-13) resumes the review where it stood, once complete."""
        if self.status not in ("needs_info", "rejected"):
            raise Conflict(
                f"the application is {self.status}; resubmit only after it is returned "
                "for information or rejected"
            )
        if application.store_type != self.store_type:
            # Switching type would bypass R-REV-1's invitation; a new store is a new application.
            raise Invalid(
                f"this is a {self.store_type} store; apply for a new store to change its type",
                [Issue(field="store_type", problem=f"keep '{self.store_type}'")],
            )
        returned = self.returned
        self.history = [*self.history, self._as_submission(now)]
        self.application = application
        if returned is None:
            self._start_submission(application, policy, now)
            return
        now = utc_ms(now)
        self.issues = completeness_issues(application, policy)
        if self.issues:
            return  # still incomplete: the return stands until the answer is whole
        answered = returned.model_copy(update={"answered_at": now})
        self.info_requests = [*self.info_requests[:-1], answered]
        # The stages keep their decisions; the clock of R-REV-5 restarts with the answer.
        self.status = "under_review"
        self.submitted_at = now

    def decide(
        self,
        stage: Stage,
        decision: StageDecision,
        reason: str | None,
        operator_id: str,
        policy: Policy,
        now: datetime,
        *,
        items: list[Issue] | None = None,
    ) -> None:
        """R-REV-3: decide one stage; all approved approves, any rejection rejects.
        R-REV-13: `needs_info` returns the application with `items` to supply instead."""
        reason = self._decidable(decision, reason, "application")
        review = pending_stage(self.stages, stage, "application")
        now = utc_ms(now)
        if decision == "needs_info":
            request = info_request(stage, items or [], operator_id, now)
            self.status = "needs_info"
            self.issues = request.items
            self.info_requests = [*self.info_requests, request]
            return
        review.status = "approved" if decision == "approve" else "rejected"
        review._stamp(reason, operator_id, policy, now)
        if review.status == "rejected" and reason is not None:
            self._reject(stage, reason, now)
        elif all(each.status == "approved" for each in self.stages):
            self._approve(now)

    def post_message(self, role: Role, author_id: str, body: str, now: datetime) -> None:
        """R-REV-7: the owner and operators talk on the application."""
        if role == "buyer" or (role == "merchant" and author_id != self.merchant_id):
            raise NotAllowed("only the store's merchant and operators write on this application")
        if not body.strip():
            raise Invalid("the message is empty", [Issue(field="body", problem="write a message")])
        message = Message(author_role=role, author_id=author_id, body=body.strip(), at=utc_ms(now))
        self.messages = [*self.messages, message]

    def _start_submission(
        self, application: StoreApplication, policy: Policy, now: datetime
    ) -> None:
        self.issues = completeness_issues(application, policy)
        self.status = "needs_info" if self.issues else "under_review"
        self.stages = pending_stages()
        self.submitted_at = utc_ms(now)
        self.approved_at = None
        self.rejected_reason = None
        self.submission_policy = policy.snapshot()

    def _as_submission(self, now: datetime) -> Submission:
        return Submission(
            application=self.application,
            submitted_at=self.submitted_at,
            outcome=self.status,
            issues=self.issues,
            stages=self.stages,
            rejected_reason=self.rejected_reason,
            policy=self.submission_policy,
            superseded_at=utc_ms(now),
        )

    def _approve(self, now: datetime) -> None:
        self.status = "approved"
        self.approved_at = now
        self.record(
            StoreApproved(
                store_id=self.id,
                merchant_id=self.merchant_id,
                store_type=self.store_type,
                store_name=self.name,
                handling_days=self.application.handling_days,
                warehouse=self.application.warehouse,
                approved_at=now,
            )
        )

    def _reject(self, stage: Stage, reason: str, now: datetime) -> None:
        self.status = "rejected"
        self.rejected_reason = reason
        self.record(
            StoreRejected(
                store_id=self.id,
                merchant_id=self.merchant_id,
                store_type=self.store_type,
                stage=stage,
                reason=reason,
                rejected_at=now,
            )
        )

    def warned(self, event: StoreWarned) -> bool:
        """R-SC-1: keep a warning of the store's scorecard, once per period and measure
        (a redelivery adds nothing). False if already kept."""
        if any((w.period, w.measure) == (event.period, event.measure) for w in self.warnings):
            return False
        warning = StoreWarning(**event.model_dump(include=set(StoreWarning.model_fields)))
        self.warnings = [*self.warnings, warning]
        return True
