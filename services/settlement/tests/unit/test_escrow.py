"""The buyer's money in the ledger (R-ORD-2, R-SET-1, R-SET-3): collected into escrow when
the order is confirmed, out of it when the order earns (its delivery) or as refunds of an
order that never earned give it back; refunds of an order that earns are borne by the
merchant or the platform. Escrow per order is never below zero (`post_due` checks it
after every entry). Fixed times; the ledger as a `Journal`."""

from __future__ import annotations

import pytest

from settlement.domain.earnings import collection_id, earning_id, refund_id
from settlement.domain.ledger import (
    PLATFORM_BUYERS,
    PLATFORM_ESCROW,
    PLATFORM_REFUND_EXPENSE,
    Journal,
    held,
    payable,
)
from shared.contract.types import LiableParty, StoreType
from testkit.aftersales_unit import LIABILITY
from testkit.factories import (
    HOUR,
    STORE,
    T0,
    a_delivered,
    a_refund_issued,
    a_shipment_exception,
    a_shipped,
    an_order_cancelled,
    an_order_confirmed,
    an_order_created,
    usd,
)
from testkit.settlement_unit import (
    AFTER_ALL,
    DELIVERED_AT,
    DUE_END,
    SHIPPED_AT,
    TOTAL,
    an_order,
    escrow_of,
    post_due,
    usd_balances,
)


def test_a_confirmed_order_puts_the_buyers_payment_in_escrow() -> None:  # R-ORD-2
    journal = Journal()
    [collected] = post_due(journal, an_order(an_order_confirmed()), AFTER_ALL)
    assert (collected.entry_id, collected.kind, collected.at) == (
        collection_id("order-1"),
        "collection",
        T0,
    )
    assert usd_balances(journal) == {PLATFORM_BUYERS: -TOTAL, PLATFORM_ESCROW: TOTAL}


@pytest.mark.parametrize("reason", ["confirmation_timeout", "buyer_cancelled"])
def test_an_order_cancelled_before_its_confirmation_never_touches_the_ledger(
    reason: str,
) -> None:  # R-ORD-3: nothing was paid, nothing is refunded (R-ORD-5)
    order = an_order(an_order_created(), an_order_cancelled(reason=reason))
    journal = Journal()
    assert post_due(journal, order, AFTER_ALL) == []
    assert journal.entries == {}


@pytest.mark.parametrize(("reason", "store_type", "liable"), LIABILITY)
def test_an_order_cancelled_before_delivery_pays_nothing_and_fines_nobody(
    reason: str, store_type: StoreType, liable: LiableParty
) -> None:
    # R-SET-3, R-ORD-5, R-ORD-6: it supplied nothing and earns nothing, so it pays nothing
    # whoever bore its refund (as the refund report counts it): the buyer's payment
    # goes back out of escrow; the merchant's payable balance and the platform's refund
    # expense are untouched, and the refund still names who bore it.
    order = an_order(
        an_order_confirmed(store_type=store_type),
        an_order_cancelled(reason=reason, store_type=store_type, store_id=STORE),
        a_refund_issued(case_id=None, reason=reason, amount=usd(TOTAL), liable_party=liable),
    )
    journal = Journal()
    [_, refund] = post_due(journal, order, AFTER_ALL)
    assert (refund.kind, refund.case_id, refund.liable_party) == ("refund", None, liable)
    assert f"borne by the {liable}" in refund.memo
    assert refund.amount_in(PLATFORM_ESCROW) == -TOTAL
    assert usd_balances(journal) == {}
    assert escrow_of(journal, "order-1") == 0


def test_a_cancellations_refund_told_first_still_ends_the_order() -> None:  # R-ORD-5
    # The refund of a cancellation tells the cancellation: the order earns nothing, even
    # delivered (a parcel handed over in a race with it), before `OrderCancelled` comes.
    refund = a_refund_issued(case_id=None, reason="not_shipped", liable_party="merchant")
    order = an_order(an_order_confirmed(store_type="semi_managed"), a_delivered(), refund)
    journal = Journal()
    assert [e.kind for e in post_due(journal, order, AFTER_ALL)] == ["collection", "refund"]
    assert usd_balances(journal) == {}


def test_a_cases_refund_told_before_the_delivery_waits_for_it() -> None:  # R-AS-1, R-SET-3
    # A case on goods neither delivered, reported lost nor overdue stands on a delivery
    # not told yet: its refund waits for it, then is the merchant's to bear.
    order = an_order(an_order_confirmed(), a_shipped(at=SHIPPED_AT))
    order.apply(a_refund_issued(at=DELIVERED_AT + HOUR, amount=usd(1000)))
    journal = Journal()
    assert [e.kind for e in post_due(journal, order, DELIVERED_AT + 2 * HOUR)] == ["collection"]
    order.apply(a_delivered(at=DELIVERED_AT))
    due = post_due(journal, order, DELIVERED_AT + 2 * HOUR)
    assert [e.kind for e in due] == ["earning", "refund"]
    assert usd_balances(journal) == {
        PLATFORM_BUYERS: -TOTAL + 1000,
        held(STORE): TOTAL,
        payable(STORE): -1000,
    }


@pytest.mark.parametrize("grounds", ["overdue", "lost"])
def test_a_refund_of_goods_never_delivered_comes_out_of_escrow(grounds: str) -> None:
    # R-AS-1, R-SET-1: goods never delivered earn nothing, so their refund costs nobody,
    # whoever the case found liable; what is not refunded stays held in escrow.
    order = an_order(an_order_confirmed(), a_shipped(at=SHIPPED_AT))
    if grounds == "lost":
        order.apply(a_shipment_exception(at=DELIVERED_AT))
    issued_at = DUE_END + HOUR if grounds == "overdue" else DELIVERED_AT + HOUR
    order.apply(a_refund_issued(at=issued_at, amount=usd(1000), liable_party="platform"))
    journal = Journal()
    [_, refund] = post_due(journal, order, AFTER_ALL)
    assert (refund.amount_in(PLATFORM_ESCROW), refund.liable_party) == (-1000, "platform")
    assert PLATFORM_REFUND_EXPENSE not in usd_balances(journal)
    assert escrow_of(journal, "order-1") == TOTAL - 1000


def test_a_refund_is_posted_again_in_the_form_a_later_fact_calls_for() -> None:
    # R-SET-5: corrections are reversals. A refund posted out of escrow (the goods overdue,
    # no delivery told) becomes the merchant's to bear once the delivery is told (R-SET-3),
    # and out of escrow again once the order is learnt cancelled (R-ORD-5): each form an
    # entry of its own, the one before reversed, escrow never below zero.
    order = an_order(an_order_confirmed(), a_shipped(at=SHIPPED_AT))
    order.apply(a_refund_issued(at=DUE_END + HOUR, amount=usd(1000)))
    journal = Journal()
    [_, first] = post_due(journal, order, DUE_END + 2 * HOUR)
    assert first.entry_id == refund_id("order-1", "case-1")
    assert escrow_of(journal, "order-1") == TOTAL - 1000
    order.apply(a_delivered(at=DELIVERED_AT))
    due = post_due(journal, order, DUE_END + 3 * HOUR)
    assert [(e.kind, e.reverses) for e in due] == [
        ("reversal", first.entry_id),
        ("earning", None),
        ("refund", None),
    ]
    second = due[-1]
    assert second.entry_id == refund_id("order-1", "case-1", first.entry_id)
    assert usd_balances(journal)[payable(STORE)] == -1000
    assert escrow_of(journal, "order-1") == 0
    order.apply(an_order_cancelled(reason="buyer_cancelled_late", at=SHIPPED_AT))
    due = post_due(journal, order, DUE_END + 4 * HOUR)
    assert [(e.kind, e.reverses) for e in due] == [
        ("reversal", earning_id("order-1")),
        ("reversal", second.entry_id),
        ("refund", None),
    ]
    assert due[-1].entry_id == refund_id("order-1", "case-1", second.entry_id)
    assert usd_balances(journal) == {
        PLATFORM_BUYERS: -TOTAL + 1000,
        PLATFORM_ESCROW: TOTAL - 1000,
    }
    assert post_due(journal, order, DUE_END + 5 * HOUR) == []
