"""Logistics' read use cases through `bootstrap` on fake ports: who sees a shipment
(`get_visible`, `of_order`, via `shared.auth.Principal`), and the delivery estimate
(R-LOG-1..7). Shipping, delivery and exceptions are in test_use_cases_ship_deliver.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from logistics.bootstrap import LogisticsServices, bootstrap
from logistics.domain.parties import NoRoute
from logistics.service_layer.commands import EstimateDelivery, ShipmentCommands
from logistics.service_layer.events import shipment_id_of
from logistics.settings import LogisticsSettings
from shared.auth import Principal
from shared.clock import FixedClock
from shared.errors import NotFound, Unprocessable
from shared.testing import FakePorts
from testkit.factories import (
    BUYER,
    MERCHANT,
    ORDER,
    T0,
    a_store_approved,
    a_warehouse,
    an_order_confirmed,
)

OPERATOR = Principal(sub="operator-1", role="operator")
OWNER = Principal(sub=MERCHANT, role="merchant")
THE_BUYER = Principal(sub=BUYER, role="buyer")
MADRID = a_warehouse(country="ES", city="Madrid", timezone="Europe/Madrid")
SEMI_ORDER = "order-semi"

VISIBLE = [
    pytest.param(OWNER, id="its merchant"),
    pytest.param(THE_BUYER, id="its buyer"),
    pytest.param(OPERATOR, id="an operator"),
]
INVISIBLE = [
    pytest.param(Principal(sub="merchant-2", role="merchant"), id="another merchant"),
    pytest.param(Principal(sub="buyer-2", role="buyer"), id="another buyer"),
    pytest.param(Principal(sub=BUYER, role="merchant"), id="a merchant with the buyer's id"),
    pytest.param(Principal(sub=MERCHANT, role="buyer"), id="a buyer with the merchant's id"),
]


async def logistics() -> tuple[ShipmentCommands, FixedClock]:
    """A full-managed order (ORDER) and a semi-managed one (SEMI_ORDER), confirmed at T0."""
    clock = FixedClock(T0)
    ports = FakePorts("logistics", LogisticsSettings(), clock=clock)
    wiring = await bootstrap(ports)
    store = a_store_approved(
        store_id="store-semi", store_type="semi_managed", warehouse=MADRID, handling_days=1
    )
    await ports.deliver(wiring, store, producer="review")
    semi = an_order_confirmed(order_id=SEMI_ORDER, store_id="store-semi", store_type="semi_managed")
    for order in (an_order_confirmed(), semi):
        await ports.deliver(wiring, order, producer="orders")
    services: LogisticsServices = wiring.services
    return services.commands, clock


@pytest.mark.parametrize("principal", VISIBLE)
async def test_a_shipment_is_visible_to_its_merchant_its_buyer_and_operators(
    principal: Principal,
) -> None:
    commands, _ = await logistics()
    shipment = await commands.get_visible(shipment_id_of(ORDER), principal)
    assert (shipment.id, shipment.order_id) == (shipment_id_of(ORDER), ORDER)
    assert (shipment.merchant_id, shipment.buyer_id) == (MERCHANT, BUYER)


@pytest.mark.parametrize("principal", INVISIBLE)
async def test_another_partys_shipment_is_not_found(principal: Principal) -> None:
    commands, _ = await logistics()
    with pytest.raises(NotFound):
        await commands.get_visible(shipment_id_of(ORDER), principal)


async def test_an_unknown_shipment_is_not_found_even_for_an_operator() -> None:
    commands, _ = await logistics()
    with pytest.raises(NotFound):
        await commands.get_visible(shipment_id_of("order-unknown"), OPERATOR)


@pytest.mark.parametrize("principal", VISIBLE)
async def test_an_orders_shipments_are_listed_to_those_who_may_see_them(
    principal: Principal,
) -> None:
    commands, _ = await logistics()
    shipments = await commands.of_order(SEMI_ORDER, principal)
    assert [(shipment.id, shipment.store_type) for shipment in shipments] == [
        (shipment_id_of(SEMI_ORDER), "semi_managed")
    ]


@pytest.mark.parametrize("principal", INVISIBLE)
async def test_an_orders_shipments_are_absent_for_anyone_else(principal: Principal) -> None:
    commands, _ = await logistics()
    assert await commands.of_order(ORDER, principal) == []


async def test_an_order_without_a_shipment_lists_none() -> None:
    commands, _ = await logistics()
    assert await commands.of_order("order-unknown", OPERATOR) == []


async def test_the_estimate_is_what_a_full_managed_shipment_gets() -> None:
    """R-LOG-1, R-LOG-3, R-LOG-7: the same computation as the shipment's."""
    commands, _ = await logistics()
    shipment = await commands.get_visible(shipment_id_of(ORDER), OPERATOR)
    found = commands.estimate(
        EstimateDelivery(store_type="full_managed", country="ES", weight_grams=500, at=T0)
    )
    assert (found.ship_by, found.window, found.route) == (
        shipment.ship_by,
        shipment.estimated_delivery,
        shipment.route,
    )


async def test_the_estimate_is_what_a_semi_managed_shipment_gets() -> None:  # R-LOG-2, R-LOG-5
    commands, _ = await logistics()
    shipment = await commands.get_visible(shipment_id_of(SEMI_ORDER), OPERATOR)
    query = EstimateDelivery(
        store_type="semi_managed",
        country="ES",
        weight_grams=500,
        at=T0,
        handling_days=1,
        warehouse_country="ES",
        warehouse_timezone="Europe/Madrid",
    )
    found = commands.estimate(query)
    assert (found.ship_by, found.window, found.route) == (
        shipment.ship_by,
        shipment.estimated_delivery,
        shipment.route,
    )


async def test_the_estimate_without_a_time_counts_from_now() -> None:  # R-LOG-1
    commands, clock = await logistics()
    clock.advance(timedelta(hours=5))
    found = commands.estimate(
        EstimateDelivery(store_type="full_managed", country="ES", weight_grams=500)
    )
    assert found.ship_by == T0 + timedelta(days=3, hours=5)


async def test_no_estimate_where_no_route_goes() -> None:  # R-LOG-6
    commands, _ = await logistics()
    with pytest.raises(NoRoute, match="No full_managed route accepts 500 g to ZA"):
        commands.estimate(
            EstimateDelivery(store_type="full_managed", country="ZA", weight_grams=500)
        )


@pytest.mark.parametrize(
    ("country", "timezone", "handling_days"),
    [
        pytest.param(None, None, 1, id="semi-managed without its warehouse"),
        pytest.param("ES", "Mars/Olympus", 1, id="an unknown timezone"),
        pytest.param("ES", "Europe/Madrid", 3, id="R-LOG-2 handling days not offered"),
    ],
)
async def test_an_estimate_that_cannot_be_computed_is_unprocessable(
    country: str | None, timezone: str | None, handling_days: int
) -> None:
    commands, _ = await logistics()
    query = EstimateDelivery(
        store_type="semi_managed",
        country="ES",
        weight_grams=500,
        handling_days=handling_days,
        warehouse_country=country,
        warehouse_timezone=timezone,
    )
    with pytest.raises(Unprocessable, match="Cannot estimate"):
        commands.estimate(query)
