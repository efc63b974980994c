"""Wires the service from its ports (`shared.ports`): repositories, use cases, handlers."""

from __future__ import annotations

from dataclasses import dataclass

from logistics.adapters.queries import SHIPMENT_KEYS, SHIPMENTS, STORES, ShipmentQueries
from logistics.domain.model import Shipment
from logistics.domain.routes import DEFAULT_ROUTES
from logistics.domain.stores import StoreFacts
from logistics.service_layer.commands import ShipmentCommands
from logistics.service_layer.events import LogisticsEventHandlers
from logistics.service_layer.older_shipments import OlderShipments
from logistics.settings import LogisticsSettings
from shared.app import Wiring
from shared.ports import Ports


@dataclass(frozen=True)
class LogisticsServices:
    commands: ShipmentCommands
    events: LogisticsEventHandlers


async def bootstrap(ports: Ports) -> Wiring:
    shipments = ports.repository(SHIPMENTS, Shipment, keys=SHIPMENT_KEYS)
    queries = ShipmentQueries(ports.collection(SHIPMENTS))
    # R-LOG-6: the route rules in force, from configuration.
    settings = ports.settings
    routes = settings.route_table() if isinstance(settings, LogisticsSettings) else DEFAULT_ROUTES
    commands = ShipmentCommands(
        shipments, queries, ports.clock, ports.policy, routes, ports.calendars
    )
    events = LogisticsEventHandlers(
        shipments,
        queries,
        ports.replicas(STORES, StoreFacts),
        ports.clock,
        ports.policy,
        routes,
        ports.calendars,
    )
    return Wiring(
        services=LogisticsServices(commands, events),
        handlers=events.table(),
        jobs=[
            ("late-shipments", events.flag_late_shipments),
            # R-ORD-5: not handed over by ship-by + SHIP_GRACE_HOURS: cancelled.
            ("unshipped-shipments", events.cancel_unshipped_shipments),
            # Shipments stored before `ship_by_key`: written again once, then idle.
            ("older-shipments-keys", OlderShipments(shipments, queries, ports.clock).write_keys),
        ],
    )
