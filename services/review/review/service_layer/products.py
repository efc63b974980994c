"""The product use cases behind the HTTP API (R-REV-8, R-REV-9, R-REV-15)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from review.domain.model import Decision, Product, ProductListing, Store
from review.domain.product_parts import Delister
from shared.auth import Principal
from shared.categories import CategoryList, default_categories
from shared.clock import Clock
from shared.contract.types import Money
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

    async def revise(
        self, product_id: str, merchant: Principal, listing: ProductListing
    ) -> Product:
        """R-REV-15: its merchant revises a rejected or delisted product; it waits for
        review again (R-REV-9)."""

        async def attempt() -> Product:
            product = await self._owned(product_id, merchant)
            store = await self.stores.get(product.store_id)
            if store is None:
                raise NotFound(f"No store {product.store_id} for you.")
            now = self.clock.now()
            product.revise(listing, store, now, self.categories)
            await self.products.save(product, now=now)
            return product

        return await retry_on_conflict(attempt)

    async def request_price_change(
        self, product_id: str, merchant: Principal, price: Money
    ) -> Product:
        """R-REV-15: its merchant asks for a new supply price, reviewed like a listing;
        the approved price stays the one sold until then."""

        async def attempt() -> Product:
            product = await self._owned(product_id, merchant)
            now = self.clock.now()
            product.request_price_change(price, now)
            await self.products.save(product, now=now)
            return product

        return await retry_on_conflict(attempt)

    async def delist(self, product_id: str, principal: Principal, reason: str) -> Product:
        """R-REV-15: its merchant or an operator takes an approved product off sale
        (`ProductDelisted` published); again, nothing changes."""

        async def attempt() -> Product:
            product = await self.get_visible(product_id, principal)
            now = self.clock.now()
            by: Delister = "operator" if principal.is_operator else "merchant"
            product.delist(reason, by, principal.sub, now)
            await self.products.save(product, now=now)
            return product

        return await retry_on_conflict(attempt)

    async def decide(
        self, product_id: str, operator: Principal, decision: Decision, reason: str | None
    ) -> Product:
        """R-REV-9: approve (it goes on sale) or reject with a reason; either is published.
        R-REV-15: once listed, its price change under review is what is decided."""

        async def attempt() -> Product:
            product = await self.products.get(product_id)
            if product is None:
                raise NotFound(f"No product {product_id}.")
            now = self.clock.now()
            product.decide(decision, reason, operator.sub, self.policy, now)
            await self.products.save(product, now=now)
            return product

        return await retry_on_conflict(attempt)

    async def _owned(self, product_id: str, merchant: Principal) -> Product:
        """The product if the caller is its merchant (only it changes its listing)."""
        return merchant.owns(
            await self.products.get(product_id), f"No product {product_id} for you."
        )
