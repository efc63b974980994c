"""The ledger: double-entry, append-only, in integer minor units per currency (R-SET-5).

**Money.** Every amount is a whole number of its currency's minor units (cents, yen), as
`shared.contract.types.Money` carries it; no float ever holds money. A line carries one
currency, and an entry's lines sum to zero *per currency*: currencies never mix and no
entry converts one into another. An entry that does not balance is refused as it is
built (`Entry` raises): it is a bug, never stored.

**Accounts and signs.** A line +x raises its account's balance by x. One convention,
credit-positive, so that a merchant's balances read as its statement does: a positive
balance is what the platform owes or has earned; money the platform holds or spends is
negative. Balances are sums of lines (`balances`), never kept apart.
- `platform:buyers`: the buyers' money as the platform took and gave it back: minus the
  total of each confirmed order (its collection), plus every refund.
- `platform:escrow`: the buyers' money the platform holds for orders not yet delivered:
  plus an order's total at its confirmation, minus it at its delivery (its earning) or
  as refunds of an order that never earned give it back. Per order, never negative, and
  zero once the order is delivered, or cancelled and refunded in whole.
- `store:<id>:held`: earnings of the store's delivered orders whose after-sales window
  is still open (R-SET-2); owed to the merchant later.
- `store:<id>:payable`: owed to the merchant now, paid at its cycle's end (R-SET-4);
  negative, owed by the merchant: carried forward, never paid (R-SET-3).
- `platform:commission`: commission earned (R-SET-1).
- `platform:refund_expense`: refunds the platform bore (R-AS-2, R-ORD-6): negative, its
  cost (reported as the opposite of the balance).
- `platform:payouts`: money paid out to merchants.

**Entries.** An entry is an immutable value whose id derives from its source
(`entry_id`: a UUID 5 of its kind and source), so whichever process posts it, and however
often an event comes, it is posted once (`Journal.post`: the same id again is a no-op; the
same id with other lines is `Implausible`, the entry posted first standing). The sources
(`settlement.domain.earnings` builds them; `entries_due` posts only what it can, in order:
nothing of an order before its collection, its earning before its refunds):
- *collection*, of an order: `platform:buyers` -total, `platform:escrow` +total. Dated its
  confirmation. **decided**: the buyer's money enters the ledger when the order is
  confirmed (`OrderConfirmed`), not when it is placed: an order cancelled before its
  confirmation (R-ORD-2, R-ORD-3) is refunded nothing (R-ORD-5 refunds confirmed orders
  only; orders refuses a refund of an order never confirmed), so it never touches the
  ledger, and a confirmed order is one whose payment the platform holds.
- *earning*, of an order (one per order, whatever the number of `Delivered`):
  `platform:escrow` -total, `held` +net, `platform:commission` +commission (R-SET-1,
  R-FEE-1). Dated the delivery.
- *release*, of an order: `held` -net, `payable` +net: the net of the earning as it was
  posted (the commission stands as it was charged, R-REV-10). Dated when the after-sales
  window closed, or when the last case holding it was resolved (R-SET-2).
- *refund*, of a case, or of the order's cancellation for a cancelled order's refund
  (aftersales issues one refund per case and one per cancelled order, R-ORD-5: keyed so,
  a refund told twice under two event ids is still posted once): `platform:buyers`
  +amount, against where the buyer's money is. Of an order that earns (delivered, not
  cancelled): `payable` -amount (the merchant bears it) or `platform:refund_expense`
  -amount (the platform does). Of an order that never earned (cancelled before delivery,
  or a case on goods never delivered): `platform:escrow` -amount: the buyer's own money
  goes back and nobody bears a cost. Either way the entry names `liable_party`, so a
  statement or a refund report shows who bore it. Dated its issue.
- *payout* (`settlement.domain.payouts`), of a store, currency and cycle: `payable`
  -amount, `platform:payouts` +amount. Dated its cycle's end.
- *reversal*, of the entry it reverses: that entry's lines negated. Dated when it is made:
  a correction is an entry of its own time, never an edit of the past. The rules need
  two: an order's earning (and release) posted on its delivery, then learnt cancelled
  (events come in any order; a cancellation ends the order, R-ORD-5, and a parcel handed
  over in a race with it earns nothing, R-SET-3), which puts its total back in escrow for
  its refund; and a refund posted in the form its order called for then, when a fact told
  later changes whether the order earns: the refund is reversed and posted again in the
  other form, under an id derived from the entry it replaces (`refund_id`).

**Refunds the merchant bears** (R-SET-3) are debited from `payable` when issued, whether
the order's earning is still held, payable or already paid out. **decided**: never from
`held`, so a release moves exactly the order's posted net, whatever refunds came, and the
debit counts at once. A negative payable is carried forward: no payout is made of it, and
later releases are set against it. **decided**: commission is charged on the sale
(R-SET-1) and stands when the buyer is refunded: the merchant bears the refund's whole
amount. **decided**: an order cancelled before delivery supplied nothing and earns
nothing (R-SET-3), so it pays nothing whoever bore its refund (R-ORD-6 names who, for the
record): the refund comes out of escrow, and the merchant's refund report shows the
order earned and bore nothing; the merchant is never fined the order's value.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from shared.contract.types import (
    CurrencyCode,
    LedgerEntryKind,
    LiableParty,
    StoreType,
    UtcDateTime,
)
from shared.errors import Implausible

EntryKind = LedgerEntryKind

PLATFORM_BUYERS = "platform:buyers"
PLATFORM_ESCROW = "platform:escrow"
PLATFORM_COMMISSION = "platform:commission"
PLATFORM_REFUND_EXPENSE = "platform:refund_expense"
PLATFORM_PAYOUTS = "platform:payouts"

#: The namespace of entry and payout ids (UUID 5 of their kind and source).
LEDGER_NAMESPACE = uuid.UUID("7d3c2a91-5e4b-4f0a-b8c6-1f9e2d7a4c53")


def held(store_id: str) -> str:
    return f"store:{store_id}:held"


def payable(store_id: str) -> str:
    return f"store:{store_id}:payable"


def derived_id(*parts: str | None) -> str:
    """An id derived from `parts` (UUID 5): the same parts, the same id, in any process."""
    return str(uuid.uuid5(LEDGER_NAMESPACE, json.dumps(parts)))


def entry_id(kind: EntryKind, *source: str | None) -> str:
    """The id of the entry of `kind` from `source` (R-SET-5: one entry per source)."""
    return derived_id(kind, *source)


class Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Store(Value):
    """Whom a store's money belongs to, and its payout cycle's type (R-SET-4)."""

    store_id: str
    merchant_id: str
    store_type: StoreType


class Line(Value):
    account: str
    currency: CurrencyCode
    #: Signed, in minor units: +x raises the account's balance.
    amount_minor: StrictInt


class Entry(Value):
    entry_id: str
    kind: EntryKind
    at: UtcDateTime
    lines: tuple[Line, ...] = Field(min_length=1)
    #: The cause, as a statement shows it.
    order_id: str | None = None
    case_id: str | None = None
    payout_id: str | None = None
    store_id: str | None = None
    merchant_id: str | None = None
    #: Who bore a refund (R-AS-2, R-ORD-6), even one that cost nobody.
    liable_party: LiableParty | None = None
    #: The entry a reversal reverses.
    reverses: str | None = None
    memo: str = ""

    @model_validator(mode="after")
    def _balanced(self) -> Entry:
        """R-SET-5: the lines sum to zero in each currency."""
        off = {currency: amount for currency, amount in _sums(self.lines).items() if amount}
        if off:
            raise ValueError(f"entry {self.entry_id} ({self.kind}) does not balance: {off}")
        return self

    def amount_in(self, account: str) -> int:
        """What this entry moves into `account` (its one currency there)."""
        return sum(line.amount_minor for line in self.lines if line.account == account)


def _sums(lines: Iterable[Line]) -> dict[str, int]:
    sums: dict[str, int] = defaultdict(int)
    for line in lines:
        sums[line.currency] += line.amount_minor
    return dict(sums)


def reversal(entry: Entry, at: datetime) -> Entry:
    """The correction of `entry`: its lines negated, with its own id (R-SET-5)."""
    lines = [{**line.model_dump(), "amount_minor": -line.amount_minor} for line in entry.lines]
    return Entry.model_validate(
        {
            **entry.model_dump(),
            "entry_id": entry_id("reversal", entry.entry_id),
            "kind": "reversal",
            "at": at,
            "lines": lines,
            "reverses": entry.entry_id,
            "memo": f"reverses the {entry.kind} {entry.entry_id}",
        }
    )


Balances = dict[str, dict[str, int]]


def balances(entries: Iterable[Entry]) -> Balances:
    """Every account's balance per currency: the sum of its lines (minor units)."""
    found: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for entry in entries:
        for line in entry.lines:
            found[line.account][line.currency] += line.amount_minor
    return {account: dict(by_currency) for account, by_currency in found.items()}


class Journal:
    """Entries by id, each posted once: the ledger as a value, for rules and tests (the
    service keeps the same in its database, the id unique)."""

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self.entries: dict[str, Entry] = {}
        for entry in entries:
            self.post(entry)

    def post(self, entry: Entry) -> bool:
        """Add `entry`; False if it was posted already (a no-op). `Implausible` if another
        entry holds its id with other lines: the one posted first stands."""
        posted = self.entries.get(entry.entry_id)
        if posted is None:
            self.entries[entry.entry_id] = entry
            return True
        if posted.lines != entry.lines:
            raise Implausible(
                f"{entry.kind} entry {entry.entry_id} is posted already with other lines "
                f"({_text(posted.lines)}), not {_text(entry.lines)}; an entry is never edited"
            )
        return False

    def balances(self) -> Balances:
        return balances(self.entries.values())


def _text(lines: Iterable[Line]) -> str:
    return ", ".join(f"{line.account} {line.amount_minor:+d} {line.currency}" for line in lines)
