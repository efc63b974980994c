"""Wires the service from its ports (`shared.ports`): repositories, use cases, handlers."""

from __future__ import annotations

from dataclasses import dataclass

from aftersales.adapters.queries import CASE_KEYS, CASES, ORDERS, STORES, CaseQueries
from aftersales.domain.facts import OrderFacts, StoreFacts
from aftersales.domain.model import Case
from aftersales.service_layer.commands import CaseCommands
from aftersales.service_layer.events import AftersalesEventHandlers
from aftersales.service_layer.reports import RefundReports
from aftersales.service_layer.resolution import CaseResolution
from shared.app import Wiring
from shared.ports import Ports


@dataclass(frozen=True)
class AftersalesServices:
    commands: CaseCommands
    resolution: CaseResolution
    events: AftersalesEventHandlers
    reports: RefundReports
    queries: CaseQueries


async def bootstrap(ports: Ports) -> Wiring:
    cases = ports.repository(CASES, Case, keys=CASE_KEYS)
    queries = CaseQueries(ports.collection(CASES))
    orders = ports.replicas(ORDERS, OrderFacts)
    stores = ports.replicas(STORES, StoreFacts)
    commands = CaseCommands(cases, queries, orders.repository, ports.clock, ports.policy)
    resolution = CaseResolution(
        cases, queries, orders.repository, stores.repository, ports.clock, ports.policy
    )
    events = AftersalesEventHandlers(orders, stores, ports.clock)
    reports = RefundReports(queries, orders.repository)
    return Wiring(
        services=AftersalesServices(commands, resolution, events, reports, queries),
        handlers=events.table(),
    )
