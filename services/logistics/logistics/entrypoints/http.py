"""The logistics HTTP API: thin routes over the use cases (CONTRACT.md, logistics)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from logistics.bootstrap import LogisticsServices
from logistics.domain.model import Shipment
from logistics.domain.shipment_parts import ShipmentStatus
from logistics.entrypoints.schemas import (
    DeliveryEstimatePublic,
    RouteList,
    ShipmentExceptionReport,
    ShipmentList,
    ShipmentPublic,
    ShipmentShip,
)
from logistics.service_layer.commands import EstimateDelivery, ShipShipment
from shared.app import wired
from shared.auth import CurrentPrincipal, Operator, Principal, require_role
from shared.contract.types import StoreType
from shared.errors import Unprocessable
from shared.guards import JsonRoute

Services = Annotated[LogisticsServices, Depends(wired)]
#: R-LOG-1, R-LOG-4: only an operator or a merchant may ship; which one depends on the store.
Shipper = Annotated[Principal, Depends(require_role("operator", "merchant"))]
COUNTRY = r"^[A-Z]{2}$"

shipments_router = APIRouter(prefix="/shipments", tags=["shipments"], route_class=JsonRoute)
estimates_router = APIRouter(tags=["estimates"], route_class=JsonRoute)


@shipments_router.get("", response_model=ShipmentList)
async def list_shipments(
    principal: CurrentPrincipal,
    services: Services,
    order_id: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    status: ShipmentStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> ShipmentList:
    """An order's shipments (R-ORD-4), or every shipment the caller may see (a merchant
    its own, a buyer theirs, operators all), the soonest `ship_by` first (R-LOG-1,
    R-LOG-5), a page at a time: `?status=awaiting_shipment` is what waits for a handover."""
    now = services.commands.clock.now()
    if order_id is not None:
        if status is not None or cursor is not None:
            raise Unprocessable(
                "`order_id` lists that order's shipments whole; leave out `status` and `cursor`."
            )
        shipments = await services.commands.of_order(order_id, principal)
        return ShipmentList(items=[ShipmentPublic.of(shipment, now) for shipment in shipments])
    page, next_cursor = await services.commands.page(principal, status, limit, cursor)
    items = [ShipmentPublic.of(shipment, now) for shipment in page]
    return ShipmentList(items=items, next_cursor=next_cursor)


def public(shipment: Shipment, services: LogisticsServices) -> ShipmentPublic:
    """The shipment as the API shows it, its `seconds_left` counted by the service's clock."""
    return ShipmentPublic.of(shipment, services.commands.clock.now())


@shipments_router.get("/{shipment_id}", response_model=ShipmentPublic)
async def get_shipment(
    shipment_id: str, principal: CurrentPrincipal, services: Services
) -> ShipmentPublic:
    return public(await services.commands.get_visible(shipment_id, principal), services)


@shipments_router.post("/{shipment_id}/ship", response_model=ShipmentPublic)
async def ship(
    shipment_id: str, body: ShipmentShip, shipper: Shipper, services: Services
) -> ShipmentPublic:
    command = ShipShipment(body.carrier, body.tracking_number, body.handover)
    return public(await services.commands.ship(shipment_id, shipper, command), services)


@shipments_router.post("/{shipment_id}/deliver", response_model=ShipmentPublic)
async def deliver(shipment_id: str, operator: Operator, services: Services) -> ShipmentPublic:
    return public(await services.commands.deliver(shipment_id, operator), services)


@shipments_router.post("/{shipment_id}/exceptions", response_model=ShipmentPublic)
async def report_exception(
    shipment_id: str, body: ShipmentExceptionReport, operator: Operator, services: Services
) -> ShipmentPublic:
    shipment = await services.commands.report_exception(shipment_id, operator, body.kind, body.note)
    return public(shipment, services)


@estimates_router.get("/delivery-estimate", response_model=DeliveryEstimatePublic)
async def delivery_estimate(
    services: Services,
    store_type: StoreType,
    country: Annotated[str, Query(pattern=COUNTRY)],
    weight_grams: Annotated[int, Query(gt=0, le=1_000_000)],
    at: Annotated[datetime | None, Query(description="the confirmation time")] = None,
    handling_days: Annotated[int | None, Query(ge=1, le=30)] = None,
    warehouse_country: Annotated[str | None, Query(pattern=COUNTRY)] = None,
    warehouse_timezone: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
) -> DeliveryEstimatePublic:
    query = EstimateDelivery(
        store_type=store_type,
        country=country,
        weight_grams=weight_grams,
        at=at,
        handling_days=handling_days,
        warehouse_country=warehouse_country,
        warehouse_timezone=warehouse_timezone,
    )
    return DeliveryEstimatePublic.of(services.commands.estimate(query))


@estimates_router.get("/routes", response_model=RouteList)
async def routes(services: Services) -> RouteList:
    """R-LOG-6: the route rules in force."""
    return RouteList(items=list(services.commands.routes))
