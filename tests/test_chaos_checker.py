"""The chaos checker's reading of acknowledged steps, with no I/O."""

from __future__ import annotations

import httpx
import pytest
from chaos.check import _behind, expected
from chaos.load import Journey

from devkit.journey import Actor


def journey(*acked: str) -> Journey:
    buyer = Actor("buyer", "b", {}, httpx.AsyncClient())
    made = Journey("deliver", buyer, order_id="o-1")
    made.acked.update(acked)
    return made


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
