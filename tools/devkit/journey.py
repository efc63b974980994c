"""The actors of a journey, through the public HTTP APIs only (CONTRACT.md).

Shared by the end-to-end tests and `make demo` (tools/demo.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from devkit.idp import Signing, signing
from devkit.wait import eventually

ADDRESS = {
    "recipient": "Ana García",
    "phone": "+34 600 000 000",
    "country": "ES",
    "city": "Madrid",
    "line1": "Calle Mayor 1",
    "postal_code": "28013",
}


#: A small file of each accepted type (R-REV-14), as a merchant's scan would start.
SAMPLE_FILES = {
    "pdf": ("application/pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)),
}


def documents(kinds: tuple[str, ...] = ("business_license", "id_document")) -> list[dict[str, Any]]:
    """Documents described, not uploaded: the form before uploads (R-REV-14), still read
    for one release; `apply_for_store` uploads its application's documents instead."""
    return [
        {
            "kind": kind,
            "filename": f"{kind}.pdf",
            "content_type": "application/pdf",
            "size_bytes": 120_000,
        }
        for kind in kinds
    ]


def full_managed_application(name: str) -> dict[str, Any]:
    return {
        "store_type": "full_managed",
        "name": name,
        "company_name": f"{name} Trading Co.",
        "business_license_no": "91310000MA1FL8XQ3B",
        "contact_email": "owner@example.com",
        "categories": ["home"],
        "documents": documents(),
        "contract_signed": True,
    }


MADRID_WAREHOUSE = {
    "country": "ES",
    "city": "Madrid",
    "address": "Calle de Alcalá 1",
    "timezone": "Europe/Madrid",
}


def semi_managed_application(
    name: str, handling_days: int = 1, warehouse: Mapping[str, str] = MADRID_WAREHOUSE
) -> dict[str, Any]:
    """R-LOG-2: an overseas warehouse (by default Madrid) and a handling time of 1 or 2 days."""
    return {
        **full_managed_application(name),
        "store_type": "semi_managed",
        "documents": [
            *documents(),
            {
                "kind": "warehouse_proof",
                "filename": "lease.png",
                "content_type": "image/png",
                "size_bytes": 80_000,
            },
        ],
        "warehouse": dict(warehouse),
        "handling_days": handling_days,
    }


@dataclass
class Actor:
    """One party with a token, talking to the platform's services; the token signed as this
    environment signs (`devkit.idp.signing`)."""

    role: str
    sub: str
    urls: Mapping[str, str]
    client: httpx.AsyncClient
    signer: Signing = field(default_factory=signing)

    @property
    def headers(self) -> dict[str, str]:
        return self.signer.bearer(self.sub, self.role)

    async def call(
        self, method: str, service: str, path: str, *, expect: int | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = await self.client.request(
            method, self.urls[service] + path, headers=headers, **kwargs
        )
        if expect is not None and response.status_code != expect:
            raise AssertionError(
                f"{method} {service}{path} gave {response.status_code}, "
                f"expected {expect}: {response.text}"
            )
        return response


def cast(urls: Mapping[str, str], client: httpx.AsyncClient) -> tuple[Actor, Actor, Actor]:
    tag = uuid.uuid4().hex[:8]
    return (
        Actor("operator", f"op-{tag}", urls, client),
        Actor("merchant", f"m-{tag}", urls, client),
        Actor("buyer", f"b-{tag}", urls, client),
    )


async def upload_documents(
    merchant: Actor, store_id: str, kinds: list[str]
) -> list[dict[str, Any]]:
    """R-REV-14: a file of each kind uploaded to the store (a PDF; a PNG for a warehouse
    proof); their citations, `{kind, document_id}`, for the application."""
    cited = []
    for kind in kinds:
        extension = "png" if kind == "warehouse_proof" else "pdf"
        content_type, content = SAMPLE_FILES[extension]
        response = await merchant.call(
            "POST",
            "review",
            f"/stores/{store_id}/documents",
            expect=201,
            data={"kind": kind},
            files={"file": (f"{kind}.{extension}", content, content_type)},
        )
        cited.append({"kind": kind, "document_id": response.json()["document_id"]})
    return cited


async def apply_for_store(merchant: Actor, application: dict[str, Any]) -> dict[str, Any]:
    """The merchant's application, under review (R-REV-2, R-REV-5): applied for without
    its documents (returned for them, R-REV-4), each uploaded to the new store, then
    resubmitted citing them (R-REV-6, R-REV-14)."""
    kinds = [document["kind"] for document in application["documents"]]
    draft = {**application, "documents": []}
    opened = (await merchant.call("POST", "review", "/stores", expect=201, json=draft)).json()
    cited = await upload_documents(merchant, opened["store_id"], kinds)
    store: dict[str, Any] = (
        await merchant.call(
            "PUT",
            "review",
            f"/stores/{opened['store_id']}",
            expect=200,
            json={**application, "documents": cited},
        )
    ).json()
    assert store["status"] == "under_review", store
    return store


async def approve_stages(operator: Actor, merchant: Actor, store: dict[str, Any]) -> dict[str, Any]:
    """The operator approves the three stages (R-REV-3); the store as its merchant sees it."""
    for stage in ("background", "financial", "category"):
        await operator.call(
            "POST",
            "review",
            f"/stores/{store['store_id']}/reviews",
            json={"stage": stage, "decision": "approve"},
            expect=200,
        )
    approved: dict[str, Any] = (
        await merchant.call("GET", "review", f"/stores/{store['store_id']}", expect=200)
    ).json()
    assert approved["status"] == "approved", approved
    return approved


async def _approved(
    operator: Actor, merchant: Actor, application: dict[str, Any]
) -> dict[str, Any]:
    """An application, then its three stages approved by the operator (R-REV-3)."""
    return await approve_stages(operator, merchant, await apply_for_store(merchant, application))


def describe_calendar(calendar: dict[str, Any] | None) -> str:
    """`provisional calendar (CN 2027 derived, ES 2027 library)`, for people reading."""
    if calendar is None:
        return "no working days counted"
    years = ", ".join(f"{y['country']} {y['year']} {y['source']}" for y in calendar["years"])
    return f"{calendar['basis']} calendar ({years})"


async def open_full_managed_store(operator: Actor, merchant: Actor) -> dict[str, Any]:
    """Step 1: invitation, application, the three stages approved (R-REV-1, R-REV-3)."""
    await operator.call(
        "POST", "review", "/invitations", json={"merchant_id": merchant.sub}, expect=201
    )
    return await _approved(operator, merchant, full_managed_application(f"Shop {merchant.sub}"))


async def open_semi_managed_store(
    operator: Actor, merchant: Actor, warehouse: Mapping[str, str] = MADRID_WAREHOUSE
) -> dict[str, Any]:
    """A semi-managed store needs no invitation (R-REV-1 is for full-managed stores)."""
    application = semi_managed_application(f"Shop {merchant.sub}", warehouse=warehouse)
    return await _approved(operator, merchant, application)


async def list_product(
    operator: Actor, merchant: Actor, store_id: str, price_minor: int = 4_990
) -> str:
    """Step 2: a product reviewed and approved, then on sale in orders' catalogue."""
    product = (
        await merchant.call(
            "POST",
            "review",
            "/products",
            expect=201,
            json={
                "store_id": store_id,
                "title": "Porcelain tea set",
                "description": "Six cups, a pot.",
                "category": "home",
                "images": ["https://img.example/tea-set.jpg"],
                "price": {"amount_minor": price_minor, "currency": "USD"},
                "weight_grams": 1_200,
            },
        )
    ).json()
    product_id: str = product["product_id"]
    await operator.call(
        "POST",
        "review",
        f"/products/{product_id}/reviews",
        json={"decision": "approve"},
        expect=200,
    )

    async def on_sale() -> bool:
        response = await operator.call("GET", "orders", f"/catalogue/{product_id}")
        return response.status_code == 200

    await eventually(on_sale, what=f"product {product_id} in the catalogue")
    return product_id


async def a_product_on_sale(
    operator: Actor, merchant: Actor, store_type: str = "full_managed"
) -> str:
    """Steps 1 and 2: a `store_type` store opened for `merchant`, and a product of it on
    sale; the product's id."""
    if store_type == "full_managed":
        store = await open_full_managed_store(operator, merchant)
    else:
        store = await open_semi_managed_store(operator, merchant)
    return await list_product(operator, merchant, store["store_id"])


async def place_order(
    buyer: Actor, product_id: str, quantity: int = 1, address: dict[str, str] | None = None
) -> dict[str, Any]:
    response = await buyer.call(
        "POST",
        "orders",
        "/orders",
        expect=201,
        json={
            "items": [{"product_id": product_id, "quantity": quantity}],
            "shipping_address": address or ADDRESS,
        },
    )
    order: dict[str, Any] = response.json()
    return order


async def order_when(
    actor: Actor,
    order_id: str,
    condition: Callable[[dict[str, Any]], bool],
    what: str,
    timeout: float = 20.0,
) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        order: dict[str, Any] = (
            await actor.call("GET", "orders", f"/orders/{order_id}", expect=200)
        ).json()
        return order if condition(order) else None

    return await eventually(probe, timeout=timeout, what=what)


async def confirmed_with_shipment(
    buyer: Actor, merchant: Actor, product_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A buyer's order of one product, confirmed by its merchant: the order as the buyer
    then reads it, and the shipment logistics created for it."""
    order = await place_order(buyer, product_id)
    await merchant.call("POST", "orders", f"/orders/{order['order_id']}/confirm", expect=200)
    confirmed = await buyer.call("GET", "orders", f"/orders/{order['order_id']}", expect=200)
    return confirmed.json(), await shipment_of(buyer, order["order_id"])


async def a_confirmed_order(
    operator: Actor, merchant: Actor, buyer: Actor, store_type: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A `store_type` store opened, a product listed, ordered and confirmed: the order as
    its buyer then reads it, and the shipment logistics created for it."""
    product_id = await a_product_on_sale(operator, merchant, store_type)
    return await confirmed_with_shipment(buyer, merchant, product_id)


async def shipment_of(actor: Actor, order_id: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        response = await actor.call("GET", "logistics", f"/shipments?order_id={order_id}")
        if response.status_code != 200:
            return None
        body = response.json()
        items = body["items"] if isinstance(body, dict) else body
        return items[0] if items else None

    return await eventually(probe, what=f"the shipment of order {order_id}")


async def open_damage_case(buyer: Actor, order: dict[str, Any]) -> dict[str, Any]:
    """Step 6: the buyer reports damage, once aftersales has learnt of the delivery."""

    async def opened() -> dict[str, Any] | None:
        response = await buyer.call(
            "POST",
            "aftersales",
            "/cases",
            json={
                "order_id": order["order_id"],
                "reason": "damaged",
                "description": "The teapot arrived broken.",
                "refund_requested": order["total"],
            },
        )
        if response.status_code == 201:
            case: dict[str, Any] = response.json()
            return case
        # Not delivered yet as far as aftersales knows: its window is not open (R-AS-1).
        assert response.status_code in (404, 409, 422), response.text
        return None

    return await eventually(opened, what="the after-sales case")


async def refund_whole_order(operator: Actor, case: dict[str, Any], order: dict[str, Any]) -> None:
    """The operator resolves a case with a refund of the whole order."""
    await operator.call(
        "POST",
        "aftersales",
        f"/cases/{case['case_id']}/resolve",
        json={"decision": "refund", "refund": order["total"], "note": "Photos show the damage."},
        expect=200,
    )


async def ship(operator: Actor, shipment_id: str) -> None:
    """A full-managed shipment handed to its carrier by the platform's warehouse."""
    await operator.call(
        "POST",
        "logistics",
        f"/shipments/{shipment_id}/ship",
        json={"carrier": "SF Express", "tracking_number": "SF1234567890", "handover": "pickup"},
        expect=200,
    )


async def confirm_ship_deliver(
    operator: Actor, merchant: Actor, order: dict[str, Any]
) -> dict[str, Any]:
    """Steps 4-5 of a full-managed order: confirmed, shipped and delivered; its shipment."""
    await merchant.call("POST", "orders", f"/orders/{order['order_id']}/confirm", expect=200)
    shipment = await shipment_of(operator, order["order_id"])
    await ship(operator, shipment["shipment_id"])
    await operator.call(
        "POST", "logistics", f"/shipments/{shipment['shipment_id']}/deliver", expect=200
    )
    return shipment


@dataclass(frozen=True)
class DeliveredOrder:
    store: dict[str, Any]
    product_id: str
    order: dict[str, Any]
    shipment: dict[str, Any]


async def a_delivered_order(
    operator: Actor, merchant: Actor, buyer: Actor, *, quantity: int = 1
) -> DeliveredOrder:
    """Steps 1-5: a full-managed store opened, a product listed, ordered, confirmed,
    shipped and delivered."""
    store = await open_full_managed_store(operator, merchant)
    product_id = await list_product(operator, merchant, store["store_id"])
    order = await place_order(buyer, product_id, quantity=quantity)
    shipment = await confirm_ship_deliver(operator, merchant, order)
    return DeliveredOrder(store, product_id, order, shipment)


#: A shipping address no route serves (R-LOG-6).
UNSERVED_ADDRESS = {**ADDRESS, "country": "AR", "city": "Buenos Aires"}


async def an_order_no_route_serves(
    operator: Actor, merchant: Actor, buyer: Actor
) -> dict[str, Any]:
    """A full-managed store opened, a product listed and ordered to a destination no route
    serves: the order, not yet confirmed."""
    store = await open_full_managed_store(operator, merchant)
    product_id = await list_product(operator, merchant, store["store_id"])
    return await place_order(buyer, product_id, address=UNSERVED_ADDRESS)


async def confirm_cancelled_as_no_route(
    operator: Actor, merchant: Actor, buyer: Actor, order_id: str
) -> dict[str, Any]:
    """An order no route serves confirmed by its merchant: its shipment created cancelled
    (`no_route`), then the order cancelled for it; the shipment."""
    await merchant.call("POST", "orders", f"/orders/{order_id}/confirm", expect=200)
    shipment = await shipment_of(operator, order_id)
    assert (shipment["status"], shipment["cancel_reason"]) == ("cancelled", "no_route")
    cancelled = await order_when(
        buyer, order_id, lambda o: o["status"] == "cancelled", "the order cancelled"
    )
    assert cancelled["cancel_reason"] == "no_route"
    return shipment


def assert_automatic_refund(
    payload: Mapping[str, Any], order: dict[str, Any], reason: str, liable_party: str
) -> None:
    """A `RefundIssued` payload: the whole order refunded with no case opened, for
    `reason`, borne by `liable_party` (R-ORD-6)."""
    assert payload["case_id"] is None
    assert payload["reason"] == reason
    assert payload["liable_party"] == liable_party
    assert payload["amount"] == order["total"]
