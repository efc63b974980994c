"""The logistics use cases behind the HTTP API: parse → command → handler → response."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from logistics.adapters.queries import ShipmentQueries
from logistics.domain.deadlines import DeliveryEstimate, estimate
from logistics.domain.model import Shipment
from logistics.domain.parties import NoRoute, may_ship
from logistics.domain.routes import Route
from logistics.domain.shipment_parts import Handover, ReportedExceptionKind, ShipmentStatus
from shared.auth import Principal
from shared.calendar import Calendars
from shared.clock import Clock
from shared.contract.types import Role, StoreType
from shared.errors import Forbidden, Unprocessable
from shared.policy import Policy
from shared.repository import AggregateRepository, retry_on_conflict


@dataclass(frozen=True)
class ShipShipment:
    carrier: str
    tracking_number: str
    handover: Handover


@dataclass(frozen=True)
class EstimateDelivery:
    store_type: StoreType
    country: str
    weight_grams: int
    at: datetime | None = None
    handling_days: int | None = None
    warehouse_country: str | None = None
    warehouse_timezone: str | None = None


@dataclass
class ShipmentCommands:
    shipments: AggregateRepository[Shipment]
    queries: ShipmentQueries
    clock: Clock
    policy: Policy
    routes: Sequence[Route]
    calendars: Calendars

    async def get_visible(self, shipment_id: str, principal: Principal) -> Shipment:
        """The shipment if the caller may see it; others' shipments are 404 (CONTRACT.md)."""
        return principal.sees(
            await self.shipments.get(shipment_id), f"No shipment {shipment_id} for you."
        )

    async def of_order(self, order_id: str, principal: Principal) -> list[Shipment]:
        return await self.queries.of_order(order_id, principal)

    async def page(
        self, principal: Principal, status: ShipmentStatus | None, limit: int, cursor: str | None
    ) -> tuple[list[Shipment], str | None]:
        """The shipments the caller may see, the soonest `ship_by` first (R-LOG-1)."""
        return await self.queries.page(principal, status, limit, cursor)

    async def ship(self, shipment_id: str, principal: Principal, command: ShipShipment) -> Shipment:
        def change(shipment: Shipment, now: datetime) -> None:
            role: Role = "operator" if principal.is_operator else "merchant"
            # R-LOG-1: the platform ships full-managed orders; R-LOG-4: the merchant ships
            # its semi-managed orders itself (JIT).
            if not may_ship(shipment.store_type, role, principal.sub, shipment.merchant_id):
                shipper = (
                    "the platform's operators"
                    if shipment.store_type == "full_managed"
                    else "the store's merchant"
                )
                raise Forbidden(f"A {shipment.store_type} shipment is shipped by {shipper}.")
            shipment.ship(command.carrier, command.tracking_number, command.handover, now)

        return await self._change(shipment_id, principal, change)

    async def deliver(self, shipment_id: str, principal: Principal) -> Shipment:
        return await self._change(
            shipment_id, principal, lambda shipment, now: shipment.deliver(now)
        )

    async def report_exception(
        self, shipment_id: str, principal: Principal, kind: ReportedExceptionKind, note: str
    ) -> Shipment:
        return await self._change(
            shipment_id, principal, lambda shipment, now: shipment.report_exception(kind, note, now)
        )

    async def _change(
        self, shipment_id: str, principal: Principal, change: Callable[[Shipment, datetime], None]
    ) -> Shipment:
        async def attempt() -> Shipment:
            shipment = await self.get_visible(shipment_id, principal)
            now = self.clock.now()
            change(shipment, now)
            await self.shipments.save(shipment, now=now, correlation_id=shipment.order_id)
            return shipment

        return await retry_on_conflict(attempt)

    def estimate(self, query: EstimateDelivery) -> DeliveryEstimate:
        """R-LOG-1,2,3,5,6: the same pure computation a shipment is created with."""
        try:
            found = estimate(
                query.store_type,
                query.at or self.clock.now(),
                query.country,
                query.weight_grams,
                self.policy,
                self.routes,
                handling_days=query.handling_days,
                warehouse_country=query.warehouse_country,
                warehouse_timezone=query.warehouse_timezone,
                calendars=self.calendars,
            )
        except ValueError as error:
            raise Unprocessable(f"Cannot estimate: {error}.") from error
        if found is None:
            # R-LOG-6: no route rule accepts this parcel.
            raise NoRoute(
                f"No {query.store_type} route accepts {query.weight_grams} g to "
                f"{query.country}; see GET /routes for the destinations and weights accepted."
            )
        return found
