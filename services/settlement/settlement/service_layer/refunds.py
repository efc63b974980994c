"""A merchant's refunds in a period, read from the ledger (R-AS-2, R-ORD-6, R-SET-3,
R-SET-5): who bore each one, and what each refunded order left the merchant.

Every figure is a sum of ledger lines, so the report agrees with the balance and the
statement to the minor unit:
- a refund's amount is what its entry gives back to `platform:buyers`; a correction (the
  reversal of a refund, posted again in the form a later fact calls for) counts negative,
  so the period's sums are what stands;
- the totals are by the liable party each refund entry names (R-AS-2 for a case, R-ORD-6
  for a cancellation), **decided**: including the refunds of orders that never earned,
  which come out of escrow at nobody's cost (R-SET-3; see `settlement.domain.ledger`);
- a refunded order's `earned_minor` is its earning on the store's held account, net of
  commission (R-SET-1, R-FEE-1): zero if it never earned, or once its earning is reversed
  (cancelled, R-SET-3); `borne_minor` is what its refunds took from the store's payable
  account, whenever issued (R-SET-3: debited when issued); `net_minor` the difference,
  negative where the merchant bore more than it earned (carried forward, never paid).

Visibility and periods as the other reports (`service_layer/statements.py`).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from settlement.adapters.entries import Entries
from settlement.domain.earnings import earning_id
from settlement.domain.ledger import PLATFORM_BUYERS, Entry, held, payable
from settlement.service_layer.statements import MAX_REPORT_DAYS
from shared.auth import Principal, require_merchant_self_or_operator
from shared.clock import utc_days
from shared.contract.types import LiableParty

# As the other reports: the results are the response bodies, amounts in minor units.


@dataclass(frozen=True)
class RefundLine:
    at: str
    entry_id: str
    #: A refund, or the reversal of one (a correction, its amount negative).
    kind: Literal["refund", "reversal"]
    order_id: str
    #: Null for the refund of a cancelled order (R-ORD-5).
    case_id: str | None
    liable_party: LiableParty
    currency: str
    amount_minor: int


@dataclass(frozen=True)
class RefundTotals:
    """The period's refunds in one currency, by the liable party each names (R-AS-2,
    R-ORD-6), corrections included."""

    currency: str
    borne_by_platform_minor: int
    #: Including refunds of orders that never earned, which cost the merchant nothing.
    borne_by_merchant_minor: int


@dataclass(frozen=True)
class RefundedOrder:
    """What a refunded order left its merchant over its whole life, whenever dated."""

    order_id: str
    store_id: str
    currency: str
    #: Its earning on the store's held account, net of commission; 0 if it never earned.
    earned_minor: int
    #: What its refunds took from the store's payable account.
    borne_minor: int
    net_minor: int


@dataclass(frozen=True)
class RefundReport:
    merchant_id: str
    start: date
    end: date
    refunds: list[RefundLine]
    totals: list[RefundTotals]
    orders: list[RefundedOrder]


@dataclass
class RefundReports:
    entries: Entries

    async def for_merchant(
        self, principal: Principal, merchant_id: str, start: date, end: date
    ) -> RefundReport:
        """The merchant's refund entries dated from `start` to `end` (inclusive), oldest
        first, their totals per currency and liable party, and each refunded order's
        figures over its whole life."""
        require_merchant_self_or_operator(principal, merchant_id)
        since, until = utc_days(start, end, most=MAX_REPORT_DAYS)
        found = await self.entries.of_kinds(("refund", "reversal"), since, until, merchant_id)
        refunds = sorted(filter(_is_refund, found), key=lambda entry: entry.at)
        order_ids = list(dict.fromkeys(entry.order_id for entry in refunds if entry.order_id))
        orders = await asyncio.gather(*map(self._refunded_order, order_ids))
        lines = [_line(entry) for entry in refunds]
        return RefundReport(merchant_id, start, end, lines, _totals(refunds), list(orders))

    async def _refunded_order(self, order_id: str) -> RefundedOrder:
        """The order's figures from all its entries, whenever dated."""
        return _order(order_id, (await self.entries.of_order(order_id)).values())


def _is_refund(entry: Entry) -> bool:
    """A refund, or the reversal of one: only those name a liable party."""
    return entry.liable_party is not None and entry.order_id is not None


def _line(entry: Entry) -> RefundLine:
    # `_is_refund` kept only entries with both
    assert entry.order_id is not None
    assert entry.liable_party is not None
    kind: Literal["refund", "reversal"] = "reversal" if entry.kind == "reversal" else "refund"
    return RefundLine(
        at=entry.at.isoformat(),
        entry_id=entry.entry_id,
        kind=kind,
        order_id=entry.order_id,
        case_id=entry.case_id,
        liable_party=entry.liable_party,
        currency=entry.lines[0].currency,
        amount_minor=entry.amount_in(PLATFORM_BUYERS),
    )


def _totals(refunds: Iterable[Entry]) -> list[RefundTotals]:
    sums: dict[str, dict[LiableParty | None, int]] = defaultdict(lambda: defaultdict(int))
    for entry in refunds:
        sums[entry.lines[0].currency][entry.liable_party] += entry.amount_in(PLATFORM_BUYERS)
    return [
        RefundTotals(currency, by["platform"], by["merchant"])
        for currency, by in sorted(sums.items())
    ]


def _order(order_id: str, life: Iterable[Entry]) -> RefundedOrder:
    """What the order's entries put on its store's accounts: its earning (and the
    reversal of it) on held, its refunds (and their reversals) on payable."""
    entries = list(life)
    store_id = next(entry.store_id for entry in entries if entry.store_id is not None)
    earnings = [e for e in entries if earning_id(order_id) in (e.entry_id, e.reverses)]
    earned = sum(entry.amount_in(held(store_id)) for entry in earnings)
    borne = -sum(entry.amount_in(payable(store_id)) for entry in filter(_is_refund, entries))
    currency = entries[0].lines[0].currency
    return RefundedOrder(order_id, store_id, currency, earned, borne, earned - borne)
