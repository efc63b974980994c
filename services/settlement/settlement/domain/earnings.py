"""An order's money as ledger entries (R-SET-1..3, R-FEE-1): the buyer's payment collected
into escrow, its earning out of escrow, its release, its refunds, and the corrections of
entries a fact told later undoes. Pure: the order's facts, the time and the policy are
passed in; the entries' shapes and signs are `settlement.domain.ledger`'s.

**Rounding** (R-SET-1): the commission is the order's total (minor units) times the rate,
in exact decimals, rounded to a whole minor unit half to even (`ROUND_HALF_EVEN`: 62.5
→ 62, 63.5 → 64, so ties do not lean one way over many orders), once per order on its
total, never per line (lines rounded apart would not add up to the order's); the merchant
earns the total less that commission, so the two always add up to the total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

from settlement.domain.ledger import (
    PLATFORM_BUYERS,
    PLATFORM_COMMISSION,
    PLATFORM_ESCROW,
    PLATFORM_REFUND_EXPENSE,
    Entry,
    EntryKind,
    Line,
    Store,
    entry_id,
    held,
    payable,
    reversal,
)
from settlement.domain.order import OrderSettlement, Refund
from shared.aftersales_window import end_of_due_date
from shared.categories import CategoryList
from shared.contract.types import LiableParty, Money, StoreType
from shared.policy import Policy


def commission_rate(store_type: StoreType, policy: Policy) -> Decimal:
    """R-FEE-1: full-managed pays none; R-SET-1: semi-managed pays the policy's rate."""
    return Decimal(0) if store_type == "full_managed" else policy.semi_managed_commission_rate


def commission(total: Money, store_type: StoreType, policy: Policy) -> int:
    """R-SET-1: the commission on an order's total, in minor units, rounded half-even."""
    exact = Decimal(total.amount_minor) * commission_rate(store_type, policy)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def collection_id(order_id: str) -> str:
    return entry_id("collection", order_id)


def earning_id(order_id: str) -> str:
    return entry_id("earning", order_id)


def release_id(order_id: str) -> str:
    return entry_id("release", order_id)


def refund_id(order_id: str, case_id: str | None, replaces: str | None = None) -> str:
    """A refund's entry; one posted again in another form (`entries_due`) derives its id
    from the entry it `replaces` as well, so each form has an id of its own."""
    if replaces is None:
        return entry_id("refund", order_id, case_id)
    return entry_id("refund", order_id, case_id, replaces)


def collection(order_id: str, store: Store, total: Money, confirmed_at: datetime) -> Entry:
    """R-ORD-2: the order confirmed, the buyer's payment is held in escrow until delivery."""
    lines = (
        Line(account=PLATFORM_BUYERS, currency=total.currency, amount_minor=-total.amount_minor),
        Line(account=PLATFORM_ESCROW, currency=total.currency, amount_minor=total.amount_minor),
    )
    memo = "confirmed: the buyer's payment held until delivery"
    return _order_entry(
        collection_id(order_id), "collection", confirmed_at, lines, order_id, store, memo
    )


def earning(
    order_id: str, store: Store, total: Money, delivered_at: datetime, policy: Policy
) -> Entry:
    """R-SET-1: a delivered order earns its merchant its total less commission, held
    (R-SET-2), out of the buyer's payment in escrow."""
    cut = commission(total, store.store_type, policy)
    currency = total.currency
    lines = [
        Line(account=PLATFORM_ESCROW, currency=currency, amount_minor=-total.amount_minor),
        Line(
            account=held(store.store_id), currency=currency, amount_minor=total.amount_minor - cut
        ),
    ]
    if cut:
        lines.append(Line(account=PLATFORM_COMMISSION, currency=currency, amount_minor=cut))
    rate = commission_rate(store.store_type, policy)
    memo = f"delivered; {store.store_type} commission: {rate} of {total.amount_minor} is {cut}"
    return _order_entry(earning_id(order_id), "earning", delivered_at, lines, order_id, store, memo)


def release(order_id: str, store: Store, earned: Entry, at: datetime) -> Entry:
    """R-SET-2: the held earning of an order becomes payable, exactly as it was posted."""
    net = earned.amount_in(held(store.store_id))
    currency = earned.lines[0].currency
    lines = (
        Line(account=held(store.store_id), currency=currency, amount_minor=-net),
        Line(account=payable(store.store_id), currency=currency, amount_minor=net),
    )
    memo = "after-sales window closed, no case open: payable"
    return _order_entry(release_id(order_id), "release", at, lines, order_id, store, memo)


def refund_entry(
    order_id: str, store: Store, refund: Refund, *, earned: bool, replaces: str | None = None
) -> Entry:
    """R-SET-3: the buyer's money back. Of an order that earns: borne by the merchant (its
    payable balance, at once) or by the platform (its refund expense). Of an order that
    never earned: out of escrow, its own money back, at nobody's cost; who would have
    borne it (R-ORD-6, R-AS-2) is recorded all the same."""
    amount, currency = refund.amount.amount_minor, refund.amount.currency
    if not earned:
        source = PLATFORM_ESCROW
    else:
        merchant = refund.liable_party == "merchant"
        source = payable(store.store_id) if merchant else PLATFORM_REFUND_EXPENSE
    lines = (
        Line(account=PLATFORM_BUYERS, currency=currency, amount_minor=amount),
        Line(account=source, currency=currency, amount_minor=-amount),
    )
    cause = f"case {refund.case_id}" if refund.case_id else "the order's cancellation"
    cost = "" if earned else "; the order earned nothing: its payment held goes back"
    again = f"; in place of {replaces}" if replaces else ""
    memo = f"refund of {cause}, borne by the {refund.liable_party}{cost}{again}"
    return _order_entry(
        refund_id(order_id, refund.case_id, replaces),
        "refund",
        refund.issued_at,
        lines,
        order_id,
        store,
        memo,
        case_id=refund.case_id,
        liable_party=refund.liable_party,
    )


def _order_entry(
    key: str,
    kind: EntryKind,
    at: datetime,
    lines: Iterable[Line],
    order_id: str,
    store: Store,
    memo: str,
    *,
    case_id: str | None = None,
    liable_party: LiableParty | None = None,
) -> Entry:
    """An entry `order_id` causes, its id `key` (derived from the order's): of the order's
    `store` and its merchant, of one of its cases if `case_id`."""
    return Entry(
        entry_id=key,
        kind=kind,
        at=at,
        lines=tuple(lines),
        order_id=order_id,
        case_id=case_id,
        store_id=store.store_id,
        merchant_id=store.merchant_id,
        liable_party=liable_party,
        memo=memo,
    )


def entries_due(
    order: OrderSettlement,
    posted: Mapping[str, Entry],
    now: datetime,
    policy: Policy,
    categories: CategoryList,
) -> list[Entry]:
    """The entries the order's facts call for that `posted` (its entries in the ledger)
    lacks, in posting order so escrow never goes below zero: its collection once confirmed;
    for an order learnt to earn nothing, the reversal of any earning and release posted
    (R-SET-3, R-SET-5); the reversal of refunds posted in another form; its earning once
    delivered, its release once due (R-SET-1,2); its refunds. Then it answers nothing."""
    store, total, confirmed_at = order.store, order.total, order.confirmed_at
    if store is None or total is None or confirmed_at is None:
        return []  # nothing moves before the buyer's payment is in the ledger (R-ORD-2)
    wanted = [collection(order.id, store, total, confirmed_at)]
    earned = posted.get(earning_id(order.id))
    if not order.earns:
        undone = [posted.get(release_id(order.id)), earned]
        wanted += [reversal(entry, now) for entry in undone if entry is not None]
    corrections, refunds = _refunds(order, store, posted, now)
    wanted += corrections
    if order.earns and order.delivered_at is not None:
        if earned is None:
            earned = earning(order.id, store, total, order.delivered_at, policy)
            wanted.append(earned)
        release_at = order.release_at(categories)
        if release_at is not None and order.release_due(now, categories):
            wanted.append(release(order.id, store, earned, release_at))
    return [entry for entry in wanted + refunds if entry.entry_id not in posted]


def _refunds(
    order: OrderSettlement, store: Store, posted: Mapping[str, Entry], now: datetime
) -> tuple[list[Entry], list[Entry]]:
    """The reversals of refund entries posted in a form the order no longer calls for,
    and every refund's entry in the form it calls for now (whether it earns)."""
    corrections, refunds = [], []
    for refund in order.refunds.values():
        if not _grounded(order, refund):
            continue
        replaces, live = _posted_refund(order.id, refund.case_id, posted)
        wanted = refund_entry(order.id, store, refund, earned=order.earns, replaces=replaces)
        if live is not None and live.lines != wanted.lines:
            corrections.append(reversal(live, now))
            replaces = live.entry_id
            wanted = refund_entry(order.id, store, refund, earned=order.earns, replaces=replaces)
        refunds.append(wanted)
    return corrections, refunds


def _posted_refund(
    order_id: str, case_id: str | None, posted: Mapping[str, Entry]
) -> tuple[str | None, Entry | None]:
    """The refund's entry standing (posted, not reversed), if any, and the entry that one
    replaces: following each form posted then reversed to the one posted in its place."""
    replaces = None
    while (entry := posted.get(refund_id(order_id, case_id, replaces))) is not None:
        if entry_id("reversal", entry.entry_id) not in posted:
            return replaces, entry
        replaces = entry.entry_id
    return replaces, None


def _grounded(order: OrderSettlement, refund: Refund) -> bool:
    """Whether the facts a refund stands on are known, so whether its order earns is: a
    cancellation's refund on the cancellation (R-ORD-5), a case's on the goods delivered,
    reported lost or overdue when it was issued (R-AS-1), or on the order's cancellation.
    Until then it waits (the fact may be on its way); one told later still corrects it."""
    if refund.case_id is None or order.cancelled or order.delivered_at is not None:
        return True
    if order.lost_reported_at is not None:
        return True
    return order.due_latest is not None and refund.issued_at >= end_of_due_date(order.due_latest)
