"""Orders' replicas of review's stores and products, through orders' own bootstrap on fake
ports (no engine, no broker): a product's newest decision wins whatever the arrival
order, and a stale redelivery changes nothing (R-CAT-1, R-REV-9); a store's newest
approval renames its products, a stale one nothing."""

from __future__ import annotations

from orders.adapters.catalogue_queries import CatalogueFilter
from orders.domain.catalogue import CatalogueItem, StoreListing
from shared.contract.events import ProductApproved, StoreApproved
from testkit.factories import (
    HOUR,
    PRODUCT,
    STORE,
    T0,
    a_product_approved,
    a_product_rejected,
    a_store_approved,
    a_store_rejected,
)
from testkit.orders_unit import WiredOrders, an_orders_service


def approved(title: str, hours: int) -> ProductApproved:
    return a_product_approved(title=title, at=T0 + hours * HOUR)


def store_approved(name: str, hours: int) -> StoreApproved:
    return a_store_approved(store_name=name, at=T0 + hours * HOUR)


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
    wired = await an_orders_service()
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
    wired = await an_orders_service()
    envelope = await wired.deliver(approved("Tea set", 0))
    once = await product(wired)
    await wired.deliver(approved("Tea set", 0), envelope=envelope)
    assert await product(wired) == once


async def test_a_newer_approval_puts_a_rejected_product_back_on_sale() -> None:  # R-REV-9
    wired = await an_orders_service()
    rejected = a_product_rejected(at=T0)
    await wired.deliver(rejected, at=rejected.rejected_at)
    assert (await product(wired)).available is False
    fixed = approved("Tea set", 3)
    await wired.deliver(fixed, at=fixed.approved_at)
    assert (await product(wired)).available is True
    assert await on_sale(wired) == [PRODUCT]


async def test_a_stores_newest_approval_renames_its_products_and_a_stale_one_nothing() -> None:
    wired = await an_orders_service()
    await wired.deliver(approved("Tea set", 0))
    await wired.deliver(a_product_approved(product_id="product-2"))
    await wired.deliver(a_product_approved(product_id="product-3", store_id="store-2"))
    newer, older = store_approved("Lantern & Co", 24), store_approved("Lantern", 0)
    await wired.deliver(newer, at=newer.approved_at)
    await wired.deliver(older, at=older.approved_at)
    kept = await listed(wired)
    assert (kept.name, kept.version) == ("Lantern & Co", 1)
    names = [(await product(wired, pid)).store_name for pid in (PRODUCT, "product-2")]
    assert names == ["Lantern & Co", "Lantern & Co"]
    assert (await product(wired, "product-3")).store_name is None  # another store's


async def test_a_product_approved_after_its_store_shows_the_stores_name() -> None:  # R-CAT-1
    wired = await an_orders_service()
    await wired.deliver(store_approved("Tea House", 0))
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
