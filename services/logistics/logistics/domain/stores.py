"""The store facts logistics keeps from review's `StoreApproved` (R-LOG-2, R-LOG-4).

A semi-managed store ships from its own overseas warehouse within the handling time it
chose; logistics needs both to compute a shipment's deadline and route. A store approved
again (after a resubmission) replaces its facts; the same approval twice changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from shared.aggregate import Aggregate
from shared.contract.events import StoreApproved
from shared.contract.types import StoreType, Warehouse


class StoreFacts(Aggregate):
    merchant_id: str
    store_type: StoreType
    handling_days: int | None = None
    warehouse: Warehouse | None = None
    approved_at: datetime

    @classmethod
    def from_approval(cls, event: StoreApproved) -> StoreFacts:
        return cls(
            id=event.store_id,
            merchant_id=event.merchant_id,
            store_type=event.store_type,
            handling_days=event.handling_days,
            warehouse=event.warehouse,
            approved_at=event.approved_at,
        )

    def apply(self, event: StoreApproved) -> bool:
        """The newest approval wins, whatever the arrival order; True if anything changed."""
        if event.approved_at <= self.approved_at:
            return False
        self.merchant_id = event.merchant_id
        self.store_type = event.store_type
        self.handling_days = event.handling_days
        self.warehouse = event.warehouse
        self.approved_at = event.approved_at
        return True
