"""The refund of a cancelled order (R-ORD-5, R-ORD-6; `service_layer/compensation.py`, its
design docstring) through `bootstrap(FakePorts(...))`: the whole order less what cases
hold, borne by the party R-ORD-6 names, exactly once whatever is redelivered, raced or cut
short between reserving the refund and issuing it; and no case on a cancelled order.

Races and crashes are staged as in test_resolution_races.py: a rival's whole delivery run
just before one of this delivery's writes, or that write failing once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.bootstrap import AftersalesServices
from aftersales.domain.compensation import cancellation_liable_party
from aftersales.domain.errors import Conflict, OutsideWindow, RefundRefused
from aftersales.domain.model import Case
from aftersales.domain.refunds import cancellation_key
from shared.contract.events import CancelReason, RefundIssued
from shared.contract.types import LiableParty, Money, StoreType
from shared.errors import Implausible, NotYetKnown
from shared.testing import Wired
from testkit.aftersales_unit import (
    CANCELLED_AT,
    LIABILITY,
    TOTAL,
    Crash,
    a_cancellation,
    a_confirmed_order,
    an_aftersales_service,
    an_envelope,
    before_next,
    crash_next,
    open_a_case,
    refund_reservations,
    resolve,
    the_compensation,
    the_order,
)
from testkit.factories import (
    BUYER,
    MERCHANT,
    ORDER,
    STORE,
    T0,
    a_shipment_exception,
    a_shipped,
    an_order_confirmed,
    an_order_created,
    usd,
)

CANCELLATION = cancellation_key(ORDER)


def refunds(wired: Wired[AftersalesServices]) -> list[tuple[str | None, str, Money, str]]:
    """Every `RefundIssued` published: its case, reason, amount and liable party."""
    return [
        (e.case_id, e.reason, e.amount, e.liable_party)
        for e in wired.ports.published_of(RefundIssued)
    ]


@pytest.mark.parametrize(("reason", "store_type", "party"), LIABILITY)
async def test_a_cancelled_order_refunds_the_whole_order_borne_as_r_ord_6_says(
    reason: CancelReason, store_type: StoreType, party: LiableParty
) -> None:
    wired = await a_confirmed_order(store_type)
    await wired.deliver(a_cancellation(reason, store_type=store_type))
    assert wired.ports.published_of(RefundIssued) == [
        RefundIssued(
            case_id=None,
            order_id=ORDER,
            amount=TOTAL,
            liable_party=party,
            issued_at=CANCELLED_AT,
            reason=reason,
        )
    ]
    assert await refund_reservations(wired) == [(CANCELLATION, TOTAL)]
    compensation = await the_compensation(wired)
    assert compensation is not None
    assert (compensation.buyer_id, compensation.merchant_id, compensation.store_id) == (
        BUYER,
        MERCHANT,
        STORE,
    )
    assert (compensation.reason, compensation.store_type, compensation.liable_party) == (
        reason,
        store_type,
        party,
    )
    assert compensation.liability_rule.startswith("R-ORD-6")
    assert (await the_order(wired)).status == "cancelled"


def test_r_ord_6_names_the_platform_for_no_route_else_whoever_ships() -> None:
    for reason, store_type, party in LIABILITY:
        assert cancellation_liable_party(reason, store_type)[0] == party


@pytest.mark.parametrize("reason", ["confirmation_timeout", "buyer_cancelled"])
async def test_a_cancellation_before_confirmation_refunds_nothing_r_ord_3(
    reason: CancelReason,
) -> None:
    wired = await a_confirmed_order()
    await wired.deliver(a_cancellation(reason))
    assert wired.ports.published == []
    assert await refund_reservations(wired) == []
    assert await the_compensation(wired) is None


async def test_a_redelivered_cancellation_refunds_once() -> None:
    wired = await a_confirmed_order()
    envelope = await wired.deliver(a_cancellation("no_route"))
    order = await the_order(wired)
    wired.clock.advance(timedelta(hours=1))
    await wired.deliver(a_cancellation("no_route"), envelope=envelope)
    assert refunds(wired) == [(None, "no_route", TOTAL, "platform")]
    assert (await the_order(wired)).version == order.version  # nothing written again


async def test_a_second_cancellation_of_the_order_refunds_nothing_more() -> None:
    """Whichever `OrderCancelled` comes first decides; one refund per order."""
    wired = await a_confirmed_order("semi_managed")
    await wired.deliver(a_cancellation("not_shipped", store_type="semi_managed"))
    wired.clock.advance(timedelta(hours=1))
    late = a_cancellation("buyer_cancelled_late", store_type="semi_managed")
    await wired.deliver(late, at=CANCELLED_AT + timedelta(hours=1))
    assert refunds(wired) == [(None, "not_shipped", TOTAL, "merchant")]
    assert await refund_reservations(wired) == [(CANCELLATION, TOTAL)]


async def test_a_crash_between_reserving_and_issuing_then_the_redelivery_refunds_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wired = await a_confirmed_order("semi_managed")
    event = a_cancellation("not_shipped", store_type="semi_managed")
    envelope = an_envelope(event, CANCELLED_AT)
    crash_next(monkeypatch, wired.services.cancellations.compensations, "add")
    with pytest.raises(Crash):
        await wired.deliver(event, envelope=envelope)
    assert await refund_reservations(wired) == [(CANCELLATION, TOTAL)]  # step 1 held it
    assert (wired.ports.published, await the_compensation(wired)) == ([], None)
    # Never acknowledged, the same message is delivered again.
    wired.clock.advance(timedelta(minutes=5))
    await wired.deliver(event, envelope=envelope)
    assert refunds(wired) == [(None, "not_shipped", TOTAL, "merchant")]
    assert await refund_reservations(wired) == [(CANCELLATION, TOTAL)]
    compensation = await the_compensation(wired)
    assert compensation is not None
    assert compensation.issued_at == CANCELLED_AT + timedelta(minutes=5)


async def test_a_redelivery_racing_the_first_delivery_refunds_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two consumers take the same message at once: the rival's whole delivery runs just
    before this one stores its compensation, and wins; this one finds it stored."""
    wired = await a_confirmed_order()
    event = a_cancellation("no_route")
    envelope = an_envelope(event, CANCELLED_AT)

    async def rival() -> None:
        await wired.deliver(event, envelope=envelope)

    before_next(monkeypatch, wired.services.cancellations.compensations, "add", rival)
    await wired.deliver(event, envelope=envelope)
    assert refunds(wired) == [(None, "no_route", TOTAL, "platform")]
    assert await refund_reservations(wired) == [(CANCELLATION, TOTAL)]


async def test_a_redelivery_racing_the_reservation_holds_it_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The rival wins the race to the order's ledger (step 1): this delivery's versioned
    write loses, reloads, finds the hold and holds nothing more."""
    wired = await a_confirmed_order()
    event = a_cancellation("no_route")
    envelope = an_envelope(event, CANCELLED_AT)

    async def rival() -> None:
        await wired.deliver(event, envelope=envelope)

    # The order's first write takes the cancellation into the replica; its second holds.
    before_next(monkeypatch, wired.services.cancellations.orders, "save", rival, skip=1)
    await wired.deliver(event, envelope=envelope)
    assert refunds(wired) == [(None, "no_route", TOTAL, "platform")]
    assert await refund_reservations(wired) == [(CANCELLATION, TOTAL)]
    assert (await the_order(wired)).version == 3  # confirmed, cancelled, held: once each


async def test_a_cancellation_without_store_type_or_total_takes_them_from_the_replica() -> None:
    """Events recorded before `store_type` and `total` were added to `OrderCancelled`."""
    wired = await a_confirmed_order("semi_managed")
    await wired.deliver(a_cancellation("buyer_cancelled_late", store_type=None, total=None))
    assert refunds(wired) == [(None, "buyer_cancelled_late", TOTAL, "merchant")]


async def test_a_cancellation_before_the_orders_own_events_waits_for_its_store_type() -> None:
    """Neither the event nor the replica knows the store: nothing is held, the consumer
    retries; once the order's confirmation has arrived, the retry refunds."""
    wired = await an_aftersales_service()
    wired.clock.set(CANCELLED_AT)
    event = a_cancellation("not_shipped", store_type=None)
    envelope = an_envelope(event, CANCELLED_AT)
    with pytest.raises(Conflict, match="store type"):
        await wired.deliver(event, envelope=envelope)
    assert (await the_order(wired)).status == "cancelled"  # the replica took it
    assert (wired.ports.published, await refund_reservations(wired)) == ([], [])
    await wired.deliver(an_order_confirmed(store_type="semi_managed"), at=T0)
    await wired.deliver(event, envelope=envelope)  # the consumer's retry
    assert refunds(wired) == [(None, "not_shipped", TOTAL, "merchant")]
    assert (await the_order(wired)).status == "cancelled"  # a late confirmation undoes nothing


async def test_a_cancellation_of_an_order_whose_total_is_unknown_waits_for_it() -> None:
    wired = await an_aftersales_service()
    wired.clock.set(CANCELLED_AT)
    with pytest.raises(Conflict, match="not known"):
        await wired.deliver(a_cancellation("no_route", total=None))
    assert wired.ports.published == []


async def a_case_refunded_before_the_cancellation(
    refund: Money, store_type: StoreType = "full_managed"
) -> tuple[Wired[AftersalesServices], Case]:
    """A confirmed order reported lost before it ever shipped, its buyer's 'lost' case
    refunded `refund`; the clock then at CANCELLED_AT."""
    wired = await a_confirmed_order(store_type)
    await wired.deliver(a_shipment_exception(kind="lost", at=T0 + timedelta(days=1)))
    wired.clock.set(T0 + timedelta(days=2))
    case = await open_a_case(wired, "lost", refund=TOTAL)
    await resolve(wired, case, refund)
    wired.clock.set(CANCELLED_AT)
    return wired, case


async def test_a_cancellation_after_a_partial_case_refund_refunds_only_what_is_left() -> None:
    wired, case = await a_case_refunded_before_the_cancellation(usd(1000), "semi_managed")
    await wired.deliver(a_cancellation("not_shipped", store_type="semi_managed"))
    assert refunds(wired) == [
        (case.id, "after_sales_case", usd(1000), "merchant"),
        (None, "not_shipped", usd(3990), "merchant"),
    ]
    assert await refund_reservations(wired) == [(case.id, usd(1000)), (CANCELLATION, usd(3990))]
    assert (await the_order(wired)).refundable_left() == usd(0)


async def test_a_cancellation_after_the_whole_total_was_refunded_issues_nothing() -> None:
    wired, _ = await a_case_refunded_before_the_cancellation(TOTAL)
    await wired.deliver(a_cancellation("no_route"))
    assert [reason for _, reason, _, _ in refunds(wired)] == ["after_sales_case"]
    assert await the_compensation(wired) is None


async def test_an_open_cases_hold_counts_and_a_rejected_cases_leftover_hold_is_swept() -> None:
    """A case's hold left by a resolution cut short stays reserved while the case is open
    (it may be in flight); one of a case since rejected never refunds and gives way."""
    wired = await a_confirmed_order()
    await wired.deliver(a_shipment_exception(kind="lost", at=T0 + timedelta(days=1)))
    wired.clock.set(T0 + timedelta(days=2))
    held, rejected = [await open_a_case(wired, "lost", refund=usd(500)) for _ in range(2)]
    await resolve(wired, rejected, None, "reject")
    order = await the_order(wired)
    for case in (held, rejected):  # as two resolutions cut between their steps would leave
        order.reserve_refund(case.id, usd(500), wired.clock.now())
    await wired.services.cancellations.orders.save(order, now=wired.clock.now())
    wired.clock.set(CANCELLED_AT)
    await wired.deliver(a_cancellation("no_route"))
    assert refunds(wired) == [(None, "no_route", usd(4490), "platform")]
    assert await refund_reservations(wired) == [(held.id, usd(500)), (CANCELLATION, usd(4490))]


async def test_nothing_left_is_decided_once_and_not_anew_when_told_again() -> None:
    """R-ORD-5: an open case's hold took the whole total, so the cancellation refunds
    nothing; that decision is kept, and the same event told again after the case was
    rejected (its hold released) refunds nothing either."""
    wired = await a_confirmed_order()
    await wired.deliver(a_shipment_exception(kind="lost", at=T0 + timedelta(days=1)))
    wired.clock.set(T0 + timedelta(days=2))
    case = await open_a_case(wired, "lost", refund=TOTAL)
    order = await the_order(wired)
    order.reserve_refund(case.id, TOTAL, wired.clock.now())  # a resolution cut short
    await wired.services.cancellations.orders.save(order, now=wired.clock.now())
    wired.clock.set(CANCELLED_AT)
    envelope = await wired.deliver(a_cancellation("no_route"))
    assert refunds(wired) == []
    await resolve(wired, case, None, "reject")
    wired.clock.advance(timedelta(hours=1))
    await wired.deliver(a_cancellation("no_route"), envelope=envelope)  # the same event
    assert refunds(wired) == []
    assert (await the_order(wired)).nothing_left == [CANCELLATION]


async def test_a_case_refund_after_the_cancellation_cannot_exceed_the_total() -> None:
    """A case opened before the cancellation (goods reported lost before shipping)."""
    wired = await a_confirmed_order()
    await wired.deliver(a_shipment_exception(kind="lost", at=T0 + timedelta(days=1)))
    wired.clock.set(T0 + timedelta(days=2))
    case = await open_a_case(wired, "lost", refund=usd(1000))
    wired.clock.set(CANCELLED_AT)
    await wired.deliver(a_cancellation("not_shipped"))
    with pytest.raises(RefundRefused) as refused:
        await resolve(wired, case, usd(1000))
    assert refused.value.refundable_left == usd(0)
    assert refunds(wired) == [(None, "not_shipped", TOTAL, "platform")]


async def test_a_case_on_a_cancelled_order_is_refused_r_as_1() -> None:
    wired = await a_confirmed_order()
    await wired.deliver(a_cancellation("buyer_cancelled_late"))
    with pytest.raises(OutsideWindow, match="refunded the whole order") as refused:
        await open_a_case(wired, "not_received")
    assert refused.value.rule == "R-AS-1"
    assert "buyer_cancelled_late" in refused.value.detail


async def test_a_parcel_shipped_in_a_race_with_a_late_cancellation_leaves_it_cancelled() -> None:
    """The merchant's handover raced the buyer's late cancellation: the refund stands, the
    order stays cancelled and gets no case (R-ORD-5)."""
    wired = await a_confirmed_order()
    await wired.deliver(a_cancellation("buyer_cancelled_late"))
    await wired.deliver(a_shipped(at=CANCELLED_AT - timedelta(minutes=1)))
    order = await the_order(wired)
    assert (order.status, order.cancel_reason) == ("cancelled", "buyer_cancelled_late")
    wired.clock.set(CANCELLED_AT + timedelta(days=20))  # past the delivery estimate
    with pytest.raises(OutsideWindow, match="cancelled"):
        await open_a_case(wired, "not_received")
    assert refunds(wired) == [(None, "buyer_cancelled_late", TOTAL, "platform")]


async def test_a_case_refund_names_its_reason_after_sales_case() -> None:
    wired, case = await a_case_refunded_before_the_cancellation(usd(700))
    [issued] = wired.ports.published_of(RefundIssued)
    assert (issued.case_id, issued.reason) == (case.id, "after_sales_case")


async def test_a_cancellation_of_an_order_never_heard_of_refunds_nothing() -> None:  # R-ORD-5
    """A cancellation's own total is never taken: a trillion for an order aftersales knows
    nothing of waits for the order's own events (retried, then parked), holding nothing."""
    wired = await an_aftersales_service()
    wired.clock.set(CANCELLED_AT)
    with pytest.raises(Conflict, match="not known"):
        await wired.deliver(a_cancellation("no_route", total=usd(10**12)))
    assert (wired.ports.published, await the_compensation(wired)) == ([], None)
    assert (await the_order(wired)).refund_reservations == []


async def test_a_cancellation_of_an_order_not_seen_confirmed_waits_for_its_confirmation() -> None:
    """R-ORD-5 compensates an order cancelled once confirmed: until aftersales has seen it
    confirmed, nothing is held (retried, then parked); the retry after it refunds."""
    wired = await an_aftersales_service()
    await wired.deliver(an_order_created())
    wired.clock.set(CANCELLED_AT)
    event = a_cancellation("no_route")
    envelope = an_envelope(event, CANCELLED_AT)
    with pytest.raises(NotYetKnown, match="has not seen it confirmed"):
        await wired.deliver(event, envelope=envelope)
    assert (wired.ports.published, await refund_reservations(wired)) == ([], [])
    await wired.deliver(an_order_confirmed(), at=T0)
    await wired.deliver(event, envelope=envelope)  # the consumer's retry
    assert refunds(wired) == [(None, "no_route", TOTAL, "platform")]


async def test_a_cancellation_naming_another_total_than_the_orders_is_refused() -> None:
    wired = await a_confirmed_order()
    with pytest.raises(Implausible, match="names a total of 1000000000000 USD"):
        await wired.deliver(a_cancellation("no_route", total=usd(10**12)))
    assert (wired.ports.published, await refund_reservations(wired)) == ([], [])
    assert await the_compensation(wired) is None
