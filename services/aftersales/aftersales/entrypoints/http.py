"""The aftersales HTTP API: thin routes over the use cases (CONTRACT.md, aftersales)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from aftersales.bootstrap import AftersalesServices
from aftersales.entrypoints.schemas import CaseCreate, CaseList, CasePublic, CaseResolve
from aftersales.service_layer.commands import OpenCase
from aftersales.service_layer.resolution import ResolveCase
from shared.auth import Buyer, CurrentPrincipal, Operator


def _services(request: Request) -> AftersalesServices:
    services: AftersalesServices = request.app.state.services
    return services


Services = Annotated[AftersalesServices, Depends(_services)]

cases_router = APIRouter(prefix="/cases", tags=["cases"])


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
    order_id: Annotated[str, Query(min_length=1, max_length=100)],
) -> CaseList:
    cases = await services.commands.of_order(order_id, principal)
    return CaseList(items=[CasePublic.of(case) for case in cases])


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
