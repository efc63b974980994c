"""Changes after approval, and reviews that ask instead of reject (R-REV-12, R-REV-13).

**Design.** A store's business information is the application it was approved on. An
approved store changes it by a *change request*: the fields to change (name, company,
contact, categories, warehouse, handling days), reviewed by the stages those fields
concern, while the store keeps selling under the information it was approved on. The
request shows where it stands and since when (`stage`, `since`), which answers the seed's
complaint of information that "always shows under review" with no date.

- **Stages.** A change is reviewed only by the stages its fields concern
  (`CHANGE_STAGES`): the company is who gets paid, so it is also a financial matter;
  categories are the category stage's; the rest is background. An operator decides them
  in any order (R-REV-3): all approved applies the change and publishes `StoreUpdated`;
  any rejection rejects it with a reason; the store's information stands either way.
- **Asking (R-REV-13).** Instead of rejecting, an operator returns an application or a
  change request for information (`needs_info`), naming each item to supply
  (`InfoRequest`). The merchant answers with the corrected application or changes; the
  review resumes at the stage it stood at: stages already approved stay approved. While
  the merchant holds it, the review's clock (R-REV-5) stops: it is under review again
  *since* the answer.
- **One at a time.** A store has at most one open request (under review or returned); a
  merchant who cannot answer withdraws it. A change must change something, and what it
  changes must be complete (R-REV-4, checked on the changed fields only, so a policy
  tightened since the approval does not hold every later change hostage): otherwise it
  is refused (422), nothing recorded, since the store keeps its approved information.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictInt

from review.domain.application import StoreApplication, completeness_issues
from review.domain.documents import ShortText
from review.domain.errors import Conflict, Invalid
from review.domain.issues import Issue
from review.domain.store_parts import Stage, StageReview
from shared.clock import utc_ms
from shared.contract.events import StoreField
from shared.contract.types import ContractModel, UtcDateTime, Warehouse
from shared.policy import Policy

ChangeStatus = Literal["under_review", "needs_info", "approved", "rejected", "withdrawn"]
OPEN: tuple[ChangeStatus, ...] = ("under_review", "needs_info")

#: R-REV-12 (decided): the review stages each field of the business information concerns.
CHANGE_STAGES: dict[StoreField, tuple[Stage, ...]] = {
    "name": ("background",),
    "company_name": ("background", "financial"),
    "contact_email": ("background",),
    "warehouse": ("background",),
    "handling_days": ("background",),
    "categories": ("category",),
}
STAGE_ORDER: tuple[Stage, ...] = ("background", "financial", "category")


class StoreChanges(ContractModel):
    """The body of a change request: only the fields to change (R-REV-12)."""

    name: ShortText | None = None
    company_name: ShortText | None = None
    contact_email: ShortText | None = None
    categories: Annotated[list[ShortText], Field(max_length=50)] | None = None
    warehouse: Warehouse | None = None
    handling_days: StrictInt | None = None

    def fields(self) -> list[StoreField]:
        """The fields this change names."""
        return [field for field in CHANGE_STAGES if getattr(self, field) is not None]

    def named(self) -> dict[str, Any]:
        """The fields this change names, with their new values."""
        return {field: getattr(self, field) for field in self.fields()}


class InfoRequest(BaseModel):
    """R-REV-13: an operator's return for information, at a stage, with the items to supply."""

    stage: Stage
    items: list[Issue]
    requested_by: str
    requested_at: UtcDateTime
    answered_at: UtcDateTime | None = None


def info_request(stage: Stage, items: list[Issue], operator_id: str, now: datetime) -> InfoRequest:
    """R-REV-13: a return names each item to supply, or the merchant cannot act on it."""
    if not items:
        raise Invalid(
            "returning for information names each item to supply",
            [Issue(field="items", problem="add one item per thing the merchant must supply")],
        )
    return InfoRequest(stage=stage, items=items, requested_by=operator_id, requested_at=now)


class ChangeRequest(BaseModel):
    """R-REV-12: one request to change an approved store's business information."""

    id: str
    changes: StoreChanges
    status: ChangeStatus = "under_review"
    stages: list[StageReview]
    #: When the merchant first asked.
    requested_at: UtcDateTime
    #: Since when it stands as it is (under review since the request or the last answer).
    since: UtcDateTime
    rejected_reason: str | None = None
    decided_at: UtcDateTime | None = None
    info_requests: list[InfoRequest] = Field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def changed(self) -> list[StoreField]:
        return self.changes.fields()

    @property
    def current_stage(self) -> Stage | None:
        """The first stage still pending, while under review or returned."""
        if not self.is_open:
            return None
        return next((review.stage for review in self.stages if review.status == "pending"), None)

    @property
    def issues(self) -> list[Issue]:
        """The items to supply while returned (R-REV-13)."""
        if self.status != "needs_info" or not self.info_requests:
            return []
        return self.info_requests[-1].items

    def returned(self, request: InfoRequest) -> None:
        self.status = "needs_info"
        self.since = request.requested_at
        self.info_requests = [*self.info_requests, request]

    def answered(self, changes: StoreChanges, now: datetime) -> None:
        """R-REV-13: the merchant's answer; the review resumes at the stage it stood at,
        with any stage the answer newly concerns added, pending."""
        if self.status != "needs_info":
            raise Conflict(
                f"the change request is {self.status}; answer it only when it is returned "
                "for information"
            )
        kept = {review.stage: review for review in self.stages}
        self.stages = [kept.get(stage) or StageReview(stage=stage) for stage in stages_of(changes)]
        self.changes = changes
        self.status = "under_review"
        self.since = utc_ms(now)
        last = self.info_requests[-1]
        self.info_requests = [
            *self.info_requests[:-1],
            last.model_copy(update={"answered_at": self.since}),
        ]

    def closed(self, status: ChangeStatus, now: datetime, reason: str | None = None) -> None:
        self.status = status
        self.since = self.decided_at = utc_ms(now)
        self.rejected_reason = reason


def stages_of(changes: StoreChanges) -> list[Stage]:
    concerned = {stage for field in changes.fields() for stage in CHANGE_STAGES[field]}
    return [stage for stage in STAGE_ORDER if stage in concerned]


def effective_changes(application: StoreApplication, changes: StoreChanges) -> StoreChanges:
    """Only what differs from the store's information; `Invalid` if that is nothing."""
    named = changes.named()
    actual = {
        field: value for field, value in named.items() if getattr(application, field) != value
    }
    if not actual:
        raise Invalid(
            "the change request changes nothing; name the fields to change with their new values",
            [Issue(field=field, problem="already the store's value") for field in named]
            or [Issue(field="name", problem="give at least one field to change")],
        )
    return StoreChanges(**actual)


def changed_application(
    application: StoreApplication, changes: StoreChanges, policy: Policy
) -> StoreApplication:
    """The application as `changes` make it; `Invalid` if what they change is incomplete
    (R-REV-4, on the changed fields only)."""
    named = changes.named()
    changed = application.model_copy(update=named)
    issues = [
        issue
        for issue in completeness_issues(changed, policy)
        if any(_concerns(issue.field, field) for field in named)
    ]
    if issues:
        raise Invalid("the change leaves the store's information incomplete; correct it", issues)
    return changed


def _concerns(path: str, field: str) -> bool:
    return path == field or path.startswith((f"{field}.", f"{field}["))
