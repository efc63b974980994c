"""Where an order stands in the whole process, through orders' own bootstrap on
fake ports: the step each service has reached, what the platform waits for and until
when, built from the events each service published; and the operators' list of orders
waiting past a deadline (`OrderProcesses.stuck`). Every state is walked in
`test_process_walk.py`; here, each deadline as the order meets it.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from orders.entrypoints.schemas import OrderPublic
from orders.settings import OrdersSettings
from shared.auth import Principal
from shared.contract.types import rfc3339
from shared.errors import Forbidden, Unprocessable
from shared.pagination import encode_cursor
from testkit.factories import (
    AN_OPERATOR,
    T0,
    THE_BUYER,
    THE_MERCHANT,
    a_case_opened,
    a_case_rejected,
    a_delivered,
    a_product_approved,
    a_refund_issued,
    a_shipment_late,
    a_shipped,
    usd,
)
from testkit.orders_unit import (
    SHIP_WITHIN,
    WiredOrders,
    a_place,
    a_shipment_cancelled,
    a_shipment_created,
    orders_selling_semi,
    orders_selling_the_product,
    placed,
    stored,
    waiting,
)

MS, HOUR, DAY = timedelta(milliseconds=1), timedelta(hours=1), timedelta(days=1)
#: The defaults: PROCESS_REACTION_SECONDS, SHIP_GRACE_HOURS, the window of `home` goods.
REACTION, GRACE, WINDOW = timedelta(seconds=300), timedelta(hours=72), timedelta(days=15)


def end_of(day: datetime) -> datetime:
    """The end (UTC) of `day`'s date: when a parcel due that day is overdue (R-AS-1)."""
    return datetime.combine(day.date() + DAY, time(), tzinfo=UTC)


async def test_an_order_shows_each_step_and_deadline_as_the_events_arrive() -> None:
    # R-ORD-2, R-ORD-4, R-LOG-1, R-ORD-5, R-LOG-3, R-AS-1
    wired = await orders_selling_the_product()
    order = await placed(wired)
    assert await waiting(wired, order.id) == ("merchant_confirms", T0 + DAY)
    await wired.services.commands.confirm(order.id, THE_MERCHANT)
    assert await waiting(wired, order.id) == ("logistics_plans", T0 + REACTION)
    created = a_shipment_created(order_id=order.id, at=T0 + HOUR)
    await wired.deliver(created)
    ship_by = created.ship_by
    assert await waiting(wired, order.id) == ("handover", ship_by)
    await wired.deliver(a_shipment_late(order_id=order.id, ship_by=ship_by, at=ship_by + HOUR))
    assert await waiting(wired, order.id) == ("handover_late", ship_by + GRACE)
    shipped = a_shipped(order_id=order.id, at=ship_by + 2 * HOUR)
    await wired.deliver(shipped)
    overdue_at = end_of(datetime.combine(shipped.estimated_delivery.latest, time(), UTC))
    assert await waiting(wired, order.id) == ("delivery", overdue_at + WINDOW)
    delivered_at = overdue_at + DAY  # a late delivery: the window counts from it
    await wired.deliver(a_delivered(order_id=order.id, at=delivered_at))
    assert await waiting(wired, order.id) == ("aftersales_window", delivered_at + WINDOW)
    wired.clock.set(delivered_at + WINDOW - MS)
    assert await waiting(wired, order.id) == ("aftersales_window", delivered_at + WINDOW)
    wired.clock.set(delivered_at + WINDOW)
    assert await waiting(wired, order.id) == ("aftersales_window_closed", None)


async def test_the_process_names_each_service_step_and_who_is_waited_for() -> None:
    # a full-managed parcel is the platform's to hand over (R-LOG-1)
    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=True)
    await wired.deliver(a_shipment_created(order_id=order.id))
    process = wired.services.processes.of(await stored(wired, order.id))
    assert process.steps.model_dump() == {
        "orders": "confirmed",
        "logistics": "planned",
        "aftersales": "none",
    }
    assert process.waiting_for is not None
    assert (process.waiting_for.who, process.waiting_for.kind) == ("platform", "obligation")
    assert "R-ORD-5" in process.waiting_for.then
    assert (process.ended, process.ended_because, process.overdue) == (False, None, False)
    wired.clock.set(T0 + SHIP_WITHIN + MS)
    assert wired.services.processes.of(await stored(wired, order.id)).overdue


async def test_a_semi_managed_parcel_is_its_merchants_to_hand_over() -> None:  # R-LOG-2
    wired = await orders_selling_semi()
    order = await placed(wired, confirmed=True)
    await wired.deliver(a_shipment_created(order_id=order.id, store_type="semi_managed"))
    process = wired.services.processes.of(await stored(wired, order.id))
    assert process.waiting_for is not None
    assert (process.waiting_for.step, process.waiting_for.who) == ("handover", "merchant")


async def test_the_after_sales_window_is_the_longest_of_the_items_categories() -> None:
    # R-AS-1, as aftersales counts it, from the category list in force (R-REV-11): food's
    # 7 days, clothing's 10
    wired = await orders_selling_the_product(category="food")
    await wired.deliver(a_product_approved(product_id="scarf", category="clothing"))
    order, _ = await wired.services.commands.place(a_place(items=[("product-1", 1), ("scarf", 1)]))
    await wired.services.commands.confirm(order.id, THE_MERCHANT)
    shipped = a_shipped(order_id=order.id, at=T0 + HOUR)
    await wired.deliver(shipped)
    await wired.deliver(a_delivered(order_id=order.id, at=T0 + 20 * DAY))
    assert await waiting(wired, order.id) == ("aftersales_window", T0 + 30 * DAY)


async def test_the_reaction_allowed_an_automatic_step_is_a_setting() -> None:  # R-ORD-5
    wired = await orders_selling_the_product(settings=OrdersSettings(process_reaction_seconds=60))
    order = await placed(wired, confirmed=True)
    assert await waiting(wired, order.id) == ("logistics_plans", T0 + timedelta(seconds=60))


async def test_a_cancelled_order_waits_for_its_refund_and_its_shipments_cancel() -> None:
    # R-ORD-5: the buyer's late cancel; the refund and the shipment's cancellation follow
    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=True)
    created = a_shipment_created(order_id=order.id)
    await wired.deliver(created)
    late = created.ship_by + HOUR
    wired.clock.set(late)
    await wired.services.commands.cancel(order.id, THE_BUYER)
    assert await waiting(wired, order.id) == ("refund", late + REACTION)
    refund = a_refund_issued(
        order_id=order.id, case_id=None, reason="buyer_cancelled_late", at=late, amount=usd(4990)
    )
    envelope = await wired.deliver(refund)
    await wired.deliver(refund, envelope=envelope)  # redelivered: taken once
    assert (await stored(wired, order.id)).refunded == usd(4990)
    assert await waiting(wired, order.id) == ("shipment_cancel", late + REACTION)
    cancelled = a_shipment_cancelled(order_id=order.id, reason="order_cancelled", at=late)
    await wired.deliver(cancelled)
    assert await waiting(wired, order.id) == ("cancelled_and_refunded", None)
    process = wired.services.processes.of(await stored(wired, order.id))
    assert process.steps.model_dump() == {
        "orders": "cancelled",
        "logistics": "cancelled",
        "aftersales": "refunded",
    }


async def test_an_open_case_waits_for_its_resolution() -> None:  # R-AS-2
    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=True)
    await wired.deliver(a_shipped(order_id=order.id, at=T0 + HOUR))
    await wired.deliver(a_delivered(order_id=order.id, at=T0 + 5 * DAY))
    await wired.deliver(a_case_opened(order_id=order.id, at=T0 + 6 * DAY))
    assert await waiting(wired, order.id) == ("case_resolution", T0 + 6 * DAY + WINDOW)
    await wired.deliver(a_refund_issued(order_id=order.id, at=T0 + 7 * DAY))
    assert await waiting(wired, order.id) == ("refunded", None)


async def test_a_rejected_case_is_waited_on_no_more() -> None:  # R-AS-2, R-ORD-5
    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=True)
    await wired.deliver(a_shipped(order_id=order.id, at=T0 + HOUR))
    await wired.deliver(a_delivered(order_id=order.id, at=T0 + 5 * DAY))
    await wired.deliver(a_case_opened(order_id=order.id, at=T0 + 6 * DAY))
    rejected = await wired.deliver(a_case_rejected(order_id=order.id, at=T0 + 7 * DAY))
    await wired.deliver(a_case_rejected(order_id=order.id), envelope=rejected)
    stored_order = await stored(wired, order.id)
    process = wired.services.processes.of(stored_order)
    assert process.steps.aftersales == "none"
    assert process.waiting_for is not None
    assert process.waiting_for.step != "case_resolution"
    assert [e.event for e in stored_order.timeline].count("AfterSalesCaseRejected") == 1


async def test_a_shipment_cancelled_under_a_confirmed_order_waits_for_its_cancel() -> None:
    # Never in practice (orders cancels the order as it learns it, R-ORD-5): a shipment
    # cancelled for an order that is not, all the same, has its next step.
    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=True)
    stray = a_shipment_cancelled(order_id=order.id, reason="order_cancelled", at=T0 + HOUR)
    await wired.deliver(stray)
    assert await waiting(wired, order.id) == ("order_cancel", T0 + HOUR + REACTION)


async def test_the_public_order_shows_its_process() -> None:  # R-ORD-5
    wired = await orders_selling_the_product()
    order = await placed(wired)
    shown = OrderPublic.of(order, wired.services.processes.of(order)).model_dump(mode="json")
    assert shown["process"] == {
        "steps": {
            "orders": "awaiting_confirmation",
            "logistics": "not_planned",
            "aftersales": "none",
        },
        "waiting_for": {
            "step": "merchant_confirms",
            "who": "merchant",
            "what": "confirm the order (R-ORD-2)",
            "then": "orders cancels it (confirmation_timeout, R-ORD-3)",
            "kind": "obligation",
        },
        "until": rfc3339(T0 + DAY),
        "ended": False,
        "ended_because": None,
        "overdue": False,
    }


# The operators' list of stuck orders.


async def stuck(wired: WiredOrders, limit: int = 20, cursor: str | None = None) -> list[str]:
    found, _ = await wired.services.processes.stuck(AN_OPERATOR, limit, cursor)
    return [order.id for order, _ in found]


async def three_orders() -> tuple[WiredOrders, str, str, str]:
    """At T0 an order awaiting confirmation (until T0 + 24 h); at T0 + 1 h one confirmed,
    not planned (until 5 minutes later); at T0 + 2 h one planned (until its ship-by)."""
    wired = await orders_selling_the_product()
    awaiting = await placed(wired)
    wired.clock.set(T0 + HOUR)
    unplanned = await placed(wired, confirmed=True)
    wired.clock.set(T0 + 2 * HOUR)
    planned = await placed(wired, confirmed=True)
    await wired.deliver(a_shipment_created(order_id=planned.id, at=T0 + 2 * HOUR))
    return wired, awaiting.id, unplanned.id, planned.id


async def test_operators_list_the_orders_past_a_deadline_oldest_first() -> None:  # R-ORD-5
    wired, awaiting, unplanned, _planned = await three_orders()
    wired.clock.set(T0 + HOUR + REACTION)  # at its deadline: not yet past it
    assert await stuck(wired) == []
    wired.clock.set(T0 + HOUR + REACTION + MS)
    assert await stuck(wired) == [unplanned]
    wired.clock.set(T0 + 30 * HOUR)
    assert await stuck(wired) == [unplanned, awaiting]
    found, _ = await wired.services.processes.stuck(AN_OPERATOR, 20, None)
    assert [(process.overdue, process.until) for _, process in found] == [
        (True, T0 + HOUR + REACTION),
        (True, T0 + DAY),
    ]


async def test_an_order_leaves_the_list_as_it_moves_on() -> None:  # R-ORD-3
    wired, awaiting, unplanned, _planned = await three_orders()
    wired.clock.set(T0 + 30 * HOUR)
    await wired.run("confirmation-deadlines")  # cancelled: ended
    assert await stuck(wired) == [unplanned]
    await wired.deliver(a_shipment_created(order_id=unplanned, at=T0 + 30 * HOUR))
    assert await stuck(wired) == []
    assert (await stored(wired, awaiting)).status == "cancelled"


async def test_ended_and_window_orders_are_never_stuck() -> None:  # R-AS-1
    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=True)
    await wired.deliver(a_shipped(order_id=order.id, at=T0 + HOUR))
    await wired.deliver(a_delivered(order_id=order.id, at=T0 + 5 * DAY))
    for moment in (T0 + 10 * DAY, T0 + 400 * DAY):  # the window open, then closed
        wired.clock.set(moment)
        assert await stuck(wired) == []


async def test_the_stuck_list_is_paged_without_loss() -> None:  # R-ORD-5
    wired, awaiting, unplanned, planned = await three_orders()
    wired.clock.set(T0 + 10 * DAY)
    seen: list[str] = []
    cursor: str | None = None
    while True:
        found, cursor = await wired.services.processes.stuck(AN_OPERATOR, 1, cursor)
        seen += [order.id for order, _ in found]
        if cursor is None:
            break
    assert seen == [unplanned, awaiting, planned]


@pytest.mark.parametrize("principal", [THE_MERCHANT, THE_BUYER])
async def test_only_operators_list_stuck_orders(principal: Principal) -> None:  # R-ORD-5
    wired, *_ = await three_orders()
    wired.clock.set(T0 + 10 * DAY)
    with pytest.raises(Forbidden):
        await wired.services.processes.stuck(principal, 20, None)


async def test_a_cursor_this_api_did_not_give_is_refused() -> None:  # R-ORD-5
    wired, *_ = await three_orders()
    with pytest.raises(Unprocessable):
        await wired.services.processes.stuck(AN_OPERATOR, 20, encode_cursor("not-a-key"))
