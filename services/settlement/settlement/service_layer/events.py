"""What settlement does with the events it receives: each is a fact of one order, taken
into the order's settlement state (`OrderSettlement`, a replica: each event once, by its
id, in any order), then the order's ledger is brought up to date (`posting.OrderLedger`):
the entries its facts now call for are posted, each once.

The ledger is brought up to date on a redelivery too, though the replica took the event
already: a pass cut short after the replica's write posts the rest then. An event the
order's state refuses (a second total, refunds above the total or in another currency, a
case refunded twice otherwise) is `Implausible`: parked, nothing taken. No event waits
for another (`NotYetKnown`): facts merge in any order, and nothing is posted of an order
before its confirmation is known (R-ORD-2), which posts what came before it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from settlement.domain.order import OrderFact, OrderSettlement
from settlement.service_layer.posting import OrderLedger
from shared.contract import Envelope
from shared.contract.events import OrderCreated
from shared.messaging.handlers import HandlerTable, on
from shared.replica import Replicas


@dataclass
class SettlementEventHandlers:
    orders: Replicas[OrderSettlement]
    ledger: OrderLedger

    def table(self) -> HandlerTable:
        """Every fact of an order (`OrderFact`), its creation (almost always first) apart."""
        table = dict(on(fact, self.order_fact) for fact in get_args(OrderFact))
        return table | dict([on(OrderCreated, self.order_created)])

    async def order_created(self, envelope: Envelope, event: OrderCreated) -> None:
        # Almost always the order's first event: stored without reading first. It moves
        # no money (R-ORD-2: not before the confirmation) but tells the order's total.
        order = await self.orders.applied(event.order_id, envelope, event, likely_new=True)
        await self.ledger.settle_order(order)

    async def order_fact(self, envelope: Envelope, event: OrderFact) -> None:
        """R-SET-1..3: the fact taken, then the order's entries it calls for posted."""
        await self.ledger.settle_order(await self.orders.applied(event.order_id, envelope, event))
