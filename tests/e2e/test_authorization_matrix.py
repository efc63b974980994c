"""Every endpoint × every role × own or another's resource, from one table:
no token 401, wrong role 403, another party's resource 404, the owner gets through."""

from __future__ import annotations

from typing import Any, NamedTuple

import httpx
import pytest

from devkit.journey import (
    SAMPLE_FILES,
    Actor,
    a_delivered_order,
    cast,
    full_managed_application,
    open_damage_case,
    order_when,
)
from devkit.wait import eventually
from testkit import clock as run_clock
from testkit.bodies import a_product_listing, a_shipping, usd_json
from testkit.platforms import StartPlatform

pytestmark = pytest.mark.e2e

ACTORS = ("anonymous", "buyer", "other_buyer", "merchant", "other_merchant", "operator")
OK = "ok"  # through authorization: a 2xx, or a 409/422 the resource's state gives
EMPTY = "empty"  # a list that shows nothing of another party's

TODAY = run_clock.now().date().isoformat()


class Row(NamedTuple):
    """An endpoint and what each actor gets from it, in the order of ACTORS."""

    service: str
    method: str
    path: str
    expected: tuple[int | str, ...]


def _table(text: str) -> list[Row]:
    """Rows of `service method path` and a status (or `ok`, `empty`) for each actor."""
    _, *lines = text.strip().splitlines()
    rows = []
    for line in lines:
        service, method, path, *expected = line.split()
        statuses = tuple(int(status) if status.isdigit() else status for status in expected)
        rows.append(Row(service, method, path, statuses))
    return rows


#: Each endpoint and what each actor gets, in the order of ACTORS (buyer2 and merch2: another
#: buyer, another merchant). In this order: the calls of the actors who get through change state.
TABLE = _table("""
    service    method path                                   anon  buyer buyer2 merch merch2 oper
    review     POST   /invitations                           401   403   403    403   403    ok
    review     POST   /invitations/{invitation}/revoke       401   403   403    403   403    ok
    review     GET    /invitations?merchant_id={merchant}    401   403   403    403   403    ok
    review     GET    /stores/{store}                        401   403   403    ok    404    ok
    review     PUT    /stores/{store}                        401   403   403    ok    404    403
    review     POST   /stores/{store}/reviews                401   403   403    403   403    ok
    review     POST   /stores/{store}/messages               401   403   403    ok    404    ok
    review     POST   /stores/{store}/documents              401   403   403    ok    404    403
    review     GET    /stores/{store}/documents              401   403   403    ok    404    ok
    review     GET    /stores/{store}/documents/{document}   401   403   403    ok    404    ok
    review     GET    /review-queue                          401   403   403    403   403    ok
    review     GET    /products/{product}                    401   403   403    ok    404    ok
    review     GET    /products                              401   403   403    ok    ok     ok
    review     POST   /products/{product}/reviews            401   403   403    403   403    ok
    review     PUT    /products/{product}                    401   403   403    ok    404    403
    review     POST   /products/{product}/price-changes      401   403   403    ok    404    403
    review     GET    /stores/{store}/change-requests        401   403   403    ok    404    ok
    review     GET    /stores/{store}/change-requests/{change} 401 403   403    ok    404    ok
    review     PUT    /stores/{store}/change-requests/{change} 401 403   403    ok    404    403
    review     POST   /stores/{store}/change-requests/{change}/reviews 401 403 403 403 403   ok
    review     POST   /stores/{store}/change-requests/{change}/withdraw 401 403 403 ok 404   403
    review     POST   /stores/{store}/change-requests        401   403   403    ok    404    403
    review     GET    /categories                            ok    ok    ok     ok    ok     ok
    orders     GET    /catalogue                             ok    ok    ok     ok    ok     ok
    orders     GET    /catalogue/{product}                   ok    ok    ok     ok    ok     ok
    orders     GET    /orders/{order}                        401   ok    404    ok    404    ok
    orders     GET    /orders                                401   ok    ok     ok    ok     ok
    orders     POST   /orders/{order}/confirm                401   403   403    ok    404    403
    orders     POST   /orders/{order}/cancel                 401   ok    404    403   403    403
    orders     POST   /orders/confirm                        401   403   403    ok    ok     403
    orders     GET    /merchants/{merchant}/stats            401   404   404    ok    404    ok
    logistics  GET    /shipments?order_id={order}            401   ok    empty  ok    empty  ok
    logistics  GET    /shipments/{shipment}                  401   ok    404    ok    404    ok
    logistics  POST   /shipments/{shipment}/ship             401   403   403    403   404    ok
    logistics  POST   /shipments/{shipment}/deliver          401   403   403    403   403    ok
    logistics  POST   /shipments/{shipment}/exceptions       401   403   403    403   403    ok
    logistics  GET    /routes                                ok    ok    ok     ok    ok     ok
    aftersales GET    /cases/{case}                          401   ok    404    ok    404    ok
    aftersales GET    /cases?order_id={order}                401   ok    404    ok    404    ok
    aftersales POST   /cases/{case}/messages                 401   ok    404    ok    404    ok
    aftersales POST   /cases/{case}/resolve                  401   403   403    403   403    ok
    settlement GET    /merchants/{merchant}/refunds?{period} 401   404   404    ok    404    ok
    settlement GET    /merchants/{merchant}/balance          401   404   404    ok    404    ok
    settlement GET    /merchants/{merchant}/statement?{period} 401 404   404    ok    404    ok
    settlement GET    /payouts?merchant_id={merchant}&{period} 401 404   404    ok    404    ok
    settlement GET    /orders/{order}/ledger                 401   404   404    ok    404    ok
    settlement GET    /platform/refund-expense?{period}      401   403   403    403   403    ok
    orders     GET    /admin/dead-letters                    401   403   403    403   403    ok
    logistics  GET    /admin/dead-letters                    401   403   403    403   403    ok
    aftersales GET    /admin/dead-letters                    401   403   403    403   403    ok
    settlement GET    /admin/dead-letters                    401   403   403    403   403    ok
    review     POST   /products/{product}/delist             401   403   403    ok    404    ok
""")

#: The body each call sends, by (method, path); "application": a store application;
#: "upload": a document's multipart form (R-REV-14).
BODIES: dict[tuple[str, str], dict[str, Any] | str] = {
    ("POST", "/invitations"): {"merchant_id": "m-x"},
    ("PUT", "/stores/{store}"): "application",
    ("POST", "/stores/{store}/documents"): "upload",
    ("POST", "/stores/{store}/reviews"): {"stage": "background", "decision": "approve"},
    ("POST", "/stores/{store}/messages"): {"body": "hello"},
    ("POST", "/products/{product}/reviews"): {"decision": "approve"},
    ("PUT", "/products/{product}"): a_product_listing("{store}"),
    ("POST", "/products/{product}/price-changes"): {"price": usd_json(12_345)},
    ("PUT", "/stores/{store}/change-requests/{change}"): {"name": "Renamed again"},
    ("POST", "/stores/{store}/change-requests/{change}/reviews"): {
        "stage": "background",
        "decision": "approve",
    },
    ("POST", "/stores/{store}/change-requests"): {"name": "Renamed once more"},
    # Last of all: it takes the product off sale.
    ("POST", "/products/{product}/delist"): {"reason": "authorization check"},
    ("POST", "/orders/confirm"): {"order_ids": ["{order}"]},
    ("POST", "/shipments/{shipment}/ship"): a_shipping(),
    ("POST", "/shipments/{shipment}/exceptions"): {"kind": "lost", "note": "gone"},
    ("POST", "/cases/{case}/messages"): {"body": "any news?"},
    ("POST", "/cases/{case}/resolve"): {"decision": "reject", "note": "no"},
}


async def _an_invitation(operator: Actor, merchant: Actor) -> str:
    body = {"merchant_id": merchant.sub}
    response = await operator.call("POST", "review", "/invitations", json=body, expect=201)
    invitation_id: str = response.json()["invitation_id"]
    return invitation_id


async def _answers(actor: Actor, service: str, path: str) -> bool:
    return (await actor.call("GET", service, path)).status_code == 200


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    return value


async def test_authorization_matrix(start_platform: StartPlatform) -> None:
    running = start_platform()
    async with httpx.AsyncClient(timeout=10) as client:
        operator, merchant, buyer = cast(running.urls, client)
        _, other_merchant, other_buyer = cast(running.urls, client)
        delivered = await a_delivered_order(operator, merchant, buyer)
        store, product_id = delivered.store, delivered.product_id
        order, shipment = delivered.order, delivered.shipment
        await order_when(
            buyer, order["order_id"], lambda o: o["status"] == "delivered", "delivered"
        )
        case = await open_damage_case(buyer, order)
        # Settlement learns of the order from events: once its ledger has the order.
        ledger = f"/orders/{order['order_id']}/ledger"
        await eventually(
            lambda: _answers(operator, "settlement", ledger), what="the order in the ledger"
        )
        changes = f"/stores/{store['store_id']}/change-requests"
        change = await merchant.call(
            "POST", "review", changes, json={"name": "Renamed by change"}, expect=201
        )
        listed = f"/stores/{store['store_id']}/documents"
        uploaded = (await operator.call("GET", "review", listed, expect=200)).json()["items"]
        ids = {
            "document": uploaded[0]["document_id"],
            "store": store["store_id"],
            "change": change.json()["change_request_id"],
            "product": product_id,
            "order": order["order_id"],
            "shipment": shipment["shipment_id"],
            "case": case["case_id"],
            "merchant": merchant.sub,
            "invitation": await _an_invitation(operator, other_merchant),
            "period": f"from={TODAY}&to={TODAY}",
        }
        actors: dict[str, Actor | None] = {
            "anonymous": None,
            "buyer": buyer,
            "other_buyer": other_buyer,
            "merchant": merchant,
            "other_merchant": other_merchant,
            "operator": operator,
        }

        wrong: list[str] = []
        for service, method, path, expected in TABLE:
            url = running.url(service) + _fill(path, ids)
            body = BODIES.get((method, path))
            payload = full_managed_application("Renamed") if body == "application" else body
            # Refusals first, the actors who get through last: their calls change state.
            by_actor = zip(ACTORS, expected, strict=True)
            for name, want in sorted(by_actor, key=lambda pair: pair[1] == OK):
                actor = actors[name]
                headers = actor.headers if actor else {}
                if body == "upload":
                    content_type, content = SAMPLE_FILES["pdf"]
                    form = {"file": ("other.pdf", content, content_type)}
                    response = await client.request(
                        method, url, headers=headers, data={"kind": "other"}, files=form
                    )
                else:
                    response = await client.request(
                        method, url, headers=headers, json=_fill(payload, ids) if payload else None
                    )
                got = response.status_code
                through = got < 400 or got in (409, 422)
                if want == EMPTY:
                    empty = got == 200 and response.json()["items"] == []
                    if not empty:
                        wrong.append(f"{method} {service}{path} as {name}: {got}, not empty")
                elif (want == OK and not through) or (want != OK and got != want):
                    wrong.append(f"{method} {service}{path} as {name}: {got}, expected {want}")
                if got >= 400:
                    assert response.headers["content-type"] == "application/problem+json"
        assert not wrong, "\n".join(wrong)
