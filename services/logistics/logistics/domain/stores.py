"""The store facts logistics keeps from review's `StoreApproved` and `StoreUpdated`
(R-LOG-2, R-LOG-4, R-REV-12).

A semi-managed store ships from its own overseas warehouse within the handling time it
chose; logistics needs both to compute a shipment's deadline and route. A replica
(`shared.replica`): a store's approval and its approved changes (R-REV-12) are one
decision, the newest of which wins whatever the arrival order, though none changes the
store's merchant or type. A shipment's deadline is computed once, when it is planned: a
change moves the deadlines of the shipments planned after it, never of those before.
Logistics plans a shipment only for an order of a store it knows approved, of its
merchant and type.
"""

from __future__ import annotations

from datetime import datetime

from shared.contract.events import OrderConfirmed, StoreApproved, StoreUpdated
from shared.contract.types import StoreType, Warehouse
from shared.errors import Implausible
from shared.store_replica import StoreReplica

StoreDecided = StoreApproved | StoreUpdated


class StoreFacts(StoreReplica):
    merchant_id: str
    store_type: StoreType
    handling_days: int | None = None
    warehouse: Warehouse | None = None
    #: The approval's: a change (StoreUpdated) carries none, so leaves it.
    approved_at: datetime

    fixed = ("merchant_id", "store_type")
    fixed_because = "a store's merchant and type never change"
    service = "logistics"

    def refuse_foreign(self, order: OrderConfirmed) -> None:
        """An order is of its store's merchant and type (R-ORD-1): one naming another is
        `Implausible`, and no shipment is planned for it."""
        if (order.merchant_id, order.store_type) != (self.merchant_id, self.store_type):
            raise Implausible(
                f"OrderConfirmed of order {order.order_id} names store {self.id} as "
                f"{order.store_type} of merchant {order.merchant_id}; the store was approved "
                f"as {self.store_type} of merchant {self.merchant_id}"
            )
