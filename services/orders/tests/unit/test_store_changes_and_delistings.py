"""Orders' replicas of review's changes to what it approved, through orders' own bootstrap
on fake ports (no engine, no broker): a store's approved change (`StoreUpdated`, R-REV-12)
names it as its approval does, the newest of the two winning whatever the arrival order; a
delisting (`ProductDelisted`, R-REV-15) is one of a product's decisions: the newest of
approval, rejection and delisting wins, and a delisted product is no longer sold. A listed
product's price change is a newer approval (R-REV-15): new orders pay the new price, those
placed before keep theirs."""

from __future__ import annotations

from typing import Any

import pytest

from orders.adapters.catalogue_queries import CatalogueFilter
from orders.domain.catalogue import CatalogueItem, StoreListing
from shared.errors import Implausible, NotYetKnown, Unprocessable
from testkit.factories import (
    HOUR,
    PRODUCT,
    STORE,
    STORE_FORGERIES,
    T0,
    a_product_approved,
    a_product_rejected,
    a_store_approved,
    usd,
)
from testkit.orders_unit import WiredOrders, a_place, an_orders_service, stored
from testkit.store_changes import a_product_delisted, a_store_updated

DAY = 24 * HOUR


async def selling() -> WiredOrders:
    """STORE approved at T0 and PRODUCT listed at T0 + 1 h; orders' clock a day on, so
    review's later decisions come after they were made."""
    wired = await an_orders_service()
    await wired.deliver(a_store_approved())
    wired.clock.set(T0 + DAY)
    listed = a_product_approved(at=T0 + HOUR)
    await wired.deliver(listed, at=listed.approved_at)
    return wired


async def listing(wired: WiredOrders) -> StoreListing:
    found = await wired.services.events.stores.get(STORE)
    assert found is not None
    return found


async def product(wired: WiredOrders) -> CatalogueItem:
    found = await wired.services.events.catalogue.get(PRODUCT)
    assert found is not None
    return found


async def on_sale(wired: WiredOrders) -> list[str]:
    page, _ = await wired.services.catalogue.page(CatalogueFilter(), limit=50, cursor=None)
    return [item.id for item in page]


# --- R-REV-12: a store's approved change ------------------------------------------------


async def test_a_stores_change_renames_it_and_its_products() -> None:  # R-REV-12, R-CAT-1
    wired = await selling()
    renamed = a_store_updated(at=T0 + 2 * HOUR)
    await wired.deliver(renamed, at=renamed.updated_at)
    kept = await listing(wired)
    assert (kept.name, kept.approved_at, kept.version) == ("Tea House & Co", T0, 2)
    assert (await product(wired)).store_name == "Tea House & Co"
    assert wired.ports.published == []  # a replica publishes nothing


@pytest.mark.parametrize("order", ["approval first", "change first"])
async def test_a_late_older_approval_undoes_no_change(order: str) -> None:  # R-REV-12
    """The approval and the change are one decision: the newest wins, whatever comes last
    (here the approval, redelivered after the change, or arriving after the replica knew
    of the store from an earlier copy of it)."""
    wired = await selling()
    renamed = a_store_updated(at=T0 + 2 * HOUR)
    await wired.deliver(renamed, at=renamed.updated_at)
    older = a_store_approved(store_name="Tea House")
    if order == "change first":
        await wired.deliver(renamed, at=renamed.updated_at)  # a redelivery: nothing
    await wired.deliver(older, at=older.approved_at)
    kept = await listing(wired)
    assert (kept.name, kept.version) == ("Tea House & Co", 2)
    assert (await product(wired)).store_name == "Tea House & Co"


async def test_an_older_change_arriving_after_a_newer_one_changes_nothing() -> None:  # R-REV-12
    wired = await selling()
    first = a_store_updated(store_name="Tea House II", change_request_id="cr-1", at=T0 + HOUR)
    second = a_store_updated(store_name="Tea House III", change_request_id="cr-2", at=T0 + 2 * HOUR)
    await wired.deliver(second, at=second.updated_at)
    await wired.deliver(first, at=first.updated_at)
    assert (await listing(wired)).name == "Tea House III"
    assert (await product(wired)).store_name == "Tea House III"


async def test_a_newer_approval_after_a_change_names_the_store() -> None:  # R-REV-12
    wired = await selling()
    renamed = a_store_updated(at=T0 + HOUR)
    await wired.deliver(renamed, at=renamed.updated_at)
    again = a_store_approved(store_name="Tea House 2027", at=T0 + 2 * HOUR)
    await wired.deliver(again, at=again.approved_at)
    assert (await listing(wired)).name == "Tea House 2027"


async def test_a_change_of_a_store_not_seen_approved_waits() -> None:  # R-REV-12
    """Only an approved store's information changes: until orders has heard of the
    approval, the change is retried (then parked), and nothing is listed."""
    wired = await an_orders_service()
    wired.clock.set(T0 + DAY)
    renamed = a_store_updated(at=T0 + HOUR)
    with pytest.raises(NotYetKnown, match="store-1, which orders has not seen approved"):
        await wired.deliver(renamed, at=renamed.updated_at)
    assert await wired.services.events.stores.get(STORE) is None
    await wired.deliver(a_store_approved(), at=T0)
    await wired.deliver(renamed, at=renamed.updated_at)  # the consumer's retry
    assert (await listing(wired)).name == "Tea House & Co"


@pytest.mark.parametrize("forged", STORE_FORGERIES.values(), ids=STORE_FORGERIES)
async def test_a_change_naming_another_merchant_or_type_is_refused(
    forged: dict[str, Any],
) -> None:  # R-REV-12
    wired = await selling()
    held = await listing(wired)
    changed = a_store_updated(at=T0 + HOUR, **forged)
    with pytest.raises(Implausible, match="a store's merchant and type never change"):
        await wired.deliver(changed, at=changed.updated_at)
    assert await listing(wired) == held


async def test_a_change_dated_ahead_is_refused() -> None:  # R-REV-12
    wired = await selling()
    ahead = a_store_updated(at=T0 + 3 * DAY)
    with pytest.raises(Implausible, match="dated ahead"):
        await wired.deliver(ahead, at=ahead.updated_at)
    assert (await listing(wired)).name == "Tea House"


# --- R-REV-15: a product delisted, or its price changed ---------------------------------


async def test_a_delisted_product_is_no_longer_sold() -> None:  # R-REV-15
    wired = await selling()
    assert await on_sale(wired) == [PRODUCT]
    delisted = a_product_delisted(at=T0 + 2 * HOUR)
    await wired.deliver(delisted, at=delisted.delisted_at)
    item = await product(wired)
    assert (item.available, item.decided_at, item.version) == (False, T0 + 2 * HOUR, 2)
    assert item.description == "Six cups and a pot"  # what it was listed as stays
    assert await on_sale(wired) == []
    with pytest.raises(Unprocessable, match=f"Product {PRODUCT} is not on sale"):
        await wired.services.commands.place(a_place())


@pytest.mark.parametrize(
    "late",
    [
        a_product_approved(at=T0 + HOUR),  # the listing it ended, redelivered
        a_product_rejected(at=T0),  # an older rejection
    ],
    ids=["older approval", "older rejection"],
)
async def test_an_older_decision_arriving_after_a_delisting_changes_nothing(
    late: Any,
) -> None:  # R-REV-15
    wired = await selling()
    delisted = a_product_delisted(at=T0 + 2 * HOUR)
    await wired.deliver(delisted, at=delisted.delisted_at)
    held = await product(wired)
    await wired.deliver(late, at=T0 + HOUR)
    assert await product(wired) == held
    assert await on_sale(wired) == []


async def test_a_delisting_arriving_after_a_newer_approval_changes_nothing() -> None:  # R-REV-15
    """Delisted, then listed again: the delisting, late, does not take it off sale."""
    wired = await selling()
    relisted = a_product_approved(price=usd(3990), at=T0 + 3 * HOUR)
    await wired.deliver(relisted, at=relisted.approved_at)
    delisted = a_product_delisted(at=T0 + 2 * HOUR)
    await wired.deliver(delisted, at=delisted.delisted_at)
    assert ((await product(wired)).available, await on_sale(wired)) == (True, [PRODUCT])


async def test_a_delisting_that_arrives_first_lists_nothing() -> None:  # R-REV-15
    wired = await an_orders_service()
    await wired.deliver(a_store_approved())
    wired.clock.set(T0 + DAY)
    delisted = a_product_delisted(at=T0 + 2 * HOUR)
    await wired.deliver(delisted, at=delisted.delisted_at)
    listed = a_product_approved(at=T0 + HOUR)
    await wired.deliver(listed, at=listed.approved_at)
    assert ((await product(wired)).available, await on_sale(wired)) == (False, [])


async def test_a_delisting_of_a_store_not_seen_approved_waits() -> None:  # R-REV-15, R-REV-8
    wired = await an_orders_service()
    with pytest.raises(NotYetKnown, match="ProductDelisted of product product-1 in store"):
        await wired.deliver(a_product_delisted())
    assert await wired.services.events.catalogue.get(PRODUCT) is None


@pytest.mark.parametrize("forged", STORE_FORGERIES.values(), ids=STORE_FORGERIES)
async def test_a_delisting_naming_another_merchant_or_type_is_refused(
    forged: dict[str, Any],
) -> None:  # R-REV-15, R-REV-8
    wired = await selling()
    held = await product(wired)
    with pytest.raises(Implausible, match="the store was approved as full_managed of merchant"):
        await wired.deliver(a_product_delisted(at=T0 + 2 * HOUR, **forged), at=T0 + 2 * HOUR)
    assert await product(wired) == held


async def test_a_price_change_reprices_new_orders_not_those_placed_before() -> None:  # R-REV-15
    """Review publishes a listed product's approved price change as a newer
    `ProductApproved`: the newest decision, so the catalogue shows the new price; an
    order placed before keeps the unit price it was placed at (R-ORD-1)."""
    wired = await selling()
    before, _ = await wired.services.commands.place(a_place())
    repriced = a_product_approved(price=usd(3990), at=T0 + 2 * HOUR)
    await wired.deliver(repriced, at=repriced.approved_at)
    await wired.deliver(a_product_approved(at=T0 + HOUR), at=T0 + HOUR)  # the old, late
    assert ((await product(wired)).price, (await product(wired)).available) == (usd(3990), True)
    after, _ = await wired.services.commands.place(a_place())
    assert [line.unit_price for line in after.items] == [usd(3990)]
    assert [line.unit_price for line in (await stored(wired, before.id)).items] == [usd(4990)]
    assert (await stored(wired, before.id)).total == usd(4990)
