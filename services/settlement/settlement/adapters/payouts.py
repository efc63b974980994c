"""Payouts as stored (R-SET-4): one document per payout, `_id` its id (one per store,
currency and cycle), kept by the kit's aggregate repository so that its `PayoutIssued`
goes into the same insert (its outbox: one event, if and only if the payout is stored),
and the release schedule.

A payout is recorded in three writes, each idempotent, so a crash between them is
completed by the next pass of the job (`service_layer/jobs.py`): the payout inserted
`pending` (an insert of its id again is `AlreadyExists`: the one stored stands, never
changed), its entries marked settled by it, its ledger entry posted, then `done`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from settlement.domain.payouts import Payout
from shared.aggregate import Aggregate
from shared.clock import AFTER_EVERY_TIME, time_key
from shared.contract.types import UtcDateTime
from shared.mongo import Collection, indexed

PayoutState = Literal["pending", "done"]
#: The most payouts one job pass completes, or one list shows.
PAYOUTS_MAX = 500


class PayoutRecord(Aggregate):
    """A payout as stored; `id` is the payout's id."""

    payout: Payout
    merchant_id: str
    period_end: UtcDateTime
    state: PayoutState = "pending"

    @classmethod
    def of(cls, payout: Payout) -> PayoutRecord:
        """A new payout, its `PayoutIssued` in its outbox: told once it is stored."""
        record = cls(
            id=payout.payout_id,
            payout=payout,
            merchant_id=payout.merchant_id,
            period_end=payout.period_end,
        )
        record.record(payout.issued())
        return record


class PayoutQueries:
    def __init__(self, payouts: Collection) -> None:
        self._payouts = payouts

    async def pending(self) -> list[str]:
        """Payouts stored but not yet wholly recorded (a pass cut short)."""
        query = indexed({"state": "pending"})
        found = self._payouts.find(query, {"_id": 1}).sort("period_end", 1).limit(PAYOUTS_MAX)
        return [str(document["_id"]) for document in await found.to_list()]

    async def between(
        self, merchant_id: str | None, since: datetime, until: datetime
    ) -> list[Payout]:
        """Payouts whose cycle ended in [since, until): of one merchant, or every one's."""
        query: dict[str, Any] = {"period_end": {"$gte": since, "$lt": until}}
        if merchant_id is not None:
            query["merchant_id"] = merchant_id
        found = self._payouts.find(indexed(query)).sort("period_end", 1).limit(PAYOUTS_MAX)
        return [PayoutRecord.from_document(document).payout for document in await found.to_list()]


class ReleaseSchedule:
    """When each earning order's release falls due (R-SET-2), as a sortable key (string
    dates: see `shared.clock.time_key`), so the release job reads only what is due."""

    def __init__(self, releases: Collection) -> None:
        self._releases = releases

    async def plan(self, order_id: str, due_at: datetime | None) -> None:
        """Due at `due_at`; None: held (a case open at the window's close) until told."""
        key = AFTER_EVERY_TIME if due_at is None else time_key(due_at, order_id)
        document = {"_id": order_id, "due_key": key}
        await self._releases.replace_one({"_id": order_id}, document, upsert=True)

    async def done(self, order_id: str) -> None:
        await self._releases.delete_one({"_id": order_id})

    async def due(self, now: datetime, most: int) -> list[str]:
        query = indexed({"due_key": {"$lt": time_key(now)}})
        found = self._releases.find(query, {"_id": 1}).sort("due_key", 1).limit(most)
        return [str(document["_id"]) for document in await found.to_list()]
