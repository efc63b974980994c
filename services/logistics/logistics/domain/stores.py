"""The store facts logistics keeps from review's `StoreApproved` (R-LOG-2, R-LOG-4).

A semi-managed store ships from its own overseas warehouse within the handling time it
chose; logistics needs both to compute a shipment's deadline and route. A replica
(`shared.replica`): the newest approval wins, whatever the arrival order.
"""

from __future__ import annotations

from datetime import datetime

from shared.contract.types import StoreType, Warehouse
from shared.replica import Replica


class StoreFacts(Replica):
    merchant_id: str
    store_type: StoreType
    handling_days: int | None = None
    warehouse: Warehouse | None = None
    approved_at: datetime
