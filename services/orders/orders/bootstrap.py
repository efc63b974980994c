"""Wires the service from its ports (`shared.ports`): repositories, use cases, handlers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from orders.adapters.catalogue_queries import CATALOGUE_KEYS, CatalogueQueries
from orders.adapters.queries import CATALOGUE, ORDERS, STORES, OrderQueries, order_keys
from orders.domain.catalogue import CatalogueItem, StoreListing
from orders.domain.model import Order
from orders.domain.process import ProcessTerms
from orders.service_layer.commands import OrderCommands
from orders.service_layer.events import OrderEventHandlers
from orders.service_layer.process import OrderProcesses
from orders.settings import PROCESS_REACTION_SECONDS, OrdersSettings
from shared.app import Wiring
from shared.ports import Ports


@dataclass(frozen=True)
class OrdersServices:
    commands: OrderCommands
    events: OrderEventHandlers
    queries: OrderQueries
    catalogue: CatalogueQueries
    processes: OrderProcesses


def process_terms(ports: Ports) -> ProcessTerms:
    """The numbers an order's process is counted with (R-ORD-5): the policy, and the
    `PROCESS_REACTION_SECONDS` setting (its default on ports without orders' settings)."""
    settings = ports.settings
    seconds = (
        settings.process_reaction_seconds
        if isinstance(settings, OrdersSettings)
        else PROCESS_REACTION_SECONDS
    )
    return ProcessTerms(ports.policy, timedelta(seconds=seconds))


async def bootstrap(ports: Ports) -> Wiring:
    terms = process_terms(ports)
    orders = ports.repository(ORDERS, Order, keys=order_keys(terms))
    catalogue = ports.replicas(CATALOGUE, CatalogueItem, keys=CATALOGUE_KEYS)
    queries = OrderQueries(ports.collection(ORDERS))
    browse = CatalogueQueries(ports.collection(CATALOGUE))
    commands = OrderCommands(orders, catalogue.repository, ports.clock, ports.policy)
    events = OrderEventHandlers(
        orders, queries, catalogue, browse, ports.replicas(STORES, StoreListing), ports.clock
    )
    return Wiring(
        services=OrdersServices(
            commands, events, queries, browse, OrderProcesses(queries, ports.clock, terms)
        ),
        handlers=events.table(),
        jobs=[("confirmation-deadlines", events.expire_due_orders)],
    )
