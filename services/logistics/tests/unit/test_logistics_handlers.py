"""Logistics' `OrderConfirmed` handler, through `bootstrap` on fake ports: every confirmed
order gets one shipment, with its deadline and route (`ShipmentCreated`), or already
cancelled when no route accepts it (R-ORD-4, R-ORD-5, R-LOG-1..7); none for an order of a
store logistics has not seen approved, or naming another merchant or type. Store approvals are in
test_store_replica.py, the lateness job in test_late_shipments.py, the `OrderCancelled`
handler and the unshipped job in test_cancellations.py."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from logistics.domain.model import Shipment
from logistics.service_layer.events import StoreFactsUnknown, shipment_id_of
from shared.contract import Envelope, record_event
from shared.contract.events import (
    DeliveryWindow,
    OrderConfirmed,
    ShipmentCancelled,
    ShipmentCreated,
    ShipmentException,
)
from shared.errors import Implausible
from testkit.factories import (
    AN_OPERATOR,
    ORDER,
    STORE_FORGERIES,
    T0,
    a_line,
    a_store_approved,
    a_warehouse,
    an_order_confirmed,
)
from testkit.logistics_unit import (
    SEMI_SHIP_BY,
    SEMI_STORE,
    WiredLogistics,
    a_logistics_service,
    a_semi_managed_order,
    a_semi_managed_store,
    an_order_to_south_africa,
    approve,
    routes_from_a_file,
    the_shipment,
)


async def confirm(
    app: WiredLogistics, order: OrderConfirmed, envelope: Envelope | None = None
) -> Envelope:
    """As orders publishes it: the envelope occurs when the order was confirmed."""
    return await app.deliver(order, at=order.confirmed_at, envelope=envelope)


async def shipments(app: WiredLogistics, order_id: str = ORDER) -> list[Shipment]:
    return await app.services.commands.of_order(order_id, AN_OPERATOR)


async def test_a_full_managed_order_gets_a_shipment_due_three_days_later() -> None:
    """R-LOG-1: shipped within 3 calendar days; R-LOG-7: the express line for a light
    parcel; R-LOG-3: 3-7 working days of transit in Spain, 8 December a holiday."""
    app = await a_logistics_service()
    await confirm(app, an_order_confirmed())
    [shipment] = await shipments(app)
    assert shipment.id == shipment_id_of(ORDER)
    assert (shipment.status, shipment.store_type, shipment.route) == (
        "awaiting_shipment",
        "full_managed",
        "full-cn-express",
    )
    assert shipment.ship_by == T0 + timedelta(days=3)
    assert shipment.self_drop_by is None
    assert shipment.estimated_delivery == DeliveryWindow(
        earliest=date(2026, 12, 10), latest=date(2026, 12, 16)
    )
    assert (shipment.destination_country, shipment.weight_grams) == ("ES", 500)
    assert app.ports.published_of(ShipmentCreated) == [
        ShipmentCreated(
            order_id=ORDER,
            shipment_id=shipment.id,
            store_id=shipment.store_id,
            merchant_id=shipment.merchant_id,
            store_type="full_managed",
            route="full-cn-express",
            ship_by=T0 + timedelta(days=3),
            estimated_delivery=DeliveryWindow(
                earliest=date(2026, 12, 10), latest=date(2026, 12, 16)
            ),
            created_at=T0,
        )
    ]
    [published] = app.ports.published
    assert (published.producer, published.correlation_id) == ("logistics", ORDER)


async def test_a_heavy_full_managed_parcel_takes_the_standard_route() -> None:  # R-LOG-7
    app = await a_logistics_service()
    await confirm(app, an_order_confirmed(lines=[a_line(weight_grams=2_500, quantity=2)]))
    shipment = await the_shipment(app)
    assert (shipment.route, shipment.weight_grams) == ("full-cn-standard", 5_000)
    assert shipment.ship_by == T0 + timedelta(days=3)


@pytest.mark.parametrize(
    ("handling_days", "ship_by", "window"),
    [
        (1, SEMI_SHIP_BY, (date(2026, 12, 4), date(2026, 12, 10))),
        (2, SEMI_SHIP_BY + timedelta(days=1), (date(2026, 12, 7), date(2026, 12, 11))),
    ],
)
async def test_a_semi_managed_order_ships_within_the_store_handling_days(
    handling_days: int, ship_by: datetime, window: tuple[date, date]
) -> None:
    """R-LOG-2: `handling_days` working days after day 0, at the 15:00 pickup cut-off in
    the warehouse (R-LOG-5); then 2-5 working days of EU transit (R-LOG-3)."""
    app = await a_logistics_service()
    await approve(app, a_semi_managed_store(handling_days))
    await confirm(app, a_semi_managed_order())
    shipment = await the_shipment(app)
    assert (shipment.status, shipment.route) == ("awaiting_shipment", "semi-eu-ground")
    assert shipment.ship_by == ship_by
    assert shipment.estimated_delivery == DeliveryWindow(earliest=window[0], latest=window[1])
    # R-LOG-5: or dropped off at the carrier within 48 hours of the confirmation.
    assert shipment.self_drop_by == T0 + timedelta(hours=48)


async def test_a_confirmation_after_the_pickup_cut_off_counts_from_the_next_day() -> None:
    """R-LOG-5: after 15:00 in the warehouse, day 0 is the next working day."""
    app = await a_logistics_service()
    await approve(app, a_semi_managed_store())
    await confirm(app, a_semi_managed_order(at=T0.replace(hour=14, minute=30)))  # 15:30 Madrid
    assert (await the_shipment(app)).ship_by == SEMI_SHIP_BY + timedelta(days=1)


async def test_a_redelivered_confirmation_creates_no_second_shipment() -> None:  # R-ORD-4
    app = await a_logistics_service()
    envelope = await confirm(app, an_order_confirmed())
    await confirm(app, an_order_confirmed(), envelope=envelope)
    [shipment] = await shipments(app)
    assert shipment.version == 1
    assert [event.order_id for event in app.ports.published_of(ShipmentCreated)] == [ORDER]
    assert len(app.ports.published) == 1


@pytest.mark.parametrize(
    "order",
    [
        pytest.param(an_order_to_south_africa(), id="destination no route serves"),
        pytest.param(
            an_order_confirmed(lines=[a_line(weight_grams=25_000)]),
            id="heavier than every route accepts",
        ),
    ],
)
async def test_a_parcel_no_route_accepts_gets_a_cancelled_shipment(
    order: OrderConfirmed,
) -> None:
    """R-LOG-6, R-ORD-4, R-ORD-5: the shipment exists, already cancelled (`no_route`), and
    `ShipmentCancelled` tells orders to cancel and refund the order; no `ShipmentCreated`,
    no `ShipmentException`."""
    app = await a_logistics_service()
    envelope = await confirm(app, order)
    shipment = await the_shipment(app)
    assert (shipment.status, shipment.cancel_reason, shipment.cancelled_at) == (
        "cancelled",
        "no_route",
        T0,
    )
    assert shipment.exception_kind is None
    assert (shipment.route, shipment.ship_by, shipment.estimated_delivery) == (None, None, None)
    note = f"no route accepts {order.items[0].weight_grams} g to {shipment.destination_country}"
    assert shipment.cancel_note == note
    assert app.ports.published_of(ShipmentCancelled) == [
        ShipmentCancelled(
            order_id=ORDER, shipment_id=shipment.id, reason="no_route", note=note, cancelled_at=T0
        )
    ]
    [published] = app.ports.published
    assert (published.producer, published.correlation_id) == ("logistics", ORDER)
    assert published.causation_id == str(envelope.event_id)


async def test_a_redelivered_unroutable_confirmation_cancels_once() -> None:
    """R-LOG-6, R-ORD-5: one shipment and one `ShipmentCancelled` however often it comes."""
    app = await a_logistics_service()
    order = an_order_to_south_africa()
    envelope = await confirm(app, order)
    await confirm(app, order, envelope=envelope)
    assert len(await shipments(app)) == 1
    assert len(app.ports.published_of(ShipmentCancelled)) == 1
    assert len(app.ports.published) == 1


@pytest.mark.parametrize(
    ("store", "note"),
    [
        pytest.param(
            {"warehouse": a_warehouse(), "handling_days": 1},
            "no route accepts 500 g to ES",
            id="R-LOG-6 warehouse in CN, buyer in ES",
        ),
        pytest.param(
            {"handling_days": 1},
            "the store's warehouse or handling time is unknown",
            id="R-LOG-2 store approved without a warehouse",
        ),
    ],
)
async def test_a_semi_managed_parcel_without_a_route_from_its_warehouse_is_cancelled(
    store: dict[str, Any], note: str
) -> None:  # R-ORD-5 `no_route`
    app = await a_logistics_service()
    await approve(app, a_store_approved(store_id=SEMI_STORE, store_type="semi_managed", **store))
    await confirm(app, a_semi_managed_order())
    shipment = await the_shipment(app)
    assert (shipment.status, shipment.cancel_reason, shipment.cancel_note) == (
        "cancelled",
        "no_route",
        note,
    )
    assert [event.reason for event in app.ports.published_of(ShipmentCancelled)] == ["no_route"]
    assert app.ports.published_of(ShipmentException) == []


async def test_a_semi_managed_order_before_its_store_approval_waits_for_it() -> None:
    """R-LOG-2, out of order: refused (the consumer retries it) until the store's facts
    arrive; the same message then creates the shipment."""
    app = await a_logistics_service()
    order = a_semi_managed_order()
    envelope = record_event(order, producer="orders", correlation_id=ORDER, occurred_at=T0)
    with pytest.raises(StoreFactsUnknown):
        await confirm(app, order, envelope=envelope)
    assert (await shipments(app), app.ports.published) == ([], [])
    await approve(app, a_semi_managed_store())
    await confirm(app, order, envelope=envelope)
    assert (await the_shipment(app)).ship_by == SEMI_SHIP_BY


@pytest.mark.parametrize("new_handling_days", [2, 3], ids=["still valid", "now refused"])
async def test_a_redelivery_after_the_store_changed_keeps_the_first_shipment(
    new_handling_days: int,
) -> None:
    app = await a_logistics_service()
    await approve(app, a_semi_managed_store())
    envelope = await confirm(app, a_semi_managed_order())
    app.clock.set(T0 + timedelta(hours=1))
    await approve(app, a_semi_managed_store(new_handling_days, at=T0 + timedelta(hours=1)))
    await confirm(app, a_semi_managed_order(), envelope=envelope)
    [shipment] = await shipments(app)
    assert (shipment.version, shipment.ship_by) == (1, SEMI_SHIP_BY)


async def test_handling_days_outside_the_policy_raise_and_create_no_shipment() -> None:
    """R-LOG-2: a store approved with a handling time the policy does not offer; the
    handler raises (the consumer retries, then parks the message) rather than guess."""
    app = await a_logistics_service()
    await approve(app, a_semi_managed_store(3))
    with pytest.raises(ValueError, match="handling_days must be one of"):
        await confirm(app, a_semi_managed_order())
    assert (await shipments(app), app.ports.published) == ([], [])


async def test_the_route_table_comes_from_the_settings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # R-LOG-6
    route = {
        "name": "full-cn-za",
        "carrier": "cainiao-za",
        "store_type": "full_managed",
        "origin_countries": ["CN"],
        "destination_countries": ["ZA"],
        "max_weight_grams": 5_000,
        "transit_days_min": 5,
        "transit_days_max": 10,
    }
    routes_from_a_file(tmp_path, monkeypatch, route)
    app = await a_logistics_service()
    await confirm(app, an_order_to_south_africa())
    await confirm(app, an_order_confirmed(order_id="order-es"))
    shipment = await the_shipment(app)
    assert (shipment.status, shipment.route) == ("awaiting_shipment", "full-cn-za")
    # The file replaces the defaults: Spain, served by default, now has no route.
    assert (await the_shipment(app, "order-es")).cancel_reason == "no_route"


async def test_an_order_of_a_store_never_seen_approved_waits_and_ships_nothing() -> None:
    """An order is placed only in an approved store, whose approval logistics hears of
    first: a full-managed order of a store it never heard of is retried (then parked),
    and no shipment is planned until the store's approval has come."""
    app = await a_logistics_service()
    order = an_order_confirmed(store_id="store-unknown")
    envelope = record_event(order, producer="orders", correlation_id=ORDER, occurred_at=T0)
    with pytest.raises(StoreFactsUnknown, match="store-unknown is not approved here yet"):
        await confirm(app, order, envelope=envelope)
    assert (await shipments(app), app.ports.published) == ([], [])
    await approve(app, a_store_approved(store_id="store-unknown"))
    await confirm(app, order, envelope=envelope)  # the consumer's retry
    assert [shipment.status for shipment in await shipments(app)] == ["awaiting_shipment"]


@pytest.mark.parametrize("forged", STORE_FORGERIES.values(), ids=STORE_FORGERIES)
async def test_an_order_naming_another_merchant_or_type_than_its_store_ships_nothing(
    forged: dict[str, Any],
) -> None:
    app = await a_logistics_service()
    with pytest.raises(Implausible, match="the store was approved as full_managed"):
        await confirm(app, an_order_confirmed(**forged))
    assert (await shipments(app), app.ports.published) == ([], [])
