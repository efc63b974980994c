"""Wires the service from its ports (`shared.ports`): repositories, use cases, handlers."""

from __future__ import annotations

from dataclasses import dataclass

from orders.adapters.catalogue_queries import CATALOGUE_KEYS, CatalogueQueries
from orders.adapters.queries import CATALOGUE, ORDER_KEYS, ORDERS, STORES, OrderQueries
from orders.domain.catalogue import CatalogueItem, StoreListing
from orders.domain.model import Order
from orders.service_layer.commands import OrderCommands
from orders.service_layer.events import OrderEventHandlers
from shared.app import Wiring
from shared.ports import Ports


@dataclass(frozen=True)
class OrdersServices:
    commands: OrderCommands
    events: OrderEventHandlers
    queries: OrderQueries
    catalogue: CatalogueQueries


async def bootstrap(ports: Ports) -> Wiring:
    orders = ports.repository(ORDERS, Order, keys=ORDER_KEYS)
    catalogue = ports.replicas(CATALOGUE, CatalogueItem, keys=CATALOGUE_KEYS)
    queries = OrderQueries(ports.collection(ORDERS))
    browse = CatalogueQueries(ports.collection(CATALOGUE))
    commands = OrderCommands(orders, catalogue.repository, ports.clock, ports.policy)
    events = OrderEventHandlers(
        orders, queries, catalogue, browse, ports.replicas(STORES, StoreListing), ports.clock
    )
    return Wiring(
        services=OrdersServices(commands, events, queries, browse),
        handlers=events.table(),
        jobs=[("confirmation-deadlines", events.expire_due_orders)],
    )
