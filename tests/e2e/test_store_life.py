"""A store's whole life across processes (R-REV-12..15): an application returned for
information and completed with real documents; a warehouse change reviewed, applied and
felt by the next shipment only; a rejected product revised; a price change approved while
an order keeps its price; a delisted product no longer sold."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from devkit.journey import (
    SAMPLE_FILES,
    Actor,
    apply_for_store,
    cast,
    confirmed_with_shipment,
    list_product,
    open_semi_managed_store,
    place_order,
    semi_managed_application,
    upload_documents,
)
from devkit.wait import eventually
from testkit.bodies import a_product_listing
from testkit.platforms import StartPlatform
from testkit.tap import event_tap

pytestmark = pytest.mark.e2e

ITEM = {"field": "documents", "problem": "add your trademark registration"}
CANARIES = {
    "country": "ES",
    "city": "Las Palmas",
    "address": "Calle Triana 1",
    "timezone": "Atlantic/Canary",
}


async def test_an_application_returned_for_information_is_completed_with_its_documents(
    start_platform: StartPlatform,
) -> None:  # R-REV-13, R-REV-14
    running = start_platform()
    async with httpx.AsyncClient(timeout=10) as client:
        operator, merchant, _ = cast(running.urls, client)
        other = Actor("merchant", f"m-{uuid.uuid4().hex[:8]}", running.urls, client)
        application = semi_managed_application(f"Shop {merchant.sub}")
        store = await apply_for_store(merchant, application)
        store_id, url = store["store_id"], f"/stores/{store['store_id']}"
        # The type is read from the bytes: a PNG named `.pdf` is refused, nothing kept.
        _, png = SAMPLE_FILES["png"]
        refused = await merchant.call(
            "POST",
            "review",
            f"{url}/documents",
            data={"kind": "other"},
            files={"file": ("licence.pdf", png, "application/pdf")},
        )
        assert refused.status_code == 422, refused.text
        assert "image/png" in refused.json()["detail"]
        # The operator reads what the application cites; another merchant cannot.
        licence = store["application"]["documents"][0]
        document_url = f"{url}/documents/{licence['document_id']}"
        read = await operator.call("GET", "review", document_url, expect=200)
        assert read.content == SAMPLE_FILES["pdf"][1]
        await other.call("GET", "review", document_url, expect=404)
        await other.call("GET", "review", f"{url}/documents", expect=404)

        review = {"stage": "background", "decision": "approve"}
        await operator.call("POST", "review", f"{url}/reviews", json=review, expect=200)
        asked = {"stage": "financial", "decision": "needs_info", "items": [ITEM]}
        returned = (
            await operator.call("POST", "review", f"{url}/reviews", json=asked, expect=200)
        ).json()
        assert (returned["status"], returned["issues"]) == ("needs_info", [ITEM])
        # The merchant answers: the document asked for, uploaded and cited.
        added = await upload_documents(merchant, store_id, ["trademark_registration"])
        cited = [
            {"kind": each["kind"], "document_id": each["document_id"]}
            for each in store["application"]["documents"]
        ]
        answer = {**store["application"], "documents": [*cited, *added]}
        resumed = (await merchant.call("PUT", "review", url, json=answer, expect=200)).json()
        assert (resumed["status"], resumed["current_stage"]) == ("under_review", "financial")
        for stage in ("financial", "category"):
            review = {"stage": stage, "decision": "approve"}
            await operator.call("POST", "review", f"{url}/reviews", json=review, expect=200)
        approved = (await merchant.call("GET", "review", url, expect=200)).json()
        assert approved["status"] == "approved"
        assert approved["info_requests"][0]["answered_at"] is not None


async def test_a_warehouse_change_moves_the_next_shipments_deadline_only(
    start_platform: StartPlatform,
) -> None:  # R-REV-12, R-LOG-2
    running = start_platform()
    async with event_tap(running.amqp_url) as tap, httpx.AsyncClient(timeout=10) as client:
        operator, merchant, buyer = cast(running.urls, client)
        store = await open_semi_managed_store(operator, merchant)
        product_id = await list_product(operator, merchant, store["store_id"])
        first_order, first = await confirmed_with_shipment(buyer, merchant, product_id)

        changes_url = f"/stores/{store['store_id']}/change-requests"
        change = {"warehouse": CANARIES, "handling_days": 2}
        request = (
            await merchant.call("POST", "review", changes_url, json=change, expect=201)
        ).json()
        # The store keeps selling under its approved information meanwhile.
        seen = (await merchant.call("GET", "review", f"/stores/{store['store_id']}")).json()
        assert seen["application"]["warehouse"]["city"] == "Madrid"
        assert (seen["change_request"]["status"], seen["change_request"]["current_stage"]) == (
            "under_review",
            "background",
        )
        decision = {"stage": "background", "decision": "approve"}
        url = f"{changes_url}/{request['change_request_id']}/reviews"
        await operator.call("POST", "review", url, json=decision, expect=200)

        async def told() -> bool:
            return any(
                event.payload["store_id"] == store["store_id"]
                for event in tap.of_type("StoreUpdated")
            )

        await eventually(told, what="StoreUpdated on the bus")

        second_order, second = await confirmed_with_shipment(buyer, merchant, product_id)
        again = (
            await merchant.call("GET", "logistics", f"/shipments/{first['shipment_id']}")
        ).json()
        assert again["ship_by"] == first["ship_by"]  # computed once, never moved
        for order, shipment, handling, warehouse in (
            (first_order, first, 1, "Europe/Madrid"),
            (second_order, second, 2, "Atlantic/Canary"),
        ):
            estimate = await buyer.call(
                "GET",
                "logistics",
                "/delivery-estimate",
                params={
                    "store_type": "semi_managed",
                    "country": "ES",
                    "weight_grams": 1_200,
                    "at": order["confirmed_at"],
                    "handling_days": handling,
                    "warehouse_country": "ES",
                    "warehouse_timezone": warehouse,
                },
                expect=200,
            )
            assert shipment["ship_by"] == estimate.json()["ship_by"], (warehouse, shipment)


async def product_at(client: httpx.AsyncClient, orders_url: str, product_id: str) -> Any:
    response = await client.get(f"{orders_url}/catalogue/{product_id}")
    return response.json() if response.status_code == 200 else None


async def test_a_product_revised_repriced_and_delisted(
    start_platform: StartPlatform,
) -> None:  # R-REV-15, R-CAT-1
    running = start_platform()
    orders_url = running.urls["orders"]
    async with httpx.AsyncClient(timeout=10) as client:
        operator, merchant, buyer = cast(running.urls, client)
        store = await open_semi_managed_store(operator, merchant)
        listing = a_product_listing(store["store_id"])
        product = (
            await merchant.call("POST", "review", "/products", json=listing, expect=201)
        ).json()
        url = f"/products/{product['product_id']}"
        rejection = {"decision": "reject", "reason": "the photos show another product"}
        await operator.call("POST", "review", f"{url}/reviews", json=rejection, expect=200)
        revised = {**listing, "images": ["https://img.example/the-real-one.jpg"]}
        resubmitted = (await merchant.call("PUT", "review", url, json=revised, expect=200)).json()
        assert resubmitted["status"] == "under_review"
        approval = {"decision": "approve"}
        await operator.call("POST", "review", f"{url}/reviews", json=approval, expect=200)
        on_sale = await eventually(
            lambda: product_at(client, orders_url, product["product_id"]), what="on sale"
        )
        old_price = on_sale["price"]

        in_flight = await place_order(buyer, product["product_id"])
        new_price = {**old_price, "amount_minor": old_price["amount_minor"] + 500}
        await merchant.call(
            "POST", "review", f"{url}/price-changes", json={"price": new_price}, expect=200
        )
        # The approved price stands until the change is approved.
        assert (await product_at(client, orders_url, product["product_id"]))["price"] == old_price
        await operator.call("POST", "review", f"{url}/reviews", json=approval, expect=200)

        async def repriced() -> Any:
            seen = await product_at(client, orders_url, product["product_id"])
            return seen if seen and seen["price"] == new_price else None

        await eventually(repriced, what="the new price in the catalogue")
        kept = (await buyer.call("GET", "orders", f"/orders/{in_flight['order_id']}")).json()
        assert kept["items"][0]["unit_price"] == old_price
        later = await place_order(buyer, product["product_id"])
        assert later["items"][0]["unit_price"] == new_price

        delist = {"reason": "out of production"}
        await merchant.call("POST", "review", f"{url}/delist", json=delist, expect=200)

        async def gone() -> bool:
            return await product_at(client, orders_url, product["product_id"]) is None

        await eventually(gone, what="the delisted product out of the catalogue")
        refused = await buyer.call(
            "POST",
            "orders",
            "/orders",
            json={
                "items": [{"product_id": product["product_id"], "quantity": 1}],
                "shipping_address": in_flight["shipping_address"],
            },
        )
        assert refused.status_code in (404, 409, 422), refused.text
        assert refused.headers["content-type"] == "application/problem+json"
