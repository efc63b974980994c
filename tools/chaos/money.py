"""The checker's money (R-SET-1, R-SET-3, R-SET-5): after the faults, settlement's ledger
holds each confirmed order's collection, each delivered order's earning and each refund
exactly once, at its amount, and every entry's lines sum to zero per currency.

What is due is read off the bus (the tap saw every event, copies included: one fact per
event id), what is posted off settlement's `GET /orders/{id}/ledger`; amounts are
computed here from the events and the policy, not taken from the ledger.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Literal

from devkit.journey import Actor
from devkit.wait import WaitTimeout, eventually
from shared.contract import Envelope
from shared.policy import Policy

Column = Literal["lost", "duplicated"]
Finding = tuple[Column, str]
#: The account every refund pays the buyer back to (settlement's ledger).
BUYERS = "platform:buyers"


def earned(total: int, store_type: str, policy: Policy) -> int:
    """R-SET-1, R-FEE-1: the total, less the semi-managed commission rounded half-even."""
    if store_type == "full_managed":
        return total
    commission = (Decimal(total) * policy.semi_managed_commission_rate).quantize(
        Decimal(1), rounding=ROUND_HALF_EVEN
    )
    return total - int(commission)


def due(order_id: str, events: Iterable[Envelope], policy: Policy) -> Counter[tuple[str, int]]:
    """(entry kind, amount) → how many the order's facts on the bus call for: the buyer's
    payment collected at confirmation (R-ORD-2), the earning of a delivery never
    cancelled (on `store:…:held`), each refund (paid back to the buyer)."""
    facts: dict[str, dict[str, Envelope]] = defaultdict(dict)
    for event in events:
        if event.payload.get("order_id") == order_id:
            facts[event.event_type][str(event.event_id)] = event
    wanted: Counter[tuple[str, int]] = Counter()
    for confirmed in list(facts["OrderConfirmed"].values())[:1]:
        total, store_type = confirmed.payload["total"], confirmed.payload["store_type"]
        wanted["collection", total["amount_minor"]] += 1
        if facts["Delivered"] and not facts["OrderCancelled"]:
            wanted["earning", earned(total["amount_minor"], store_type, policy)] += 1
    for refund in facts["RefundIssued"].values():
        wanted["refund", refund.payload["amount"]["amount_minor"]] += 1
    return wanted


def posted(entries: list[dict[str, Any]]) -> Counter[tuple[str, int]]:
    """(entry kind, amount) of the entries `due` counts, as the ledger states them: what a
    collection takes from the buyer, what an earning holds for the store, what a refund
    gives the buyer back."""
    found: Counter[tuple[str, int]] = Counter()
    for entry in entries:
        amounts = {line["account"]: line["amount_minor"] for line in entry["lines"]}
        held = sum(amount for account, amount in amounts.items() if account.endswith(":held"))
        match entry["kind"]:
            case "collection":
                found["collection", -amounts.get(BUYERS, 0)] += 1
            case "earning":
                found["earning", held] += 1
            case "refund":
                found["refund", amounts.get(BUYERS, 0)] += 1
    return found


def unbalanced(order_id: str, entries: list[dict[str, Any]]) -> list[str]:
    """R-SET-5: each entry whose lines do not sum to zero in some currency."""
    found = []
    for entry in entries:
        sums: Counter[str] = Counter()
        for line in entry["lines"]:
            sums[line["currency"]] += line["amount_minor"]
        if any(sums.values()):
            found.append(f"{order_id}: entry {entry['entry_id']} ({entry['kind']}) sums {sums}")
    return found


Tally = Counter[tuple[str, int]]


def compare(order_id: str, wanted: Tally, found: Tally) -> list[Finding]:
    findings: list[Finding] = []
    for (kind, amount), count in (wanted - found).items():
        findings.append(("lost", f"{order_id}: {count} {kind} of {amount} not in the ledger"))
    for (kind, amount), count in (found - wanted).items():
        findings.append(("duplicated", f"{order_id}: {count} {kind} of {amount} more than due"))
    return findings


async def _ledger(operator: Actor, order_id: str) -> list[dict[str, Any]]:
    """The order's entries (none while settlement has not heard of it: 404)."""
    response = await operator.call("GET", "settlement", f"/orders/{order_id}/ledger")
    entries: list[dict[str, Any]] = (
        response.json()["entries"] if response.status_code == 200 else []
    )
    return entries


async def _once_agreeing(
    operator: Actor, order_id: str, wanted: Tally, timeout: float
) -> list[dict[str, Any]]:
    """The order's entries once they are what is due, or as they are after `timeout`."""

    async def agreeing() -> list[dict[str, Any]] | None:
        entries = await _ledger(operator, order_id)
        return entries if posted(entries) == wanted else None

    try:
        return await eventually(agreeing, timeout=timeout, what=f"the ledger of {order_id}")
    except WaitTimeout:
        return await _ledger(operator, order_id)


async def money_findings(
    order_ids: list[str], operator: Actor, events: list[Envelope], settle_seconds: float
) -> list[Finding]:
    """Each order's ledger against its facts, once it agrees or `settle_seconds` passed."""
    policy = Policy()
    deadline = time.monotonic() + settle_seconds
    findings: list[Finding] = []
    for order_id in order_ids:
        wanted = due(order_id, events, policy)
        left = max(deadline - time.monotonic(), 1.0)
        entries = await _once_agreeing(operator, order_id, wanted, left)
        findings += compare(order_id, wanted, posted(entries))
        findings += [("lost", problem) for problem in unbalanced(order_id, entries)]
    return findings
