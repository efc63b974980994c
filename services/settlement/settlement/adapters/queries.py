"""Settlement's collections and the indexes its named queries need (`adapters/entries.py`,
`adapters/payouts.py`). Every filter goes through `shared.mongo.indexed`; `_id` is in no
compound index and no query relies on `$in` but on `_id` (README, "The embedded engine")."""

from __future__ import annotations

from shared.mongo import IndexSpec

#: The ledger's entries, `_id` the entry id (R-SET-5: an id posted twice is one entry).
ENTRIES = "entries"
#: Each order's settlement state (`settlement.domain.order.OrderSettlement`, a replica).
ORDERS = "orders"
#: Payouts (R-SET-4), `_id` the payout id, with the ids of the entries each settles.
PAYOUTS = "payouts"
#: When each earning order's release falls due (R-SET-2), `_id` the order id.
RELEASES = "releases"

INDEXES = [
    # An order's entries, as `entries_due` needs them.
    IndexSpec(ENTRIES, [("order_id", 1), ("at", 1)]),
    # A merchant's entries by date: balances and statements.
    IndexSpec(ENTRIES, [("merchant_id", 1), ("at", 1)]),
    # A store's payable lines no payout settled yet (R-SET-4), by date.
    IndexSpec(ENTRIES, [("store_id", 1), ("settled_by", 1), ("at", 1)]),
    # The stores with payable lines not yet settled, per cycle type (the payout job).
    IndexSpec(ENTRIES, [("settled_by", 1), ("store_type", 1), ("at", 1)]),
    # The platform's refund expense per period: refunds and their reversals by date.
    IndexSpec(ENTRIES, [("kind", 1), ("at", 1)]),
    # A merchant's refund report: its refunds and their reversals by date.
    IndexSpec(ENTRIES, [("merchant_id", 1), ("kind", 1), ("at", 1)]),
    IndexSpec(PAYOUTS, [("merchant_id", 1), ("period_end", 1)]),
    IndexSpec(PAYOUTS, [("period_end", 1)]),  # an operator's list of every merchant's
    IndexSpec(PAYOUTS, [("state", 1), ("period_end", 1)]),  # payouts still being recorded
    IndexSpec(RELEASES, [("due_key", 1)]),
]
