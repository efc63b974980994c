"""The orders use cases behind the HTTP API: parse → command → handler → response."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from orders.domain.catalogue import CatalogueItem
from orders.domain.errors import OrderConflict
from orders.domain.model import Order
from shared.auth import Principal
from shared.clock import Clock
from shared.contract.events import OrderLine
from shared.contract.types import ShippingAddress
from shared.contract.versions import category_code
from shared.errors import Conflict, NotFound, Unprocessable
from shared.policy import Policy
from shared.repository import AggregateRepository, AlreadyExists, retry_on_conflict

#: Namespace of order ids derived from a buyer and their Idempotency-Key.
IDEMPOTENCY_NAMESPACE = uuid.UUID("0b6f3c5e-8d2a-4f7b-9c41-5e2d7a9f1c36")
#: ... and of the ids derived before, from `buyer:key` (read only: `OrderCommands._replay`).
EARLIER_IDEMPOTENCY_NAMESPACE = uuid.UUID("6f1d7c1e-3b1a-4d53-9a55-0d7f3f8c2a10")


def idempotent_order_id(buyer_id: str, key: str) -> str:
    """The id of the order a buyer's Idempotency-Key places: derived from the pair as two
    values (a JSON array), so no other buyer's key derives it. (`buyer:key` did: buyer `V`
    with key `a:b` and buyer `V:a` with key `b` named one order.)"""
    return str(uuid.uuid5(IDEMPOTENCY_NAMESPACE, json.dumps([buyer_id, key])))


def earlier_order_id(buyer_id: str, key: str) -> str:
    """The id the same request derived before: an order placed then is still replayed."""
    return str(uuid.uuid5(EARLIER_IDEMPOTENCY_NAMESPACE, f"{buyer_id}:{key}"))


@dataclass(frozen=True)
class PlaceOrder:
    buyer_id: str
    items: list[tuple[str, int]]
    address: ShippingAddress
    idempotency_key: str | None = None


@dataclass(frozen=True)
class ConfirmOutcome:
    order_id: str
    confirmed: bool
    reason: str | None
    detail: str | None
    order: Order | None = None


@dataclass
class OrderCommands:
    orders: AggregateRepository[Order]
    catalogue: AggregateRepository[CatalogueItem]
    clock: Clock
    policy: Policy

    async def place(self, command: PlaceOrder) -> tuple[Order, bool]:
        """R-ORD-1. Returns the order and whether it was created now (False: a replay)."""
        fingerprint, key = _fingerprint(command), command.idempotency_key
        order_id = idempotent_order_id(command.buyer_id, key) if key else str(uuid.uuid4())
        if key and (replay := await self._replay(command.buyer_id, key, fingerprint)):
            return replay, False
        lines, store = await self._price_lines(command.items)
        try:
            order = Order.place(
                order_id=order_id,
                buyer_id=command.buyer_id,
                store_id=store.store_id,
                merchant_id=store.merchant_id,
                store_type=store.store_type,
                items=lines,
                address=command.address,
                now=self.clock.now(),
                policy=self.policy,
                request_fingerprint=fingerprint,
            )
        except ValidationError as error:  # a total beyond what Money carries
            raise Unprocessable(
                "The order's total is too large for one order; order fewer items."
            ) from error
        try:
            await self.orders.add(order, now=self.clock.now())
        except AlreadyExists:
            assert key is not None  # a random id is new
            if replay := await self._replay(command.buyer_id, key, fingerprint):
                return replay, False
            raise Conflict("This Idempotency-Key cannot be used; use a new one.") from None
        return order, True

    async def _replay(self, buyer_id: str, key: str, fingerprint: str) -> Order | None:
        """The order the buyer placed with this key before, if any: under its id, or under
        the id derived before (`earlier_order_id`). Only ever the buyer's own: another
        buyer's order found there is not a replay, and is never returned."""
        for order_id in (idempotent_order_id(buyer_id, key), earlier_order_id(buyer_id, key)):
            existing = await self.orders.get(order_id)
            if existing is None or existing.buyer_id != buyer_id:
                continue
            if existing.request_fingerprint != fingerprint:
                raise Conflict(
                    "This Idempotency-Key was used for a different order; "
                    "use a new key for a new order."
                )
            return existing
        return None

    async def _price_lines(
        self, items: list[tuple[str, int]]
    ) -> tuple[list[OrderLine], CatalogueItem]:
        """Unit prices come from the catalogue replica, never from the client (R-ORD-1)."""
        lines: list[OrderLine] = []
        products: list[CatalogueItem] = []
        for product_id, quantity in items:
            product = await self.catalogue.get(product_id)
            if product is None or not product.available:
                raise Unprocessable(
                    f"Product {product_id} is not on sale; choose an approved "
                    "product from GET /catalogue."
                )
            products.append(product)
            lines.append(
                OrderLine(
                    product_id=product_id,
                    title=product.title,
                    category=_category_of(product),
                    quantity=quantity,
                    unit_price=product.price,
                    weight_grams=product.weight_grams,
                )
            )
        stores = {product.store_id for product in products}
        if len(stores) != 1:
            raise Unprocessable(
                "All items of an order must come from one store; place one order per store."
            )
        currencies = {product.price.currency for product in products}
        if len(currencies) != 1:
            raise Unprocessable("All items of an order must be priced in one currency.")
        return lines, products[0]

    async def get_visible(self, order_id: str, principal: Principal) -> Order:
        """The order if the caller may see it; others' orders are 404 (CONTRACT.md)."""
        return principal.sees(await self.orders.get(order_id), f"No order {order_id} for you.")

    async def confirm(self, order_id: str, principal: Principal) -> Order:
        """R-ORD-2: its merchant confirms the order in time."""
        return await self._act_in_time(
            lambda: self._owned_by_merchant(order_id, principal), Order.confirm
        )

    async def confirm_many(
        self, order_ids: list[str], principal: Principal
    ) -> list[ConfirmOutcome]:
        """R-ORD-2 at the desk: each order confirmed or refused on its own, never all or
        nothing; each confirmation is its own versioned write with its own event."""
        outcomes = []
        for order_id in dict.fromkeys(order_ids):
            try:
                order = await self.confirm(order_id, principal)
            except OrderConflict as refused:
                outcomes.append(ConfirmOutcome(order_id, False, refused.code, str(refused)))
            except NotFound as absent:
                outcomes.append(ConfirmOutcome(order_id, False, "not_found", absent.detail))
            else:
                outcomes.append(ConfirmOutcome(order_id, True, None, None, order))
        return outcomes

    async def cancel(self, order_id: str, principal: Principal) -> Order:
        """Its buyer cancels an order still awaiting confirmation (`buyer_cancelled`), or a
        confirmed one past its `ship_by` and not shipped (R-ORD-5, `buyer_cancelled_late`)."""
        return await self._act_in_time(
            lambda: self._bought_by(order_id, principal), Order.cancel_by_buyer
        )

    async def _act_in_time(
        self, load: Callable[[], Awaitable[Order]], act: Callable[[Order, datetime], None]
    ) -> Order:
        """Load the order, time it out first if its confirmation deadline passed (R-ORD-3:
        stored, then `act` refuses), then act and store; again if another writer won."""

        async def attempt() -> Order:
            order = await load()
            now = self.clock.now()
            if order.expire(now):
                await self.orders.save(order, now=now)
            act(order, now)
            await self.orders.save(order, now=now)
            return order

        return await retry_on_conflict(attempt)

    async def _bought_by(self, order_id: str, principal: Principal) -> Order:
        order = await self.get_visible(order_id, principal)
        if order.buyer_id != principal.sub:
            raise NotFound(f"No order {order_id} for you.")
        return order

    async def _owned_by_merchant(self, order_id: str, principal: Principal) -> Order:
        return principal.owns(await self.orders.get(order_id), f"No order {order_id} for you.")


def _fingerprint(command: PlaceOrder) -> str:
    body = {"items": command.items, "address": command.address.model_dump(mode="json")}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _category_of(product: CatalogueItem) -> str:
    """The listing's category as a code (R-REV-11): one stored before codes (never
    migrated, `make migrate-categories`) is read as version 1 of its event would be."""
    try:
        return category_code(product.category)
    except ValueError:
        raise Unprocessable(
            f"Product {product.id} cannot be ordered until its category "
            f"{product.category!r} is a category code; an operator migrates it "
            "(make migrate-categories)."
        ) from None
