"""`make demo`: against a running platform (`make run`), walk one order's journey as the
operator, a merchant and a buyer, print the order's timeline as it happens, and end with
the merchant's statement as settlement keeps it."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from devkit.idp import signing
from devkit.journey import (
    Actor,
    apply_for_store,
    approve_stages,
    cast,
    describe_calendar,
    full_managed_application,
    list_product,
    open_damage_case,
    order_when,
    place_order,
    refund_whole_order,
    ship,
    shipment_of,
)
from devkit.platform import CONSOLE_PORT, DEFAULT_PORTS, http_ok
from devkit.wait import eventually


class TimelinePrinter:
    def __init__(self, buyer: Actor, order_id: str) -> None:
        self.buyer, self.order_id, self.shown = buyer, order_id, 0

    async def catch_up(self, status: str) -> None:
        order = await order_when(
            self.buyer, self.order_id, lambda o: o["status"] == status, f"status {status}"
        )
        for entry in order["timeline"][self.shown :]:
            detail = ", ".join(f"{k}={v}" for k, v in entry["detail"].items())
            print(f"    timeline  {entry['at']}  {entry['event']:<22} {detail}")
        self.shown = len(order["timeline"])


def step(text: str) -> None:
    print(f"\n» {text}")


async def statement_with_earning(merchant: Actor, order: dict[str, Any]) -> dict[str, Any]:
    """The merchant's statement from settlement (R-SET-5) over the days of the journey,
    once it shows the order's earning (settlement takes `Delivered` in its own time)."""
    # The day the order was placed and the next: the journey may cross midnight (UTC).
    start = datetime.fromisoformat(order["created_at"]).date()
    params = {"from": start.isoformat(), "to": (start + timedelta(days=1)).isoformat()}

    async def probe() -> dict[str, Any] | None:
        path = f"/merchants/{merchant.sub}/statement"
        found: dict[str, Any] = (
            await merchant.call("GET", "settlement", path, params=params, expect=200)
        ).json()
        earned = [line for line in found["lines"] if line["kind"] == "earning"]
        return found if any(line["order_id"] == order["order_id"] for line in earned) else None

    return await eventually(probe, what=f"the earning of order {order['order_id']} in settlement")


def print_statement(statement: dict[str, Any]) -> None:
    print(f"    merchant {statement['merchant_id']}, {statement['start']} to {statement['end']}")
    print(f"    {'at':<32} {'kind':<10} {'cause':<7} {'account':<8} {'amount (minor)':>18}  memo")
    for line in statement["lines"]:
        amount = f"{line['amount_minor']:+d} {line['currency']}"
        print(
            f"    {line['at']:<32} {line['kind']:<10} {line['cause']:<7} "
            f"{line['account']:<8} {amount:>18}  {line['memo']}"
        )


async def main() -> int:
    urls = {
        name: os.environ.get(f"{name.upper()}_URL", f"http://127.0.0.1:{port}")
        for name, port in DEFAULT_PORTS.items()
    }
    down = [name for name, url in urls.items() if not http_ok(f"{url}/health/ready")]
    if down:
        print(f"Not ready: {', '.join(down)}. Start the platform first: `make run`.")
        return 1
    # Signed as `make run` (in the same environment) has its services verify.
    if (signer := signing()).algorithm is None:
        print(signer.refusal)
        return 1
    async with httpx.AsyncClient(timeout=10) as client:
        operator, merchant, buyer = cast(urls, client)
        step(
            f"operator {operator.sub} invites merchant {merchant.sub}; the merchant applies "
            "for a full-managed store; the operator approves the three stages"
        )
        await operator.call(
            "POST", "review", "/invitations", json={"merchant_id": merchant.sub}, expect=201
        )
        applied = await apply_for_store(merchant, full_managed_application(f"Shop {merchant.sub}"))
        print(
            f"    under review, overdue={applied['overdue']}: "
            f"{describe_calendar(applied['calendar'])}"
        )
        store = await approve_stages(operator, merchant, applied)
        print(f"    store {store['store_id']} approved at {store['approved_at']}")
        step("the merchant lists a product; the operator approves it; it reaches the catalogue")
        product_id = await list_product(operator, merchant, store["store_id"])
        print(f"    product {product_id} on sale")
        step(f"buyer {buyer.sub} places an order")
        order = await place_order(buyer, product_id, quantity=2)
        print(
            f"    order {order['order_id']}: total {order['total']}, "
            f"confirm by {order['confirm_by']}"
        )
        timeline = TimelinePrinter(buyer, order["order_id"])
        await timeline.catch_up("awaiting_confirmation")
        step("the merchant confirms; logistics creates the shipment by itself")
        await merchant.call("POST", "orders", f"/orders/{order['order_id']}/confirm", expect=200)
        await timeline.catch_up("confirmed")
        shipment = await shipment_of(operator, order["order_id"])
        print(
            f"    shipment {shipment['shipment_id']}: ship by {shipment['ship_by']}, "
            f"delivery {shipment['estimated_delivery']}, "
            f"{describe_calendar(shipment['calendar'])}"
        )
        step("the operator ships it, then marks it delivered")
        await ship(operator, shipment["shipment_id"])
        await timeline.catch_up("shipped")
        await operator.call(
            "POST", "logistics", f"/shipments/{shipment['shipment_id']}/deliver", expect=200
        )
        await timeline.catch_up("delivered")
        step("the buyer reports damage; the operator refunds (borne by the platform, R-AS-2)")
        case = await open_damage_case(buyer, order)
        await refund_whole_order(operator, case, order)
        await timeline.catch_up("refunded")
        step(
            "settlement: the merchant's statement (the earning held until the after-sales "
            "window closes, R-SET-2; the refund the platform bore is not the merchant's)"
        )
        print_statement(await statement_with_earning(merchant, order))
    print("\nThe journey is complete.")
    console = os.environ.get("CONSOLE_URL", f"http://127.0.0.1:{CONSOLE_PORT}")
    print(
        f"\nWalk it in the console: {console}\n"
        f"    sign in as operator {operator.sub}: the order's whole process under Orders\n"
        f"    sign in as merchant {merchant.sub}: the store, the shipment and the statement\n"
        f"    sign in as buyer {buyer.sub}: the order and its refunded case"
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
