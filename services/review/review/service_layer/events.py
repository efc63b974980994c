"""What review does with the events it receives: the warnings of a store's scorecard."""

from __future__ import annotations

from dataclasses import dataclass

from review.domain.model import Store
from shared.clock import Clock
from shared.contract import Envelope, events
from shared.errors import Implausible, NotYetKnown
from shared.messaging.handlers import HandlerTable, on
from shared.repository import AggregateRepository, retry_on_conflict


@dataclass
class ReviewEventHandlers:
    stores: AggregateRepository[Store]
    clock: Clock

    def table(self) -> HandlerTable:
        return dict([on(events.StoreWarned, self.store_warned)])

    async def store_warned(self, envelope: Envelope, event: events.StoreWarned) -> None:
        """R-SC-1: the store keeps the warning, shown to its merchant and to operators."""

        async def attempt() -> None:
            store = await self.stores.get(event.store_id)
            if store is None:
                # Orders only scores stores review approved: retried, then parked.
                raise NotYetKnown(f"unknown store {event.store_id}")
            if (event.merchant_id, store.status) != (store.merchant_id, "approved"):
                raise Implausible(
                    f"StoreWarned names store {store.id} ({store.status}) as merchant "
                    f"{event.merchant_id}'s; orders scores approved stores, this one is "
                    f"merchant {store.merchant_id}'s"
                )
            if store.warned(event):
                await self.stores.save(
                    store, now=self.clock.now(), causation_id=str(envelope.event_id)
                )

        await retry_on_conflict(attempt)
