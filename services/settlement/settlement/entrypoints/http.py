"""The settlement HTTP API: thin routes over the reports (`service_layer/statements.py`,
`service_layer/refunds.py`), whose results are the response bodies."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response

from settlement.bootstrap import SettlementServices
from settlement.domain.payouts import Payout
from settlement.service_layer.refunds import RefundReport
from settlement.service_layer.statements import (
    Balance,
    OrderEntries,
    Payouts,
    RefundExpense,
    Statement,
)
from shared.app import wired
from shared.auth import CurrentPrincipal, Operator
from shared.guards import JsonRoute

Services = Annotated[SettlementServices, Depends(wired)]
From = Annotated[date, Query(alias="from")]
To = Annotated[date, Query(alias="to")]
CSV = "text/csv"

merchants_router = APIRouter(prefix="/merchants", tags=["merchants"], route_class=JsonRoute)
payouts_router = APIRouter(prefix="/payouts", tags=["payouts"], route_class=JsonRoute)
platform_router = APIRouter(prefix="/platform", tags=["platform"], route_class=JsonRoute)
orders_router = APIRouter(prefix="/orders", tags=["orders"], route_class=JsonRoute)


@merchants_router.get("/{merchant_id}/balance", response_model=Balance)
async def balance(merchant_id: str, principal: CurrentPrincipal, services: Services) -> Balance:
    """R-SET-2..4: held, payable and carried negative, per currency (minor units)."""
    return await services.reports.balance(principal, merchant_id)


@merchants_router.get(
    "/{merchant_id}/statement", response_model=Statement, responses={200: {"content": {CSV: {}}}}
)
async def statement(
    merchant_id: str,
    principal: CurrentPrincipal,
    services: Services,
    start: From,
    end: To,
    accept: Annotated[str, Header(max_length=500)] = "application/json",
) -> Statement | Response:
    """R-SET-5: every line on the merchant's accounts from `from` to `to` (UTC dates,
    inclusive) with its cause; `Accept: text/csv` for accountants."""
    found = await services.reports.statement(principal, merchant_id, start, end)
    if CSV in accept:
        return Response(found.csv(), media_type=f"{CSV}; charset=utf-8")
    return found


@merchants_router.get("/{merchant_id}/refunds", response_model=RefundReport)
async def refunds(
    merchant_id: str, principal: CurrentPrincipal, services: Services, start: From, end: To
) -> RefundReport:
    """R-AS-2, R-ORD-6, R-SET-3: the merchant's refunds from `from` to `to` (UTC dates,
    inclusive) by who bore them, and what each refunded order left it, from the ledger."""
    return await services.refunds.for_merchant(principal, merchant_id, start, end)


@payouts_router.get("", response_model=Payouts)
async def list_payouts(
    principal: CurrentPrincipal,
    services: Services,
    start: From,
    end: To,
    merchant_id: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
) -> Payouts:
    """R-SET-4: payouts whose cycle ended from `from` to `to`; operators see every one's."""
    return await services.reports.payouts_between(principal, merchant_id, start, end)


@payouts_router.get("/{payout_id}", response_model=Payout)
async def get_payout(payout_id: str, principal: CurrentPrincipal, services: Services) -> Payout:
    """One payout with the lines it settles."""
    return await services.reports.payout(principal, payout_id)


@platform_router.get("/refund-expense", response_model=RefundExpense)
async def refund_expense(
    operator: Operator, services: Services, start: From, end: To
) -> RefundExpense:
    """R-AS-2, R-ORD-6: the refunds the platform bore, per currency, from `from` to `to`."""
    return await services.reports.refund_expense(operator, start, end)


@orders_router.get("/{order_id}/ledger", response_model=OrderEntries)
async def order_ledger(
    order_id: str, principal: CurrentPrincipal, services: Services
) -> OrderEntries:
    """R-SET-5: every entry an order's facts posted, with all its lines (its merchant's and
    operators': where a buyer's payment is, what was earned, refunded, released)."""
    return await services.reports.order_entries(principal, order_id)
