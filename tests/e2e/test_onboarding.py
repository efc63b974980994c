"""Onboarding across processes: invitation → application → needs_info →
resubmission → three decisions → approval → product → catalogue; and rejections with
their reasons visible to the merchant."""

from __future__ import annotations

from typing import Any

import pytest

from devkit.journey import (
    approve_stages,
    documents,
    full_managed_application,
    list_product,
)
from devkit.wait import eventually
from testkit.bodies import a_product_listing, an_order_request
from testkit.platforms import StartPlatform
from testkit.tap import EventTap, watched_cast

pytestmark = pytest.mark.e2e


async def _published(tap: EventTap, event_type: str, store_id: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        found = [e for e in tap.of_type(event_type) if e.payload.get("store_id") == store_id]
        return found[0].payload if found else None

    return await eventually(probe, what=f"{event_type} of {store_id}")


async def test_from_invitation_through_resubmission_to_the_catalogue(
    start_platform: StartPlatform,
) -> None:  # R-REV-1, R-REV-3, R-REV-4, R-REV-6, R-REV-8, R-REV-9, R-CAT-1
    running = start_platform()
    async with watched_cast(running) as (tap, operator, merchant, buyer):
        await operator.call(
            "POST", "review", "/invitations", expect=201, json={"merchant_id": merchant.sub}
        )
        incomplete = {
            **full_managed_application("Lantern"),
            "documents": documents(("business_license",)),
            "contract_signed": False,
        }
        store = (
            await merchant.call("POST", "review", "/stores", json=incomplete, expect=201)
        ).json()
        assert store["status"] == "needs_info"
        assert {i["field"] for i in store["issues"]} >= {"documents", "contract_signed"}, store

        url = f"/stores/{store['store_id']}"
        resubmitted = (
            await merchant.call(
                "PUT", "review", url, expect=200, json=full_managed_application("Lantern")
            )
        ).json()
        assert (resubmitted["status"], resubmitted["issues"]) == ("under_review", [])
        assert [past["outcome"] for past in resubmitted["history"]] == ["needs_info"]

        await merchant.call(
            "POST", "review", f"{url}/messages", expect=201, json={"body": "Anything missing?"}
        )
        await operator.call(
            "POST",
            "review",
            f"{url}/messages",
            expect=201,
            json={"body": "All there; deciding today."},
        )
        seen = await approve_stages(operator, merchant, store)
        assert seen["status"] == "approved"
        assert all(s["status"] == "approved" and s["decided_at"] for s in seen["stages"])
        assert [m["author_role"] for m in seen["messages"]] == ["merchant", "operator"]
        approved = await _published(tap, "StoreApproved", store["store_id"])
        assert approved["store_type"] == "full_managed"

        product_id = await list_product(operator, merchant, store["store_id"])
        shown = (await buyer.call("GET", "orders", f"/catalogue/{product_id}", expect=200)).json()
        assert (shown["store_type"], shown["price"]) == (
            "full_managed",
            {"amount_minor": 4_990, "currency": "USD"},
        )
        channel = (
            await buyer.call("GET", "orders", "/catalogue?channel=full_managed", expect=200)
        ).json()
        assert product_id in [item["product_id"] for item in channel["items"]]


async def test_rejections_carry_their_reasons_to_the_merchant(
    start_platform: StartPlatform,
) -> None:  # R-REV-3, R-REV-6, R-REV-9
    running = start_platform()
    async with watched_cast(running) as (tap, operator, merchant, buyer):
        await operator.call(
            "POST", "review", "/invitations", expect=201, json={"merchant_id": merchant.sub}
        )
        store = (
            await merchant.call(
                "POST", "review", "/stores", expect=201, json=full_managed_application("Lantern")
            )
        ).json()
        url = f"/stores/{store['store_id']}"
        missing = await operator.call(
            "POST", "review", f"{url}/reviews", json={"stage": "financial", "decision": "reject"}
        )
        assert missing.status_code == 422  # a rejection needs a reason
        reason = "The audited accounts of 2025 are missing."
        await operator.call(
            "POST",
            "review",
            f"{url}/reviews",
            expect=200,
            json={"stage": "financial", "decision": "reject", "reason": reason},
        )
        seen = (await merchant.call("GET", "review", url, expect=200)).json()
        assert (seen["status"], seen["rejected_reason"]) == ("rejected", reason)
        rejected = await _published(tap, "StoreRejected", store["store_id"])
        assert (rejected["stage"], rejected["reason"]) == ("financial", reason)
        late = await operator.call(
            "POST", "review", f"{url}/reviews", json={"stage": "category", "decision": "approve"}
        )
        assert late.status_code == 409  # not under review any more

        # Corrected and resubmitted: approved, then one product rejected with a reason.
        await merchant.call(
            "PUT", "review", url, expect=200, json=full_managed_application("Lantern")
        )
        await approve_stages(operator, merchant, store)
        listing = a_product_listing(store["store_id"], title="Vase")
        product = (
            await merchant.call("POST", "review", "/products", expect=201, json=listing)
        ).json()
        why = "The photos do not show the product."
        await operator.call(
            "POST",
            "review",
            f"/products/{product['product_id']}/reviews",
            json={"decision": "reject", "reason": why},
            expect=200,
        )
        mine = (
            await merchant.call("GET", "review", f"/products/{product['product_id']}", expect=200)
        ).json()
        assert (mine["status"], mine["reason"]) == ("rejected", why)

        async def rejection_published() -> bool:
            return any(
                e.payload.get("product_id") == product["product_id"]
                for e in tap.of_type("ProductRejected")
            )

        await eventually(rejection_published, what="ProductRejected")
        # Neither on sale nor orderable.
        assert (
            await buyer.call("GET", "orders", f"/catalogue/{product['product_id']}")
        ).status_code == 404
        order = await buyer.call(
            "POST", "orders", "/orders", json=an_order_request(product["product_id"])
        )
        assert order.status_code == 422
