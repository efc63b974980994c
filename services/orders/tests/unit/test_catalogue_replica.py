"""Orders' replicas of review's stores and products, through orders' own bootstrap on fake
ports (no engine, no broker): a product's newest decision wins whatever the arrival
order, and a stale redelivery changes nothing (R-CAT-1, R-REV-9); a store's newest
approval renames its products, a stale one nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orders.adapters.catalogue_queries import CatalogueFilter
from orders.bootstrap import OrdersServices, bootstrap
from orders.domain.catalogue import CatalogueItem
from shared.app import Wiring
from shared.clock import FixedClock
from shared.contract.events import ProductApproved, StoreApproved
from shared.testing import FakePorts
from testkit.factories import (
    PRODUCT,
    STORE,
    T0,
    a_product_approved,
    a_product_rejected,
    a_store_approved,
    a_store_rejected,
)

HOUR = timedelta(hours=1)


@pytest.fixture
def ports() -> FakePorts:
    return FakePorts("orders", clock=FixedClock(T0))


@pytest.fixture
async def wiring(ports: FakePorts) -> Wiring:
    """Orders as bootstrap wires it, with nothing yet from review."""
    return await bootstrap(ports)


@pytest.fixture
def services(wiring: Wiring) -> OrdersServices:
    services: OrdersServices = wiring.services
    return services


def approved(title: str, hours: int) -> ProductApproved:
    return a_product_approved(title=title, at=T0 + hours * HOUR)


def store_approved(name: str, hours: int) -> StoreApproved:
    return a_store_approved(store_name=name, at=T0 + hours * HOUR)


async def product(services: OrdersServices, product_id: str = PRODUCT) -> CatalogueItem:
    item = await services.events.catalogue.get(product_id)
    assert item is not None
    return item


async def on_sale(services: OrdersServices) -> list[str]:
    page, _ = await services.catalogue.page(CatalogueFilter(), limit=50, cursor=None)
    return [item.id for item in page]


async def test_the_newest_decision_wins_and_a_stale_one_changes_nothing(  # R-CAT-1, R-REV-9
    ports: FakePorts, wiring: Wiring, services: OrdersServices
) -> None:
    v1, v2 = approved("Tea set v1", 0), approved("Tea set v2", 1)
    for event in (v2, v1, v2):  # the newest first, then an older one, then a redelivery
        await ports.deliver(wiring, event, producer="review", at=event.approved_at)
    item = await product(services)
    assert (item.title, item.available, item.version) == ("Tea set v2", True, 1)
    rejected = a_product_rejected(at=T0 + 2 * HOUR)
    await ports.deliver(wiring, rejected, producer="review", at=rejected.rejected_at)
    await ports.deliver(wiring, v2, producer="review", at=v2.approved_at)  # older than it
    item = await product(services)
    assert (item.available, item.description, item.version) == (False, "", 2)
    assert await on_sale(services) == []


async def test_the_same_envelope_redelivered_changes_nothing(  # R-REV-9
    ports: FakePorts, wiring: Wiring, services: OrdersServices
) -> None:
    envelope = await ports.deliver(wiring, approved("Tea set", 0), producer="review")
    once = await product(services)
    await ports.deliver(wiring, approved("Tea set", 0), producer="review", envelope=envelope)
    assert await product(services) == once


async def test_a_newer_approval_puts_a_rejected_product_back_on_sale(  # R-REV-9
    ports: FakePorts, wiring: Wiring, services: OrdersServices
) -> None:
    rejected = a_product_rejected(at=T0)
    await ports.deliver(wiring, rejected, producer="review", at=rejected.rejected_at)
    assert (await product(services)).available is False
    fixed = approved("Tea set", 3)
    await ports.deliver(wiring, fixed, producer="review", at=fixed.approved_at)
    assert (await product(services)).available is True
    assert await on_sale(services) == [PRODUCT]


async def test_a_stores_newest_approval_renames_its_products_and_a_stale_one_nothing(
    ports: FakePorts, wiring: Wiring, services: OrdersServices
) -> None:
    await ports.deliver(wiring, approved("Tea set", 0), producer="review")
    await ports.deliver(wiring, a_product_approved(product_id="product-2"), producer="review")
    elsewhere = a_product_approved(product_id="product-3", store_id="store-2")
    await ports.deliver(wiring, elsewhere, producer="review")
    newer, older = store_approved("Lantern & Co", 24), store_approved("Lantern", 0)
    await ports.deliver(wiring, newer, producer="review", at=newer.approved_at)
    await ports.deliver(wiring, older, producer="review", at=older.approved_at)
    kept = await services.events.stores.get(STORE)
    assert kept is not None
    assert (kept.name, kept.version) == ("Lantern & Co", 1)
    names = [(await product(services, pid)).store_name for pid in (PRODUCT, "product-2")]
    assert names == ["Lantern & Co", "Lantern & Co"]
    assert (await product(services, "product-3")).store_name is None  # another store's


async def test_a_product_approved_after_its_store_shows_the_stores_name(  # R-CAT-1
    ports: FakePorts, wiring: Wiring, services: OrdersServices
) -> None:
    await ports.deliver(wiring, store_approved("Tea House", 0), producer="review")
    await ports.deliver(wiring, approved("Tea set", 1), producer="review")
    assert (await product(services)).store_name == "Tea House"


async def test_a_store_approval_lists_the_store(
    ports: FakePorts, wiring: Wiring, services: OrdersServices
) -> None:
    await ports.deliver(wiring, a_store_approved(), producer="review")
    listing = await services.events.stores.get(STORE)
    assert listing is not None
    assert (listing.name, listing.store_type) == ("Tea House", "full_managed")
    assert listing.approved_at == T0


async def test_a_store_rejection_lists_nothing_and_unlists_nothing(
    ports: FakePorts, wiring: Wiring, services: OrdersServices
) -> None:
    await ports.deliver(wiring, a_store_rejected(store_id="store-2"), producer="review")
    assert await services.events.stores.get("store-2") is None
    await ports.deliver(wiring, a_store_approved(), producer="review")
    await ports.deliver(wiring, approved("Tea set", 0), producer="review")
    later = a_store_rejected(at=T0 + HOUR)
    await ports.deliver(wiring, later, producer="review", at=later.rejected_at)
    listing = await services.events.stores.get(STORE)
    assert listing is not None
    assert listing.version == 1
    assert await on_sale(services) == [PRODUCT]
