"""The merchants' money end to end (R-SET-1..5, R-FEE-1, R-FEE-2): a full-managed and a
semi-managed store each sell one order, have it delivered and refunded in part (the
platform bears the full-managed store's refund in its exemption period, the semi-managed
merchant its own, R-AS-2), cross their after-sales windows and are paid at the ends of
their cycles. Settlement's balances, statements, payouts and `PayoutIssued` events agree
to the minor unit with what this test computes on its own from the orders, the refunds
and the policy; every event delivered twice more changes nothing.

Settlement alone is moved ahead (restarted with `CLOCK_OFFSET_SECONDS`), past both
windows and both cycles' ends: the other services keep the real time.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pytest

from devkit.journey import (
    Actor,
    a_confirmed_order,
    a_delivered_order,
    open_damage_case,
    shipment_of,
)
from devkit.wait import eventually
from shared.contract import Envelope
from shared.policy import Policy
from testkit import clock as run_clock
from testkit.bus import deliver_again
from testkit.platforms import StartPlatform
from testkit.tap import EventTap, watched_cast

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.local_only(
        reason="local_only: it moves settlement's clock weeks ahead, which in the compose "
        "stack's shared database would release and pay out the other tests' earnings too"
    ),
]

POLICY = Policy()
#: Far enough ahead that both windows have closed (R-AS-1: at most the category's days
#: after the latest estimated delivery date) and a 14-day cycle has ended since.
AHEAD = timedelta(days=60)
#: The part of each order refunded on a damage case (minor units).
REFUNDED = 1_000
#: Where every payout cycle is counted from (settlement's documented epoch).
EPOCH = datetime(2026, 1, 5, tzinfo=UTC)
HANDOVER = {"carrier": "DHL", "tracking_number": "JD0003", "handover": "pickup"}


@dataclass(frozen=True)
class Sale:
    """One store's order as the test follows it, and what it expects the store is paid."""

    merchant: Actor
    store_type: str
    order: dict[str, Any]
    liable_party: str

    @property
    def total(self) -> int:
        return int(self.order["total"]["amount_minor"])

    @property
    def earned(self) -> int:
        """R-SET-1, R-FEE-1: the total, less the semi-managed commission rounded half-even."""
        if self.store_type == "full_managed":
            return self.total
        rate = Decimal(str(POLICY.semi_managed_commission_rate))
        commission = (self.total * rate).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
        return self.total - int(commission)

    @property
    def paid(self) -> int:
        """R-SET-3: a refund the merchant bears comes off; the platform's does not."""
        return self.earned - (REFUNDED if self.liable_party == "merchant" else 0)

    @property
    def cycle_days(self) -> int:
        """R-SET-4, R-FEE-2: the full-managed cycle is the shorter."""
        if self.store_type == "full_managed":
            return POLICY.payout_cycle_days_full_managed
        return POLICY.payout_cycle_days_semi_managed


async def test_two_stores_are_paid_what_they_earned_at_their_cycles(
    start_platform: StartPlatform,
) -> None:  # R-SET-1..5, R-FEE-1, R-FEE-2, R-AS-2
    running = start_platform()
    async with watched_cast(running) as (tap, operator, merchant, buyer):
        semi_merchant = Actor("merchant", f"{merchant.sub}-semi", merchant.urls, merchant.client)
        full = await _sold_delivered_refunded(operator, merchant, buyer, "full_managed", tap)
        semi = await _sold_delivered_refunded(operator, semi_merchant, buyer, "semi_managed", tap)
        assert (full.liable_party, semi.liable_party) == ("platform", "merchant")  # R-AS-2
        for sale in (full, semi):
            # Earned, held until the window closes; the merchant's refund already debited.
            owed = -REFUNDED if sale.liable_party == "merchant" else 0
            await _balance_when(sale, {"held_minor": sale.earned, "payable_minor": 0}, owed)

        moved = run_clock.moved_by(AHEAD.total_seconds())
        running.platform.restart("settlement", {"CLOCK_OFFSET_SECONDS": moved})
        settlement_now = run_clock.now() + AHEAD
        for sale in (full, semi):
            payout = await _one_payout(operator, sale, settlement_now)
            _paid_at_its_cycle(payout, sale, settlement_now)
            await _statement_agrees(sale, payout)
            await _balance_when(sale, {"held_minor": 0, "payable_minor": 0}, 0)
            issued = await _issued(tap, payout)
            assert len({event.event_id for event in issued}) == 1  # told once
            assert issued[0].payload == payout  # as it stands
        await _platform_bore(operator, REFUNDED)

        events = [body for body in tap.bodies if b'"PayoutIssued"' not in body]
        await deliver_again(running.amqp_url, running.urls, operator.client, events)
        for sale in (full, semi):
            await _balance_when(sale, {"held_minor": 0, "payable_minor": 0}, 0)
            payouts = await _payouts(operator, sale, settlement_now)
            assert [payout["amount"]["amount_minor"] for payout in payouts] == [sale.paid]
        await _platform_bore(operator, REFUNDED)


async def _sold_delivered_refunded(
    operator: Actor, merchant: Actor, buyer: Actor, store_type: str, tap: EventTap
) -> Sale:
    """A store of `store_type` opened, one order sold and delivered, then a damage case
    refunded `REFUNDED` by the operator; who bore it, as aftersales told it."""
    if store_type == "full_managed":
        order = (await a_delivered_order(operator, merchant, buyer)).order
    else:
        order, shipment = await a_confirmed_order(operator, merchant, buyer, store_type)
        path = f"/shipments/{shipment['shipment_id']}"
        await merchant.call("POST", "logistics", f"{path}/ship", json=HANDOVER, expect=200)
        await operator.call("POST", "logistics", f"{path}/deliver", expect=200)
    await shipment_of(operator, order["order_id"])
    case = await open_damage_case(buyer, order)
    refund = {"amount_minor": REFUNDED, "currency": order["total"]["currency"]}
    await operator.call(
        "POST",
        "aftersales",
        f"/cases/{case['case_id']}/resolve",
        json={"decision": "refund", "refund": refund, "note": "A cracked cup."},
        expect=200,
    )
    [issued] = await tap.eventually_of_type("RefundIssued", order["order_id"], what="the refund")
    return Sale(merchant, store_type, order, str(issued.payload["liable_party"]))


async def _balance_when(sale: Sale, expected: dict[str, int], carried: int) -> None:
    """The merchant's USD balance (R-SET-2, R-SET-3) once it is `expected`, with
    `carried` as its carried negative (`payable_minor` 0 when negative)."""
    want = {"currency": "USD", **expected, "carried_negative_minor": carried}

    async def balance() -> bool:
        path = f"/merchants/{sale.merchant.sub}/balance"
        found = (await sale.merchant.call("GET", "settlement", path, expect=200)).json()
        return bool(found["balances"] == [want])

    await eventually(balance, timeout=30, what=f"{sale.store_type} balance {want}")


def _period(now: datetime) -> dict[str, str]:
    """From the orders' day to the moved clock's: every line and payout of the test."""
    return {"from": run_clock.now().date().isoformat(), "to": now.date().isoformat()}


async def _payouts(operator: Actor, sale: Sale, now: datetime) -> list[dict[str, Any]]:
    params = {**_period(now), "merchant_id": sale.merchant.sub}
    found = await operator.call("GET", "settlement", "/payouts", params=params, expect=200)
    items: list[dict[str, Any]] = found.json()["items"]
    return items


async def _one_payout(operator: Actor, sale: Sale, now: datetime) -> dict[str, Any]:
    """R-SET-4: the store's payout once its cycle has ended, as its merchant reads it."""

    async def paid() -> list[dict[str, Any]] | None:
        return await _payouts(operator, sale, now) or None

    [payout] = await eventually(paid, timeout=60, what=f"the {sale.store_type} payout")
    path = f"/payouts/{payout['payout_id']}"
    shown: dict[str, Any] = (await sale.merchant.call("GET", "settlement", path, expect=200)).json()
    assert shown == payout
    assert shown["amount"] == {"amount_minor": sale.paid, "currency": "USD"}
    assert sum(line["amount_minor"] for line in shown["lines"]) == sale.paid
    return shown


def _paid_at_its_cycle(payout: dict[str, Any], sale: Sale, now: datetime) -> None:
    """R-SET-4, R-FEE-2: the last cycle of the store's type ended by `now`, cut from the
    epoch, and every line it settles dated in it or before."""
    start, end = (datetime.fromisoformat(payout[k]) for k in ("period_start", "period_end"))
    days = timedelta(days=sale.cycle_days)
    assert end - start == days
    assert (start - EPOCH) % days == timedelta(0)
    assert end <= now < end + days
    assert all(datetime.fromisoformat(line["at"]) < end for line in payout["lines"])
    kinds = sorted(line["kind"] for line in payout["lines"])
    assert kinds == (["refund", "release"] if sale.liable_party == "merchant" else ["release"])


async def _statement_agrees(sale: Sale, payout: dict[str, Any]) -> None:
    """R-SET-5: the statement's lines, JSON and CSV alike, are the earning held, its
    release, the merchant's refund and the payout, summing to what is left: nothing."""
    path = f"/merchants/{sale.merchant.sub}/statement"
    params = _period(datetime.fromisoformat(payout["period_end"]))
    found = await sale.merchant.call("GET", "settlement", path, params=params, expect=200)
    lines = found.json()["lines"]
    rows = sorted((line["kind"], line["account"], line["amount_minor"]) for line in lines)
    expected = [
        ("earning", "held", sale.earned),
        ("payout", "payable", -sale.paid),
        ("release", "held", -sale.earned),
        ("release", "payable", sale.earned),
    ]
    if sale.liable_party == "merchant":
        expected.append(("refund", "payable", -REFUNDED))
    assert rows == sorted(expected)
    assert {line["cause"] for line in lines if line["kind"] == "payout"} == {"payout"}
    as_csv = await sale.merchant.call(
        "GET", "settlement", path, params=params, headers={"Accept": "text/csv"}, expect=200
    )
    rows_of_csv = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [int(row["amount_minor"]) for row in rows_of_csv] == [
        line["amount_minor"] for line in lines
    ]


async def _issued(tap: EventTap, payout: dict[str, Any]) -> list[Envelope]:
    """The `PayoutIssued` events of `payout` the tap saw, once it saw one."""

    async def seen() -> list[Envelope] | None:
        issued = tap.of_type("PayoutIssued")
        return [e for e in issued if e.payload["payout_id"] == payout["payout_id"]] or None

    return await eventually(seen, what="PayoutIssued on the bus")


async def _platform_bore(operator: Actor, amount: int) -> None:
    """R-AS-2: the platform's refund expense of the test's days is the one it bore."""
    day = run_clock.now().date().isoformat()
    found = await operator.call(
        "GET", "settlement", "/platform/refund-expense", params={"from": day, "to": day}, expect=200
    )
    assert found.json()["expense_minor"] == {"USD": amount}
