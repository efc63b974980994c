"""Wires the service from its ports (`shared.ports`): repositories, use cases, handlers."""

from __future__ import annotations

from dataclasses import dataclass

from aftersales.adapters.queries import (
    CASE_KEYS,
    CASES,
    COMPENSATIONS,
    ORDERS,
    STORES,
    CaseQueries,
)
from aftersales.domain.compensation import Compensation
from aftersales.domain.facts import OrderFacts, StoreFacts
from aftersales.domain.model import Case
from aftersales.service_layer.commands import CaseCommands
from aftersales.service_layer.compensation import CancellationRefunds
from aftersales.service_layer.events import AftersalesEventHandlers
from aftersales.service_layer.resolution import CaseResolution
from shared.app import Wiring
from shared.ports import Ports


@dataclass(frozen=True)
class AftersalesServices:
    commands: CaseCommands
    resolution: CaseResolution
    cancellations: CancellationRefunds
    events: AftersalesEventHandlers
    queries: CaseQueries


async def bootstrap(ports: Ports) -> Wiring:
    cases = ports.repository(CASES, Case, keys=CASE_KEYS)
    queries = CaseQueries(ports.collection(CASES))
    orders = ports.replicas(ORDERS, OrderFacts)
    stores = ports.replicas(STORES, StoreFacts)
    commands = CaseCommands(
        cases, queries, orders.repository, ports.clock, ports.policy, ports.categories
    )
    resolution = CaseResolution(
        cases, queries, orders.repository, stores.repository, ports.clock, ports.policy
    )
    compensations = ports.repository(COMPENSATIONS, Compensation)
    cancellations = CancellationRefunds(compensations, orders.repository, queries, ports.clock)
    events = AftersalesEventHandlers(orders, stores, cancellations, ports.clock)
    return Wiring(
        services=AftersalesServices(commands, resolution, cancellations, events, queries),
        handlers=events.table(),
    )
