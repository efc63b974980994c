"""The use cases of an order's visible process (R-ORD-5): where an order stands, and the
operators' list of orders waiting past a deadline (`orders.domain.process`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from orders.adapters.queries import OrderQueries
from orders.domain.model import Order
from orders.domain.process import Process, ProcessTerms, process_of
from shared.auth import Principal
from shared.clock import Clock
from shared.errors import Forbidden


@dataclass
class OrderProcesses:
    queries: OrderQueries
    clock: Clock
    terms: ProcessTerms

    def of(self, order: Order, now: datetime | None = None) -> Process:
        """Where `order` stands now (or at `now`)."""
        return process_of(order, self.terms, now or self.clock.now())

    async def stuck(
        self, principal: Principal, limit: int, cursor: str | None
    ) -> tuple[list[tuple[Order, Process]], str | None]:
        """Orders waiting on an obligation past its deadline, the oldest deadline first,
        each with its process: an operators' list (others: 403, as a role the call is not
        for; their own orders show their process in `GET /orders/{id}` and the lists)."""
        if not principal.is_operator:
            raise Forbidden(
                "Only operators list stuck orders; see your orders' `process` in "
                "GET /orders/{id} or GET /orders."
            )
        now = self.clock.now()
        orders, next_cursor = await self.queries.stuck(now, limit, cursor)
        return [(order, self.of(order, now)) for order in orders], next_cursor
