"""What settlement's unit tests share: an order's settlement state told a few events, and
a ledger (`Journal`) its due entries are posted to, as the service will post them.

The timeline: the factories' order (one line, 49.90 USD of `home`, whose after-sales
window is the policy default) is created and confirmed at `T0`, shipped at `SHIPPED_AT`
and delivered at `DELIVERED_AT`; its window closes at `CLOSES_AT`; by `AFTER_ALL` every
release is due. The wired service (`a_settlement_service`) runs on a `FixedClock` from
`T0` and is told the same timeline (`deliver_an_order`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from settlement.bootstrap import SettlementServices, bootstrap
from settlement.domain.earnings import entries_due
from settlement.domain.ledger import PLATFORM_ESCROW, Entry, Journal
from settlement.domain.order import OrderFact, OrderSettlement
from shared.aftersales_window import end_of_due_date
from shared.categories import default_categories
from shared.clock import FixedClock
from shared.contract.types import Money, StoreType
from shared.policy import Policy
from shared.replica import CLOCK_SKEW
from shared.testing import FakePorts, Wired
from testkit.factories import (
    ORDER,
    T0,
    a_day,
    a_delivered,
    a_refund_issued,
    a_shipped,
    a_window,
    an_order_confirmed,
    an_order_created,
)

POLICY = Policy()
CATEGORIES = default_categories()
SHIPPED_AT = T0 + timedelta(days=1)  # due on a_day(10) at the latest (`a_shipped`)
DELIVERED_AT = T0 + timedelta(days=4)
#: R-AS-1: the window of `home` (15 days in the default list) counts from the later of the delivery
#: and the end of the latest estimated date (a_day(10) ends after DELIVERED_AT).
DUE_END = end_of_due_date(a_day(10))
CLOSES_AT = DUE_END + timedelta(days=CATEGORIES.window_days("home"))
AFTER_ALL = CLOSES_AT + CLOCK_SKEW + timedelta(days=30)
#: Its parcel handed over at SHIPPED_AT, due before DELIVERED_AT: its window counts from
#: the delivery alone.
SHIPPED_DUE_EARLY = a_shipped(at=SHIPPED_AT, estimated_delivery=a_window(a_day(2), a_day(3)))
#: The factories' order's total: one line at 49.90 USD.
TOTAL = 4990


def an_order(*events: OrderFact) -> OrderSettlement:
    """The settlement state of ORDER once told `events`, in the order given."""
    order = OrderSettlement(id=ORDER)
    for event in events:
        order.apply(event)
    return order


def a_delivered_order(store_type: StoreType = "full_managed", **order: Any) -> OrderSettlement:
    """ORDER created and confirmed at T0, shipped at SHIPPED_AT, delivered at DELIVERED_AT."""
    return an_order(
        an_order_created(store_type=store_type, **order),
        an_order_confirmed(store_type=store_type, **order),
        a_shipped(at=SHIPPED_AT),
        a_delivered(at=DELIVERED_AT),
    )


def post_due(
    journal: Journal, order: OrderSettlement, now: datetime, policy: Policy = POLICY
) -> list[Entry]:
    """Post what `order` calls for at `now`, as the service will: its due entries, given
    the order's entries already posted, one by one; the order's escrow is never below
    zero after any of them (R-SET-5). The entries posted."""
    due = entries_due(order, _of(journal.entries.values(), order.id), now, policy, CATEGORIES)
    for entry in due:
        journal.post(entry)
        assert escrow_of(journal, order.id) >= 0, entry
    return due


def escrow_of(journal: Journal, order_id: str) -> int:
    """What escrow holds of the buyer's payment for the order (its one currency)."""
    return sum(
        e.amount_in(PLATFORM_ESCROW) for e in journal.entries.values() if e.order_id == order_id
    )


def usd_balances(journal: Journal) -> dict[str, int]:
    """The accounts' balances in USD, those not zero."""
    found = {account: by.get("USD", 0) for account, by in journal.balances().items()}
    return {account: amount for account, amount in found.items() if amount}


def _of(entries: Iterable[Entry], order_id: str) -> dict[str, Entry]:
    return {entry.entry_id: entry for entry in entries if entry.order_id == order_id}


async def a_settlement_service(policy: Policy | None = None) -> Wired[SettlementServices]:
    """The service as its bootstrap wires it, knowing nothing yet; its clock at T0."""
    ports = FakePorts("settlement", clock=FixedClock(T0), policy=policy or POLICY)
    wired: Wired[SettlementServices] = await Wired.up(bootstrap, ports)
    return wired


async def deliver_an_order(
    wired: Wired[SettlementServices], store_type: StoreType = "full_managed", **order: Any
) -> None:
    """ORDER created and confirmed at T0, shipped at SHIPPED_AT, delivered at DELIVERED_AT,
    told the service at those times (its clock left at DELIVERED_AT)."""
    order_id = order.get("order_id", ORDER)
    steps: list[tuple[datetime, OrderFact]] = [
        (T0, an_order_created(store_type=store_type, **order)),
        (T0, an_order_confirmed(store_type=store_type, **order)),
        (SHIPPED_AT, a_shipped(at=SHIPPED_AT, order_id=order_id)),
        (DELIVERED_AT, a_delivered(at=DELIVERED_AT, order_id=order_id)),
    ]
    for at, event in steps:
        wired.clock.set(at)
        await wired.deliver(event)


async def issue_a_refund(
    wired: Wired[SettlementServices], at: datetime, amount: Money, **refund: Any
) -> None:
    """A refund of `amount` issued at `at` (of CASE on ORDER, borne by the merchant, unless
    `refund` says otherwise; `case_id=None` for a cancellation's), told the service then
    (its clock left at `at`)."""
    wired.clock.set(at)
    await wired.deliver(a_refund_issued(at=at, amount=amount, **refund))
