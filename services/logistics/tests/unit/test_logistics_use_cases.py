"""Logistics' read use cases through `bootstrap` on fake ports: who sees a shipment
(`get_visible`, `of_order`, via `shared.auth.Principal`), and the delivery estimate
(R-LOG-1..7). Shipping, delivery and exceptions are in test_use_cases_ship_deliver.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from logistics.domain.parties import NoRoute
from logistics.service_layer.commands import EstimateDelivery, ShipmentCommands
from logistics.service_layer.events import shipment_id_of
from shared.auth import Principal
from shared.errors import NotFound, Unprocessable
from testkit.factories import (
    AN_OPERATOR,
    ANOTHER_BUYER,
    ANOTHER_MERCHANT,
    BUYER,
    MERCHANT,
    ORDER,
    T0,
    THE_BUYER,
    THE_MERCHANT,
)
from testkit.logistics_unit import SEMI_ORDER, the_shipment, with_two_shipments

VISIBLE = [
    pytest.param(THE_MERCHANT, id="its merchant"),
    pytest.param(THE_BUYER, id="its buyer"),
    pytest.param(AN_OPERATOR, id="an operator"),
]
INVISIBLE = [
    pytest.param(ANOTHER_MERCHANT, id="another merchant"),
    pytest.param(ANOTHER_BUYER, id="another buyer"),
    pytest.param(Principal(sub=BUYER, role="merchant"), id="a merchant with the buyer's id"),
    pytest.param(Principal(sub=MERCHANT, role="buyer"), id="a buyer with the merchant's id"),
]


async def the_commands() -> ShipmentCommands:
    """The use cases, with the two shipments of `with_two_shipments`."""
    return (await with_two_shipments()).services.commands


async def estimates_as_the_shipment(order_id: str, query: EstimateDelivery) -> None:
    """The estimate is what the order's shipment got: the same computation."""
    wired = await with_two_shipments()
    shipment = await the_shipment(wired, order_id)
    found = wired.services.commands.estimate(query)
    assert (found.ship_by, found.window, found.route) == (
        shipment.ship_by,
        shipment.estimated_delivery,
        shipment.route,
    )


@pytest.mark.parametrize("principal", VISIBLE)
async def test_a_shipment_is_visible_to_its_merchant_its_buyer_and_operators(
    principal: Principal,
) -> None:
    commands = await the_commands()
    shipment = await commands.get_visible(shipment_id_of(ORDER), principal)
    assert (shipment.id, shipment.order_id) == (shipment_id_of(ORDER), ORDER)
    assert (shipment.merchant_id, shipment.buyer_id) == (MERCHANT, BUYER)


@pytest.mark.parametrize("principal", INVISIBLE)
async def test_another_partys_shipment_is_not_found(principal: Principal) -> None:
    commands = await the_commands()
    with pytest.raises(NotFound):
        await commands.get_visible(shipment_id_of(ORDER), principal)


async def test_an_unknown_shipment_is_not_found_even_for_an_operator() -> None:
    commands = await the_commands()
    with pytest.raises(NotFound):
        await commands.get_visible(shipment_id_of("order-unknown"), AN_OPERATOR)


@pytest.mark.parametrize("principal", VISIBLE)
async def test_an_orders_shipments_are_listed_to_those_who_may_see_them(
    principal: Principal,
) -> None:
    commands = await the_commands()
    shipments = await commands.of_order(SEMI_ORDER, principal)
    assert [(shipment.id, shipment.store_type) for shipment in shipments] == [
        (shipment_id_of(SEMI_ORDER), "semi_managed")
    ]


@pytest.mark.parametrize("principal", INVISIBLE)
async def test_an_orders_shipments_are_absent_for_anyone_else(principal: Principal) -> None:
    commands = await the_commands()
    assert await commands.of_order(ORDER, principal) == []


async def test_an_order_without_a_shipment_lists_none() -> None:
    commands = await the_commands()
    assert await commands.of_order("order-unknown", AN_OPERATOR) == []


async def test_the_estimate_is_what_a_full_managed_shipment_gets() -> None:
    """R-LOG-1, R-LOG-3, R-LOG-7: the same computation as the shipment's."""
    query = EstimateDelivery(store_type="full_managed", country="ES", weight_grams=500, at=T0)
    await estimates_as_the_shipment(ORDER, query)


async def test_the_estimate_is_what_a_semi_managed_shipment_gets() -> None:  # R-LOG-2, R-LOG-5
    query = EstimateDelivery(
        store_type="semi_managed",
        country="ES",
        weight_grams=500,
        at=T0,
        handling_days=1,
        warehouse_country="ES",
        warehouse_timezone="Europe/Madrid",
    )
    await estimates_as_the_shipment(SEMI_ORDER, query)


async def test_the_estimate_without_a_time_counts_from_now() -> None:  # R-LOG-1
    wired = await with_two_shipments()
    wired.clock.advance(timedelta(hours=5))
    found = wired.services.commands.estimate(
        EstimateDelivery(store_type="full_managed", country="ES", weight_grams=500)
    )
    assert found.ship_by == T0 + timedelta(days=3, hours=5)


async def test_no_estimate_where_no_route_goes() -> None:  # R-LOG-6
    commands = await the_commands()
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
    commands = await the_commands()
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
