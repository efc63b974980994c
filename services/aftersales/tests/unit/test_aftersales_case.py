"""The after-sales case: opening (R-AS-1), deciding, and who bears a refund (R-AS-2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from aftersales.domain.errors import Conflict, Invalid, OutsideWindow
from aftersales.domain.facts import OrderFacts, StoreFacts
from aftersales.domain.model import Case
from shared.categories import default_categories
from shared.contract.events import AfterSalesCaseOpened, RefundIssued
from shared.contract.types import Money, StoreType
from shared.policy import Policy
from testkit.aftersales_unit import order_facts
from testkit.factories import usd

POLICY = Policy()
CATEGORIES = default_categories()
DELIVERED_AT = datetime(2026, 11, 6, 14, 30, tzinfo=UTC)
NOW = DELIVERED_AT + timedelta(days=1)


def delivered_order(store_type: StoreType = "full_managed") -> OrderFacts:
    """50.00 USD of clothing, delivered a day before NOW."""
    shipped_at = DELIVERED_AT - timedelta(days=3)
    return order_facts(
        ["clothing"], shipped_at=shipped_at, delivered_at=DELIVERED_AT, store_type=store_type
    )


def store_approved(days_before_case: int) -> StoreFacts:
    return StoreFacts(
        id=str(uuid4()),
        store_type="full_managed",
        approved_at=NOW - timedelta(days=days_before_case),
    )


def open_case(order: OrderFacts, refund_minor: int = 5000) -> Case:
    return Case.open(
        str(uuid4()), order, "damaged", "torn seam", usd(refund_minor), NOW, CATEGORIES
    )


def test_open_records_the_case_and_its_event() -> None:  # R-AS-1
    order = delivered_order()
    case = open_case(order)
    assert (case.case_id, case.order_id, case.buyer_id) == (case.id, order.id, order.buyer_id)
    assert (case.status, case.opened_at, case.store_type) == ("open", NOW, "full_managed")
    assert case.pull_events() == [
        AfterSalesCaseOpened(case_id=case.id, order_id=order.id, reason="damaged", opened_at=NOW)
    ]


def test_open_outside_the_window_is_refused() -> None:  # R-AS-1
    late = NOW + timedelta(days=CATEGORIES.window_days("clothing"))
    with pytest.raises(OutsideWindow, match="R-AS-1"):
        Case.open(str(uuid4()), delivered_order(), "damaged", "x", usd(1), late, CATEGORIES)


def test_refund_requested_above_the_total_is_invalid() -> None:  # 422
    with pytest.raises(Invalid, match="above the order total"):
        open_case(delivered_order(), refund_minor=5001)


def test_refund_requested_in_another_currency_is_invalid() -> None:
    eur = Money(amount_minor=1, currency="EUR")
    with pytest.raises(Invalid, match="EUR"):
        Case.open(str(uuid4()), delivered_order(), "damaged", "x", eur, NOW, CATEGORIES)


def test_case_on_an_order_not_yet_known_is_a_conflict() -> None:
    with pytest.raises(Conflict, match="not known"):
        open_case(OrderFacts(id=str(uuid4())))


def test_refund_within_exemption_is_borne_by_the_platform() -> None:  # R-AS-2
    order = delivered_order()
    case = open_case(order)
    case.pull_events()
    case.resolve("refund", usd(2000), "ok", "op-1", order, store_approved(30), NOW, POLICY)
    assert case.status == "refunded"
    assert case.liable_party == "platform"
    assert case.liability_rule is not None
    assert case.liability_rule.startswith("R-AS-2")
    assert case.policy_snapshot == POLICY.snapshot()  # R-REV-10
    assert case.resolution is not None
    assert case.resolution.refund == usd(2000)
    assert case.first_operator_response_at == NOW
    assert case.pull_events() == [
        RefundIssued(
            case_id=case.id,
            order_id=order.id,
            amount=usd(2000),
            liable_party="platform",
            issued_at=NOW,
        )
    ]


def test_refund_after_exemption_is_borne_by_the_merchant() -> None:  # R-AS-2
    order = delivered_order()
    case = open_case(order)
    after = store_approved(POLICY.exemption_period_days + 1)
    case.resolve("refund", usd(100), "ok", "op-1", order, after, NOW, POLICY)
    assert case.liable_party == "merchant"


def test_semi_managed_refund_is_borne_by_the_merchant() -> None:  # R-AS-2
    order = delivered_order("semi_managed")
    case = open_case(order)
    case.resolve("refund", usd(100), "ok", "op-1", order, None, NOW, POLICY)
    assert case.liable_party == "merchant"


def test_partial_refunds_up_to_the_total_then_conflict() -> None:  # 409
    order = delivered_order()
    for amount in (3000, 2000):
        case = open_case(order)
        case.resolve("refund", usd(amount), "ok", "op-1", order, None, NOW, POLICY)
        order.reserve_refund(case.id, usd(amount), NOW)
    assert order.refundable_left() == usd(0)
    last = open_case(order, refund_minor=1)
    with pytest.raises(Conflict, match="left refundable") as refused:
        last.resolve("refund", usd(1), "ok", "op-1", order, None, NOW, POLICY)
    assert "0 USD" in refused.value.detail
    assert last.status == "open"
    assert [type(event) for event in last.pull_events()] == [AfterSalesCaseOpened]


def test_refund_decision_above_the_total_is_invalid() -> None:  # 422
    order = delivered_order()
    case = open_case(order)
    with pytest.raises(Invalid, match="above the order total"):
        case.resolve("refund", usd(5001), "ok", "op-1", order, None, NOW, POLICY)


def test_refund_decision_needs_an_amount() -> None:
    order = delivered_order()
    case = open_case(order)
    with pytest.raises(Invalid):
        case.resolve("refund", None, "ok", "op-1", order, None, NOW, POLICY)
    with pytest.raises(Invalid):
        case.resolve("refund", usd(0), "ok", "op-1", order, None, NOW, POLICY)


def test_rejection_needs_a_note_and_no_refund() -> None:
    order = delivered_order()
    case = open_case(order)
    with pytest.raises(Invalid, match="note"):
        case.resolve("reject", None, "  ", "op-1", order, None, NOW, POLICY)
    with pytest.raises(Invalid, match="no refund"):
        case.resolve("reject", usd(1), "no", "op-1", order, None, NOW, POLICY)
    case.pull_events()
    case.resolve("reject", None, "photos show no damage", "op-1", order, None, NOW, POLICY)
    assert case.status == "rejected"
    assert case.liable_party is None
    # No refund; only the case's closing, so the order's process waits on it no more.
    assert [type(event).__name__ for event in case.pull_events()] == ["AfterSalesCaseRejected"]


def test_a_decided_case_cannot_be_decided_again() -> None:  # 409
    order = delivered_order()
    case = open_case(order)
    case.resolve("reject", None, "no", "op-1", order, None, NOW, POLICY)
    with pytest.raises(Conflict, match="already rejected"):
        case.resolve("refund", usd(1), "ok", "op-1", order, None, NOW, POLICY)


def test_first_operator_response_is_the_first_operator_message() -> None:  # R-AS-3
    case = open_case(delivered_order())
    case.add_message("buyer", case.buyer_id, "any news?", NOW, POLICY)
    assert case.first_operator_response_at is None
    case.add_message("operator", "op-1", "looking into it", NOW + timedelta(hours=2), POLICY)
    case.add_message("operator", "op-1", "still looking", NOW + timedelta(hours=3), POLICY)
    assert case.first_operator_response_at == NOW + timedelta(hours=2)
    assert [m.author_role for m in case.messages] == ["buyer", "operator", "operator"]
    with pytest.raises(Invalid):
        case.add_message("buyer", case.buyer_id, " ", NOW, POLICY)


def test_each_party_posts_at_most_its_share_of_a_cases_messages() -> None:  # R-AS-3
    """A case's thread is bounded (a case reached 1.6 MB), per party: the buyer's flood of
    messages leaves the merchant and the operators theirs."""
    policy = Policy(aftersales_max_messages_per_party=2)
    case = open_case(delivered_order())
    for body in ("any news?", "still waiting"):
        case.add_message("buyer", case.buyer_id, body, NOW, policy)
    with pytest.raises(Conflict, match="already has 2 messages from its buyer") as refused:
        case.add_message("buyer", case.buyer_id, "hello?", NOW, policy)
    assert refused.value.rule == "R-AS-3"
    assert [m.body for m in case.messages] == ["any news?", "still waiting"]
    case.add_message("merchant", case.merchant_id, "sent a new one", NOW, policy)
    case.add_message("operator", "op-1", "noted", NOW, policy)
    assert [m.author_role for m in case.messages] == ["buyer", "buyer", "merchant", "operator"]


def test_case_survives_a_round_trip_through_the_database_document() -> None:
    order = delivered_order()
    case = open_case(order)
    case.add_message("buyer", case.buyer_id, "photo attached", NOW, POLICY)
    case.resolve("refund", usd(10), "ok", "op-1", order, store_approved(1), NOW, POLICY)
    case.pull_events()  # recorded events go to the outbox, not into the document
    assert Case.from_document(case.to_document()) == case
