"""Orders an earlier release stored, without the keys later releases query by (the
operators' stuck list, the scorecards' review), get them from a job that writes each
again as it is: such an order past its deadline is listed as stuck like any other."""

from __future__ import annotations

from orders.adapters.queries import ORDERS
from testkit.factories import AN_OPERATOR, HOUR
from testkit.orders_unit import orders_selling_the_product, placed

LATER_KEYS = ("deadline_key", "scorecard_key")


async def test_an_older_order_gets_its_keys_and_is_listed_when_stuck() -> None:  # R-ORD-5
    wired = await orders_selling_the_product()
    order = await placed(wired)
    orders = wired.ports.collection(ORDERS)
    await orders.update_one({"_id": order.id}, {"$unset": dict.fromkeys(LATER_KEYS, "")})
    wired.clock.advance(25 * HOUR)  # past confirm_by, and the job cancelling it is down
    stuck, _ = await wired.services.processes.stuck(AN_OPERATOR, 10, None)
    assert stuck == []

    await wired.run("older-orders-keys")
    stored = await orders.find_one({"_id": order.id})
    assert stored is not None
    assert all(key in stored for key in LATER_KEYS)
    assert stored["status"] == "awaiting_confirmation"  # written again as it was
    stuck, _ = await wired.services.processes.stuck(AN_OPERATOR, 10, None)
    assert [found.id for found, _ in stuck] == [order.id]


async def test_the_job_is_idle_once_every_order_has_its_keys() -> None:
    wired = await orders_selling_the_product()
    order = await placed(wired)
    await wired.run("older-orders-keys")
    stored = await wired.ports.collection(ORDERS).find_one({"_id": order.id})
    assert stored is not None
    assert stored["version"] == order.version  # nothing written again
