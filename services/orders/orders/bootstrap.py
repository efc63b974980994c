"""Wires the orders service from an open runtime: repositories, use cases, handlers."""

from __future__ import annotations

from dataclasses import dataclass

from orders.adapters.queries import CATALOGUE, ORDERS, STORES
from orders.domain.catalogue import CatalogueItem, StoreListing
from orders.domain.model import Order
from orders.service_layer.commands import OrderCommands
from orders.service_layer.events import OrderEventHandlers
from shared.app import Wiring
from shared.repository import AggregateRepository
from shared.runtime import Runtime


@dataclass(frozen=True)
class OrdersServices:
    commands: OrderCommands
    events: OrderEventHandlers


async def bootstrap(runtime: Runtime) -> Wiring:
    def repository(collection: str, model: type) -> AggregateRepository:  # type: ignore[type-arg]
        return AggregateRepository(
            runtime.db[collection], model, producer="orders", on_outbox=runtime.wake_relay
        )

    orders = repository(ORDERS, Order)
    catalogue = repository(CATALOGUE, CatalogueItem)
    commands = OrderCommands(orders, catalogue, runtime.clock, runtime.policy)
    events = OrderEventHandlers(orders, catalogue, repository(STORES, StoreListing), runtime.clock)
    return Wiring(
        services=OrdersServices(commands, events),
        handlers=events.table(),
        jobs=[("confirmation-deadlines", events.expire_due_orders)],
    )
