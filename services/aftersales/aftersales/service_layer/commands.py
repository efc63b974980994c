"""The aftersales use cases behind the HTTP API: open a case, see cases (CONTRACT.md).

Aftersales never calls another service at request time: it decides from its own replica
of orders and stores (`service_layer.events`), so a case opens even while orders is down.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from aftersales.adapters.queries import CaseQueries
from aftersales.domain.facts import OrderFacts
from aftersales.domain.model import Case
from aftersales.domain.rules import Reason, check_room_for_a_case
from shared.auth import Principal
from shared.categories import CategoryList
from shared.clock import Clock
from shared.contract.types import Money
from shared.errors import NotFound
from shared.policy import Policy
from shared.repository import AggregateRepository, AlreadyExists, retry_on_conflict

#: Namespace of case ids: an order's n-th case has one id (`nth_case_id`).
CASE_NAMESPACE = uuid.UUID("3f0e9a52-6c1d-4b8e-a7f3-2d95c4e18b60")


def nth_case_id(order_id: str, number: int) -> str:
    """The id of an order's `number`-th case (from 1): of two cases opened at once as the
    same number, one is stored and the other counts again (`CaseCommands.open`), so an
    order never gets past its most cases (`check_room_for_a_case`)."""
    return str(uuid.uuid5(CASE_NAMESPACE, json.dumps([order_id, number])))


@dataclass(frozen=True)
class OpenCase:
    buyer_id: str
    order_id: str
    reason: Reason
    description: str
    refund_requested: Money


@dataclass
class CaseCommands:
    cases: AggregateRepository[Case]
    queries: CaseQueries
    orders: AggregateRepository[OrderFacts]
    clock: Clock
    policy: Policy
    #: R-REV-11, R-AS-1: each category's after-sales window.
    categories: CategoryList

    async def open(self, command: OpenCase) -> Case:
        """R-AS-1: the buyer of a delivered (or overdue) order opens a case in its window.

        An order aftersales has not heard of, or another buyer's, is 404: the caller
        cannot tell the two apart. Outside the window: OutsideWindow (422, rule and
        dates); a refund requested above the total: Invalid (422); an order with its most
        cases: Conflict (409). Nothing is stored then.
        """
        order = await self.orders.get(command.order_id)
        if order is None or not order.known or order.buyer_id != command.buyer_id:
            raise NotFound(
                f"No order {command.order_id} of yours is known to after-sales; check the "
                "order id (a just-placed order may take a moment to arrive)."
            )
        for _ in range(self.policy.aftersales_max_cases_per_order):
            try:
                return await self._open_next(order, command)
            except AlreadyExists:
                continue  # another case took its number just now: count again
        return await self._open_next(order, command)

    async def _open_next(self, order: OrderFacts, command: OpenCase) -> Case:
        """The order's next case, if it has room for one (`check_room_for_a_case`)."""
        most = self.policy.aftersales_max_cases_per_order
        earlier = await self.queries.count_of_order(order.id, most)
        check_room_for_a_case(order.id, earlier, self.policy)
        now = self.clock.now()
        case = Case.open(
            nth_case_id(order.id, earlier + 1),
            order,
            command.reason,
            command.description,
            command.refund_requested,
            now,
            self.categories,
        )
        await self.cases.add(case, now=now, correlation_id=order.id)
        return case

    async def get_visible(self, case_id: str, principal: Principal) -> Case:
        """The case if the caller is its buyer, its merchant or an operator; else 404."""
        return principal.sees(
            await self.cases.get(case_id), f"No after-sales case {case_id} for you."
        )

    async def post_message(self, case_id: str, principal: Principal, body: str) -> Case:
        """R-AS-3: the buyer, the merchant owner or an operator writes on the case."""

        async def attempt() -> Case:
            case = await self.get_visible(case_id, principal)
            case.add_message(principal.role, principal.sub, body, self.clock.now(), self.policy)
            await self.cases.save(case, now=self.clock.now(), correlation_id=case.order_id)
            return case

        return await retry_on_conflict(attempt)

    async def of_order(self, order_id: str, principal: Principal) -> list[Case]:
        """Every case of an order the caller is a party to (or any, for an operator)."""
        order = await self.orders.get(order_id)
        if (
            order is None
            or not order.known
            or not principal.may_see(merchant_id=order.merchant_id, buyer_id=order.buyer_id)
        ):
            raise NotFound(f"No order {order_id} for you.")
        return await self.queries.of_order(order_id)
