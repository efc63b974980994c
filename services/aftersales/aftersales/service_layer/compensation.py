"""Refunding a cancelled order (R-ORD-5, R-ORD-6): the whole order, exactly once, and
never above its total.

An order cancelled because it cannot or does not ship (`OrderCancelled` with a reason of
the contract's `COMPENSATED`: `no_route`, `not_shipped`, `buyer_cancelled_late`) refunds
its buyer the order's total less what after-sales cases already hold on it, borne as
R-ORD-6 says (`domain/compensation.py`). The order's refund ledger and the refund are
separate documents and only single-document writes are atomic, so, like a case's
resolution (`resolution.py`), the refund is decided in two versioned steps:

1. **Reserve** what is left of the total in the order's document, in its ledger under
   `cancellation:<order_id>` (`cancellation_key`). The sum and the write are one versioned
   save, so a case refund racing it can never take the refunds above the total: whichever
   saves second sees the other's hold. Already held under that key: that amount again,
   nothing written (a redelivery, or the retry after a crash).
2. **Issue** it: add a new `Compensation` (its id is the order id, in `compensations`)
   whose `RefundIssued(case_id=None, reason=<the cancellation's>)` goes into its outbox
   in that same insert. An insert of an id already stored is `AlreadyExists`: the refund
   was issued before; done.

So a redelivered `OrderCancelled`, two consumers taking it at once, or a second
cancellation of the same order, all find the one reservation and the one compensation: the
buyer is refunded once. A crash between the steps leaves the reservation; the consumer
delivers the event again (it was never acknowledged), which finds the reservation (the same
amount: a no-op) and completes step 2 with it.

**Decided**:
- The amount is decided once, at step 1, and never recomputed: the hold stops any case
  from refunding what the cancellation took, and a refund issued cannot be taken back.
- What cases hold counts against the cancellation: refunded cases', and an open case's
  held by a resolution in flight or cut short (`resolution.py` keeps those). A rejected
  case's leftover hold is swept first, as it can never be issued. An open case whose hold
  the cancellation left in place is completed by resolving it again with that refund; if
  an operator rejects it instead, its amount is released and not refunded by this.
- Nothing left (cases already refunded the whole total): no compensation, no event.
- R-ORD-6 needs the store type, from the event, else the order's replica; while neither
  is known this raises `Conflict` before anything is held, so the consumer retries later.
- The amount is what the order's own events (`OrderCreated`, `OrderConfirmed`) told of
  its total, never the cancellation's: until its confirmation has come the refund waits
  (`NotYetKnown`), and a cancellation naming another total is refused (`Implausible`),
  nothing held (`domain/compensation.refuse_uncompensable`).
- A case opened on a cancelled order is refused (R-AS-1, `rules.claim_window`), and a
  case opened before it (goods reported lost before shipping) refunds at most what the
  cancellation left (`RefundRefused` naming it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aftersales.adapters.queries import CaseQueries
from aftersales.domain.compensation import (
    Compensation,
    is_compensated,
    refuse_uncompensable,
    store_type_of,
)
from aftersales.domain.errors import Conflict
from aftersales.domain.facts import OrderFacts
from aftersales.domain.refunds import cancellation_key, money_text
from shared.clock import Clock
from shared.contract import Envelope
from shared.contract.events import OrderCancelled
from shared.contract.types import Money
from shared.repository import AggregateRepository, AlreadyExists, retry_on_conflict

log = logging.getLogger("aftersales.compensation")


@dataclass
class CancellationRefunds:
    compensations: AggregateRepository[Compensation]
    orders: AggregateRepository[OrderFacts]
    queries: CaseQueries
    clock: Clock

    async def refund(self, envelope: Envelope, event: OrderCancelled) -> Compensation | None:
        """R-ORD-5: refund the buyer of an order cancelled for a reason of `COMPENSATED` the
        whole order, once. The compensation (the one stored before, on a redelivery); None
        for a cancellation before confirmation, or when nothing is left to refund."""
        reason = event.reason
        if not is_compensated(reason):
            return None
        held = await retry_on_conflict(lambda: self._reserve(envelope, event))  # step 1
        if held is None:
            log.info("cancelled order %s has nothing left to refund", event.order_id)
            return None
        order, amount = held
        now = self.clock.now()
        compensation = Compensation.issue(event, reason, order, amount, now)
        try:  # step 2
            await self.compensations.add(
                compensation, now=now, correlation_id=order.id, causation_id=str(envelope.event_id)
            )
        except AlreadyExists:
            return await self.compensations.get(order.id)  # issued before: done
        log.info(
            "refunded cancelled order %s (%s): %s borne by the %s",
            order.id,
            reason,
            money_text(amount),
            compensation.liable_party,
        )
        return compensation

    async def _reserve(
        self, envelope: Envelope, event: OrderCancelled
    ) -> tuple[OrderFacts, Money] | None:
        """Hold what is left of the total for the cancellation: the order and the amount
        held (now or before); None if nothing is left."""
        order = await self.orders.get(event.order_id)
        if order is None:  # never: the handler took the cancellation into the replica first
            raise Conflict(f"order {event.order_id} is not known to after-sales yet")
        store_type_of(event, order)  # R-ORD-6 must be decidable before anything is held
        refuse_uncompensable(event, order)  # and the refund one of a confirmed order's total
        key = cancellation_key(order.id)
        if order.reservation_of(key) is None and key not in order.nothing_left:
            others = [r.case_id for r in order.refund_reservations if r.case_id != key]
            for case_id in await self.queries.rejected_among(others):
                order.release_refund(case_id)  # a rejected case's hold never refunds
        now = self.clock.now()
        amount, held_now = order.reserve_the_rest(key, now)
        if held_now:
            await self.orders.save(
                order, now=now, correlation_id=order.id, causation_id=str(envelope.event_id)
            )
        return None if amount is None else (order, amount)
