"""Every endpoint × every role × own or another's resource, from one table:
no token 401, wrong role 403, another party's resource 404, the owner gets through."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from devkit.journey import (
    Actor,
    cast,
    confirm_ship_deliver,
    full_managed_application,
    list_product,
    open_damage_case,
    open_full_managed_store,
    order_when,
    place_order,
)
from testkit import clock as run_clock
from testkit.platforms import StartPlatform

pytestmark = pytest.mark.e2e

ACTORS = ("anonymous", "buyer", "other_buyer", "merchant", "other_merchant", "operator")
OK = "ok"  # through authorization: a 2xx, or a 409/422 the resource's state gives
EMPTY = "empty"  # a list that shows nothing of another party's

# (service, method, path, body, expected by actor in the order of ACTORS)
Row = tuple[str, str, str, dict[str, Any] | str | None, tuple[int | str, ...]]
TODAY = run_clock.now().date().isoformat()
TABLE: list[Row] = [
    ("review", "POST", "/invitations", {"merchant_id": "m-x"}, (401, 403, 403, 403, 403, OK)),
    ("review", "GET", "/stores/{store}", None, (401, 403, 403, OK, 404, OK)),
    ("review", "PUT", "/stores/{store}", "application", (401, 403, 403, OK, 404, 403)),
    ("review", "POST", "/stores/{store}/reviews", {"stage": "background", "decision": "approve"},
     (401, 403, 403, 403, 403, OK)),
    ("review", "POST", "/stores/{store}/messages", {"body": "hello"},
     (401, 403, 403, OK, 404, OK)),
    ("review", "GET", "/review-queue", None, (401, 403, 403, 403, 403, OK)),
    ("review", "GET", "/products/{product}", None, (401, 403, 403, OK, 404, OK)),
    ("review", "GET", "/products", None, (401, 403, 403, OK, OK, OK)),
    ("review", "POST", "/products/{product}/reviews", {"decision": "approve"},
     (401, 403, 403, 403, 403, OK)),
    ("orders", "GET", "/catalogue", None, (OK, OK, OK, OK, OK, OK)),
    ("orders", "GET", "/catalogue/{product}", None, (OK, OK, OK, OK, OK, OK)),
    ("orders", "GET", "/orders/{order}", None, (401, OK, 404, OK, 404, OK)),
    ("orders", "GET", "/orders", None, (401, OK, OK, OK, OK, OK)),
    ("orders", "POST", "/orders/{order}/confirm", None, (401, 403, 403, OK, 404, 403)),
    ("orders", "POST", "/orders/{order}/cancel", None, (401, OK, 404, 403, 403, 403)),
    ("orders", "POST", "/orders/confirm", {"order_ids": ["{order}"]},
     (401, 403, 403, OK, OK, 403)),
    ("orders", "GET", "/merchants/{merchant}/stats", None, (401, 404, 404, OK, 404, OK)),
    ("logistics", "GET", "/shipments?order_id={order}", None,
     (401, OK, EMPTY, OK, EMPTY, OK)),
    ("logistics", "GET", "/shipments/{shipment}", None, (401, OK, 404, OK, 404, OK)),
    ("logistics", "POST", "/shipments/{shipment}/ship",
     {"carrier": "SF", "tracking_number": "SF9", "handover": "pickup"},
     (401, 403, 403, 403, 404, OK)),
    ("logistics", "POST", "/shipments/{shipment}/deliver", None, (401, 403, 403, 403, 403, OK)),
    ("logistics", "POST", "/shipments/{shipment}/exceptions", {"kind": "lost", "note": "gone"},
     (401, 403, 403, 403, 403, OK)),
    ("logistics", "GET", "/routes", None, (OK, OK, OK, OK, OK, OK)),
    ("aftersales", "GET", "/cases/{case}", None, (401, OK, 404, OK, 404, OK)),
    ("aftersales", "GET", "/cases?order_id={order}", None, (401, OK, 404, OK, 404, OK)),
    ("aftersales", "POST", "/cases/{case}/messages", {"body": "any news?"},
     (401, OK, 404, OK, 404, OK)),
    ("aftersales", "POST", "/cases/{case}/resolve", {"decision": "reject", "note": "no"},
     (401, 403, 403, 403, 403, OK)),
    ("aftersales", "GET", f"/merchants/{{merchant}}/refunds?from={TODAY}&to={TODAY}", None,
     (401, 404, 404, OK, 404, OK)),
    ("orders", "GET", "/admin/dead-letters", None, (401, 403, 403, 403, 403, OK)),
    ("logistics", "GET", "/admin/dead-letters", None, (401, 403, 403, 403, 403, OK)),
    ("aftersales", "GET", "/admin/dead-letters", None, (401, 403, 403, 403, 403, OK)),
]  # fmt: skip


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
        store = await open_full_managed_store(operator, merchant)
        product_id = await list_product(operator, merchant, store["store_id"])
        order = await place_order(buyer, product_id)
        shipment = await confirm_ship_deliver(operator, merchant, order)
        await order_when(buyer, order["order_id"], lambda o: o["status"] == "delivered",
                         "delivered")  # fmt: skip
        case = await open_damage_case(buyer, order)
        ids = {"store": store["store_id"], "product": product_id, "order": order["order_id"],
               "shipment": shipment["shipment_id"], "case": case["case_id"],
               "merchant": merchant.sub}  # fmt: skip
        actors: dict[str, Actor | None] = {
            "anonymous": None, "buyer": buyer, "other_buyer": other_buyer,
            "merchant": merchant, "other_merchant": other_merchant, "operator": operator,
        }  # fmt: skip

        wrong: list[str] = []
        for service, method, path, body, expected in TABLE:
            url = running.url(service) + _fill(path, ids)
            payload = full_managed_application("Renamed") if body == "application" else body
            # Refusals first, the actors who get through last: their calls change state.
            for name, want in sorted(zip(ACTORS, expected, strict=True),
                                     key=lambda pair: pair[1] == OK):  # fmt: skip
                actor = actors[name]
                headers = actor.headers if actor else {}
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
