"""Wires the aftersales service from an open runtime: repositories, use cases, handlers."""

from __future__ import annotations

from dataclasses import dataclass

from aftersales.adapters.queries import CASE_KEYS, CASES, ORDERS, STORES
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


async def bootstrap(runtime: Runtime) -> Wiring:
    cases = runtime.repository(CASES, Case, keys=CASE_KEYS)
    orders = runtime.replicas(ORDERS, OrderFacts)
    stores = runtime.replicas(STORES, StoreFacts)
    commands = CaseCommands(cases, orders.repository, runtime.clock, runtime.policy)
    resolution = CaseResolution(
        cases, orders.repository, stores.repository, runtime.clock, runtime.policy
    )
    events = AftersalesEventHandlers(orders, stores, runtime.clock)
    reports = RefundReports(cases, orders.repository)
    return Wiring(
        services=AftersalesServices(commands, resolution, events, reports),
        handlers=events.table(),
    )
