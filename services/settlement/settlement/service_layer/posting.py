"""Posting an order's money: what its facts call for, each entry once (R-SET-1..3, R-SET-5).

`settle` is the one way an order's entries reach the ledger, from a handler after a fact
was taken and from the release job: it reads the order's settlement state and the
entries it has, posts what `entries_due` says is missing, in its order, and plans (or
clears) the order's release. Every step is idempotent, so a redelivery, two processes at
once, or a pass cut short by a crash all end with each entry posted once."""

from __future__ import annotations

from dataclasses import dataclass

from settlement.adapters.entries import Entries
from settlement.adapters.payouts import ReleaseSchedule
from settlement.domain.earnings import entries_due, release_id
from settlement.domain.order import OrderSettlement
from shared.categories import CategoryList
from shared.clock import Clock
from shared.policy import Policy
from shared.replica import CLOCK_SKEW, Replicas


@dataclass
class OrderLedger:
    orders: Replicas[OrderSettlement]
    entries: Entries
    releases: ReleaseSchedule
    clock: Clock
    policy: Policy
    #: R-REV-11, R-AS-1: each category's after-sales window (earnings held until it closes).
    categories: CategoryList

    async def settle(self, order_id: str) -> int:
        """Post what the order's facts call for now; how many entries were posted."""
        order = await self.orders.get(order_id)
        return 0 if order is None else await self.settle_order(order)

    async def settle_order(self, order: OrderSettlement) -> int:
        """`settle`, given the order as it was just stored (no read after the write)."""
        if order.store is None or order.total is None or order.confirmed_at is None:
            # Nothing moves before the buyer's payment is in the ledger (R-ORD-2), and
            # nothing was posted or planned: no entries to read, no release to clear.
            return 0
        posted = await self.entries.of_order(order.id)
        due = entries_due(order, posted, self.clock.now(), self.policy, self.categories)
        store_type = order.store_type
        count = 0
        for entry in due:
            count += await self.entries.post(entry, store_type)
        released = release_id(order.id) in posted or any(
            entry.entry_id == release_id(order.id) for entry in due
        )
        await self._plan_release(order, released)
        return count

    async def _plan_release(self, order: OrderSettlement, released: bool) -> None:
        """R-SET-2: an earning order not yet released waits in the schedule, due
        `CLOCK_SKEW` after its release moment (`OrderSettlement.release_due`), or held
        while a case open at its window's close is unresolved."""
        if order.delivered_at is None:
            return  # it never earned, so no release was ever planned (`earns`)
        if released or not order.earns:
            await self.releases.done(order.id)
            return
        release_at = order.release_at(self.categories)
        await self.releases.plan(order.id, None if release_at is None else release_at + CLOCK_SKEW)
