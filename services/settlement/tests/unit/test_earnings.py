"""An order's money (R-SET-1..3, R-FEE-1): earned on delivery less commission, out of the
buyer's payment in escrow, held until its after-sales window closes and no case is open,
refunds debited as issued, nothing earned by a cancelled order. Fixed times; the ledger as
a `Journal` (escrow and refund forms: test_escrow.py)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from settlement.domain.earnings import commission, earning_id, release_id
from settlement.domain.ledger import (
    PLATFORM_BUYERS,
    PLATFORM_COMMISSION,
    PLATFORM_ESCROW,
    PLATFORM_REFUND_EXPENSE,
    Journal,
    held,
    payable,
)
from settlement.domain.order import OrderFact
from shared.policy import Policy
from shared.replica import CLOCK_SKEW
from testkit.factories import (
    HOUR,
    STORE,
    a_case_opened,
    a_case_rejected,
    a_delivered,
    a_line,
    a_refund_issued,
    a_shipped,
    an_order_cancelled,
    an_order_confirmed,
    an_order_created,
    usd,
)
from testkit.settlement_unit import (
    AFTER_ALL,
    CATEGORIES,
    CLOSES_AT,
    DELIVERED_AT,
    POLICY,
    SHIPPED_AT,
    SHIPPED_DUE_EARLY,
    TOTAL,
    a_delivered_order,
    an_order,
    post_due,
    usd_balances,
)


@pytest.mark.parametrize(
    ("total", "expected"),
    [(1250, 62), (1270, 64), (4990, 250), (999, 50), (30, 2), (10, 0), (1, 0)],
)
def test_semi_managed_commission_is_rounded_half_even_per_order(total: int, expected: int) -> None:
    # R-SET-1: 62.5 -> 62 and 63.5 -> 64 (ties to even), 49.95 -> 50.
    assert commission(usd(total), "semi_managed", POLICY) == expected


def test_full_managed_pays_no_commission_whatever_the_rate() -> None:  # R-FEE-1
    policy = Policy(semi_managed_commission_rate=Decimal("0.3"))
    assert commission(usd(4990), "full_managed", policy) == 0


def test_a_full_managed_order_earns_its_whole_total_held() -> None:  # R-SET-1, R-FEE-1
    journal = Journal()
    [_, entry] = post_due(journal, a_delivered_order("full_managed"), DELIVERED_AT + HOUR)
    assert (entry.entry_id, entry.kind, entry.at) == (
        earning_id("order-1"),
        "earning",
        DELIVERED_AT,
    )
    assert entry.amount_in(PLATFORM_ESCROW) == -TOTAL  # out of the buyer's payment held
    assert usd_balances(journal) == {PLATFORM_BUYERS: -TOTAL, held(STORE): TOTAL}


def test_a_semi_managed_order_earns_its_total_less_commission() -> None:  # R-SET-1
    journal = Journal()
    post_due(journal, a_delivered_order("semi_managed"), DELIVERED_AT + HOUR)
    assert usd_balances(journal) == {
        PLATFORM_BUYERS: -TOTAL,
        held(STORE): TOTAL - 250,
        PLATFORM_COMMISSION: 250,
    }


def test_a_release_moves_the_earning_as_posted_under_the_policy_of_then() -> None:
    # R-SET-2, R-REV-10: a rate changed after the delivery changes no posted earning.
    order = a_delivered_order("semi_managed")
    journal = Journal()
    post_due(journal, order, DELIVERED_AT + HOUR)
    post_due(journal, order, AFTER_ALL, Policy(semi_managed_commission_rate=Decimal("0.5")))
    assert usd_balances(journal)[payable(STORE)] == TOTAL - 250
    assert usd_balances(journal)[PLATFORM_COMMISSION] == 250


def test_earnings_are_held_until_the_window_closes_then_payable() -> None:  # R-SET-2, R-AS-1
    # The parcel was due before its delivery: the window of `food` counts from the delivery.
    food = [a_line(category="food")]
    order = an_order(
        an_order_confirmed(lines=food), SHIPPED_DUE_EARLY, a_delivered(at=DELIVERED_AT)
    )
    closes_at = DELIVERED_AT + timedelta(days=CATEGORIES.window_days("food"))
    journal = Journal()
    post_due(journal, order, closes_at)
    post_due(journal, order, closes_at + CLOCK_SKEW - HOUR / 60)  # aftersales' clock may lag
    assert usd_balances(journal)[held(STORE)] == TOTAL
    [released] = post_due(journal, order, closes_at + CLOCK_SKEW)
    assert (released.entry_id, released.at) == (release_id("order-1"), closes_at)
    assert usd_balances(journal) == {PLATFORM_BUYERS: -TOTAL, payable(STORE): TOTAL}


def test_nothing_is_released_on_a_delivery_whose_handover_is_not_told_yet() -> None:
    # R-SET-2, R-AS-1: the close counts from the later of the delivery and the parcel's due
    # date, which its `Shipped` tells; a delivery told first releases nothing, so a case
    # aftersales still takes holds the earnings (it would not, released).
    order = an_order(an_order_confirmed(), a_delivered(at=DELIVERED_AT))
    journal = Journal()
    assert [e.kind for e in post_due(journal, order, AFTER_ALL)] == ["collection", "earning"]
    order.apply(a_shipped(at=SHIPPED_AT))
    order.apply(a_case_opened(at=CLOSES_AT - HOUR))
    assert post_due(journal, order, AFTER_ALL) == []
    assert usd_balances(journal)[held(STORE)] == TOTAL


def test_the_window_counts_from_the_latest_due_date_as_aftersales_does() -> None:  # R-AS-1
    order = a_delivered_order()
    assert order.release_at(CATEGORIES) == CLOSES_AT  # the parcel was due after its delivery
    assert not order.release_due(CLOSES_AT - timedelta(days=1), CATEGORIES)


def test_an_order_of_several_categories_is_held_for_the_longest_window() -> None:  # R-AS-1
    lines = [a_line(category="food"), a_line(product_id="p-2", category="clothing")]
    order = an_order(an_order_created(lines=lines), SHIPPED_DUE_EARLY, a_delivered(at=DELIVERED_AT))
    longest = max(CATEGORIES.window_days(c) for c in ("food", "clothing"))
    assert order.release_at(CATEGORIES) == DELIVERED_AT + timedelta(days=longest)


@pytest.mark.parametrize("closing", ["rejected", "refunded"])
def test_a_case_open_at_the_close_holds_the_earnings_until_resolved(closing: str) -> None:
    # R-SET-2: held until the case is resolved, then payable from its resolution.
    order = a_delivered_order()
    order.apply(a_case_opened(at=CLOSES_AT - HOUR))
    journal = Journal()
    post_due(journal, order, AFTER_ALL)
    assert order.release_at(CATEGORIES) is None
    assert usd_balances(journal)[held(STORE)] == TOTAL
    resolved_at = CLOSES_AT + timedelta(days=3)
    if closing == "rejected":
        order.apply(a_case_rejected(at=resolved_at))
    else:
        order.apply(a_refund_issued(at=resolved_at, amount=usd(100), liable_party="platform"))
    post_due(journal, order, AFTER_ALL)
    assert journal.entries[release_id("order-1")].at == resolved_at
    assert usd_balances(journal)[payable(STORE)] == TOTAL


def test_a_case_resolved_before_the_close_holds_nothing() -> None:  # R-SET-2
    order = a_delivered_order()
    order.apply(a_case_opened(at=DELIVERED_AT + HOUR))
    order.apply(a_case_rejected(at=DELIVERED_AT + 2 * HOUR))
    assert order.release_at(CATEGORIES) == CLOSES_AT


def test_a_merchant_refund_is_debited_when_issued_even_while_held() -> None:  # R-SET-3
    order = a_delivered_order()
    order.apply(a_refund_issued(at=DELIVERED_AT + HOUR, amount=usd(1000), liable_party="merchant"))
    journal = Journal()
    post_due(journal, order, DELIVERED_AT + 2 * HOUR)
    balance = usd_balances(journal)
    assert (balance[held(STORE)], balance[payable(STORE)]) == (TOTAL, -1000)
    assert balance[PLATFORM_BUYERS] == -TOTAL + 1000
    post_due(journal, order, AFTER_ALL)
    assert usd_balances(journal)[payable(STORE)] == TOTAL - 1000  # set against the earning


def test_a_platform_refund_is_the_platforms_expense() -> None:  # R-SET-3, R-AS-2
    order = a_delivered_order()
    order.apply(a_refund_issued(at=DELIVERED_AT + HOUR, amount=usd(1000), liable_party="platform"))
    journal = Journal()
    post_due(journal, order, AFTER_ALL)
    balance = usd_balances(journal)
    assert (balance[PLATFORM_REFUND_EXPENSE], balance[payable(STORE)]) == (-1000, TOTAL)


def test_an_earning_learnt_void_by_a_late_cancellation_is_reversed() -> None:
    # R-SET-3, R-SET-5, R-ORD-5: the delivery (a parcel handed over in a race with the
    # cancellation) was told first; the cancellation, told after the release, undoes both
    # by reversing entries dated when made, the originals standing: the buyer's payment is
    # back in escrow, where its refund takes it from.
    order = an_order(an_order_confirmed(), SHIPPED_DUE_EARLY, a_delivered(at=DELIVERED_AT))
    journal = Journal()
    post_due(journal, order, AFTER_ALL)
    order.apply(an_order_cancelled(reason="buyer_cancelled_late"))
    corrections = post_due(journal, order, AFTER_ALL + HOUR)
    assert [(e.kind, e.reverses) for e in corrections] == [
        ("reversal", release_id("order-1")),
        ("reversal", earning_id("order-1")),
    ]
    assert {e.at for e in corrections} == {AFTER_ALL + HOUR}
    assert usd_balances(journal) == {PLATFORM_BUYERS: -TOTAL, PLATFORM_ESCROW: TOTAL}
    assert post_due(journal, order, AFTER_ALL + 2 * HOUR) == []
    order.apply(a_refund_issued(case_id=None, reason="buyer_cancelled_late", at=AFTER_ALL))
    [refund] = post_due(journal, order, AFTER_ALL + 3 * HOUR)
    assert refund.amount_in(PLATFORM_ESCROW) == -TOTAL
    assert usd_balances(journal) == {}  # nobody paid, nobody fined (R-SET-3)


def test_nothing_is_posted_before_the_buyers_payment_is_collected() -> None:
    # R-SET-1, R-ORD-2: events come in any order: a delivery and a refund before the order
    # itself, then its creation (whose it is, its total), and only then its confirmation.
    refund = a_refund_issued(at=DELIVERED_AT + HOUR, amount=usd(1000), liable_party="merchant")
    order = an_order(a_delivered(at=DELIVERED_AT), refund, SHIPPED_DUE_EARLY)
    journal = Journal()
    assert post_due(journal, order, AFTER_ALL) == []
    order.apply(an_order_created())
    assert post_due(journal, order, AFTER_ALL) == []
    order.apply(an_order_confirmed())
    assert [e.kind for e in post_due(journal, order, AFTER_ALL)] == [
        "collection",
        "earning",
        "release",
        "refund",
    ]
    assert usd_balances(journal) == {PLATFORM_BUYERS: -TOTAL + 1000, payable(STORE): TOTAL - 1000}


def test_every_fact_told_again_changes_nothing_and_posts_nothing() -> None:  # R-SET-5
    events: list[OrderFact] = [
        an_order_confirmed(),
        SHIPPED_DUE_EARLY,
        a_delivered(at=DELIVERED_AT),
        a_case_opened(at=DELIVERED_AT + HOUR),
        a_refund_issued(at=DELIVERED_AT + 2 * HOUR, amount=usd(100)),
    ]
    order = an_order(*events)
    journal = Journal()
    posted = post_due(journal, order, AFTER_ALL)
    assert not any(order.apply(event) for event in reversed(events))
    assert post_due(journal, order, AFTER_ALL) == []
    assert [e.kind for e in posted] == ["collection", "earning", "release", "refund"]
