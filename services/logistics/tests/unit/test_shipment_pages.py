"""Every shipment a caller may see, a page at a time (`GET /shipments` without `order_id`):
a merchant its own, a buyer theirs, operators all (`shared.auth.Principal.scope`), the
soonest `ship_by` first (R-LOG-1, R-LOG-5), of one status if asked, each with the seconds
left to its `ship_by` by the service's clock; and the job giving shipments an earlier
release stored their sort key."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from logistics.adapters.queries import SHIPMENTS
from logistics.domain.shipment_parts import ShipmentStatus
from logistics.entrypoints.schemas import ShipmentPublic
from logistics.service_layer.events import shipment_id_of
from shared.auth import Principal
from shared.errors import Unprocessable
from shared.pagination import encode_cursor
from testkit.factories import (
    AN_OPERATOR,
    ANOTHER_BUYER,
    ANOTHER_MERCHANT,
    ORDER,
    T0,
    THE_BUYER,
    THE_MERCHANT,
    a_store_approved,
    an_order_confirmed,
)
from testkit.logistics_unit import (
    FULL_SHIP_BY,
    SEMI_ORDER,
    SEMI_SHIP_BY,
    UNROUTABLE_ORDER,
    WiredLogistics,
    approve,
    ship_it,
    with_three_shipments,
)

#: THE_MERCHANT's full-managed order confirmed a day before T0: shipped by T0 + 2 days.
EARLY_ORDER = "order-early"
#: ANOTHER_MERCHANT's (and ANOTHER_BUYER's) order, confirmed two days before T0: the
#: soonest `ship_by` of all, which THE_MERCHANT never sees.
OTHERS_ORDER = "order-others"
OTHERS_STORE = "store-others"


async def a_marketplace() -> WiredLogistics:
    """THE_MERCHANT's SEMI_ORDER (ship by SEMI_SHIP_BY), EARLY_ORDER, ORDER (FULL_SHIP_BY),
    and UNROUTABLE_ORDER (cancelled, no `ship_by`); ANOTHER_MERCHANT's OTHERS_ORDER."""
    wired = await with_three_shipments()
    await wired.deliver(an_order_confirmed(order_id=EARLY_ORDER, at=T0 - timedelta(days=1)))
    others: dict[str, Any] = {"store_id": OTHERS_STORE, "merchant_id": ANOTHER_MERCHANT.sub}
    await approve(wired, a_store_approved(at=T0 - timedelta(days=30), **others))
    await wired.deliver(
        an_order_confirmed(
            order_id=OTHERS_ORDER,
            buyer_id=ANOTHER_BUYER.sub,
            at=T0 - timedelta(days=2),
            **others,
        )
    )
    return wired


async def listed(
    wired: WiredLogistics,
    principal: Principal,
    status: ShipmentStatus | None = None,
    limit: int = 50,
) -> list[str]:
    """The order ids of every shipment `principal` is shown, page after page."""
    orders: list[str] = []
    cursor: str | None = None
    while True:
        page, cursor = await wired.services.commands.page(principal, status, limit, cursor)
        orders.extend(shipment.order_id for shipment in page)
        if cursor is None:
            return orders


MINE_SOONEST_FIRST = [SEMI_ORDER, EARLY_ORDER, ORDER, UNROUTABLE_ORDER]


async def test_a_merchant_sees_its_own_shipments_soonest_ship_by_first() -> None:  # R-LOG-1
    wired = await a_marketplace()
    # No `ship_by` (cancelled before it had a route, R-ORD-5): after every one that has.
    assert await listed(wired, THE_MERCHANT) == MINE_SOONEST_FIRST
    assert await listed(wired, ANOTHER_MERCHANT) == [OTHERS_ORDER]


async def test_a_buyer_sees_theirs_and_operators_see_all() -> None:
    wired = await a_marketplace()
    assert await listed(wired, THE_BUYER) == MINE_SOONEST_FIRST
    assert await listed(wired, ANOTHER_BUYER) == [OTHERS_ORDER]
    assert await listed(wired, AN_OPERATOR) == [OTHERS_ORDER, *MINE_SOONEST_FIRST]


@pytest.mark.parametrize("limit", [1, 2, 3])
async def test_pages_follow_one_another_without_gap_or_repeat(limit: int) -> None:
    wired = await a_marketplace()
    assert await listed(wired, THE_MERCHANT, limit=limit) == MINE_SOONEST_FIRST
    first, cursor = await wired.services.commands.page(THE_MERCHANT, None, limit, None)
    assert len(first) == limit
    assert cursor is not None


async def test_the_last_page_has_no_next_cursor() -> None:
    wired = await a_marketplace()
    page, cursor = await wired.services.commands.page(THE_MERCHANT, None, 4, None)
    assert [shipment.order_id for shipment in page] == MINE_SOONEST_FIRST
    assert cursor is None


async def test_one_status_is_listed_when_asked() -> None:  # R-LOG-4, R-ORD-5
    wired = await a_marketplace()
    await ship_it(wired, EARLY_ORDER)
    awaiting = await listed(wired, THE_MERCHANT, "awaiting_shipment", limit=1)
    assert awaiting == [SEMI_ORDER, ORDER]
    assert await listed(wired, THE_MERCHANT, "shipped") == [EARLY_ORDER]
    assert await listed(wired, THE_MERCHANT, "cancelled") == [UNROUTABLE_ORDER]
    assert await listed(wired, THE_MERCHANT, "delivered") == []


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param("%%", id="not base64"),
        pytest.param(encode_cursor("order-1"), id="not a time key"),
        pytest.param(encode_cursor("2026-12-01T08:00:00Z|shp-1"), id="a date, not a key"),
    ],
)
async def test_a_cursor_this_api_did_not_give_is_unprocessable(cursor: str) -> None:
    wired = await a_marketplace()
    with pytest.raises(Unprocessable, match="start again without a cursor"):
        await wired.services.commands.page(THE_MERCHANT, None, 10, cursor)


async def test_seconds_left_count_to_ship_by_by_the_services_clock() -> None:  # R-LOG-5
    wired = await a_marketplace()
    wired.clock.set(T0 + timedelta(hours=1))
    page, _ = await wired.services.commands.page(THE_MERCHANT, "awaiting_shipment", 10, None)
    shown = {s.order_id: ShipmentPublic.of(s, wired.clock.now()).seconds_left for s in page}
    assert shown[SEMI_ORDER] == int((SEMI_SHIP_BY - T0).total_seconds()) - 3600
    assert shown[ORDER] == int((FULL_SHIP_BY - T0).total_seconds()) - 3600


async def test_seconds_left_go_negative_past_ship_by_and_end_with_the_handover() -> None:
    wired = await a_marketplace()
    wired.clock.set(SEMI_SHIP_BY + timedelta(minutes=10))
    semi = await wired.services.commands.get_visible(shipment_id_of(SEMI_ORDER), THE_MERCHANT)
    assert semi.seconds_left(wired.clock.now()) == -600  # late, still to hand over
    shipped = await ship_it(wired, SEMI_ORDER)
    assert shipped.seconds_left(wired.clock.now()) is None


async def test_an_older_shipment_gets_its_key_and_is_listed_in_its_place() -> None:
    wired = await a_marketplace()
    shipments = wired.ports.collection(SHIPMENTS)
    early = shipment_id_of(EARLY_ORDER)
    await shipments.update_one({"_id": early}, {"$unset": {"ship_by_key": ""}})
    assert EARLY_ORDER not in await listed(wired, AN_OPERATOR)  # the key's pages miss it

    await wired.run("older-shipments-keys")
    stored = await shipments.find_one({"_id": early})
    assert stored is not None
    assert "ship_by_key" in stored
    assert stored["status"] == "awaiting_shipment"  # written again as it was
    assert await listed(wired, THE_MERCHANT) == MINE_SOONEST_FIRST


async def test_the_keys_job_is_idle_once_every_shipment_has_its_key() -> None:
    wired = await a_marketplace()
    before = await wired.ports.collection(SHIPMENTS).find_one({"_id": shipment_id_of(ORDER)})
    await wired.run("older-shipments-keys")
    after = await wired.ports.collection(SHIPMENTS).find_one({"_id": shipment_id_of(ORDER)})
    assert before is not None
    assert after is not None
    assert after["version"] == before["version"]  # nothing written again
