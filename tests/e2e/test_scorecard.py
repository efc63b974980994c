"""A store's record across services (R-LOG-8, R-SC-1): semi-managed parcels delivered after
their window show as late on the shipment, in `Delivered` and on the store's scorecard;
the store, past its threshold, is warned once in the period however many of its orders
fall short, and review keeps the warning on the store."""

from __future__ import annotations

from typing import Any

import pytest

from devkit import journey
from devkit.journey import Actor
from devkit.wait import eventually
from shared.contract import Envelope
from testkit import clock as run_clock
from testkit.platforms import StartPlatform
from testkit.tap import EventTap, watched_cast

pytestmark = pytest.mark.e2e

#: Three weeks on, every window's latest date (4-9 days after the order, R-LOG-3) is past.
THREE_WEEKS = run_clock.moved_by(21 * 24 * 3600)
LATE_DELIVERIES = 3
#: A sample of two judges a measure; the review runs each second.
MIN_SAMPLE = 2
SETTINGS = {"POLICY_SCORECARD_MIN_SAMPLE": str(MIN_SAMPLE), "SCORECARD_REVIEW_SECONDS": "1"}


async def shipped(buyer: Actor, merchant: Actor, product_id: str) -> dict[str, Any]:
    """One order of the product, confirmed and handed to the carrier by its merchant."""
    _, shipment = await journey.confirmed_with_shipment(buyer, merchant, product_id)
    ship = f"/shipments/{shipment['shipment_id']}/ship"
    body = {"carrier": "DHL", "tracking_number": "JD0001", "handover": "pickup"}
    shipped: dict[str, Any] = (
        await merchant.call("POST", "logistics", ship, json=body, expect=200)
    ).json()
    return shipped


async def delivered_late(operator: Actor, tap: EventTap, shipment: dict[str, Any]) -> int:
    """The operator records the parcel delivered, past its window: late on the shipment
    and in `Delivered`, with the same days late (R-LOG-8). Those days."""
    deliver = f"/shipments/{shipment['shipment_id']}/deliver"
    delivered = (await operator.call("POST", "logistics", deliver, expect=200)).json()
    assert delivered["late_delivery"] is True
    assert delivered["days_late"] > 0

    async def told() -> list[Envelope]:
        return tap.of_type("Delivered", shipment["order_id"])

    [event] = await eventually(told, what="Delivered on the bus")
    assert (event.payload["late"], event.payload["days_late"]) == (True, delivered["days_late"])
    return int(delivered["days_late"])


async def test_late_deliveries_reach_the_scorecard_and_warn_the_store_once(
    start_platform: StartPlatform,
) -> None:  # R-LOG-8, R-SC-1
    running = start_platform(**SETTINGS)
    async with watched_cast(running) as (tap, operator, merchant, buyer):
        store = await journey.open_semi_managed_store(operator, merchant)
        product_id = await journey.list_product(operator, merchant, store["store_id"])
        shipments = [await shipped(buyer, merchant, product_id) for _ in range(LATE_DELIVERIES)]
        running.platform.restart("logistics", {"CLOCK_OFFSET_SECONDS": THREE_WEEKS})
        days_late = [await delivered_late(operator, tap, shipment) for shipment in shipments]

        path = f"/merchants/{merchant.sub}/scorecard"

        async def scored() -> dict[str, Any] | None:
            card = (await merchant.call("GET", "orders", path, expect=200)).json()
            stores = card["stores"]
            done = stores and stores[0]["late_deliveries"] == LATE_DELIVERIES and card["warnings"]
            return card if done else None

        card = await eventually(scored, what="the late deliveries and the warning on the card")
        [figures] = card["stores"]
        assert figures["days_late"] == sum(days_late)
        delivery = next(m for m in figures["measures"] if m["measure"] == "delivery_in_window")
        assert (delivery["value"], delivery["sample"], delivery["failing"]) == (0.0, 3, True)
        # The warning carries the sample it was judged on: whichever review first saw the
        # minimum sample (two) or more, depending on how the reviews and deliveries interleave.
        [warning] = card["warnings"]
        assert warning["measure"] == "delivery_in_window"
        assert MIN_SAMPLE <= warning["sample"] <= delivery["sample"]

        async def kept_by_review() -> list[dict[str, Any]] | None:
            path = f"/stores/{store['store_id']}"
            kept = (await merchant.call("GET", "review", path, expect=200)).json()["warnings"]
            return kept or None

        kept = await eventually(kept_by_review, what="the warning kept on the store")
        assert [(w["measure"], w["value"], w["bound"]) for w in kept] == [
            ("delivery_in_window", 0.0, "at_least")
        ]
        # Three orders fell short, each judged by a review (one a second): one warning.
        warned = [
            e for e in tap.of_type("StoreWarned") if e.payload["store_id"] == store["store_id"]
        ]
        assert [e.payload["measure"] for e in warned] == ["delivery_in_window"]
