"""Properties of the ledger over random histories (R-SET-1..5, R-FEE-1,2).

A history: a few stores of both types; orders in several currencies, delivered (some with
after-sales cases, refunded by either party, rejected, or never resolved), cancelled
before their confirmation, or cancelled after it and refunded in whole (R-ORD-5, some
delivered anyway in a race), or still on their way. Every event arrives at a random time
after it occurred (so a delivery may come before its order, a refund before its case),
and again later (at least once delivery); every 12 hours the service's jobs run: each
order's due entries are posted, and each store's payouts of the last ended cycle made.
The count the ledger is held to is made from the history alone: what each confirmed order
collected, what each delivered one earned, and each refund, borne by the merchant or the
platform if its order earned, out of escrow if it never did (R-SET-3).

One assumption, the service's (`OrderSettlement.release_due`): a case opened in time is
told before the earnings it holds are released.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from settlement.domain.earnings import entries_due
from settlement.domain.ledger import (
    PLATFORM_BUYERS,
    PLATFORM_COMMISSION,
    PLATFORM_ESCROW,
    PLATFORM_REFUND_EXPENSE,
    Entry,
    Journal,
    Store,
    held,
    payable,
)
from settlement.domain.order import OrderFact, OrderSettlement
from settlement.domain.payouts import Payout, last_ended, payout_for, payout_id, settled_by
from shared.aftersales_window import window_close
from shared.categories import default_categories
from shared.contract import Envelope, record_event
from shared.contract.events import (
    PRODUCERS,
    AfterSalesCaseOpened,
    Delivered,
    OrderCancelled,
    OrderCreated,
    RefundIssued,
)
from shared.contract.types import LiableParty, Money, StoreType
from shared.policy import Policy
from testkit.factories import (
    HOUR,
    a_case_opened,
    a_case_rejected,
    a_delivered,
    a_line,
    a_refund_issued,
    a_shipped,
    an_order_cancelled,
    an_order_confirmed,
    an_order_created,
)

POLICY = Policy()
CATEGORIES = default_categories()
START = datetime(2026, 12, 1, tzinfo=UTC)
TICK = timedelta(hours=12)
#: Past every event, window and case of a history, and the end of a cycle after them.
END = START + timedelta(days=150)
HOURS = st.integers(min_value=1, max_value=24 * 12)


@dataclass
class History:
    stores: dict[str, Store]
    #: Each event, when it occurred, and when each of its two copies arrives.
    events: list[tuple[OrderFact, datetime, datetime, datetime]] = field(default_factory=list)
    #: Orders confirmed (their buyer's payment collected, R-ORD-2), by id: their total.
    confirmed: dict[str, Money] = field(default_factory=dict)
    #: Orders that earn (delivered, not cancelled), and those a case holds for good.
    earning: dict[str, tuple[Store, Money]] = field(default_factory=dict)
    held_for_good: set[str] = field(default_factory=set)
    #: (order id, store, liable party, amount) of every refund.
    refunds: list[tuple[str, Store, LiableParty, Money]] = field(default_factory=list)

    def earned(self, order_id: str) -> bool:
        return order_id in self.earning


@st.composite
def histories(draw: st.DrawFn) -> History:
    types: list[StoreType] = draw(
        st.lists(st.sampled_from(["full_managed", "semi_managed"]), min_size=1, max_size=3)
    )
    stores = {
        f"s-{n}": Store(store_id=f"s-{n}", merchant_id=f"m-{n}", store_type=kind)
        for n, kind in enumerate(types)
    }
    history = History(stores)
    for n in range(draw(st.integers(min_value=1, max_value=6))):
        _an_order(draw, history, f"o-{n}", draw(st.sampled_from(list(stores.values()))))
    return history


def _an_order(draw: st.DrawFn, history: History, order_id: str, store: Store) -> None:
    currency = draw(st.sampled_from(["USD", "EUR", "JPY"]))
    lines = [
        a_line(
            product_id=f"p-{n}",
            category=draw(st.sampled_from(["food", "clothing", "home"])),
            quantity=draw(st.integers(min_value=1, max_value=3)),
            unit_price=Money(amount_minor=draw(st.integers(1, 100_000)), currency=currency),
        )
        for n in range(draw(st.integers(min_value=1, max_value=2)))
    ]
    who = {"order_id": order_id, "store_id": store.store_id, "merchant_id": store.merchant_id}
    kind = {"store_type": store.store_type, **who}
    at = START + timedelta(hours=draw(st.integers(0, 24 * 20)))
    created = an_order_created(at=at, lines=lines, **kind)
    told: list[tuple[OrderFact, datetime]] = [(created, at)]
    fate = draw(st.sampled_from(["delivered", "delivered", "early", "late", "on_its_way"]))
    close = None
    if fate == "early":  # R-ORD-3: cancelled before its confirmation, nothing paid back
        told.append((an_order_cancelled(at=at + HOUR, **who), at + HOUR))
    else:
        told.append((an_order_confirmed(at=at + HOUR, lines=lines, **kind), at + HOUR))
        history.confirmed[order_id] = created.total
        close = _fate(draw, history, told, store, created, fate)
    _arrivals(draw, history, told, close)


def _fate(
    draw: st.DrawFn,
    history: History,
    told: list[tuple[OrderFact, datetime]],
    store: Store,
    created: OrderCreated,
    fate: str,
) -> datetime | None:
    """A confirmed order's events after its confirmation; its window's close if delivered."""
    order_id, at, total = created.order_id, created.created_at, created.total
    shipped_at = at + timedelta(hours=draw(HOURS))
    delivered_at = shipped_at + timedelta(hours=draw(HOURS))
    raced = fate == "late" and draw(st.booleans())  # handed over as it was cancelled
    if fate != "late" or raced:
        told.append((a_shipped(order_id=order_id, at=shipped_at), shipped_at))
    if fate == "delivered" or raced:
        told.append((a_delivered(order_id=order_id, at=delivered_at), delivered_at))
    if fate == "late":  # R-ORD-5: cancelled after its confirmation, refunded in whole
        reason = draw(st.sampled_from(["no_route", "not_shipped", "buyer_cancelled_late"]))
        who = {
            "store_id": store.store_id,
            "merchant_id": store.merchant_id,
            "store_type": store.store_type,
        }
        cancelled = an_order_cancelled(
            at=at + 2 * HOUR, order_id=order_id, reason=reason, total=total, **who
        )
        told.append((cancelled, at + 2 * HOUR))
        _refund(draw, history, told, store, (order_id, None, total), at + 3 * HOUR, reason)
    if fate != "delivered":
        return None
    history.earning[order_id] = (store, total)
    due = shipped_at.date() + timedelta(days=9)  # `a_shipped`'s latest estimate
    categories = [line.category for line in created.items]
    close = window_close(categories, CATEGORIES, delivered_at=delivered_at, due_latest=due)
    assert close is not None
    _cases(draw, history, told, store, (order_id, total), delivered_at, close)
    return close


def _cases(
    draw: st.DrawFn,
    history: History,
    told: list[tuple[OrderFact, datetime]],
    store: Store,
    order: tuple[str, Money],
    delivered_at: datetime,
    close: datetime,
) -> None:
    """Up to two cases opened in the window, each refunded, rejected or never resolved."""
    order_id, total = order
    left = total.amount_minor
    for n in range(draw(st.integers(min_value=0, max_value=2))):
        case = {"case_id": f"{order_id}-case-{n}", "order_id": order_id}
        room = int((close - delivered_at) / HOUR) - 24
        opened_at = delivered_at + timedelta(hours=draw(st.integers(0, room)))
        told.append((a_case_opened(at=opened_at, **case), opened_at))
        resolved_at = opened_at + timedelta(hours=draw(st.integers(1, 24 * 20)))
        outcome = draw(st.sampled_from(["refund", "reject", "never"]))
        if outcome == "refund" and left > 0:
            amount = draw(st.integers(1, left))
            left -= amount
            refunded = (
                order_id,
                case["case_id"],
                Money(amount_minor=amount, currency=total.currency),
            )
            _refund(draw, history, told, store, refunded, resolved_at, "after_sales_case")
        elif outcome == "never":
            history.held_for_good.add(order_id)
        else:
            told.append((a_case_rejected(at=resolved_at, **case), resolved_at))


def _refund(
    draw: st.DrawFn,
    history: History,
    told: list[tuple[OrderFact, datetime]],
    store: Store,
    refunded: tuple[str, str | None, Money],
    at: datetime,
    reason: str,
) -> None:
    order_id, case_id, amount = refunded
    liable: LiableParty = draw(st.sampled_from(["platform", "merchant"]))
    refund = a_refund_issued(
        at=at, case_id=case_id, order_id=order_id, amount=amount, liable_party=liable, reason=reason
    )
    told.append((refund, at))
    history.refunds.append((order_id, store, liable, amount))


def _arrivals(
    draw: st.DrawFn,
    history: History,
    told: list[tuple[OrderFact, datetime]],
    close: datetime | None,
) -> None:
    """Each event arrives at a random time after it occurred, and again later; a case's
    opening before its order's window closes (the one assumption). A cancellation (or its
    refund) raced by a delivery may come only after the delivery was taken: the earning
    posted then is undone (R-SET-3, R-ORD-5)."""
    delivered: datetime | None = None
    for event, at in told:
        most, since = 24 * 10, at
        if close is not None and isinstance(event, AfterSalesCaseOpened):
            most = min(most, int((close - at) / HOUR) - 1)
        cancels = isinstance(event, OrderCancelled) or (
            isinstance(event, RefundIssued) and event.case_id is None
        )
        if delivered is not None and cancels and draw(st.booleans()):
            since = max(at, delivered + TICK)
        first = since + timedelta(hours=draw(st.integers(0, most)))
        if isinstance(event, Delivered):
            delivered = first
        again = first + timedelta(hours=draw(st.integers(0, 24 * 30)))
        history.events.append((event, at, first, again))


@dataclass
class Settlement:
    """The service's state as its handlers and jobs will keep it: each order's facts, the
    ledger, the payouts."""

    orders: dict[str, OrderSettlement] = field(default_factory=dict)
    journal: Journal = field(default_factory=Journal)
    payouts: dict[str, Payout] = field(default_factory=dict)
    #: What escrow holds per order, and the least it ever held after an entry.
    escrow: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lowest_escrow: int = 0

    def take(self, envelope: Envelope, event: OrderFact) -> None:
        """Each event once, by its id (`Replicas.apply`)."""
        order = self.orders.setdefault(event.order_id, OrderSettlement(id=event.order_id))
        if order.takes(envelope, None):
            order.apply(event)
            order.took(envelope, None)

    def run_jobs(self, now: datetime) -> None:
        for order in self.orders.values():
            for entry in entries_due(order, self._posted(order.id), now, POLICY, CATEGORIES):
                self._post(entry)
        stores = {order.store for order in self.orders.values() if order.store is not None}
        settled = settled_by(self.payouts.values())
        for store in stores:
            cycle = last_ended(store.store_type, now, POLICY)
            mine = [e for e in self.journal.entries.values() if e.store_id == store.store_id]
            for currency in sorted({line.currency for entry in mine for line in entry.lines}):
                if payout_id(store.store_id, currency, cycle) in self.payouts:
                    continue  # one per store, currency and cycle; never changed
                payout = payout_for(store, currency, mine, settled, cycle)
                if payout is not None:
                    self.payouts[payout.payout_id] = payout
                    self._post(payout.entry())

    def _post(self, entry: Entry) -> None:
        if self.journal.post(entry) and entry.order_id is not None:
            self.escrow[entry.order_id] += entry.amount_in(PLATFORM_ESCROW)
            self.lowest_escrow = min(self.lowest_escrow, self.escrow[entry.order_id])

    def _posted(self, order_id: str) -> dict[str, Entry]:
        entries = self.journal.entries.values()
        return {entry.entry_id: entry for entry in entries if entry.order_id == order_id}


def settle(history: History, *, copies: int) -> Settlement:
    """The history told to the service, each event `copies` times (1 or 2), its jobs
    running every TICK from START to END."""
    arrivals: list[tuple[datetime, int, Envelope, OrderFact]] = []
    for n, (event, at, first, again) in enumerate(history.events):
        envelope = record_event(
            event, producer=PRODUCERS[type(event)], correlation_id=event.order_id, occurred_at=at
        )
        for copy, arrival in enumerate((first, again)[:copies]):
            arrivals.append((arrival, 2 * n + copy, envelope, event))
    heapq.heapify(arrivals)
    service = Settlement()
    now = START
    while now <= END:
        while arrivals and arrivals[0][0] <= now:
            _, _, envelope, event = heapq.heappop(arrivals)
            service.take(envelope, event)
        service.run_jobs(now)
        now += TICK
    return service


def net(store: Store, total: Money) -> int:
    """R-SET-1 counted apart: Python's `round` of an exact fraction rounds half to even."""
    rate = Fraction(str(POLICY.semi_managed_commission_rate))
    cut = round(total.amount_minor * rate) if store.store_type == "semi_managed" else 0
    return total.amount_minor - cut


def expected(history: History, payouts: list[Payout]) -> dict[tuple[str, str, str], int]:
    """(account kind, store, currency) -> balance, counted from the history alone."""
    found: dict[tuple[str, str, str], int] = defaultdict(int)
    for order_id, (store, total) in history.earning.items():
        kind = "held" if order_id in history.held_for_good else "payable"
        found[kind, store.store_id, total.currency] += net(store, total)
    for order_id, store, liable, amount in history.refunds:
        if liable == "merchant" and history.earned(order_id):  # R-SET-3
            found["payable", store.store_id, amount.currency] -= amount.amount_minor
    for payout in payouts:
        found["payable", payout.store_id, payout.currency] -= payout.amount.amount_minor
    return found


@settings(max_examples=50, deadline=None)
@given(history=histories())
def test_the_ledger_balances_pays_only_what_is_owed_and_agrees_with_a_count(
    history: History,
) -> None:
    service = settle(history, copies=2)
    entries = list(service.journal.entries.values())
    # (1) R-SET-5: every entry, and so the whole ledger, sums to zero per currency.
    for entry in entries:
        assert set(_per_currency([entry]).values()) <= {0}, entry
    assert set(_per_currency(entries).values()) <= {0}
    # (2) R-SET-4, R-SET-3: no payout of zero or less; each line settled once at most.
    payouts = list(service.payouts.values())
    assert all(p.amount.amount_minor == sum(x.amount_minor for x in p.lines) > 0 for p in payouts)
    settled = [line.entry_id for payout in payouts for line in payout.lines]
    assert len(settled) == len(set(settled))
    # (3) R-SET-1..4: held and payable, to the minor unit, as counted from the history.
    balances = service.journal.balances()
    count = expected(history, payouts)
    for store in history.stores.values():
        for kind, account in (("held", held(store.store_id)), ("payable", payable(store.store_id))):
            for currency in ("USD", "EUR", "JPY"):
                have = balances.get(account, {}).get(currency, 0)
                assert have == count[kind, store.store_id, currency], (account, currency)
                assert kind == "held" or have <= 0  # every positive balance was paid
    assert _platform(balances, PLATFORM_COMMISSION) == _commissions(history)
    assert _platform(balances, PLATFORM_REFUND_EXPENSE) == _platform_refunds(history)
    # (4) R-ORD-2, R-SET-3: the buyers' money: collected at each confirmation, given back
    # by every refund; escrow per order never below zero, and holding, in the end, what
    # is neither earned nor refunded: nothing of a delivered order, nor of one cancelled
    # and refunded in whole.
    assert _platform(balances, PLATFORM_BUYERS) == _buyers(history)
    assert service.lowest_escrow == 0
    assert {k: v for k, v in service.escrow.items() if v} == _escrow(history)
    refunded_in_whole = {o for o, _, _, amount in history.refunds if history.confirmed[o] == amount}
    assert all(service.escrow[o] == 0 for o in [*history.earning, *refunded_in_whole])


@settings(max_examples=25, deadline=None)
@given(history=histories())
def test_every_event_told_twice_changes_no_balance(history: History) -> None:  # R-SET-5
    once, twice = settle(history, copies=1), settle(history, copies=2)
    assert once.journal.entries == twice.journal.entries
    assert once.payouts == twice.payouts
    for event, *_ in history.events:  # ... and a third time, after all, even unchecked
        assert not twice.orders[event.order_id].apply(event)
    before = dict(twice.journal.entries)
    twice.run_jobs(END + TICK)
    assert twice.journal.entries == before


def _per_currency(entries: list[Entry]) -> dict[str, int]:
    sums: dict[str, int] = defaultdict(int)
    for entry in entries:
        for line in entry.lines:
            sums[line.currency] += line.amount_minor
    return sums


def _platform(balances: dict[str, dict[str, int]], account: str) -> dict[str, int]:
    return {currency: amount for currency, amount in balances.get(account, {}).items() if amount}


def _commissions(history: History) -> dict[str, int]:
    found: dict[str, int] = defaultdict(int)
    for store, total in history.earning.values():
        found[total.currency] += total.amount_minor - net(store, total)
    return {currency: amount for currency, amount in found.items() if amount}


def _platform_refunds(history: History) -> dict[str, int]:
    found: dict[str, int] = defaultdict(int)
    for order_id, _, liable, amount in history.refunds:
        if liable == "platform" and history.earned(order_id):  # R-SET-3
            found[amount.currency] -= amount.amount_minor
    return {currency: amount for currency, amount in found.items() if amount}


def _buyers(history: History) -> dict[str, int]:
    found: dict[str, int] = defaultdict(int)
    for total in history.confirmed.values():
        found[total.currency] -= total.amount_minor
    for *_, amount in history.refunds:
        found[amount.currency] += amount.amount_minor
    return {currency: amount for currency, amount in found.items() if amount}


def _escrow(history: History) -> dict[str, int]:
    """Per order: its total collected, less its earning, or less its refunds if it never
    earned (those not zero)."""
    found = {
        order_id: 0 if history.earned(order_id) else total.amount_minor
        for order_id, total in history.confirmed.items()
    }
    for order_id, _, _, amount in history.refunds:
        if not history.earned(order_id):
            found[order_id] -= amount.amount_minor
    return {order_id: amount for order_id, amount in found.items() if amount}
