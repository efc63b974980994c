"""What logistics' unit tests share: the deadline functions on the default policy and
calendars, the shipment of an order of mugs, and the service as its own `bootstrap` wires
it on fake ports (`shared.testing.Wired`), with its stores, its orders and their shipments.

    wired = await with_two_shipments()
    wired.clock.set(FULL_SHIP_BY + timedelta(minutes=1))
    await wired.run("late-shipments")
    assert (await the_shipment(wired)).late

R-ORD-5's cancellations: `a_compensated_cancellation` (the `OrderCancelled` of a confirmed
order), `FULL_CANCEL_AT`/`SEMI_CANCEL_AT` (when the unshipped job cancels each), and
`ship_it` (the handover by whoever ships it, R-LOG-1, R-LOG-4).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeAlias

import pytest

from logistics.bootstrap import LogisticsServices, bootstrap
from logistics.domain.deadlines import DeliveryEstimate, estimate, semi_managed_ship_by
from logistics.domain.model import Shipment
from logistics.domain.planning import plan_shipment
from logistics.domain.routes import DEFAULT_ROUTES, Route
from logistics.service_layer.commands import ShipShipment
from logistics.service_layer.events import shipment_id_of
from logistics.settings import LogisticsSettings
from shared.calendar import Calendars
from shared.clock import FixedClock
from shared.contract import Envelope
from shared.contract.events import CancelReason, OrderCancelled, OrderConfirmed, StoreApproved
from shared.contract.types import StoreType, Warehouse
from shared.policy import Policy
from shared.testing import FakePorts, Wired
from testkit.factories import (
    AN_OPERATOR,
    MERCHANT,
    ORDER,
    STORE,
    T0,
    THE_MERCHANT,
    a_line,
    a_store_approved,
    a_us_address,
    a_warehouse,
    an_address,
    an_order_cancelled,
    an_order_confirmed,
    usd,
)

WiredLogistics: TypeAlias = Wired[LogisticsServices]

POLICY = Policy()
CALENDARS = Calendars()
#: A semi-managed store's overseas warehouse in the EU, so its parcels have a route (R-LOG-2).
MADRID = a_warehouse(country="ES", city="Madrid", timezone="Europe/Madrid")


# --- The domain, with no I/O ------------------------------------------------------------


def ship_by_from(
    warehouse: Warehouse, confirmed_at: datetime, handling_days: int = 1, policy: Policy = POLICY
) -> datetime:
    """The ship-by of a semi-managed order confirmed at `confirmed_at`, from `warehouse`."""
    return semi_managed_ship_by(
        confirmed_at,
        handling_days,
        warehouse_timezone=warehouse.timezone,
        warehouse_country=warehouse.country,
        policy=policy,
        calendars=CALENDARS,
    )


def estimate_of(
    store_type: StoreType,
    confirmed_at: datetime,
    destination: str,
    weight_grams: int,
    *,
    handling_days: int | None = None,
    warehouse: Warehouse | None = None,
) -> DeliveryEstimate | None:
    """`estimate` on the default routes (semi-managed: from `warehouse`)."""
    return estimate(
        store_type,
        confirmed_at,
        destination_country=destination,
        weight_grams=weight_grams,
        policy=POLICY,
        routes=DEFAULT_ROUTES,
        handling_days=handling_days,
        warehouse_country=warehouse.country if warehouse else None,
        warehouse_timezone=warehouse.timezone if warehouse else None,
        calendars=CALENDARS,
    )


def a_route(
    name: str,
    transit_min: int,
    transit_max: int,
    *,
    store_type: StoreType = "semi_managed",
    origins: tuple[str, ...] = ("US",),
    destinations: tuple[str, ...] = ("US",),
    max_weight_grams: int = 10_000,
) -> Route:
    """A line of `transit_min` to `transit_max` working days of transit."""
    return Route(
        name=name,
        carrier="carrier",
        store_type=store_type,
        origin_countries=origins,
        destination_countries=destinations,
        max_weight_grams=max_weight_grams,
        transit_days_min=transit_min,
        transit_days_max=transit_max,
    )


def routes_from_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *routes: dict[str, Any]
) -> None:
    """Point the settings at a route file listing `routes` (R-LOG-6, R-POL-1)."""
    table = tmp_path / "routes.json"
    table.write_text(json.dumps(list(routes)))
    monkeypatch.setenv("LOGISTICS_ROUTES_FILE", str(table))


#: When the mugs are confirmed: a Monday, 09:00 in New York.
CONFIRMED_AT = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)


def mugs_to_new_york(
    store_type: StoreType, *, quantity: int = 1, weight_grams: int = 400
) -> OrderConfirmed:
    """`quantity` mugs of `weight_grams` each, to New York, confirmed at CONFIRMED_AT."""
    mug = a_line(title="Mug", quantity=quantity, unit_price=usd(1_000), weight_grams=weight_grams)
    return an_order_confirmed(
        order_id=f"ord-{uuid.uuid4()}",
        store_type=store_type,
        shipping_address=a_us_address(),
        lines=[mug],
        at=CONFIRMED_AT,
    )


def a_shipment(
    order: OrderConfirmed,
    *,
    handling_days: int | None = None,
    warehouse: Warehouse | None = None,
    shipment_id: str = "shp-1",
    now: datetime = CONFIRMED_AT,
) -> Shipment:
    """The shipment of `order`, planned at `now` (semi-managed: from `warehouse`)."""
    return plan_shipment(
        shipment_id,
        order,
        handling_days,
        warehouse,
        POLICY,
        DEFAULT_ROUTES,
        now,
        calendars=CALENDARS,
    )


# --- The service on fake ports ----------------------------------------------------------

SEMI_STORE = "store-semi"
SEMI_ORDER = "order-semi"
UNROUTABLE_ORDER = "order-za"
#: R-LOG-1: a full-managed order confirmed at T0 is shipped within 3 days.
FULL_SHIP_BY = T0 + timedelta(days=3)
#: R-LOG-2, R-LOG-5: confirmed at T0 (Tuesday 1 December 2026, 09:00 in Madrid) with 1
#: handling day from MADRID: picked up by 15:00 Madrid time on Wednesday 2 December.
SEMI_SHIP_BY = T0.replace(day=2, hour=14)


#: When STORE (full-managed) was approved, as every logistics service on fake ports knows:
#: an order is shipped only for a store logistics knows approved.
STORE_APPROVED_AT = T0 - timedelta(days=30)


async def a_logistics_service() -> WiredLogistics:
    """Logistics on fake ports, its clock fixed at T0, its settings read now, told of
    STORE's approval (full-managed) at STORE_APPROVED_AT; SEMI_STORE's is each test's."""
    ports = FakePorts("logistics", LogisticsSettings(), clock=FixedClock(T0))
    wired: WiredLogistics = await Wired.up(bootstrap, ports)
    await approve(wired, a_store_approved(at=STORE_APPROVED_AT))
    return wired


def a_semi_managed_store(handling_days: int = 1, **overrides: Any) -> StoreApproved:
    """SEMI_STORE's approval: it ships from MADRID in `handling_days`."""
    fields = {
        "store_id": SEMI_STORE,
        "store_type": "semi_managed",
        "warehouse": MADRID,
        "handling_days": handling_days,
    }
    return a_store_approved(**{**fields, **overrides})


def a_semi_managed_order(**overrides: Any) -> OrderConfirmed:
    """An order of SEMI_STORE's."""
    return an_order_confirmed(**{"store_id": SEMI_STORE, "store_type": "semi_managed", **overrides})


def an_order_to_south_africa(**overrides: Any) -> OrderConfirmed:
    """An order to South Africa (ZA), where no default route goes (R-LOG-6)."""
    return an_order_confirmed(shipping_address=an_address(country="ZA"), **overrides)


async def approve(
    wired: WiredLogistics, store: StoreApproved, envelope: Envelope | None = None
) -> Envelope:
    """As review publishes it: the envelope occurs when the store was approved."""
    return await wired.deliver(store, at=store.approved_at, envelope=envelope)


async def with_two_shipments() -> WiredLogistics:
    """A full-managed order (ORDER) and a semi-managed one (SEMI_ORDER, of SEMI_STORE: 1
    handling day from MADRID), both confirmed at T0."""
    wired = await a_logistics_service()
    await approve(wired, a_semi_managed_store(store_id=SEMI_STORE))
    semi = a_semi_managed_order(order_id=SEMI_ORDER, store_id=SEMI_STORE)
    for order in (an_order_confirmed(), semi):
        await wired.deliver(order)
    return wired


async def with_three_shipments() -> WiredLogistics:
    """`with_two_shipments`, and a third order confirmed at T0 that no route accepts
    (UNROUTABLE_ORDER, to South Africa): its shipment is created cancelled (R-LOG-6,
    R-ORD-5 `no_route`)."""
    wired = await with_two_shipments()
    await wired.deliver(an_order_to_south_africa(order_id=UNROUTABLE_ORDER))
    return wired


async def the_shipment(wired: WiredLogistics, order_id: str = ORDER) -> Shipment:
    """The shipment of `order_id`, as an operator sees it."""
    return await wired.services.commands.get_visible(shipment_id_of(order_id), AN_OPERATOR)


# --- R-ORD-5: cancellations -------------------------------------------------------------

#: R-ORD-5 `not_shipped`: not handed over by `ship_by` + SHIP_GRACE_HOURS (72 h).
FULL_CANCEL_AT = FULL_SHIP_BY + timedelta(hours=POLICY.ship_grace_hours)
SEMI_CANCEL_AT = SEMI_SHIP_BY + timedelta(hours=POLICY.ship_grace_hours)
#: A pickup by SF Express.
PICKUP = ShipShipment("SF Express", "SF123456789", "pickup")


def a_compensated_cancellation(
    reason: CancelReason = "buyer_cancelled_late", *, at: datetime = T0, **overrides: Any
) -> OrderCancelled:
    """ORDER (of STORE, full-managed) cancelled once confirmed (R-ORD-5), as orders now
    publishes it: with its store and total."""
    fields: dict[str, Any] = {
        "store_id": STORE,
        "store_type": "full_managed",
        "total": usd(4990),
        "reason": reason,
    }
    return an_order_cancelled(at=at, **{**fields, **overrides})


async def cancel_unshipped(wired: WiredLogistics) -> None:
    """One pass of the unshipped job (R-ORD-5 `not_shipped`)."""
    await wired.run("unshipped-shipments")


async def ship_it(wired: WiredLogistics, order_id: str = ORDER) -> Shipment:
    """Hand the shipment of `order_id` over, by whoever ships it: an operator for a
    full-managed order (R-LOG-1), its merchant for a semi-managed one (R-LOG-4)."""
    shipment_id = shipment_id_of(order_id)
    shipment = await wired.services.commands.get_visible(shipment_id, AN_OPERATOR)
    shipper = AN_OPERATOR if shipment.store_type == "full_managed" else THE_MERCHANT
    assert shipment.merchant_id == MERCHANT
    return await wired.services.commands.ship(shipment_id, shipper, PICKUP)
