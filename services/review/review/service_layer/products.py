"""The product use cases behind the HTTP API (R-REV-8, R-REV-9)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from review.domain.model import Decision, Product, ProductListing, Store
from shared.auth import Principal
from shared.categories import CategoryList, default_categories
from shared.clock import Clock
from shared.errors import NotFound
from shared.policy import Policy
from shared.repository import AggregateRepository, retry_on_conflict


@dataclass
class ProductCommands:
    products: AggregateRepository[Product]
    stores: AggregateRepository[Store]
    clock: Clock
    policy: Policy
    #: R-REV-11: the codes a product's category is one of.
    categories: CategoryList = field(default_factory=default_categories)

    async def submit(self, merchant: Principal, listing: ProductListing) -> Product:
        """R-REV-8: a product of one's own approved store; it waits for review (R-REV-9)."""
        store = await self.stores.get(listing.store_id)
        if store is None or store.merchant_id != merchant.sub:
            raise NotFound(f"No store {listing.store_id} for you.")
        now = self.clock.now()
        product = Product.submit(
            str(uuid.uuid4()), merchant.sub, listing, store, now, self.categories
        )
        await self.products.add(product, now=now)
        return product

    async def get_visible(self, product_id: str, principal: Principal) -> Product:
        """The product if the caller may see it; another merchant's product is 404."""
        return principal.sees(
            await self.products.get(product_id), f"No product {product_id} for you."
        )

    async def decide(
        self, product_id: str, operator: Principal, decision: Decision, reason: str | None
    ) -> Product:
        """R-REV-9: approve (it goes on sale) or reject with a reason; either is published."""

        async def attempt() -> Product:
            product = await self.products.get(product_id)
            if product is None:
                raise NotFound(f"No product {product_id}.")
            now = self.clock.now()
            product.decide(decision, reason, operator.sub, self.policy, now)
            await self.products.save(product, now=now)
            return product

        return await retry_on_conflict(attempt)
