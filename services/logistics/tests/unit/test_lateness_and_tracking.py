"""Late handovers and the tracking history (R-LOG-5, R-LOG-4)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from logistics.domain.model import Shipment
from logistics.domain.shipment_parts import Handover
from testkit.factories import a_us_warehouse
from testkit.logistics_unit import CONFIRMED_AT, POLICY, a_shipment, mugs_to_new_york


def semi_managed() -> Shipment:
    """A mug to New York from a Newark warehouse, 1 handling day."""
    order = mugs_to_new_york("semi_managed")
    return a_shipment(order, handling_days=1, warehouse=a_us_warehouse())


@pytest.mark.parametrize(
    ("handover", "after_deadline", "late_by"),
    [
        pytest.param("pickup", timedelta(minutes=-1), None, id="R-LOG-5 pickup in time"),
        pytest.param("pickup", timedelta(minutes=30), 1800, id="R-LOG-5 pickup late"),
        pytest.param("self_drop", timedelta(hours=-1), None, id="R-LOG-5 self-drop in 48h"),
        pytest.param("self_drop", timedelta(hours=2), 7200, id="R-LOG-5 self-drop late"),
    ],
)
def test_a_handover_after_its_deadline_is_late_by_how_much(
    handover: Handover, after_deadline: timedelta, late_by: int | None
) -> None:
    shipment = semi_managed()
    assert shipment.ship_by is not None
    assert shipment.self_drop_by == CONFIRMED_AT + timedelta(hours=POLICY.self_drop_hours)
    deadline = shipment.self_drop_by if handover == "self_drop" else shipment.ship_by
    shipment.ship("UPS", "1Z999", handover, deadline + after_deadline)
    assert (shipment.late, shipment.late_by_seconds) == (late_by is not None, late_by)


def test_unshipped_at_ship_by_is_flagged_late_once_then_measured_at_pickup() -> None:
    shipment = semi_managed()
    assert shipment.ship_by is not None
    assert shipment.detect_late(shipment.ship_by + timedelta(seconds=1))
    assert shipment.late
    assert not shipment.detect_late(shipment.ship_by + timedelta(hours=1))
    shipment.ship("UPS", "1Z999", "pickup", shipment.ship_by + timedelta(hours=3))
    assert shipment.late_by_seconds == 3 * 3600


def test_tracking_history_lists_every_status_with_its_time() -> None:
    shipment = semi_managed()
    assert shipment.ship_by is not None
    shipped_at = shipment.ship_by - timedelta(hours=1)
    shipment.ship("UPS", "1Z999", "pickup", shipped_at)
    shipment.deliver(shipped_at + timedelta(days=2))
    assert [(step.status, step.at) for step in shipment.history] == [
        ("awaiting_shipment", CONFIRMED_AT),
        ("shipped", shipped_at),
        ("delivered", shipped_at + timedelta(days=2)),
    ]
