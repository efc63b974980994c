"""Resolving a case (R-AS-2): exactly one resolution, and refunds never above the total.

Cases and orders are separate documents and only single-document writes are atomic, so
a refund is decided in two versioned steps:

1. **Reserve** the refund in the order's document, in a ledger keyed by case id. The check
   "sum of the order's refunds <= its total" and the write happen in one versioned save,
   so two refunds of one order can never both pass on stale data. Holding the same amount
   for the same case again is a no-op (a retry); another amount for that case is 409.
2. **Resolve** the case with a versioned save; its `RefundIssued` goes into the case's
   outbox in that same write. When two operators race, one save wins; the other reloads,
   finds the case no longer open and gets 409.

A crash between the steps leaves a reservation for a case that is still open. **Decided**:
such a reservation is kept (it may belong to a resolution in flight at this moment, and
dropping it could let refunds exceed the total). Resolving the case again with the same
refund finds its own reservation and completes step 2; rejecting the case releases it; a
refund of another amount gets 409 naming the amount held. A reservation whose case was
rejected (e.g. a crash after the rejection, before the release) can never be issued: it is
swept the next time it would stand in the way of a refund on that order.

R-FEE-1: full-managed stores pay no commission, so there is nothing to claw back: the
refund issued is the whole amount decided, borne by `liable_party`.
"""

from __future__ import annotations

from dataclasses import dataclass

from aftersales.adapters.queries import CaseQueries
from aftersales.domain.errors import Conflict, RefundRefused
from aftersales.domain.facts import OrderFacts, StoreFacts
from aftersales.domain.model import Case, Decision, check_decision
from shared.clock import Clock
from shared.contract.types import Money
from shared.errors import NotFound
from shared.policy import Policy
from shared.repository import AggregateRepository, retry_on_conflict


@dataclass(frozen=True)
class ResolveCase:
    case_id: str
    operator_id: str
    decision: Decision
    refund: Money | None
    note: str


@dataclass
class CaseResolution:
    cases: AggregateRepository[Case]
    queries: CaseQueries
    orders: AggregateRepository[OrderFacts]
    stores: AggregateRepository[StoreFacts]
    clock: Clock
    policy: Policy

    async def resolve(self, command: ResolveCase) -> Case:
        case = await self.cases.get(command.case_id)
        if case is None:
            raise NotFound(f"No after-sales case {command.case_id}.")
        if case.status != "open":
            raise Conflict(f"case {case.id} is already {case.status}; it cannot be resolved again")
        check_decision(command.decision, command.refund, command.note)  # 422, nothing held
        order = None
        if command.refund is not None:
            order = await self._reserve(case, command.refund)  # step 1
        # Step 2 decides first on the case and order just read (and written): a retry after
        # a conflict reads them again.
        fresh = _JustRead(case, order)
        try:
            resolved = await retry_on_conflict(lambda: self._decide(command, fresh))  # step 2
        except Conflict:
            if command.refund is not None:
                await self._release_if_rejected(case)
            raise
        if resolved.status == "rejected":
            await self._release(resolved)
        return resolved

    async def _reserve(self, case: Case, amount: Money) -> OrderFacts:
        """Step 1; the order as it now stands."""

        async def attempt() -> OrderFacts:
            order = await self._order_of(case)
            now = self.clock.now()
            try:
                held_now = order.reserve_refund(case.id, amount, now)
            except Conflict as refused:
                others = [r.case_id for r in order.refund_reservations if r.case_id != case.id]
                stale = await self.queries.rejected_among(others)
                if not stale:
                    raise _naming_what_is_left(refused, order, case) from refused
                for case_id in stale:
                    order.release_refund(case_id)
                try:
                    order.reserve_refund(case.id, amount, now)
                except Conflict as still_refused:
                    raise _naming_what_is_left(still_refused, order, case) from still_refused
                held_now = True
            if held_now:
                await self.orders.save(order, now=now, correlation_id=order.id)
            return order

        return await retry_on_conflict(attempt)

    async def _decide(self, command: ResolveCase, fresh: _JustRead) -> Case:
        case, order = fresh.take()
        case = case or await self.cases.get(command.case_id)
        assert case is not None  # cases are never deleted
        order = order or await self._order_of(case)
        store = await self.stores.get(case.store_id)
        case.resolve(
            command.decision,
            command.refund,
            command.note,
            command.operator_id,
            order,
            store,
            self.clock.now(),
            self.policy,
        )
        await self.cases.save(case, now=self.clock.now(), correlation_id=case.order_id)
        return case

    async def _release_if_rejected(self, case: Case) -> None:
        """The loser of a race released what it held, unless the winner refunded it."""
        current = await self.cases.get(case.id)
        if current is not None and current.status == "rejected":
            await self._release(current)

    async def _release(self, case: Case) -> None:
        async def attempt() -> None:
            order = await self._order_of(case)
            if order.release_refund(case.id):
                await self.orders.save(order, now=self.clock.now(), correlation_id=order.id)

        await retry_on_conflict(attempt)

    async def _order_of(self, case: Case) -> OrderFacts:
        order = await self.orders.get(case.order_id)
        if order is None:  # never: a case is opened only on a known order
            raise Conflict(f"order {case.order_id} of case {case.id} is not known")
        return order


@dataclass
class _JustRead:
    """What `resolve` read (and wrote) before deciding, for the first attempt only."""

    case: Case | None
    order: OrderFacts | None

    def take(self) -> tuple[Case | None, OrderFacts | None]:
        taken = (self.case, self.order)
        self.case = self.order = None
        return taken


def _naming_what_is_left(refused: Conflict, order: OrderFacts, case: Case) -> RefundRefused:
    left = order.refundable_left(excluding_case=case.id)
    return RefundRefused(refused.detail, refundable_left=left)
