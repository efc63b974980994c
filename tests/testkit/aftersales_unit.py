"""What aftersales' unit tests share: an order's facts for the pure rules, and the service
wired on `FakePorts` with an order delivered to it, cases opened and resolved on it; an
order cancelled after its confirmation (R-ORD-5), and a write that crashes or loses a race.

Two timelines: `order_facts` is dated in November 2026 by its caller (the rules take the
time as an argument); the wired service runs on a `FixedClock` from `T0`, its order
confirmed at `T0`, shipped at `SHIPPED_AT` and delivered at `DELIVERED_AT`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from aftersales.bootstrap import AftersalesServices, bootstrap
from aftersales.domain.compensation import CompensatedReason, Compensation
from aftersales.domain.facts import OrderFacts, StoreFacts
from aftersales.domain.model import Case, Decision
from aftersales.domain.rules import Reason
from aftersales.service_layer.commands import OpenCase
from aftersales.service_layer.resolution import ResolveCase
from shared.categories import CategoryList
from shared.clock import FixedClock
from shared.contract import Envelope, record_event
from shared.contract.events import PRODUCERS, CancelReason, OrderCancelled
from shared.contract.types import ContractModel, LiableParty, Money, StoreType
from shared.policy import Policy
from shared.testing import FakePorts, Wired
from testkit.factories import (
    AN_OPERATOR,
    BUYER,
    MERCHANT,
    ORDER,
    STORE,
    T0,
    a_delivered,
    a_shipped,
    a_store_approved,
    a_window,
    an_order_cancelled,
    an_order_confirmed,
    usd,
)

#: When the order of `order_facts` is due: between 5 and 9 November 2026.
ESTIMATE = a_window(date(2026, 11, 5), date(2026, 11, 9))


def order_facts(
    categories: list[str],
    *,
    shipped_at: datetime,
    delivered_at: datetime | None = None,
    store_type: StoreType = "full_managed",
) -> OrderFacts:
    """50.00 USD of `categories` from the factories' buyer, merchant and store, shipped at
    `shipped_at` and due within `ESTIMATE`; delivered at `delivered_at`, else still shipped."""
    return OrderFacts(
        id=str(uuid4()),
        buyer_id=BUYER,
        merchant_id=MERCHANT,
        store_id=STORE,
        store_type=store_type,
        categories=categories,
        total=usd(5000),
        status="shipped" if delivered_at is None else "delivered",
        shipped_at=shipped_at,
        estimated_delivery=ESTIMATE,
        delivered_at=delivered_at,
    )


SHIPPED_AT = T0 + timedelta(days=1)  # due at the latest on a_day(10)
DELIVERED_AT = T0 + timedelta(days=4)
OPENED_AT = DELIVERED_AT + timedelta(days=1)
#: The order's total: one line of the factories' default price.
TOTAL = usd(4990)


async def an_aftersales_service(
    policy: Policy | None = None, categories: CategoryList | None = None
) -> Wired[AftersalesServices]:
    """The service as its bootstrap wires it, knowing nothing yet; its clock at T0."""
    ports = FakePorts("aftersales", clock=FixedClock(T0), policy=policy, categories=categories)
    wired: Wired[AftersalesServices] = await Wired.up(bootstrap, ports)
    return wired


async def ship_an_order(
    wired: Wired[AftersalesServices], order_id: str = ORDER, **order: Any
) -> None:
    """`an_order_confirmed(**order)` at T0, shipped at SHIPPED_AT."""
    await wired.deliver(an_order_confirmed(order_id=order_id, **order))
    await wired.deliver(a_shipped(order_id=order_id, at=SHIPPED_AT))


async def deliver_an_order(
    wired: Wired[AftersalesServices], order_id: str = ORDER, **order: Any
) -> None:
    """`an_order_confirmed(**order)` at T0, shipped at SHIPPED_AT, delivered at DELIVERED_AT."""
    await ship_an_order(wired, order_id, **order)
    await wired.deliver(a_delivered(order_id=order_id, at=DELIVERED_AT))


async def a_delivered_order(
    *,
    approved_at: datetime | None = None,
    store_type: StoreType = "full_managed",
    policy: Policy | None = None,
    categories: CategoryList | None = None,
    **order: Any,
) -> Wired[AftersalesServices]:
    """The service told of its store's approval at `approved_at` (None: not heard of; as
    review tells it, then: no later than T0), then of an order delivered
    (`deliver_an_order`); its clock still at T0."""
    wired = await an_aftersales_service(policy, categories)
    if approved_at is not None:
        approval = a_store_approved(at=approved_at, store_type=store_type)
        await wired.deliver(approval, at=approved_at)
    await deliver_an_order(wired, store_type=store_type, **order)
    return wired


async def an_open_case(
    *,
    approved_at: datetime | None = T0,
    store_type: StoreType = "full_managed",
    policy: Policy | None = None,
) -> tuple[Wired[AftersalesServices], Case]:
    """A delivered order of a store approved at `approved_at`, and a case on it asking for
    its whole total, opened at OPENED_AT."""
    wired = await a_delivered_order(approved_at=approved_at, store_type=store_type, policy=policy)
    wired.clock.set(OPENED_AT)
    return wired, await open_a_case(wired, refund=TOTAL)


async def open_a_case(
    wired: Wired[AftersalesServices],
    reason: Reason = "damaged",
    refund: Money = usd(1000),
    order_id: str = ORDER,
) -> Case:
    """The buyer's case on the order, now."""
    command = OpenCase(BUYER, order_id, reason, "the lid is cracked", refund)
    return await wired.services.commands.open(command)


async def resolve(
    wired: Wired[AftersalesServices],
    case: Case,
    refund: Money | None,
    decision: Decision = "refund",
    note: str = "decided",
    operator: str = AN_OPERATOR.sub,
) -> Case:
    """An operator's decision on the case, now."""
    command = ResolveCase(case.id, operator, decision, refund, note)
    return await wired.services.resolution.resolve(command)


async def the_order(wired: Wired[AftersalesServices], order_id: str = ORDER) -> OrderFacts:
    """The order's stored replica."""
    order = await wired.services.events.orders.get(order_id)
    assert order is not None
    return order


async def the_store(wired: Wired[AftersalesServices], store_id: str = STORE) -> StoreFacts:
    """The store's stored replica."""
    store = await wired.services.events.stores.get(store_id)
    assert store is not None
    return store


async def refund_reservations(wired: Wired[AftersalesServices]) -> list[tuple[str, Money]]:
    """What the order's ledger holds, by case."""
    return [(r.case_id, r.amount) for r in (await the_order(wired)).refund_reservations]


#: When the orders below are cancelled (R-ORD-5): days after their confirmation at T0.
CANCELLED_AT = T0 + timedelta(days=5)

#: R-ORD-6: who bears the refund of each cancellation R-ORD-5 compensates, by its reason
#: and the order's store type.
LIABILITY: list[tuple[CompensatedReason, StoreType, LiableParty]] = [
    ("no_route", "full_managed", "platform"),
    ("no_route", "semi_managed", "platform"),
    ("not_shipped", "full_managed", "platform"),
    ("not_shipped", "semi_managed", "merchant"),
    ("buyer_cancelled_late", "full_managed", "platform"),
    ("buyer_cancelled_late", "semi_managed", "merchant"),
]


def a_cancellation(
    reason: CancelReason = "not_shipped",
    *,
    store_type: StoreType | None = "full_managed",
    total: Money | None = TOTAL,
    at: datetime = CANCELLED_AT,
    **overrides: Any,
) -> OrderCancelled:
    """The factories' order cancelled at `at` for `reason`, carrying its store and total as
    orders now sends them (None: as recorded before they were added)."""
    fields: dict[str, Any] = {
        "reason": reason,
        "store_id": STORE if store_type else None,
        "store_type": store_type,
        "total": total,
    }
    return an_order_cancelled(at=at, **{**fields, **overrides})


async def a_confirmed_order(
    store_type: StoreType = "full_managed", policy: Policy | None = None, **order: Any
) -> Wired[AftersalesServices]:
    """The service told of an order confirmed at T0 (`an_order_confirmed(**order)`), never
    shipped; its clock at CANCELLED_AT."""
    wired = await an_aftersales_service(policy)
    await wired.deliver(an_order_confirmed(store_type=store_type, **order))
    wired.clock.set(CANCELLED_AT)
    return wired


async def the_compensation(
    wired: Wired[AftersalesServices], order_id: str = ORDER
) -> Compensation | None:
    """The stored refund of the order's cancellation, if any."""
    return await wired.services.cancellations.compensations.get(order_id)


def an_envelope(event: ContractModel, at: datetime) -> Envelope:
    """`event` recorded by its producer at `at`: to deliver the very same message again
    (`wired.deliver(event, envelope=...)`) after a delivery that failed half-way."""
    return record_event(
        event, producer=PRODUCERS[type(event)], correlation_id=str(uuid4()), occurred_at=at
    )


class Crash(Exception):
    """The process dying between two writes."""


def before_next(
    monkeypatch: pytest.MonkeyPatch,
    target: object,
    method: str,
    meanwhile: Callable[[], Awaitable[object]],
    *,
    skip: int = 0,
) -> None:
    """Run `meanwhile` once, just before a call of `target.method` (a repository's `save`
    or `add`), after `skip` calls: a rival writer that wins the race to that write."""
    write = getattr(target, method)
    pending = [meanwhile]
    calls = 0

    async def after_meanwhile(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if pending and calls > skip:
            await pending.pop()()
        return await write(*args, **kwargs)

    monkeypatch.setattr(target, method, after_meanwhile)


def crash_next(monkeypatch: pytest.MonkeyPatch, target: object, method: str) -> None:
    """The next call of `target.method` (a repository's `save` or `add`) raises `Crash`
    before writing anything; later calls write."""
    write = getattr(target, method)
    crashed: list[bool] = []

    async def write_or_crash(*args: Any, **kwargs: Any) -> Any:
        if not crashed:
            crashed.append(True)
            raise Crash
        return await write(*args, **kwargs)

    monkeypatch.setattr(target, method, write_or_crash)
