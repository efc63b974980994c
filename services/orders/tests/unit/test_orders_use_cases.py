"""Placing an order through orders' own bootstrap on fake ports (R-ORD-1, R-ORD-2): the
real repositories and queries over an in-memory database, the outbox's events handed to
the test, and the catalogue replica filled as review's events fill it.

Who sees an order, confirming and cancelling it: `test_confirm_and_cancel.py`.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from orders.adapters.queries import CATALOGUE
from orders.domain.errors import OrderError
from orders.service_layer import commands
from shared.contract.events import OrderCreated
from shared.contract.types import Money
from shared.errors import Conflict, Unprocessable
from shared.policy import Policy
from testkit.factories import (
    PRODUCT,
    STORE,
    T0,
    a_line,
    a_product_approved,
    a_product_rejected,
    a_store_approved,
    an_address,
    an_order_created,
    usd,
)
from testkit.orders_unit import (
    WiredOrders,
    a_place,
    an_orders_service,
    orders_selling_the_product,
)


async def stored_orders(wired: WiredOrders) -> int:
    return len(await wired.ports.collection("orders").find().to_list())


async def test_an_order_is_placed_at_once_and_its_creation_published() -> None:  # R-ORD-1, R-ORD-2
    wired = await orders_selling_the_product()
    order, created = await wired.services.commands.place(a_place(items=[(PRODUCT, 2)]))
    assert created
    assert (order.status, order.store_id, order.total) == (
        "awaiting_confirmation",
        STORE,
        usd(9980),
    )
    assert order.confirm_by == T0 + timedelta(hours=24)
    assert await wired.services.commands.orders.get(order.id) == order
    assert wired.ports.published_of(OrderCreated) == [
        an_order_created(order_id=order.id, lines=[a_line(quantity=2)])
    ]
    assert wired.ports.published[-1].producer == "orders"


async def test_the_price_is_the_catalogues_newest_not_the_callers() -> None:  # R-ORD-1, R-CAT-1
    wired = await orders_selling_the_product()
    repriced = a_product_approved(at=T0 + timedelta(hours=1), price=usd(3990))
    wired.clock.set(repriced.approved_at)
    await wired.deliver(repriced, at=repriced.approved_at)
    order, _ = await wired.services.commands.place(a_place())
    assert order.items == [a_line(unit_price=usd(3990))]
    assert order.total == usd(3990)


async def test_the_confirmation_window_comes_from_policy() -> None:  # R-POL-1
    wired = await an_orders_service(policy=Policy(order_confirm_window_seconds=60))
    await wired.deliver(a_store_approved())
    await wired.deliver(a_product_approved())
    order, _ = await wired.services.commands.place(a_place())
    assert order.confirm_by == T0 + timedelta(seconds=60)
    assert [event.confirm_by for event in wired.ports.published_of(OrderCreated)] == [
        order.confirm_by
    ]


async def test_an_unknown_product_is_refused() -> None:  # R-REV-9
    wired = await orders_selling_the_product()
    with pytest.raises(Unprocessable, match="product-404 is not on sale"):
        await wired.services.commands.place(a_place(items=[(PRODUCT, 1), ("product-404", 1)]))
    assert (await stored_orders(wired), wired.ports.published_of(OrderCreated)) == (0, [])


async def test_a_rejected_product_is_not_on_sale() -> None:  # R-REV-9
    wired = await orders_selling_the_product()
    rejected = a_product_rejected(at=T0 + timedelta(hours=1))
    wired.clock.set(rejected.rejected_at)
    await wired.deliver(rejected, at=rejected.rejected_at)
    with pytest.raises(Unprocessable, match=f"{PRODUCT} is not on sale"):
        await wired.services.commands.place(a_place())
    assert (await stored_orders(wired), wired.ports.published_of(OrderCreated)) == (0, [])


async def test_a_listing_stored_before_category_codes_is_ordered_under_its_code() -> None:
    # R-REV-11: a catalogue entry never migrated (`make migrate-categories`) still says
    # "Home"; the order line carries its code, as version 1 of its event would be read.
    wired = await orders_selling_the_product()
    await wired.ports.db[CATALOGUE].update_one({"_id": PRODUCT}, {"$set": {"category": "Home"}})

    order, _ = await wired.services.commands.place(a_place())

    assert [line.category for line in order.items] == ["home"]


async def test_a_listing_whose_category_names_no_category_is_refused_not_failed() -> None:
    wired = await orders_selling_the_product()
    catalogue = wired.ports.db[CATALOGUE]
    await catalogue.update_one({"_id": PRODUCT}, {"$set": {"category": "Gizmos & Co"}})

    with pytest.raises(Unprocessable, match="until its category 'Gizmos & Co' is a category code"):
        await wired.services.commands.place(a_place())
    assert (await stored_orders(wired), wired.ports.published_of(OrderCreated)) == (0, [])


async def test_an_order_holds_one_stores_products() -> None:
    wired = await orders_selling_the_product()
    await wired.deliver(a_store_approved(store_id="store-2"))
    await wired.deliver(a_product_approved(product_id="product-2", store_id="store-2"))
    with pytest.raises(Unprocessable, match="one store"):
        await wired.services.commands.place(a_place(items=[(PRODUCT, 1), ("product-2", 1)]))
    assert await stored_orders(wired) == 0


async def test_an_order_is_priced_in_one_currency() -> None:
    wired = await orders_selling_the_product()
    in_euros = Money(amount_minor=990, currency="EUR")
    await wired.deliver(a_product_approved(product_id="product-2", price=in_euros))
    with pytest.raises(Unprocessable, match="one currency"):
        await wired.services.commands.place(a_place(items=[(PRODUCT, 1), ("product-2", 1)]))
    assert await stored_orders(wired) == 0


async def test_an_order_of_no_items_is_refused() -> None:
    wired = await orders_selling_the_product()
    with pytest.raises(Unprocessable):
        await wired.services.commands.place(a_place(items=[]))
    assert await stored_orders(wired) == 0


async def test_a_total_beyond_what_money_carries_is_refused() -> None:
    wired = await orders_selling_the_product()
    dearest = a_product_approved(price=usd(10**12), at=T0 + timedelta(hours=1))
    wired.clock.set(dearest.approved_at)
    await wired.deliver(dearest, at=dearest.approved_at)
    with pytest.raises(Unprocessable, match="too large"):
        await wired.services.commands.place(a_place(items=[(PRODUCT, 2)]))
    assert await stored_orders(wired) == 0


async def test_a_repeated_place_with_its_idempotency_key_replays_the_order() -> None:
    wired = await orders_selling_the_product()
    first, created = await wired.services.commands.place(a_place(idempotency_key="k-1"))
    wired.clock.advance(timedelta(minutes=5))
    again, created_again = await wired.services.commands.place(a_place(idempotency_key="k-1"))
    assert (created, created_again) == (True, False)
    assert again == first
    assert await stored_orders(wired) == 1
    assert [event.order_id for event in wired.ports.published_of(OrderCreated)] == [first.id]


async def test_a_key_used_for_another_order_is_a_conflict() -> None:
    wired = await orders_selling_the_product()
    await wired.services.commands.place(a_place(idempotency_key="k-1"))
    with pytest.raises(Conflict, match="Idempotency-Key"):
        await wired.services.commands.place(a_place(items=[(PRODUCT, 3)], idempotency_key="k-1"))
    assert await stored_orders(wired) == 1
    assert len(wired.ports.published_of(OrderCreated)) == 1


async def test_a_key_is_each_buyers_own() -> None:
    wired = await orders_selling_the_product()
    mine, _ = await wired.services.commands.place(a_place(idempotency_key="k-1"))
    theirs, created = await wired.services.commands.place(
        a_place(buyer_id="buyer-2", idempotency_key="k-1")
    )
    assert created
    assert mine.id != theirs.id
    assert theirs.buyer_id == "buyer-2"
    assert await stored_orders(wired) == 2


async def test_keys_of_buyers_whose_ids_run_together_place_orders_of_their_own() -> None:
    """`V` with key `a:b` and `V:a` with key `b` once named one order: the second buyer got
    the first one's, address and phone included."""
    wired = await orders_selling_the_product()
    first, _ = await wired.services.commands.place(a_place(buyer_id="V", idempotency_key="a:b"))
    second, created = await wired.services.commands.place(
        a_place(buyer_id="V:a", idempotency_key="b", address=an_address(recipient="Other"))
    )
    assert created
    assert first.id != second.id
    assert (second.buyer_id, second.shipping_address.recipient) == ("V:a", "Other")
    assert await stored_orders(wired) == 2


async def test_an_order_placed_before_keys_were_scoped_is_replayed_to_its_buyer_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An order placed under the earlier `buyer:key` id: its buyer's retry after the
    upgrade gets it back (not a second order); the buyer whose id and key ran together into
    the same id gets an order of their own, never that one."""
    wired = await orders_selling_the_product()
    with monkeypatch.context() as before_the_upgrade:
        before_the_upgrade.setattr(commands, "idempotent_order_id", commands.earlier_order_id)
        earlier, _ = await wired.services.commands.place(
            a_place(buyer_id="V", idempotency_key="a:b")
        )
    assert earlier.id == commands.earlier_order_id("V", "a:b")
    retried, created = await wired.services.commands.place(
        a_place(buyer_id="V", idempotency_key="a:b")
    )
    assert (retried, created) == (earlier, False)
    with pytest.raises(Conflict, match="Idempotency-Key"):
        await wired.services.commands.place(
            a_place(buyer_id="V", items=[(PRODUCT, 3)], idempotency_key="a:b")
        )
    theirs, created = await wired.services.commands.place(
        a_place(buyer_id="V:a", idempotency_key="b", address=an_address(recipient="Other"))
    )
    assert created
    assert (theirs.id, theirs.buyer_id) == (commands.idempotent_order_id("V:a", "b"), "V:a")
    assert await stored_orders(wired) == 2


async def test_a_product_on_two_lines_is_refused_naming_it() -> None:  # R-ORD-1
    """Each line is capped at 1000 units: a product repeated on 100 lines would get past
    the cap, so it is refused, not merged."""
    wired = await orders_selling_the_product()
    with pytest.raises(OrderError, match=f"Product {PRODUCT} is on more than one line"):
        await wired.services.commands.place(a_place(items=[(PRODUCT, 1000)] * 100))
    assert await stored_orders(wired) == 0
    assert wired.ports.published_of(OrderCreated) == []


async def test_without_a_key_each_place_is_a_new_order() -> None:
    wired = await orders_selling_the_product()
    first, _ = await wired.services.commands.place(a_place())
    second, created = await wired.services.commands.place(a_place())
    assert created
    assert first.id != second.id
    assert len(wired.ports.published_of(OrderCreated)) == 2
