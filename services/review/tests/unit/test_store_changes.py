"""R-REV-12, R-REV-13: an approved store's change requests, and reviews that return an
application or a change request for information instead of rejecting it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from review.domain.changes import StoreChanges
from review.domain.errors import Conflict, Invalid
from review.domain.issues import Issue
from review.domain.store import Store
from review.domain.store_parts import STAGES
from shared.contract.events import StoreUpdated
from shared.contract.types import Warehouse
from shared.errors import NotFound
from shared.policy import Policy
from testkit.review_unit import MONDAY, a_store

LATER = MONDAY + timedelta(days=1)
ITEMS = [Issue(field="documents[0]", problem="upload a licence page that is not cut off")]
NEW_WAREHOUSE = Warehouse(
    country="ES", city="Valencia", address="Calle de Colón 1", timezone="Europe/Madrid"
)


def approved(store_type: str = "semi_managed") -> Store:
    store = a_store(store_type)
    for stage in STAGES:
        store.decide(stage, "approve", None, "op-1", Policy(), MONDAY)
    store.pull_events()
    return store


# R-REV-13: the application returned for information


def test_an_operator_returns_an_application_naming_each_item(policy: Policy) -> None:  # R-REV-13
    store = a_store()
    store.decide("background", "approve", None, "op-1", policy, MONDAY)
    store.decide("financial", "needs_info", None, "op-2", policy, MONDAY, items=ITEMS)
    assert (store.status, store.issues, store.current_stage) == ("needs_info", ITEMS, None)
    assert store.returned is not None
    assert (store.returned.stage, store.returned.requested_by) == ("financial", "op-2")
    assert store.pull_events() == []


def test_the_answer_resumes_the_review_at_the_stage_it_stood(policy: Policy) -> None:  # R-REV-13
    store = a_store()
    store.decide("background", "approve", None, "op-1", policy, MONDAY)
    store.decide("financial", "needs_info", None, "op-2", policy, MONDAY, items=ITEMS)
    store.resubmit(store.application, policy, LATER)
    assert (store.status, store.current_stage, store.issues) == ("under_review", "financial", [])
    assert [stage.status for stage in store.stages] == ["approved", "pending", "pending"]
    # R-REV-5: the merchant held it meanwhile; under review again since the answer.
    assert store.submitted_at == LATER
    assert store.info_requests[-1].answered_at == LATER
    assert store.history[-1].outcome == "needs_info"
    for stage in ("financial", "category"):
        store.decide(stage, "approve", None, "op-1", policy, LATER)
    assert store.status == "approved"


def test_an_incomplete_answer_keeps_the_application_returned(policy: Policy) -> None:  # R-REV-13
    store = a_store()
    store.decide("background", "needs_info", None, "op-2", policy, MONDAY, items=ITEMS)
    incomplete = store.application.model_copy(update={"contract_signed": False})
    store.resubmit(incomplete, policy, LATER)
    assert store.status == "needs_info"
    assert [issue.field for issue in store.issues] == ["contract_signed"]
    assert store.returned is not None  # still to answer, whole


def test_a_return_names_at_least_one_item_and_needs_a_pending_stage(policy: Policy) -> None:
    store = a_store()  # R-REV-13
    with pytest.raises(Invalid) as refused:
        store.decide("background", "needs_info", None, "op-2", policy, MONDAY, items=[])
    assert refused.value.issues[0].field == "items"
    store.decide("background", "approve", None, "op-1", policy, MONDAY)
    with pytest.raises(Conflict):
        store.decide("background", "needs_info", None, "op-2", policy, MONDAY, items=ITEMS)
    assert store.status == "under_review"


# R-REV-12: change requests


def test_a_change_is_reviewed_while_the_store_keeps_its_information(policy: Policy) -> None:
    store = approved()  # R-REV-12
    before = store.application
    change = store.request_change(
        "c-1", StoreChanges(warehouse=NEW_WAREHOUSE, handling_days=1), policy, MONDAY
    )
    assert (change.status, change.current_stage, change.since) == (
        "under_review",
        "background",
        MONDAY,
    )
    assert [stage.stage for stage in change.stages] == ["background"]
    assert (store.status, store.application) == ("approved", before)
    assert store.pull_events() == []


def test_approval_applies_the_change_and_publishes_store_updated(policy: Policy) -> None:
    store = approved()  # R-REV-12
    store.request_change("c-1", StoreChanges(warehouse=NEW_WAREHOUSE, name="Blue"), policy, MONDAY)
    change = store.decide_change("c-1", "background", "approve", None, "op-1", policy, LATER)
    assert (change.status, change.decided_at, change.current_stage) == ("approved", LATER, None)
    assert (store.application.warehouse, store.name) == (NEW_WAREHOUSE, "Blue")
    [event] = store.pull_events()
    assert isinstance(event, StoreUpdated)
    assert (event.changed, event.warehouse, event.store_name, event.updated_at) == (
        ["name", "warehouse"],
        NEW_WAREHOUSE,
        "Blue",
        LATER,
    )
    assert (event.handling_days, event.change_request_id) == (2, "c-1")


def test_the_company_is_also_a_financial_matter(policy: Policy) -> None:  # R-REV-12 (decided)
    store = approved()
    change = store.request_change("c-1", StoreChanges(company_name="Lantern SL"), policy, MONDAY)
    assert [stage.stage for stage in change.stages] == ["background", "financial"]
    store.decide_change("c-1", "financial", "approve", None, "op-1", policy, LATER)
    assert (change.status, change.current_stage) == ("under_review", "background")
    assert store.application.company_name != "Lantern SL"


def test_a_rejected_change_leaves_the_store_as_approved(policy: Policy) -> None:  # R-REV-12
    store = approved()
    before = store.application
    store.request_change("c-1", StoreChanges(categories=["toys"]), policy, MONDAY)
    with pytest.raises(Invalid):
        store.decide_change("c-1", "category", "reject", " ", "op-1", policy, LATER)
    change = store.decide_change(
        "c-1", "category", "reject", "no toy licence", "op-1", policy, LATER
    )
    assert (change.status, change.rejected_reason) == ("rejected", "no toy licence")
    assert store.application == before
    assert store.pull_events() == []


def test_a_returned_change_resumes_where_it_stood(policy: Policy) -> None:  # R-REV-12, R-REV-13
    store = approved()
    store.request_change("c-1", StoreChanges(company_name="Lantern SL"), policy, MONDAY)
    store.decide_change("c-1", "background", "approve", None, "op-1", policy, MONDAY)
    change = store.decide_change(
        "c-1", "financial", "needs_info", None, "op-2", policy, MONDAY, items=ITEMS
    )
    assert (change.status, change.issues, change.current_stage) == (
        "needs_info",
        ITEMS,
        "financial",
    )
    with pytest.raises(Conflict):  # nothing to decide while the merchant holds it
        store.decide_change("c-1", "financial", "approve", None, "op-1", policy, LATER)
    store.answer_change("c-1", StoreChanges(company_name="Lantern Spain SL"), policy, LATER)
    assert (change.status, change.since, change.current_stage) == (
        "under_review",
        LATER,
        "financial",
    )
    assert [stage.status for stage in change.stages] == ["approved", "pending"]
    store.decide_change("c-1", "financial", "approve", None, "op-1", policy, LATER)
    assert store.application.company_name == "Lantern Spain SL"


def test_one_open_change_at_a_time_and_only_once_approved(policy: Policy) -> None:  # R-REV-12
    under_review = a_store()
    with pytest.raises(Conflict):
        under_review.request_change("c-0", StoreChanges(name="Blue"), policy, MONDAY)
    store = approved()
    store.request_change("c-1", StoreChanges(name="Blue"), policy, MONDAY)
    with pytest.raises(Conflict):
        store.request_change("c-2", StoreChanges(name="Green"), policy, MONDAY)
    store.withdraw_change("c-1", LATER)
    assert store.withdraw_change("c-1", LATER).status == "withdrawn"  # again: the same
    assert store.request_change("c-2", StoreChanges(name="Green"), policy, LATER).is_open
    with pytest.raises(NotFound):
        store.withdraw_change("c-9", LATER)


def test_a_change_must_change_something_complete(policy: Policy) -> None:  # R-REV-12, R-REV-4
    store = approved()
    with pytest.raises(Invalid) as nothing:
        store.request_change("c-1", StoreChanges(name=store.name), policy, MONDAY)
    assert [issue.field for issue in nothing.value.issues] == ["name"]
    with pytest.raises(Invalid) as incomplete:
        store.request_change("c-1", StoreChanges(handling_days=9), policy, MONDAY)
    assert [issue.field for issue in incomplete.value.issues] == ["handling_days"]
    with pytest.raises(Invalid):  # the platform's warehouse ships full-managed goods
        approved("full_managed").request_change(
            "c-1", StoreChanges(warehouse=NEW_WAREHOUSE), policy, MONDAY
        )
    assert store.change_requests == []


def test_only_what_differs_is_requested(policy: Policy) -> None:  # R-REV-12
    store = approved()
    change = store.request_change(
        "c-1",
        StoreChanges(name="Blue", handling_days=store.application.handling_days),
        policy,
        MONDAY,
    )
    assert change.changed == ["name"]
