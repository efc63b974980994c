"""The orders HTTP API: thin routes over the use cases (CONTRACT.md, orders)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response, status

from orders.bootstrap import OrdersServices
from orders.domain.model import Order
from orders.domain.order_parts import OrderStatus
from orders.entrypoints.schemas import (
    BatchConfirm,
    BatchConfirmResult,
    ConfirmResult,
    MerchantStats,
    OrderCreate,
    OrderPage,
    OrderPublic,
    OrderSummary,
)
from orders.entrypoints.scorecard_schemas import MerchantScorecard
from orders.service_layer.commands import PlaceOrder
from shared.app import wired
from shared.auth import Buyer, CurrentPrincipal, Merchant, require_merchant_self_or_operator
from shared.errors import Unprocessable
from shared.guards import JsonRoute

Services = Annotated[OrdersServices, Depends(wired)]
Limit = Annotated[int, Query(ge=1, le=100)]

orders_router = APIRouter(prefix="/orders", tags=["orders"], route_class=JsonRoute)
merchants_router = APIRouter(prefix="/merchants", tags=["merchants"], route_class=JsonRoute)


def public(order: Order, services: OrdersServices) -> OrderPublic:
    """The order as the API shows it, with its process now (R-ORD-5)."""
    return OrderPublic.of(order, services.processes.of(order))


@orders_router.post("", status_code=status.HTTP_201_CREATED, response_model=OrderPublic)
async def place_order(
    body: OrderCreate,
    buyer: Buyer,
    services: Services,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> OrderPublic:
    order, created = await services.commands.place(
        PlaceOrder(
            buyer_id=buyer.sub,
            items=[(item.product_id, item.quantity) for item in body.items],
            address=body.shipping_address,
            idempotency_key=idempotency_key,
        )
    )
    if not created:
        response.headers["Idempotent-Replayed"] = "true"
    return public(order, services)


@orders_router.get("", response_model=OrderPage)
async def list_orders(
    principal: CurrentPrincipal,
    services: Services,
    status: OrderStatus | None = None,
    stuck: bool = False,
    limit: Limit = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> OrderPage:
    """Newest first; `stuck=true`: the operators' orders waiting past a deadline, the
    oldest deadline first (R-ORD-5)."""
    now = services.commands.clock.now()
    if stuck:
        if status:
            raise Unprocessable("`stuck=true` lists orders of every status; leave out `status`.")
        found, next_cursor = await services.processes.stuck(principal, limit, cursor)
        items = [OrderSummary.of(order, now, process) for order, process in found]
        return OrderPage(items=items, next_cursor=next_cursor)
    orders, next_cursor = await services.queries.page(principal, status, limit, cursor)
    items = [OrderSummary.of(order, now, services.processes.of(order, now)) for order in orders]
    return OrderPage(items=items, next_cursor=next_cursor)


@orders_router.post("/confirm", response_model=BatchConfirmResult)
async def confirm_orders(
    body: BatchConfirm, merchant: Merchant, services: Services
) -> BatchConfirmResult:
    """R-ORD-2: confirm several orders at once; each is confirmed or refused on its own."""
    outcomes = await services.commands.confirm_many(body.order_ids, merchant)
    return BatchConfirmResult(
        results=[
            ConfirmResult(
                order_id=o.order_id,
                outcome="confirmed" if o.confirmed else "refused",
                reason=o.reason,
                detail=o.detail,
                status=o.order.status if o.order else None,
            )
            for o in outcomes
        ]
    )


@orders_router.get("/{order_id}", response_model=OrderPublic)
async def get_order(order_id: str, principal: CurrentPrincipal, services: Services) -> OrderPublic:
    return public(await services.commands.get_visible(order_id, principal), services)


@orders_router.post("/{order_id}/confirm", response_model=OrderPublic)
async def confirm_order(order_id: str, merchant: Merchant, services: Services) -> OrderPublic:
    return public(await services.commands.confirm(order_id, merchant), services)


@orders_router.post("/{order_id}/cancel", response_model=OrderPublic)
async def cancel_order(order_id: str, buyer: Buyer, services: Services) -> OrderPublic:
    return public(await services.commands.cancel(order_id, buyer), services)


@merchants_router.get("/{merchant_id}/stats", response_model=MerchantStats)
async def merchant_stats(
    merchant_id: str, principal: CurrentPrincipal, services: Services
) -> MerchantStats:
    require_merchant_self_or_operator(principal, merchant_id)
    total, on_time, timed_out = await services.queries.merchant_counts(merchant_id)
    decided = on_time + timed_out
    median = await services.queries.median_confirm_seconds(merchant_id, on_time)
    return MerchantStats(
        merchant_id=merchant_id,
        orders_total=total,
        confirmed_on_time=on_time,
        timed_out=timed_out,
        on_time_rate=on_time / decided if decided else None,
        median_confirm_seconds=median,
    )


@merchants_router.get("/{merchant_id}/scorecard", response_model=MerchantScorecard)
async def merchant_scorecard(
    merchant_id: str,
    principal: CurrentPrincipal,
    services: Services,
    from_date: Annotated[date | None, Query(alias="from")] = None,
    to_date: Annotated[date | None, Query(alias="to")] = None,
) -> MerchantScorecard:
    """R-SC-1: each of the merchant's stores' figures over the days from `from` to `to`
    (both included, UTC; by default this month so far), and its warnings."""
    card = await services.scorecards.card(principal, merchant_id, from_date, to_date)
    return MerchantScorecard.of(card)
