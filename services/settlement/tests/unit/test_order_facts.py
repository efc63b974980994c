"""What settlement keeps of an order: facts merged in any order, and events that can never
be true refused whole (`Implausible`: parked, nothing taken)."""

from __future__ import annotations

from itertools import permutations

import pytest

from settlement.domain.order import OrderFact, OrderSettlement
from shared.contract.types import Money
from shared.errors import Implausible
from testkit.factories import (
    HOUR,
    STORE,
    a_case_opened,
    a_case_rejected,
    a_delivered,
    a_line,
    a_refund_issued,
    a_shipped,
    an_order_confirmed,
    an_order_created,
    usd,
)
from testkit.settlement_unit import DELIVERED_AT, SHIPPED_AT, an_order


def test_facts_merge_to_one_state_in_any_order() -> None:  # R-SET-1,2: events unordered
    events: list[OrderFact] = [
        an_order_created(),
        a_shipped(at=SHIPPED_AT),
        a_delivered(at=DELIVERED_AT),
        a_case_opened(at=DELIVERED_AT + HOUR),
        a_case_rejected(at=DELIVERED_AT + 2 * HOUR),
    ]
    states = {an_order(*order).model_dump_json() for order in permutations(events)}
    assert len(states) == 1
    order = an_order(*events)
    assert order.store is not None
    assert (order.store.store_id, order.delivered_at) == (STORE, DELIVERED_AT)


def test_the_earliest_time_of_a_fact_stands() -> None:
    order = an_order(a_delivered(at=DELIVERED_AT + HOUR), a_delivered(at=DELIVERED_AT))
    assert order.delivered_at == DELIVERED_AT
    assert not order.apply(a_delivered(at=DELIVERED_AT + 2 * HOUR))


def refused(order: OrderSettlement, event: OrderFact) -> None:
    before = order.model_dump()
    with pytest.raises(Implausible):
        order.apply(event)
    assert order.model_dump() == before  # nothing taken


def test_refunds_above_the_orders_total_are_implausible() -> None:  # R-SET-3
    order = an_order(an_order_created(), a_refund_issued(amount=usd(4000)))
    refused(order, a_refund_issued(case_id="case-2", amount=usd(991)))
    # ... whichever comes first: the refunds before the total.
    early = an_order(a_refund_issued(amount=usd(4991)))
    refused(early, an_order_created())


def test_a_refund_in_another_currency_than_the_orders_is_implausible() -> None:  # R-SET-5
    order = an_order(an_order_created())
    refused(order, a_refund_issued(amount=Money(amount_minor=100, currency="EUR")))


def test_a_case_refunded_twice_otherwise_is_implausible() -> None:  # R-SET-5
    order = an_order(an_order_created(), a_refund_issued(amount=usd(100)))
    refused(order, a_refund_issued(amount=usd(200)))
    refused(order, a_refund_issued(amount=usd(100), liable_party="platform"))
    assert not order.apply(a_refund_issued(amount=usd(100)))  # the same again: nothing new


def test_an_order_told_another_total_is_implausible() -> None:  # R-SET-1
    order = an_order(an_order_created())
    refused(order, an_order_confirmed(lines=[a_line(unit_price=usd(5000))]))
