"""After-sales across processes: who pays (R-AS-2), partial refunds up to the
total, and two operators resolving one case at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from devkit.journey import (
    Actor,
    a_delivered_order,
    cast,
    open_damage_case,
    order_when,
)
from devkit.wait import eventually
from testkit.bodies import a_refund_decision, usd_json
from testkit.platforms import RunningPlatform, StartPlatform

pytestmark = pytest.mark.e2e


@asynccontextmanager
async def _a_damage_case(
    running: RunningPlatform,
) -> AsyncIterator[tuple[Actor, Actor, Actor, dict[str, Any], dict[str, Any]]]:
    """A delivered order of 2 × 49.90 USD and the buyer's damage case on it: the operator,
    merchant and buyer (on one client, open while the test runs), the order and the case."""
    async with httpx.AsyncClient(timeout=10) as client:
        operator, merchant, buyer = cast(running.urls, client)
        delivered = await a_delivered_order(operator, merchant, buyer, quantity=2)
        case = await open_damage_case(buyer, delivered.order)
        yield operator, merchant, buyer, delivered.order, case


async def _refund(operator: Actor, case_id: str, minor: int) -> httpx.Response:
    url = f"/cases/{case_id}/resolve"
    return await operator.call("POST", "aftersales", url, json=a_refund_decision(minor))


async def _refunds_of_the_day(merchant: Actor, day: str, refunded: int) -> dict[str, Any]:
    """The merchant's refund report of one day, `YYYY-MM-DD`, from settlement's ledger
    (R-AS-2, R-SET-5), once its refunds add up to `refunded` (minor units): settlement
    posts them as the events reach it."""
    url, period = f"/merchants/{merchant.sub}/refunds", {"from": day, "to": day}

    async def posted() -> dict[str, Any] | None:
        found = await merchant.call("GET", "settlement", url, params=period, expect=200)
        report: dict[str, Any] = found.json()
        return report if sum(r["amount_minor"] for r in report["refunds"]) == refunded else None

    return await eventually(posted, timeout=30, what=f"settlement's refunds of {refunded}")


async def test_two_partial_refunds_reach_the_total_and_no_further(
    start_platform: StartPlatform,
) -> None:  # R-AS-2
    async with _a_damage_case(start_platform()) as (operator, merchant, buyer, order, first):
        assert (await _refund(operator, first["case_id"], 3_000)).status_code == 200
        await order_when(
            buyer,
            order["order_id"],
            lambda o: o["status"] == "partially_refunded",
            "a partial refund",
        )
        second = await open_damage_case(buyer, order)
        third = await open_damage_case(buyer, order)
        assert (await _refund(operator, second["case_id"], 6_980)).status_code == 200
        final = await order_when(
            buyer, order["order_id"], lambda o: o["status"] == "refunded", "the whole refund"
        )
        assert final["refunded"] == order["total"]
        assert [e["event"] for e in final["timeline"]].count("RefundIssued") == 2
        over = await _refund(operator, third["case_id"], 1)
        assert over.status_code == 409
        assert over.json()["refundable_left"] == usd_json(0)
        total = order["total"]["amount_minor"]
        report = await _refunds_of_the_day(merchant, final["created_at"][:10], total)
        assert report["totals"] == [
            {"currency": "USD", "borne_by_platform_minor": total, "borne_by_merchant_minor": 0}
        ]


async def test_a_store_past_its_exemption_period_bears_the_refund(
    start_platform: StartPlatform,
) -> None:  # R-AS-2, R-FEE-1
    # Exemption of 0 days: the store, approved a moment ago, is already past it.
    running = start_platform(POLICY_EXEMPTION_PERIOD_DAYS="0")
    async with _a_damage_case(running) as (operator, merchant, _, order, case):
        resolved = (await _refund(operator, case["case_id"], 2_000)).json()
        assert resolved["liable_party"] == "merchant"
        assert "R-AS-2" in resolved["liability_rule"]
        report = await _refunds_of_the_day(merchant, order["created_at"][:10], 2_000)
        # R-FEE-1: a full-managed store earns the whole total, less what it bore.
        total = order["total"]["amount_minor"]
        assert report["orders"] == [
            {
                "order_id": order["order_id"],
                "store_id": order["store_id"],
                "currency": "USD",
                "earned_minor": total,
                "borne_minor": 2_000,
                "net_minor": total - 2_000,
            }
        ]


async def test_two_operators_resolving_one_case_at_once_give_one_resolution(
    start_platform: StartPlatform,
) -> None:  # R-AS-2
    async with _a_damage_case(start_platform()) as (operator, _, buyer, order, case):
        other = Actor("operator", "op-other", operator.urls, operator.client)
        answers = await asyncio.gather(
            _refund(operator, case["case_id"], 1_000), _refund(other, case["case_id"], 1_500)
        )
        assert sorted(a.status_code for a in answers) == [200, 409]
        final = await order_when(
            buyer, order["order_id"], lambda o: o["status"] == "partially_refunded", "one refund"
        )
        [winner] = [a.json() for a in answers if a.status_code == 200]
        assert final["refunded"] == winner["refund"]
