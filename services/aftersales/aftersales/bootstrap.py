"""Wires the aftersales service from an open runtime: repositories, use cases, handlers."""

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
from shared.runtime import Runtime


@dataclass(frozen=True)
class AftersalesServices:
    commands: CaseCommands
    resolution: CaseResolution
    events: AftersalesEventHandlers
    reports: RefundReports
    queries: CaseQueries


async def bootstrap(runtime: Runtime) -> Wiring:
    cases = runtime.repository(CASES, Case, keys=CASE_KEYS)
    queries = CaseQueries(runtime.db[CASES])
    orders = runtime.replicas(ORDERS, OrderFacts)
    stores = runtime.replicas(STORES, StoreFacts)
    commands = CaseCommands(cases, queries, orders.repository, runtime.clock, runtime.policy)
    resolution = CaseResolution(cases, queries, orders.repository, stores.repository,
                                runtime.clock, runtime.policy)  # fmt: skip
    events = AftersalesEventHandlers(orders, stores, runtime.clock)
    reports = RefundReports(queries, orders.repository)
    return Wiring(
        services=AftersalesServices(commands, resolution, events, reports, queries),
        handlers=events.table(),
    )
