"""Orders' replicas of review's stores and products, through orders' own bootstrap on fake
ports (no engine, no broker): a product's newest decision wins whatever the arrival
order, and a stale redelivery changes nothing (R-CAT-1, R-REV-9); a store's newest
approval renames its products, a stale one nothing. A decision is taken only once its
store is known approved, of its merchant and type, and not dated ahead of orders' clock."""

from __future__ import annotations

from typing import Any

import pytest

from orders.adapters.catalogue_queries import CatalogueFilter
from orders.domain.catalogue import CatalogueItem, StoreListing
from shared.contract.events import ProductApproved, StoreApproved
from shared.errors import Implausible, NotYetKnown
from testkit.factories import (
    HOUR,
    PRODUCT,
    STORE,
    STORE_FORGERIES,
    T0,
    a_product_approved,
    a_product_rejected,
    a_store_approved,
    a_store_rejected,
    usd,
)
from testkit.orders_unit import WiredOrders, an_orders_service

DAY = 24 * HOUR


def approved(title: str, hours: int) -> ProductApproved:
    return a_product_approved(title=title, at=T0 + hours * HOUR)


def store_approved(name: str, hours: int) -> StoreApproved:
    return a_store_approved(store_name=name, at=T0 + hours * HOUR)


async def a_store_listed() -> WiredOrders:
    """Orders told of STORE's approval at T0, its clock a day on: review's decisions on
    its products, made meanwhile, come after they were made."""
    wired = await an_orders_service()
    await wired.deliver(a_store_approved())
    wired.clock.set(T0 + DAY)
    return wired


async def product(wired: WiredOrders, product_id: str = PRODUCT) -> CatalogueItem:
    item = await wired.services.events.catalogue.get(product_id)
    assert item is not None
    return item


async def listed(wired: WiredOrders) -> StoreListing:
    listing = await wired.services.events.stores.get(STORE)
    assert listing is not None
    return listing


async def on_sale(wired: WiredOrders) -> list[str]:
    page, _ = await wired.services.catalogue.page(CatalogueFilter(), limit=50, cursor=None)
    return [item.id for item in page]


async def test_the_newest_decision_wins_and_a_stale_one_changes_nothing() -> (
    None
):  # R-CAT-1, R-REV-9
    wired = await a_store_listed()
    v1, v2 = approved("Tea set v1", 0), approved("Tea set v2", 1)
    for event in (v2, v1, v2):  # the newest first, then an older one, then a redelivery
        await wired.deliver(event, at=event.approved_at)
    item = await product(wired)
    assert (item.title, item.available, item.version) == ("Tea set v2", True, 1)
    rejected = a_product_rejected(at=T0 + 2 * HOUR)
    await wired.deliver(rejected, at=rejected.rejected_at)
    await wired.deliver(v2, at=v2.approved_at)  # older than it
    item = await product(wired)
    assert (item.available, item.description, item.version) == (False, "", 2)
    assert await on_sale(wired) == []


async def test_the_same_envelope_redelivered_changes_nothing() -> None:  # R-REV-9
    wired = await a_store_listed()
    envelope = await wired.deliver(approved("Tea set", 0))
    once = await product(wired)
    await wired.deliver(approved("Tea set", 0), envelope=envelope)
    assert await product(wired) == once


async def test_a_newer_approval_puts_a_rejected_product_back_on_sale() -> None:  # R-REV-9
    wired = await a_store_listed()
    rejected = a_product_rejected(at=T0)
    await wired.deliver(rejected, at=rejected.rejected_at)
    assert (await product(wired)).available is False
    fixed = approved("Tea set", 3)
    await wired.deliver(fixed, at=fixed.approved_at)
    assert (await product(wired)).available is True
    assert await on_sale(wired) == [PRODUCT]


async def test_a_stores_newest_approval_renames_its_products_and_a_stale_one_nothing() -> None:
    wired = await an_orders_service()
    newer, older = store_approved("Lantern & Co", 24), store_approved("Lantern", 0)
    await wired.deliver(older, at=older.approved_at)
    await wired.deliver(a_store_approved(store_id="store-2"))
    await wired.deliver(approved("Tea set", 0))
    await wired.deliver(a_product_approved(product_id="product-2"))
    await wired.deliver(a_product_approved(product_id="product-3", store_id="store-2"))
    wired.clock.set(T0 + DAY)
    await wired.deliver(newer, at=newer.approved_at)
    await wired.deliver(older, at=older.approved_at)  # sent again: stale
    kept = await listed(wired)
    assert (kept.name, kept.version) == ("Lantern & Co", 2)
    names = [(await product(wired, pid)).store_name for pid in (PRODUCT, "product-2")]
    assert names == ["Lantern & Co", "Lantern & Co"]
    assert (await product(wired, "product-3")).store_name == "Tea House"  # another store's


async def test_a_product_approved_after_its_store_shows_the_stores_name() -> None:  # R-CAT-1
    wired = await an_orders_service()
    await wired.deliver(store_approved("Tea House", 0))
    wired.clock.set(T0 + HOUR)
    await wired.deliver(approved("Tea set", 1))
    assert (await product(wired)).store_name == "Tea House"


async def test_a_store_approval_lists_the_store() -> None:
    wired = await an_orders_service()
    await wired.deliver(a_store_approved())
    listing = await listed(wired)
    assert (listing.name, listing.store_type) == ("Tea House", "full_managed")
    assert listing.approved_at == T0


async def test_a_store_rejection_lists_nothing_and_unlists_nothing() -> None:
    wired = await an_orders_service()
    await wired.deliver(a_store_rejected(store_id="store-2"))
    assert await wired.services.events.stores.get("store-2") is None
    await wired.deliver(a_store_approved())
    await wired.deliver(approved("Tea set", 0))
    later = a_store_rejected(at=T0 + HOUR)
    await wired.deliver(later, at=later.rejected_at)
    assert (await listed(wired)).version == 1
    assert await on_sale(wired) == [PRODUCT]


async def test_a_decision_on_a_product_of_a_store_not_seen_approved_waits() -> None:  # R-REV-8
    """Review reviews products only in stores it approved: until orders has heard of the
    store, the decision is retried (then parked), and nothing goes on sale."""
    wired = await an_orders_service()
    with pytest.raises(NotYetKnown, match="store-1, which orders has not seen approved"):
        await wired.deliver(a_product_approved())
    assert await wired.services.events.catalogue.get(PRODUCT) is None
    await wired.deliver(a_store_approved())
    await wired.deliver(a_product_approved())  # the consumer's retry
    assert await on_sale(wired) == [PRODUCT]


@pytest.mark.parametrize("forged", STORE_FORGERIES.values(), ids=STORE_FORGERIES)
async def test_a_decision_naming_another_merchant_or_type_than_its_store_is_refused(
    forged: dict[str, Any],
) -> None:  # R-REV-8
    wired = await a_store_listed()
    with pytest.raises(Implausible, match="the store was approved as full_managed of merchant"):
        await wired.deliver(a_product_approved(**forged))
    assert await wired.services.events.catalogue.get(PRODUCT) is None


async def test_a_decision_moving_a_product_to_another_store_is_refused() -> None:  # R-REV-8
    wired = await a_store_listed()
    await wired.deliver(a_store_approved(store_id="store-2"))
    listed = approved("Tea set", 0)
    await wired.deliver(listed, at=listed.approved_at)
    moved = a_product_approved(store_id="store-2", price=usd(1), at=T0 + HOUR)
    with pytest.raises(Implausible, match="a product stays in the store it was listed in"):
        await wired.deliver(moved, at=moved.approved_at)
    assert ((await product(wired)).store_id, (await product(wired)).price) == (STORE, usd(4990))


@pytest.mark.parametrize("occurs", ["now", "then"])
async def test_a_decision_dated_ahead_is_refused_and_the_price_stays(occurs: str) -> None:
    """A repricing dated a year ahead would outrank every real decision until then."""
    wired = await a_store_listed()
    await wired.deliver(approved("Tea set", 0))
    ahead = a_product_approved(price=usd(1), at=wired.clock.now() + 365 * DAY)
    envelope_at = wired.clock.now() if occurs == "now" else ahead.approved_at
    with pytest.raises(Implausible, match="dated ahead"):
        await wired.deliver(ahead, at=envelope_at)
    item = await product(wired)
    assert (item.price, item.version) == (usd(4990), 1)
    assert await on_sale(wired) == [PRODUCT]


async def test_a_store_approval_dated_ahead_is_refused() -> None:
    wired = await an_orders_service()
    ahead = a_store_approved(at=T0 + DAY)
    with pytest.raises(Implausible, match="dated ahead"):
        await wired.deliver(ahead, at=ahead.approved_at)
    assert await wired.services.events.stores.get(STORE) is None


async def test_a_stores_later_approval_naming_another_merchant_or_type_is_refused() -> None:
    """A newer approval may rename the store (R-CAT-1), never give it to another merchant
    nor change its type: the store's products would follow it."""
    wired = await a_store_listed()
    for forged in STORE_FORGERIES.values():
        later = a_store_approved(store_name="Forged", at=T0 + HOUR, **forged)
        with pytest.raises(Implausible, match="a store's merchant and type never change"):
            await wired.deliver(later, at=later.approved_at)
    assert ((await listed(wired)).name, (await listed(wired)).version) == ("Tea House", 1)
