"""Wires the orders service from an open runtime: repositories, use cases, handlers."""

from __future__ import annotations

from dataclasses import dataclass

from orders.adapters.catalogue_queries import CATALOGUE_KEYS, CatalogueQueries
from orders.adapters.queries import CATALOGUE, ORDER_KEYS, ORDERS, STORES, OrderQueries
from orders.domain.catalogue import CatalogueItem, StoreListing
from orders.domain.model import Order
from orders.service_layer.commands import OrderCommands
from orders.service_layer.events import OrderEventHandlers
from shared.app import Wiring
from shared.runtime import Runtime


@dataclass(frozen=True)
class OrdersServices:
    commands: OrderCommands
    events: OrderEventHandlers
    queries: OrderQueries
    catalogue: CatalogueQueries


async def bootstrap(runtime: Runtime) -> Wiring:
    orders = runtime.repository(ORDERS, Order, keys=ORDER_KEYS)
    catalogue = runtime.replicas(CATALOGUE, CatalogueItem, keys=CATALOGUE_KEYS)
    queries = OrderQueries(runtime.db[ORDERS])
    browse = CatalogueQueries(runtime.db[CATALOGUE])
    commands = OrderCommands(orders, catalogue.repository, runtime.clock, runtime.policy)
    events = OrderEventHandlers(orders, queries, catalogue, browse,
                                runtime.replicas(STORES, StoreListing), runtime.clock)  # fmt: skip
    return Wiring(
        services=OrdersServices(commands, events, queries, browse),
        handlers=events.table(),
        jobs=[("confirmation-deadlines", events.expire_due_orders)],
    )
