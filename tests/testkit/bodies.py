"""HTTP request bodies by name: the JSON the services' APIs take, overridden by keyword.

`an_order_request(product_id, quantity=2)` reads as what the test sends; what a test does
not name keeps one plausible value (the contract values of `testkit.factories`).
"""

from __future__ import annotations

from typing import Any

from testkit.factories import an_address, usd


def usd_json(minor: int) -> dict[str, Any]:
    """`usd(minor)` as JSON: `{"amount_minor": minor, "currency": "USD"}`."""
    return usd(minor).model_dump(mode="json")


def an_address_json(**overrides: Any) -> dict[str, Any]:
    return an_address(**overrides).model_dump(mode="json")


def an_order_request(product_id: str, quantity: int = 1, **overrides: Any) -> dict[str, Any]:
    """POST /orders (orders): `quantity` of one product, to `an_address()`."""
    line = {"product_id": product_id, "quantity": quantity}
    return {"items": [line], "shipping_address": an_address_json(), **overrides}


def a_case_request(order_id: str, refund_minor: int, **overrides: Any) -> dict[str, Any]:
    """POST /cases (aftersales): a damaged item and the refund the buyer asks for."""
    return {
        "order_id": order_id,
        "reason": "damaged",
        "description": "Cracked lid",
        "refund_requested": usd_json(refund_minor),
        **overrides,
    }


def a_refund_decision(minor: int, note: str = "sorry") -> dict[str, Any]:
    """POST /cases/{id}/resolve (aftersales): refund `minor` USD cents."""
    return {"decision": "refund", "refund": usd_json(minor), "note": note}


def a_rejection(note: str = "no damage shown") -> dict[str, Any]:
    """POST /cases/{id}/resolve (aftersales): no refund."""
    return {"decision": "reject", "note": note}


def a_shipping(**overrides: Any) -> dict[str, Any]:
    """POST /shipments/{id}/ship (logistics): handed over at a pickup."""
    return {"carrier": "ups-ground", "tracking_number": "1Z999", "handover": "pickup", **overrides}


def a_product_listing(store_id: str, **overrides: Any) -> dict[str, Any]:
    """POST /products (review): a complete listing in `store_id`."""
    return {
        "store_id": store_id,
        "title": "Tea set",
        "description": "Six cups and a pot",
        "category": "home",
        "images": ["https://img.example/tea.jpg"],
        "price": usd_json(4990),
        "weight_grams": 500,
        **overrides,
    }


def _document(kind: str, filename: str, content_type: str, size_bytes: int) -> dict[str, Any]:
    return {
        "kind": kind,
        "filename": filename,
        "content_type": content_type,
        "size_bytes": size_bytes,
    }


def a_store_application(store_type: str = "full_managed", **overrides: Any) -> dict[str, Any]:
    """POST /stores (review): a complete application of `store_type` (R-REV-2, R-REV-4);
    a semi-managed one with its Madrid warehouse, its proof and 2 handling days (R-LOG-2)."""
    documents = [
        _document(kind, f"{kind}.pdf", "application/pdf", 120_000)
        for kind in ("business_license", "id_document")
    ]
    body: dict[str, Any] = {
        "store_type": store_type,
        "name": "Blue Lantern Home",
        "company_name": "Fuzhou Blue Lantern Trading Co., Ltd.",
        "business_license_no": "91350100M000100Y43",
        "contact_email": "ops@lantern.example.com",
        "categories": ["home"],
        "contract_signed": True,
        "documents": documents,
    }
    if store_type == "semi_managed":
        documents.append(_document("warehouse_proof", "lease.png", "image/png", 50_000))
        body["warehouse"] = {
            "country": "ES",
            "city": "Madrid",
            "address": "Calle Mayor 1",
            "timezone": "Europe/Madrid",
        }
        body["handling_days"] = 2
    return {**body, **overrides}
