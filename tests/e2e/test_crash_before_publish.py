"""A service killed after storing a change but before publishing its event publishes it
after the restart: the transactional outbox."""

from __future__ import annotations

import pytest

from devkit.journey import a_product_on_sale, place_order
from devkit.wait import eventually
from shared.mongo import connect
from testkit.platforms import StartPlatform
from testkit.tap import watched_cast

pytestmark = pytest.mark.e2e


async def test_orders_killed_between_write_and_publish(start_platform: StartPlatform) -> None:
    running = start_platform()
    mongo = connect(running.mongo_url, app_name="e2e-check")
    async with watched_cast(running) as (tap, operator, merchant, buyer):
        product_id = await a_product_on_sale(operator, merchant)

        # Orders stores the order, and dies before its relay may publish the event.
        running.platform.restart("orders", {"OUTBOX_RELAY_ENABLED": "false"})
        order = await place_order(buyer, product_id)
        stored = await mongo[f"{running.db_prefix}orders"]["orders"].find_one(
            {"_id": order["order_id"]}
        )
        assert stored is not None
        assert stored["outbox_pending"]
        assert not tap.of_type("OrderCreated", order["order_id"])
        running.platform.services["orders"].kill()

        running.platform.restart("orders", {"OUTBOX_RELAY_ENABLED": "true"})

        async def published() -> bool:
            return bool(tap.of_type("OrderCreated", order["order_id"]))

        await eventually(published, what="OrderCreated published after the restart")
        [event] = tap.of_type("OrderCreated", order["order_id"])
        assert event.payload["total"] == order["total"]
    await mongo.close()
