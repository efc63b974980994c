"""The part of the Store aggregate that changes an approved store's business information
(R-REV-12) and returns a change request for information (R-REV-13); the design is in
`review.domain.changes`."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from review.domain.application import StoreApplication
from review.domain.changes import (
    ChangeRequest,
    StoreChanges,
    changed_application,
    effective_changes,
    info_request,
    stages_of,
)
from review.domain.errors import Conflict
from review.domain.issues import Issue
from review.domain.overdue import decision_reason
from review.domain.store_parts import Stage, StageDecision, StageReview, pending_stage
from shared.aggregate import Aggregate
from shared.clock import utc_ms
from shared.contract.events import StoreUpdated
from shared.contract.types import StoreType
from shared.errors import NotFound
from shared.policy import Policy


class ChangingStore(Aggregate):
    """A store's change requests; `Store` gives the fields they read."""

    merchant_id: str
    application: StoreApplication
    status: str
    # R-REV-12: its requests to change its information once approved, oldest first.
    change_requests: list[ChangeRequest] = Field(default_factory=list)

    @property
    def store_type(self) -> StoreType:
        return self.application.store_type

    @property
    def name(self) -> str:
        return self.application.name

    @property
    def open_change(self) -> ChangeRequest | None:
        """R-REV-12: the change request under review or returned, if any (one at a time)."""
        return next((change for change in self.change_requests if change.is_open), None)

    def request_change(
        self, change_id: str, changes: StoreChanges, policy: Policy, now: datetime
    ) -> ChangeRequest:
        """R-REV-12: an approved store asks to change its business information; it keeps
        selling under its approved information until the change is approved."""
        if self.status != "approved":
            raise Conflict(
                f"the store is {self.status}; change its application with PUT until it is approved"
            )
        if (open_change := self.open_change) is not None:
            raise Conflict(
                f"change request {open_change.id} is {open_change.status}; answer or "
                "withdraw it first"
            )
        changes = effective_changes(self.application, changes)
        changed_application(self.application, changes, policy)
        now = utc_ms(now)
        change = ChangeRequest(
            id=change_id,
            changes=changes,
            stages=[StageReview(stage=stage) for stage in stages_of(changes)],
            requested_at=now,
            since=now,
        )
        self.change_requests = [*self.change_requests, change]
        return change

    def answer_change(
        self, change_id: str, changes: StoreChanges, policy: Policy, now: datetime
    ) -> ChangeRequest:
        """R-REV-13: the merchant answers a returned change request with the changes as
        they now stand; the review resumes at the stage it stood at."""
        change = self.change_request(change_id)
        if change.status != "needs_info":
            raise Conflict(
                f"the change request is {change.status}; answer it only when it is returned "
                "for information"
            )
        changes = effective_changes(self.application, changes)
        changed_application(self.application, changes, policy)
        change.answered(changes, now)
        return change

    def withdraw_change(self, change_id: str, now: datetime) -> ChangeRequest:
        """The merchant withdraws an open change request; again, nothing changes."""
        change = self.change_request(change_id)
        if change.status == "withdrawn":
            return change
        if not change.is_open:
            raise Conflict(f"the change request is already {change.status}")
        change.closed("withdrawn", now)
        return change

    def decide_change(
        self,
        change_id: str,
        stage: Stage,
        decision: StageDecision,
        reason: str | None,
        operator_id: str,
        policy: Policy,
        now: datetime,
        *,
        items: list[Issue] | None = None,
    ) -> ChangeRequest:
        """R-REV-12: decide one stage of a change request; all approved applies it and
        publishes `StoreUpdated`; a rejection leaves the store as approved. R-REV-13:
        `needs_info` returns it with `items` to supply."""
        change = self.change_request(change_id)
        if change.status != "under_review":
            raise Conflict(
                f"the change request is {change.status}; only one under review is decided"
            )
        reason = decision_reason(decision, reason, "change request")
        review = pending_stage(change.stages, stage, "change request")
        now = utc_ms(now)
        if decision == "needs_info":
            change.returned(info_request(stage, items or [], operator_id, now))
            return change
        review.status = "approved" if decision == "approve" else "rejected"
        review._stamp(reason, operator_id, policy, now)
        if review.status == "rejected":
            change.closed("rejected", now, reason)
        elif all(each.status == "approved" for each in change.stages):
            self._apply_change(change, policy, now)
        return change

    def change_request(self, change_id: str) -> ChangeRequest:
        change = next((each for each in self.change_requests if each.id == change_id), None)
        if change is None:
            raise NotFound(f"No change request {change_id} of store {self.id}.")
        return change

    def _apply_change(self, change: ChangeRequest, policy: Policy, now: datetime) -> None:
        # Checked again: another change may have been approved since this one was asked.
        self.application = changed_application(self.application, change.changes, policy)
        change.closed("approved", now)
        self.record(
            StoreUpdated(
                store_id=self.id,
                merchant_id=self.merchant_id,
                store_type=self.store_type,
                store_name=self.name,
                categories=self.application.categories,
                handling_days=self.application.handling_days,
                warehouse=self.application.warehouse,
                changed=change.changed,
                change_request_id=change.id,
                updated_at=now,
            )
        )
