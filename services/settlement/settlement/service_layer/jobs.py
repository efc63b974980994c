"""Settlement's periodic jobs, each a function of the clock's now, safe with several
processes running them at once.

- **Releases** (R-SET-2): the orders whose release is due (`ReleaseSchedule`) are settled
  again (`OrderLedger.settle`), which posts the release, once.
- **Payouts** (R-SET-4): at the end of each cycle (by store type, `domain/payouts.py`),
  every store with payable lines no payout settled, dated before the cycle's end, is paid
  what they sum to in each currency, if positive (R-SET-3: a sum of zero or less is
  carried forward). The payout's id derives from the store, currency and cycle, so the
  processes that compute it make one; it is recorded in idempotent steps
  (`adapters/payouts.py`), and a payout left `pending` by a pass cut short is completed
  first, as it was stored (a payout never changes once issued).
  Its `PayoutIssued` is in the outbox of that first insert: one event, recorded if and
  only if the payout is stored (delivered at least once, as every event)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from settlement.adapters.entries import Entries
from settlement.adapters.payouts import PayoutQueries, PayoutRecord, ReleaseSchedule
from settlement.domain.ledger import Store, payable
from settlement.domain.payouts import Payout, last_ended, payout_for
from settlement.service_layer.posting import OrderLedger
from shared.clock import Clock
from shared.contract.types import StoreType
from shared.deadlines import act_on_each_due
from shared.policy import Policy
from shared.repository import AggregateRepository, AlreadyExists, retry_on_conflict

log = logging.getLogger("settlement.jobs")

#: The most releases one pass posts; the next pass takes the rest.
RELEASE_BATCH = 500
STORE_TYPES: tuple[StoreType, ...] = ("full_managed", "semi_managed")


@dataclass
class SettlementJobs:
    ledger: OrderLedger
    entries: Entries
    releases: ReleaseSchedule
    payouts: AggregateRepository[PayoutRecord]
    payout_queries: PayoutQueries
    clock: Clock
    policy: Policy

    async def post_due_releases(self) -> None:
        """R-SET-2: post every release due by now."""
        due = await self.releases.due(self.clock.now(), RELEASE_BATCH)
        await act_on_each_due(due, self._release, service="settlement", deadline="release")

    async def _release(self, order_id: str) -> None:
        await self.ledger.settle(order_id)

    async def payouts_due(self) -> None:
        """The periodic job: `pay_out`."""
        await self.pay_out()

    async def pay_out(self) -> list[Payout]:
        """R-SET-4: the payouts of the cycles ended by now; those made (or completed)."""
        made = [
            await self._complete(payout_id) for payout_id in await self.payout_queries.pending()
        ]
        for store_type in STORE_TYPES:
            cycle = last_ended(store_type, self.clock.now(), self.policy)
            for store_id in await self.entries.stores_with_open_lines(store_type, cycle.end):
                lines = await self.entries.open_of_store(store_id, cycle.end)
                if not lines or lines[0].merchant_id is None:
                    continue
                store = Store(
                    store_id=store_id, merchant_id=lines[0].merchant_id, store_type=store_type
                )
                account = payable(store_id)
                currencies = {
                    line.currency for e in lines for line in e.lines if line.account == account
                }
                for currency in sorted(currencies):
                    payout = payout_for(store, currency, lines, (), cycle)
                    if payout is not None:
                        made.append(await self._issue(payout))
        return [record.payout for record in made if record is not None]

    async def _issue(self, payout: Payout) -> PayoutRecord | None:
        """Store the payout (the one stored first stands), then record the rest of it."""
        try:
            await self.payouts.add(PayoutRecord.of(payout), now=self.clock.now())
        except AlreadyExists:
            log.info("payout %s was stored already: completing it as stored", payout.payout_id)
        return await self._complete(payout.payout_id)

    async def _complete(self, payout_id: str) -> PayoutRecord | None:
        """Settle a stored payout's lines and post its entry (each a no-op again), then
        mark it done; None if another process completed it first."""

        async def attempt() -> PayoutRecord | None:
            record = await self.payouts.get(payout_id)
            if record is None or record.state == "done":
                return None
            payout = record.payout
            await self.entries.settle([line.entry_id for line in payout.lines], payout_id)
            await self.entries.post(payout.entry())
            record.state = "done"
            await self.payouts.save(record, now=self.clock.now())
            log.info("paid out %s to store %s", payout.amount, payout.store_id)
            return record

        return await retry_on_conflict(attempt)
