"""Settlement's handlers through its own bootstrap on `FakePorts`: each fact taken into
the order's state once, in any order, and the entries it calls for posted once
(R-SET-1..3, R-SET-5)."""

from __future__ import annotations

import itertools

import pytest

import testkit.factories as make
from settlement.bootstrap import SettlementServices
from settlement.domain.earnings import collection_id, earning_id, refund_id, release_id
from settlement.domain.ledger import (
    PLATFORM_ESCROW,
    PLATFORM_REFUND_EXPENSE,
    Entry,
    Journal,
    held,
    payable,
)
from settlement.domain.order import OrderFact
from shared.errors import Implausible
from shared.messaging.topology import QUEUES
from shared.testing import Wired
from testkit.factories import ORDER, STORE
from testkit.settlement_unit import (
    AFTER_ALL,
    DELIVERED_AT,
    SHIPPED_AT,
    TOTAL,
    a_settlement_service,
    deliver_an_order,
)


async def posted(wired: Wired[SettlementServices], order_id: str = ORDER) -> dict[str, Entry]:
    return await wired.services.ledger.entries.of_order(order_id)


async def balances_of(wired: Wired[SettlementServices]) -> dict[str, int]:
    found = Journal((await posted(wired)).values()).balances()
    return {account: by["USD"] for account, by in found.items() if by.get("USD")}


async def test_a_delivered_order_is_collected_then_earns_held() -> None:
    """R-ORD-2, R-SET-1, R-SET-2: collected at its confirmation, earned held at delivery."""
    wired = await a_settlement_service()
    await deliver_an_order(wired)
    assert set(await posted(wired)) == {collection_id(ORDER), earning_id(ORDER)}
    assert await balances_of(wired) == {"platform:buyers": -TOTAL, held(STORE): TOTAL}


async def test_nothing_moves_before_the_confirmation() -> None:
    """R-ORD-2: a created, shipped and delivered order unconfirmed is not in the ledger."""
    wired = await a_settlement_service()
    await wired.deliver(make.an_order_created())
    await wired.deliver(make.a_delivered(at=DELIVERED_AT))
    assert await posted(wired) == {}
    await wired.deliver(make.an_order_confirmed())
    assert set(await posted(wired)) == {collection_id(ORDER), earning_id(ORDER)}


async def test_a_redelivered_event_posts_nothing_more() -> None:
    """R-SET-5: an entry is posted at most once per source event."""
    wired = await a_settlement_service()
    envelope = await wired.deliver(make.an_order_confirmed())
    await wired.deliver(make.an_order_confirmed(), envelope=envelope)
    await wired.deliver(make.an_order_confirmed())  # the same fact under another event id
    assert set(await posted(wired)) == {collection_id(ORDER)}


FACTS: list[OrderFact] = [
    make.an_order_created(store_type="semi_managed"),
    make.an_order_confirmed(store_type="semi_managed"),
    make.a_shipped(at=SHIPPED_AT),
    make.a_delivered(at=DELIVERED_AT),
    make.a_case_opened(at=DELIVERED_AT),
    make.a_refund_issued(at=DELIVERED_AT, amount=make.usd(1000), liable_party="merchant"),
]


@pytest.mark.parametrize("order", list(itertools.permutations(range(len(FACTS))))[::37])
async def test_any_order_of_facts_posts_the_same_ledger(order: tuple[int, ...]) -> None:
    """R-SET-5: the entries follow the facts, not the order they came in; each twice."""
    wired = await a_settlement_service()
    wired.clock.set(DELIVERED_AT)
    for index in order:
        envelope = await wired.deliver(FACTS[index])
        await wired.deliver(FACTS[index], envelope=envelope)
    commission = round(TOTAL * float(wired.ports.policy.semi_managed_commission_rate))
    assert await balances_of(wired) == {
        "platform:buyers": -TOTAL + 1000,
        held(STORE): TOTAL - commission,
        payable(STORE): -1000,
        "platform:commission": commission,
    }


async def test_a_platform_borne_refund_is_the_platforms_expense() -> None:
    """R-SET-3, R-AS-2: a refund the platform bears posts to its refund expense."""
    wired = await a_settlement_service()
    await deliver_an_order(wired)
    await wired.deliver(make.a_case_opened(at=DELIVERED_AT))
    await wired.deliver(make.a_refund_issued(at=DELIVERED_AT, liable_party="platform"))
    balances = await balances_of(wired)
    assert balances[PLATFORM_REFUND_EXPENSE] == -TOTAL
    assert refund_id(ORDER, "case-1") in await posted(wired)


async def test_a_cancellation_before_delivery_earns_nothing() -> None:
    """R-SET-3: the refund of a cancelled order comes out of escrow; no earning."""
    wired = await a_settlement_service()
    await wired.deliver(make.an_order_confirmed())
    await wired.deliver(make.an_order_cancelled(reason="not_shipped"))
    await wired.deliver(make.a_refund_issued(case_id=None, liable_party="merchant"))
    assert earning_id(ORDER) not in await posted(wired)
    assert await balances_of(wired) == {}  # escrow given back whole


async def test_a_cancellation_learnt_after_delivery_reverses_the_earning() -> None:
    """R-SET-3, R-SET-5: the earning is reversed, never edited."""
    wired = await a_settlement_service()
    await deliver_an_order(wired)
    await wired.deliver(make.an_order_cancelled(reason="not_shipped"))
    entries = await posted(wired)
    assert any(entry.reverses == earning_id(ORDER) for entry in entries.values())
    assert (await balances_of(wired)).get(held(STORE), 0) == 0
    assert (await balances_of(wired))[PLATFORM_ESCROW] == TOTAL


async def test_a_lost_parcel_and_a_rejected_case_are_taken() -> None:
    """R-AS-1, R-SET-2: the facts that move the window and its cases are kept."""
    wired = await a_settlement_service()
    await deliver_an_order(wired)
    await wired.deliver(make.a_shipment_exception(at=SHIPPED_AT))
    await wired.deliver(make.a_case_opened(at=DELIVERED_AT))
    await wired.deliver(make.a_case_rejected(at=DELIVERED_AT))
    order = await wired.services.ledger.orders.get(ORDER)
    assert order is not None
    assert order.lost_reported_at == SHIPPED_AT
    assert "case-1" in order.cases_closed


async def test_a_refund_above_the_total_is_implausible_and_changes_nothing() -> None:
    """R-AS-2: aftersales never refunds more than the order's total."""
    wired = await a_settlement_service()
    await deliver_an_order(wired)
    before = await posted(wired)
    with pytest.raises(Implausible):
        await wired.deliver(make.a_refund_issued(amount=make.usd(TOTAL + 1)))
    assert await posted(wired) == before


async def test_every_handled_event_is_in_the_table() -> None:
    wired = await a_settlement_service()
    handled = {event.__name__ for event in wired.wiring.handlers}
    assert handled == set(QUEUES["settlement"].event_types)


async def test_the_release_is_posted_by_the_job_once_due() -> None:
    """R-SET-2: held until the window closes, then payable, once."""
    wired = await a_settlement_service()
    await deliver_an_order(wired)
    await wired.run("releases")
    assert release_id(ORDER) not in await posted(wired)
    wired.clock.set(AFTER_ALL)
    await wired.run("releases")
    await wired.run("releases")
    assert (await balances_of(wired))[payable(STORE)] == TOTAL
    assert release_id(ORDER) in await posted(wired)
