"""Wires the service from its ports (`shared.ports`): repositories, use cases, handlers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from orders.adapters.catalogue_queries import CATALOGUE_KEYS, CatalogueQueries
from orders.adapters.queries import CATALOGUE, ORDERS, STORES, OrderQueries, order_keys
from orders.adapters.scorecard_queries import STORE_PERIODS, ScorecardQueries
from orders.domain.catalogue import CatalogueItem, StoreListing
from orders.domain.model import Order
from orders.domain.process import ProcessTerms
from orders.domain.warnings import StorePeriod
from orders.service_layer.commands import OrderCommands
from orders.service_layer.events import OrderEventHandlers
from orders.service_layer.process import OrderProcesses
from orders.service_layer.scorecards import Scorecards
from orders.settings import OrdersSettings
from shared.app import Wiring
from shared.ports import Ports
from shared.repository import AggregateRepository


@dataclass(frozen=True)
class OrdersServices:
    commands: OrderCommands
    events: OrderEventHandlers
    queries: OrderQueries
    catalogue: CatalogueQueries
    processes: OrderProcesses
    scorecards: Scorecards


def seconds(ports: Ports, name: str) -> timedelta:
    """One of orders' durations (`OrdersSettings`): as the ports carry it, or its default
    on ports without orders' settings."""
    settings = ports.settings
    if isinstance(settings, OrdersSettings):
        return timedelta(seconds=getattr(settings, name))
    return timedelta(seconds=OrdersSettings.model_fields[name].default)


def process_terms(ports: Ports) -> ProcessTerms:
    """The numbers an order's process is counted with (R-ORD-5): the policy, the
    `PROCESS_REACTION_SECONDS` setting, and the category list's windows (R-AS-1)."""
    return ProcessTerms(ports.policy, seconds(ports, "process_reaction_seconds"), ports.categories)


def scorecards(ports: Ports, orders: AggregateRepository[Order]) -> Scorecards:
    """The stores' scorecards and their review (R-SC-1)."""
    return Scorecards(
        ScorecardQueries(ports.collection(ORDERS), ports.collection(STORE_PERIODS)),
        orders,
        ports.repository(STORE_PERIODS, StorePeriod),
        ports.clock,
        ports.policy,
        seconds(ports, "scorecard_review_seconds"),
    )


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
    cards = scorecards(ports, orders)
    return Wiring(
        services=OrdersServices(
            commands, events, queries, browse, OrderProcesses(queries, ports.clock, terms), cards
        ),
        handlers=events.table(),
        jobs=[
            ("confirmation-deadlines", events.expire_due_orders),
            ("scorecard-review", cards.review),
            ("older-orders-keys", events.write_keys_of_older_orders),
        ],
    )
