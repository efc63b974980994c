"""Shipments an earlier release stored lack the sort key later ones page by
(`ship_by_key`, `logistics.adapters.queries.SHIPMENT_KEYS`): a job writes each again as it
is, which computes it, as orders does for its own later keys.

Until then such a shipment would be missing from a page that names the key (a cursor's
next page, an operator's first page) and first on one that does not (a merchant's first
page sorts a missing key before every other), so the job runs from start-up and is idle
once none is left."""

from __future__ import annotations

from dataclasses import dataclass

from logistics.adapters.queries import ShipmentQueries
from logistics.domain.model import Shipment
from shared.clock import Clock
from shared.deadlines import act_on_each_due
from shared.repository import AggregateRepository

#: How many older shipments one pass of the job writes again.
KEYS_BATCH = 200


@dataclass
class OlderShipments:
    shipments: AggregateRepository[Shipment]
    queries: ShipmentQueries
    clock: Clock

    async def write_keys(self) -> None:
        """Each shipment stored without `ship_by_key` written again, unchanged but for
        its keys (a versioned write: a change meanwhile wins, and is retried on)."""
        older = await self.queries.stored_before_keys(KEYS_BATCH)
        await act_on_each_due(older, self._rewrite, service="logistics", deadline="ship_by_key")

    async def _rewrite(self, shipment_id: str) -> None:
        shipment = await self.shipments.get(shipment_id)
        if shipment is not None:
            await self.shipments.save(shipment, now=self.clock.now())
