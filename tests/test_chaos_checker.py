"""The chaos checker's reading of acknowledged steps, with no I/O."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from chaos.check import (
    STEP_SLACK,
    _behind,
    end_finding,
    ended,
    expected,
    liable,
    next_step,
    refunds_of,
    twice,
)
from chaos.faults import UNSHIPPED_AFTER_SECONDS, ends_settings, poisoned_queues
from chaos.load import Journey

from devkit.journey import Actor
from devkit.platform import DEFAULT_PORTS
from logistics.domain.deadlines import full_managed_ship_by, unshipped_cancel_at
from shared.contract import Envelope
from shared.policy import Policy
from testkit.aftersales_unit import LIABILITY

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
GRACE = timedelta(hours=1)
TOTAL = {"amount_minor": 4_990, "currency": "USD"}


def journey(*acked: str, kind: str = "deliver") -> Journey:
    buyer = Actor("buyer", "b", {}, httpx.AsyncClient())
    made = Journey(kind, buyer, order_id="o-1")
    made.acked.update(acked)
    return made


def rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def order(status: str, reason: str | None = None, **fields: Any) -> dict[str, Any]:
    """An order as orders' `GET /orders/{id}` shows it."""
    return {
        "order_id": "o-1",
        "status": status,
        "cancel_reason": reason,
        "store_type": "full_managed",
        "total": TOTAL,
        "confirm_by": rfc3339(T0 + timedelta(seconds=10)),
        "ship_by": None,
        **fields,
    }


def refund(reason: str, liable_party: str = "platform", **fields: Any) -> dict[str, Any]:
    return {
        "case_id": None,
        "order_id": "o-1",
        "amount": TOTAL,
        "liable_party": liable_party,
        "issued_at": rfc3339(T0),
        "reason": reason,
        **fields,
    }


def event(event_type: str, payload: dict[str, Any], event_id: uuid.UUID | None = None) -> Envelope:
    return Envelope(
        event_id=event_id or uuid.uuid4(),
        event_type=event_type,
        occurred_at=T0,
        producer="test",
        correlation_id="c-1",
        payload={"order_id": "o-1", **payload},
    )


def clocks(at: datetime) -> dict[str, datetime]:
    return {"orders": at, "logistics": at}


def judged(
    made: Journey,
    shown: dict[str, Any],
    refunds: Sequence[dict[str, Any]] = (),
    shipment: dict[str, Any] | None = None,
    now: datetime = T0,
) -> tuple[str, str] | None:
    return end_finding(made, shown, shipment, list(refunds), GRACE, clocks(now))


@pytest.mark.parametrize(
    ("acked", "status", "reason"),
    [
        (("create",), "cancelled", "confirmation_timeout"),  # R-ORD-3: never confirmed
        (("create", "cancel"), "cancelled", "buyer_cancelled"),
        (("create", "confirm"), "confirmed", None),
        (("create", "confirm", "ship"), "shipped", None),
        (("create", "confirm", "ship", "deliver"), "delivered", None),
        (("create", "confirm", "ship", "deliver", "refund"), "refunded", None),
    ],
)
def test_acknowledged_steps_imply_a_state(
    acked: tuple[str, ...], status: str, reason: str | None
) -> None:
    assert expected(journey(*acked)) == (status, reason)


def test_a_state_ahead_of_the_acknowledgements_is_fine_and_behind_is_not() -> None:
    confirmed = journey("create", "confirm")
    assert _behind({"status": "delivered", "cancel_reason": None}, confirmed) is None
    assert _behind({"status": "awaiting_confirmation", "cancel_reason": None}, confirmed)
    assert _behind({"status": "cancelled", "cancel_reason": "confirmation_timeout"}, confirmed)


@pytest.mark.parametrize("kind", ["no_route", "not_shipped"])
def test_a_confirmed_order_that_cannot_or_does_not_ship_is_expected_cancelled_for_it(
    kind: str,
) -> None:  # R-ORD-5
    assert expected(journey("create", "confirm", kind=kind)) == ("cancelled", kind)
    assert expected(journey("create", kind=kind)) == ("cancelled", "confirmation_timeout")


@pytest.mark.parametrize(("reason", "store_type", "party"), LIABILITY)
def test_who_bears_the_refund_of_a_cancellation(reason: str, store_type: str, party: str) -> None:
    assert liable(reason, store_type) == party  # R-ORD-6


@pytest.mark.parametrize("kind", ["no_route", "not_shipped"])
def test_an_order_cancelled_for_its_cause_and_refunded_once_has_ended(kind: str) -> None:
    made = journey("create", "confirm", kind=kind)  # R-ORD-5, R-ORD-6
    assert judged(made, order("cancelled", kind), [refund(kind)]) is None


def test_a_cancellation_after_confirmation_is_not_ended_until_refunded() -> None:
    made = journey("create", "confirm", kind="no_route")  # R-ORD-5
    assert judged(made, order("cancelled", "no_route")) == (
        "lost",
        "o-1: cancelled (no_route), never refunded",
    )


@pytest.mark.parametrize(
    "wrong",
    [
        refund("no_route", liable_party="merchant"),  # R-ORD-6: the platform's
        refund("not_shipped"),  # another cause
        refund("no_route", amount={"amount_minor": 100, "currency": "USD"}),  # not the whole
        refund("no_route", case_id="c-1"),  # an after-sales case's
    ],
)
def test_a_refund_of_the_wrong_kind_is_lost(wrong: dict[str, Any]) -> None:
    made = journey("create", "confirm", kind="no_route")
    finding = judged(made, order("cancelled", "no_route"), [wrong])
    assert finding is not None
    assert finding[0] == "lost"


def test_a_semi_managed_order_not_shipped_is_refunded_by_its_merchant() -> None:
    made = journey("create", "confirm", kind="not_shipped")  # R-ORD-6
    shown = order("cancelled", "not_shipped", store_type="semi_managed")
    assert judged(made, shown, [refund("not_shipped", liable_party="merchant")]) is None
    assert judged(made, shown, [refund("not_shipped")]) is not None


def test_an_order_cancelled_for_another_cause_than_its_journey_is_lost() -> None:
    no_route = journey("create", "confirm", kind="no_route")
    finding = judged(no_route, order("cancelled", "not_shipped"), [refund("not_shipped")])
    assert finding == ("lost", "o-1: cancelled (not_shipped), expected cancelled (no_route)")
    shipped = journey("create", "confirm", "ship")
    finding = judged(shipped, order("cancelled", "not_shipped"), [refund("not_shipped")])
    assert finding == ("lost", "o-1: cancelled (not_shipped), expected shipped")
    unconfirmed = journey("create")
    assert judged(unconfirmed, order("cancelled", "no_route"), [refund("no_route")])


def test_a_handover_that_lost_the_race_to_its_cancellation_ends_the_order_too() -> None:
    # Confirmed, meant to ship, no handover acknowledged: not_shipped is an end (R-ORD-5).
    made = journey("create", "confirm")
    assert judged(made, order("cancelled", "not_shipped"), [refund("not_shipped")]) is None


def test_ends_that_need_no_refund() -> None:
    assert judged(journey("create"), order("cancelled", "confirmation_timeout")) is None
    assert judged(journey("create", "cancel"), order("cancelled", "buyer_cancelled")) is None
    delivered = journey("create", "confirm", "ship", "deliver")
    assert judged(delivered, order("delivered")) is None


def test_an_unshipped_order_waits_while_its_cancellation_is_ahead_and_is_lost_after() -> None:
    made = journey("create", "confirm", kind="not_shipped")  # R-ORD-5
    shown = order("confirmed", ship_by=rfc3339(T0))
    due = T0 + GRACE
    waiting = judged(made, shown, now=due)
    assert waiting is not None
    assert waiting[0] == "stuck"
    assert "ship_by + SHIP_GRACE_HOURS" in waiting[1]
    overdue = judged(made, shown, now=due + STEP_SLACK + timedelta(seconds=1))
    assert overdue is not None
    assert overdue[0] == "lost"
    assert "was due at 11:00:00 (logistics)" in overdue[1]


def test_a_confirmed_order_with_nothing_dated_ahead_is_lost() -> None:
    made = journey("create", "confirm", kind="not_shipped")  # R-ORD-5: never left waiting
    assert judged(made, order("confirmed")) == (
        "lost",
        "o-1: confirmed, expected cancelled (not_shipped); nothing dated will end it",
    )


def test_an_order_whose_shipment_was_cancelled_follows_it_at_once() -> None:
    made = journey("create", "confirm", kind="no_route")
    shipment = {"status": "cancelled", "cancel_reason": "no_route", "cancelled_at": rfc3339(T0)}
    assert next_step(order("confirmed"), shipment, GRACE) is not None
    shown = order("confirmed")
    waiting = judged(made, shown, shipment=shipment, now=T0 + timedelta(seconds=1))
    assert waiting is not None
    assert waiting[0] == "stuck"
    overdue = judged(made, shown, shipment=shipment, now=T0 + timedelta(minutes=1))
    assert overdue is not None
    assert overdue[0] == "lost"
    assert "cancelled after its shipment (no_route)" in overdue[1]


def test_the_dated_next_steps() -> None:
    unconfirmed = next_step(order("awaiting_confirmation"), None, GRACE)
    assert unconfirmed is not None
    assert (unconfirmed.clock, unconfirmed.at) == ("orders", T0 + timedelta(seconds=10))
    shipment = {
        "status": "shipped",
        "estimated_delivery": {"earliest": "2026-03-05", "latest": "2026-03-09"},
    }
    delivery = next_step(order("shipped"), shipment, GRACE)
    assert delivery is not None
    assert delivery.at == datetime(2026, 3, 10, tzinfo=UTC)
    assert next_step(order("delivered"), shipment, GRACE) is None
    # A shipped order waits on its carrier, within its window: not stuck.
    assert judged(journey("create", "confirm", "ship"), order("shipped"), shipment=shipment) is None


def test_a_missing_order_is_lost() -> None:
    assert judged(journey("create"), {}) == ("lost", "o-1: missing")


def test_copies_of_one_refund_are_one_refund() -> None:
    issued = event("RefundIssued", refund("no_route"))
    other = event("RefundIssued", {**refund("no_route"), "order_id": "o-2"})
    assert refunds_of([issued, issued, other], "o-1") == [issued.payload]


def test_two_refunds_or_two_cancellations_of_one_order_are_duplicates() -> None:
    once = event("RefundIssued", refund("not_shipped"))
    cancelled = event("OrderCancelled", {"reason": "not_shipped"})
    assert twice("o-1", [once, once, cancelled, cancelled], []) == []
    again = event("RefundIssued", refund("not_shipped"))
    assert twice("o-1", [once, again], []) == ["o-1: refund issued twice"]
    also = event("OrderCancelled", {"reason": "not_shipped"})
    assert twice("o-1", [cancelled, also], []) == ["o-1: cancelled twice"]


def test_a_cancelled_order_is_never_shipped() -> None:  # R-ORD-5
    cancelled = event("OrderCancelled", {"reason": "not_shipped"})
    shipped = event("Shipped", {"shipment_id": "s-1"})
    found = ["o-1: cancelled (not_shipped) yet shipped"]
    assert twice("o-1", [cancelled, shipped], []) == found
    assert twice("o-1", [cancelled], [{"shipped_at": rfc3339(T0)}]) == found
    assert twice("o-1", [cancelled], [{"shipped_at": None}]) == []
    # Only a late buyer's cancellation may race the handover: the parcel travels on.
    late = event("OrderCancelled", {"reason": "buyer_cancelled_late"})
    assert twice("o-1", [late, shipped], []) == []


def test_the_row_s_logistics_cancels_unshipped_orders_seconds_after_confirmation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # R-LOG-1, R-ORD-5: the row's settings, read as logistics reads them
    offset = 3_600.0  # the run's own offset (a suite run in another year)
    settings, ends = ends_settings(offset, ["orders", "logistics", "aftersales"])
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    policy = Policy()
    ahead = timedelta(seconds=float(settings["CLOCK_OFFSET_SECONDS"]) - offset)
    confirmed_at = T0  # orders' clock
    cancel_at = unshipped_cancel_at(full_managed_ship_by(confirmed_at, policy), policy)
    # In logistics' clock (`ahead` of orders'), this many seconds after the confirmation.
    assert cancel_at - (confirmed_at + ahead) == timedelta(seconds=UNSHIPPED_AFTER_SECONDS)
    assert ends.grace == timedelta(hours=policy.ship_grace_hours)
    now = ends.now()
    assert now["logistics"] - now["orders"] == ahead
    assert now["aftersales"] == now["orders"]


def test_how_an_order_stands_in_the_row_s_tally() -> None:
    assert ended(order("delivered"), []) == "delivered"
    cancelled = order("cancelled", "no_route")
    assert ended(cancelled, [refund("no_route")]) == "cancelled (no_route), refunded"
    assert ended({}, []) == "missing"


def test_the_poison_reaches_each_running_services_queue_once() -> None:
    poisoned = [queue.service for queue in poisoned_queues(DEFAULT_PORTS)]
    assert sorted(poisoned) == sorted(DEFAULT_PORTS)
