"""Orders' replicas through its handlers (no engine, no broker): a product's newest
decision wins whatever the arrival order, and a stale redelivery changes nothing (R-CAT-1,
R-REV-9); a store's newest approval renames its products, a stale one nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from orders.adapters.catalogue_queries import CatalogueQueries
from orders.adapters.queries import OrderQueries
from orders.domain.catalogue import CatalogueItem, StoreListing
from orders.domain.model import Order
from orders.service_layer.events import OrderEventHandlers
from shared.clock import FixedClock
from shared.contract import record_event
from shared.contract.events import ProductApproved, ProductRejected, StoreApproved
from shared.contract.types import ContractModel, Money
from shared.replica import Replicas
from shared.testing import InMemoryRepository

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
PRICE = Money(amount_minor=4990, currency="USD")
PRODUCT = {"product_id": "p-1", "store_id": "s-1", "merchant_id": "m-1",
           "store_type": "full_managed", "title": "Tea set", "category": "home",
           "price": PRICE, "weight_grams": 500}  # fmt: skip


class Renames(CatalogueQueries):
    """The catalogue's store names, as the handlers rename them."""

    def __init__(self) -> None:
        self.done: list[tuple[str, str]] = []

    async def rename_store(self, store_id: str, name: str) -> None:
        self.done.append((store_id, name))


class NoOrders(OrderQueries):
    def __init__(self) -> None:
        pass


class Wired:
    def __init__(self) -> None:
        clock = FixedClock(T0)
        self.catalogue = InMemoryRepository(CatalogueItem)
        self.stores = InMemoryRepository(StoreListing)
        self.renames = Renames()
        catalogue = Replicas(self.catalogue, CatalogueItem, clock)
        stores = Replicas(self.stores, StoreListing, clock)
        self.handlers = OrderEventHandlers(InMemoryRepository(Order), NoOrders(), catalogue,
                                           self.renames, stores, clock)  # fmt: skip

    async def deliver(self, event: ContractModel, at: datetime) -> None:
        envelope = record_event(event, producer="review", correlation_id="c", occurred_at=at)
        await self.handlers.table()[type(event)](envelope, event)


def approved(title: str, at: datetime) -> ProductApproved:
    return ProductApproved(**{**PRODUCT, "title": title}, description="Six cups",
                           images=["https://img.example/p.png"], approved_at=at)  # fmt: skip


async def test_the_newest_decision_wins_and_a_stale_one_changes_nothing() -> None:
    wired = Wired()
    v1, v2 = approved("Tea set v1", T0), approved("Tea set v2", T0 + timedelta(hours=1))
    rejected = ProductRejected(**PRODUCT, reason="Counterfeit", rejected_at=T0 + timedelta(hours=2))
    for event, at in ((v2, v2.approved_at), (v1, v1.approved_at), (v2, v2.approved_at)):
        await wired.deliver(event, at)
    item = await wired.catalogue.get("p-1")
    assert item is not None
    assert (item.title, item.available, item.version) == ("Tea set v2", True, 1)
    await wired.deliver(rejected, rejected.rejected_at)
    await wired.deliver(v2, v2.approved_at)  # an approval older than the rejection
    item = await wired.catalogue.get("p-1")
    assert item is not None
    assert (item.available, item.description, item.version) == (False, "", 2)


def store_approved(name: str, at: datetime) -> StoreApproved:
    return StoreApproved(store_id="s-1", merchant_id="m-1", store_type="full_managed",
                         store_name=name, approved_at=at)  # fmt: skip


async def test_a_stores_newest_approval_renames_its_products_and_a_stale_one_nothing() -> None:
    wired = Wired()
    newer = store_approved("Lantern & Co", T0 + timedelta(days=1))
    await wired.deliver(newer, newer.approved_at)
    await wired.deliver(store_approved("Lantern", T0), T0)
    kept = await wired.stores.get("s-1")
    assert kept is not None
    assert (kept.name, kept.version) == ("Lantern & Co", 1)
    assert wired.renames.done == [("s-1", "Lantern & Co")]
