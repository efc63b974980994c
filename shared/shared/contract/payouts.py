"""The contract's event of settlement's payouts (R-SET-4). Part of
`shared.contract.events`, which lists every event."""

from __future__ import annotations

from shared.contract.types import ContractModel, CurrencyCode, LedgerEntryKind, Money, UtcDateTime


class PayoutLine(ContractModel):
    """One ledger entry a payout settles, with its cause (R-SET-4, R-SET-5): a release of
    an order's earning, a refund its store bore, or a correction of either."""

    entry_id: str
    kind: LedgerEntryKind
    at: UtcDateTime
    order_id: str | None
    case_id: str | None
    #: Its amount on the store's payable account: negative for a refund the store bore.
    amount_minor: int


class PayoutIssued(ContractModel):
    """A store is paid what its payable lines of an ended cycle sum to (R-SET-4): one per
    store, currency and cycle, never changed once issued. The payment rail (a bank
    integration the deploying team runs) transfers `amount` on it."""

    payout_id: str
    merchant_id: str
    store_id: str
    currency: CurrencyCode
    amount: Money
    #: The payout cycle, [period_start, period_end).
    period_start: UtcDateTime
    period_end: UtcDateTime
    lines: tuple[PayoutLine, ...]
