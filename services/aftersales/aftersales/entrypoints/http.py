"""The aftersales HTTP API: thin routes over the use cases (CONTRACT.md, aftersales)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from aftersales.bootstrap import AftersalesServices
from aftersales.domain.model import CaseStatus
from aftersales.entrypoints.schemas import (
    CaseCreate,
    CaseList,
    CasePublic,
    CaseResolve,
    MessageCreate,
)
from aftersales.service_layer.commands import OpenCase
from aftersales.service_layer.resolution import ResolveCase
from shared.app import wired
from shared.auth import Buyer, CurrentPrincipal, Operator
from shared.guards import JsonRoute

Services = Annotated[AftersalesServices, Depends(wired)]

cases_router = APIRouter(prefix="/cases", tags=["cases"], route_class=JsonRoute)


@cases_router.post("", status_code=status.HTTP_201_CREATED, response_model=CasePublic)
async def open_case(body: CaseCreate, buyer: Buyer, services: Services) -> CasePublic:
    """R-AS-1: the buyer of the order, within the after-sales window."""
    case = await services.commands.open(
        OpenCase(
            buyer_id=buyer.sub,
            order_id=body.order_id,
            reason=body.reason,
            description=body.description,
            refund_requested=body.refund_requested,
        )
    )
    return CasePublic.of(case)


@cases_router.get("", response_model=CaseList)
async def list_cases(
    principal: CurrentPrincipal,
    services: Services,
    order_id: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    status: CaseStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> CaseList:
    """An order's cases, or (R-AS-3) the cases the caller may see, oldest waiting first:
    `?status=open` is the operators' complaint queue."""
    if order_id is not None:
        cases = await services.commands.of_order(order_id, principal)
        return CaseList(items=[CasePublic.of(case) for case in cases])
    page, next_cursor = await services.queries.waiting(principal, status, limit, cursor)
    return CaseList(items=[CasePublic.of(case) for case in page], next_cursor=next_cursor)


@cases_router.post(
    "/{case_id}/messages", status_code=status.HTTP_201_CREATED, response_model=CasePublic
)
async def post_message(
    case_id: str, body: MessageCreate, principal: CurrentPrincipal, services: Services
) -> CasePublic:
    """R-AS-3: the complaint thread of a case (buyer, merchant owner, operator)."""
    return CasePublic.of(await services.commands.post_message(case_id, principal, body.body))


@cases_router.get("/{case_id}", response_model=CasePublic)
async def get_case(case_id: str, principal: CurrentPrincipal, services: Services) -> CasePublic:
    return CasePublic.of(await services.commands.get_visible(case_id, principal))


@cases_router.post("/{case_id}/resolve", response_model=CasePublic)
async def resolve_case(
    case_id: str, body: CaseResolve, operator: Operator, services: Services
) -> CasePublic:
    """R-AS-2: a refund emits `RefundIssued` with the liable party."""
    case = await services.resolution.resolve(
        ResolveCase(
            case_id=case_id,
            operator_id=operator.sub,
            decision=body.decision,
            refund=body.refund,
            note=body.note,
        )
    )
    return CasePublic.of(case)
