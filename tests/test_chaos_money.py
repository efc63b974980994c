"""The chaos checker's money (R-SET-1, R-SET-3, R-SET-5), with no I/O: what the bus says
is due against entries as settlement's domain posts them (its JSON), and each fault it
must name: a missing entry, one posted twice, one whose lines do not balance."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from chaos.money import compare, due, earned, posted, unbalanced

from settlement.domain.ledger import Journal
from shared.contract import Envelope, record_event
from shared.contract.types import ContractModel, StoreType
from testkit.factories import (
    ORDER,
    T0,
    a_delivered,
    a_refund_issued,
    an_order_cancelled,
    an_order_confirmed,
    usd,
)
from testkit.settlement_unit import DELIVERED_AT, POLICY, TOTAL, a_delivered_order, post_due


def told(*payloads: ContractModel) -> list[Envelope]:
    """The events as the tap sees them: each published once (copies share an id)."""
    return [
        record_event(payload, producer="test", correlation_id=ORDER, occurred_at=T0)
        for payload in payloads
    ]


def ledger_of(store_type: StoreType, refund: int | None = None) -> list[dict[str, Any]]:
    """ORDER's entries as settlement's `GET /orders/{id}/ledger` states them."""
    order = a_delivered_order(store_type)
    if refund is not None:
        order.apply(a_refund_issued(at=DELIVERED_AT, amount=usd(refund)))
    journal = Journal()
    post_due(journal, order, DELIVERED_AT)
    return [entry.model_dump(mode="json") for entry in journal.entries.values()]


@pytest.mark.parametrize("store_type", ["full_managed", "semi_managed"])
def test_a_delivered_order_refunded_is_due_as_the_ledger_posts_it(store_type: StoreType) -> None:
    events = told(
        an_order_confirmed(store_type=store_type),
        a_delivered(at=DELIVERED_AT),
        a_refund_issued(at=DELIVERED_AT, amount=usd(1000)),
    )
    wanted = due(ORDER, [*events, events[2]], POLICY)  # a copy is the same refund
    assert wanted == Counter(
        {
            ("collection", TOTAL): 1,
            ("earning", earned(TOTAL, store_type, POLICY)): 1,
            ("refund", 1000): 1,
        }
    )
    entries = ledger_of(store_type, refund=1000)
    assert posted(entries) == wanted
    assert compare(ORDER, wanted, posted(entries)) == []
    assert unbalanced(ORDER, entries) == []


def test_the_semi_managed_commission_is_rounded_half_even() -> None:  # R-SET-1
    assert earned(4990, "semi_managed", POLICY) == 4990 - 250  # 249.5 → 250 (even)
    assert earned(4970, "semi_managed", POLICY) == 4970 - 248  # 248.5 → 248 (even)
    assert earned(4990, "full_managed", POLICY) == 4990  # R-FEE-1


def test_a_cancelled_order_earns_nothing_and_an_unconfirmed_one_is_not_due() -> None:
    cancelled = told(an_order_confirmed(), an_order_cancelled(reason="not_shipped"))
    assert due(ORDER, cancelled, POLICY) == Counter({("collection", TOTAL): 1})
    assert due(ORDER, told(a_delivered(at=DELIVERED_AT)), POLICY) == Counter()


def test_a_missing_a_doubled_and_an_unbalanced_entry_are_each_named() -> None:
    entries = ledger_of("full_managed")
    wanted = due(ORDER, told(an_order_confirmed(), a_delivered(at=DELIVERED_AT)), POLICY)
    without_earning = [e for e in entries if e["kind"] != "earning"]
    assert compare(ORDER, wanted, posted(without_earning)) == [
        ("lost", f"{ORDER}: 1 earning of {TOTAL} not in the ledger")
    ]
    doubled = [*entries, {**entries[-1], "entry_id": "another"}]
    [(column, _)] = compare(ORDER, wanted, posted(doubled))
    assert column == "duplicated"
    skewed = dict(entries[0], lines=[{**entries[0]["lines"][0], "amount_minor": 1}])
    assert len(unbalanced(ORDER, [skewed])) == 1
