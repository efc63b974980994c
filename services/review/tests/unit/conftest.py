"""Builders shared by the review domain's unit tests: valid inputs, tweaked per test.

Tests receive them as fixtures (test modules cannot import each other or this file).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from review.domain.application import DocumentRef, StoreApplication
from review.domain.invitation import Invitation
from review.domain.store import Store
from review.domain.store_parts import STAGES
from shared.contract.types import Warehouse
from shared.policy import Policy

#: A Monday morning, so weekday arithmetic in the tests is easy to follow.
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
VALID_LICENSE = "91350100M000100Y43"

MakeApplication = Callable[..., StoreApplication]
MakeStore = Callable[..., Store]


def weekdays_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`, Monday to Friday."""
    return sum(
        1
        for offset in range(1, (end - start).days + 1)
        if (start + timedelta(days=offset)).weekday() < 5
    )


def new_id() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def policy() -> Policy:
    return Policy()


@pytest.fixture
def now() -> datetime:
    return MONDAY


@pytest.fixture
def working_days() -> Callable[[date, date], int]:
    return weekdays_between


@pytest.fixture
def approved_store(make_store: MakeStore, policy: Policy) -> Store:
    store = make_store("full_managed")
    for stage in STAGES:
        store.decide(stage, "approve", None, "operator-1", policy, MONDAY)
    store.pull_events()
    return store


@pytest.fixture
def make_application() -> MakeApplication:
    def build(store_type: str = "full_managed", **changes: Any) -> StoreApplication:
        documents = [
            DocumentRef(
                kind="business_license",
                filename="licence.pdf",
                content_type="application/pdf",
                size_bytes=200_000,
            ),
            DocumentRef(
                kind="id_document", filename="id.jpg", content_type="image/jpeg", size_bytes=90_000
            ),
        ]
        fields: dict[str, Any] = {
            "store_type": store_type,
            "name": "Blue Lantern Home",
            "company_name": "Fuzhou Blue Lantern Trading Co., Ltd.",
            "business_license_no": VALID_LICENSE,
            "contact_email": "ops@bluelantern.example.com",
            "categories": ["home", "clothing"],
            "documents": documents,
            "contract_signed": True,
        }
        if store_type == "semi_managed":
            fields["documents"] = [
                *documents,
                DocumentRef(
                    kind="warehouse_proof",
                    filename="lease.png",
                    content_type="image/png",
                    size_bytes=50_000,
                ),
            ]
            fields["warehouse"] = Warehouse(
                country="ES", city="Madrid", address="Calle Mayor 1", timezone="Europe/Madrid"
            )
            fields["handling_days"] = 2
        fields.update(changes)
        return StoreApplication(**fields)

    return build


@pytest.fixture
def make_store(make_application: MakeApplication, policy: Policy) -> MakeStore:
    """A store applied for by a fresh merchant (invited when full-managed)."""

    def build(store_type: str = "full_managed", **changes: Any) -> Store:
        merchant_id = new_id()
        invitation = Invitation.issue(new_id(), merchant_id, "operator-1", MONDAY)
        return Store.apply(
            new_id(),
            merchant_id,
            make_application(store_type, **changes),
            policy,
            MONDAY,
            invitation=invitation,
        )

    return build
