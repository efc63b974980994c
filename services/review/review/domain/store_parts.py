"""The value parts of a store application: its review stages, past submissions and
support messages (R-REV-3, R-REV-6, R-REV-7, R-REV-10)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from review.domain.application import StoreApplication
from review.domain.errors import Conflict, Invalid
from review.domain.issues import Issue
from shared.contract.types import Role, UtcDateTime
from shared.policy import Policy

StoreStatus = Literal["needs_info", "under_review", "approved", "rejected"]
Stage = Literal["background", "financial", "category"]
StageStatus = Literal["pending", "approved", "rejected"]
#: An operator's decision on a stage of a store's review or change request: approve,
#: reject, or return it for information (R-REV-13).
StageDecision = Literal["approve", "reject", "needs_info"]

# R-REV-3: the three stages of a store review, in the order they are shown. **decided**:
# an operator may decide them in any order; the store is approved once all three are.
STAGES: tuple[Stage, ...] = ("background", "financial", "category")


class Decided(BaseModel):
    """What an operator's decision keeps (a stage of a store's review, or a product): why,
    when, who, and the policy values in force then, kept as they were (R-REV-10)."""

    reason: str | None = None
    decided_at: UtcDateTime | None = None
    decided_by: str | None = None
    policy: dict[str, Any] | None = None

    def _stamp(self, reason: str | None, operator_id: str, policy: Policy, now: datetime) -> None:
        self.reason = reason
        self.decided_at = now
        self.decided_by = operator_id
        self.policy = policy.snapshot()


class StageReview(Decided):
    stage: Stage
    status: StageStatus = "pending"


def pending_stages() -> list[StageReview]:
    return [StageReview(stage=stage) for stage in STAGES]


class Submission(BaseModel):
    """R-REV-6: one past submission and how it ended, kept when the merchant resubmits."""

    application: StoreApplication
    submitted_at: UtcDateTime
    outcome: StoreStatus
    issues: list[Issue]
    stages: list[StageReview]
    rejected_reason: str | None
    policy: dict[str, Any]
    superseded_at: UtcDateTime


class Message(BaseModel):
    """R-REV-7: one message of the support thread on an application."""

    author_role: Role
    author_id: str
    body: str
    at: UtcDateTime


class StoreWarning(BaseModel):
    """R-SC-1: a warning orders gave the store when its scorecard fell past a threshold."""

    measure: str
    period: str
    value: float
    threshold: float
    bound: str
    warned_at: UtcDateTime


def pending_stage(stages: list[StageReview], stage: Stage, subject: str) -> StageReview:
    """The stage to decide, still pending, of the application or change request."""
    review = next((each for each in stages if each.stage == stage), None)
    if review is None:
        names = ", ".join(each.stage for each in stages)
        raise Invalid(f"'{stage}' is not a stage of this {subject}; use one of {names}")
    if review.status != "pending":
        raise Conflict(f"the {stage} stage is already {review.status}")
    return review
