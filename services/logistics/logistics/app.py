"""`logistics.app:create` builds the ASGI app; nothing connects until its lifespan starts."""

from __future__ import annotations

from logistics.adapters.queries import INDEXES, SHIPMENTS
from logistics.bootstrap import bootstrap
from logistics.entrypoints.http import estimates_router, shipments_router
from logistics.entrypoints.problems import PROBLEMS
from logistics.settings import LogisticsSettings
from shared.app import AppFactory, ServiceSpec

SPEC = ServiceSpec(
    name="logistics",
    title="Logistics: a shipment per confirmed order, ship-by deadlines, routes, estimates.",
    routers=[shipments_router, estimates_router],
    indexes=INDEXES,
    outbox_collections=[SHIPMENTS],
    bootstrap=bootstrap,
    problems=PROBLEMS,
)

create = AppFactory(SPEC, LogisticsSettings)
