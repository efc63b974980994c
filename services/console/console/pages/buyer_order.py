"""A product of the shop and the form that orders it (R-ORD-1): a quantity and the
shipping address, exactly as orders' `ShippingAddress` takes it. Each rendering of the form
carries a new Idempotency-Key, so a form sent twice (a double click, a resend after going
back) places one order: orders answers the second with the first (`Idempotent-Replayed`)."""

from __future__ import annotations

import asyncio
import re
import secrets
from dataclasses import dataclass, field, replace
from typing import Any

import pycountry
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from console.pages.buyer_common import readable, segment, text_of
from console.pages.fetched import part_of
from console.services import ServiceProblem, Services, services_of
from console.session import Buyer, Form, User
from console.web import back_to, flash, render

router = APIRouter(prefix="/shop", tags=["shop"])
#: The address's parts, as orders' `ShippingAddress` names them, and their labels.
ADDRESS = {
    "recipient": "Recipient",
    "phone": "Phone",
    "country": "Country",
    "city": "City",
    "line1": "Street and number",
    "postal_code": "Postal code",
}
#: The form's fields, each shown with its own message.
FIELDS = frozenset({"quantity", *ADDRESS})
#: Every ISO 3166-1 country (orders accepts those codes only), by name.
COUNTRIES = sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda c: c[1])
#: A key this console made (`secrets.token_urlsafe`): any other is replaced by a new one.
KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
#: What orders' validation says, when it is about the shape, as a person can act on it.
PLAIN = {
    "phone": "Give a phone number: 5 to 20 digits, spaces, brackets or dashes, with a + "
    "first if you like (e.g. +34 600 000 000).",
    "country": "Choose the country of the address.",
    "quantity": "Order 1 to 1000 items.",
}
#: Orders' 409 to a key sent again with other details, as the buyer meets it.
SENT_BEFORE = (
    "This form already placed an order, with other details (see My orders). To place "
    "another order as well, check the form and send it again."
)


def new_key() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class OrderForm:
    """The form as typed: shown again, whole, beside a refusal."""

    quantity: str = "1"
    address: dict[str, str] = field(default_factory=lambda: dict.fromkeys(ADDRESS, ""))
    key: str = field(default_factory=new_key)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, form: FormData) -> OrderForm:
        key = text_of(form, "idempotency_key")
        address = {name: text_of(form, name) for name in ADDRESS}
        return cls(text_of(form, "quantity"), address, key if KEY.match(key) else new_key())

    def body(self, product_id: str) -> dict[str, Any]:
        """Orders' `OrderCreate`; a quantity that is no whole number is said at once."""
        quantity: int | str = self.quantity
        if re.fullmatch(r"[0-9]{1,6}", self.quantity):
            quantity = int(self.quantity)
        else:
            self.errors["quantity"] = "Give the quantity as a whole number, e.g. 2."
        return {
            "items": [{"product_id": product_id, "quantity": quantity}],
            "shipping_address": self.address,
        }


def plain(name: str, message: str) -> str:
    """Orders' message on a field, in words a buyer can act on."""
    if name in PLAIN and any(w in message for w in ("pattern", "ISO", "greater", "less")):
        return PLAIN[name]
    if "at least 1 character" in message or message == "Field required":
        return f"Give the {ADDRESS.get(name, name).lower()}."
    return message.removeprefix("Value error, ")


async def place(
    services: Services, user: User, body: dict[str, Any], key: str
) -> tuple[dict[str, Any], bool]:
    """`POST /orders` with its Idempotency-Key: the order, and whether orders answered an
    earlier one again."""
    headers = {"Idempotency-Key": key}
    answer = await services.request(user, "orders", "POST", "/orders", json=body, headers=headers)
    if answer.status_code >= 400:
        raise ServiceProblem.of("orders", answer)
    placed: dict[str, Any] = answer.json()
    return placed, answer.headers.get("Idempotent-Replayed") == "true"


async def _product_page(
    request: Request,
    user: User,
    product_id: str,
    typed: OrderForm,
    problem: ServiceProblem | None = None,
) -> Response:
    services = services_of(request)
    product, categories = await asyncio.gather(
        services.get(user, "orders", f"/catalogue/{segment(product_id)}"),
        part_of("review", services.get(user, "review", "/categories")),
    )
    names = {c["code"]: c["name_en"] for c in categories.value["items"]} if categories.ok else {}
    said = problem.fields if problem else {}
    errors = {name: plain(name, message) for name, message in said.items()} | typed.errors
    if problem:
        problem = readable(problem, errors, FIELDS)
    status = problem.status if problem else (422 if typed.errors else 200)
    return render(
        request,
        "shop_product.html",
        status=status,
        problem=problem,
        product=product,
        category=names.get(product["category"], product["category"]),
        typed=typed,
        errors=errors,
        address=ADDRESS,
        countries=COUNTRIES,
    )


@router.get("/products/{product_id}")
async def product_page(request: Request, user: Buyer, product_id: str) -> Response:
    return await _product_page(request, user, product_id, OrderForm())


@router.post("/products/{product_id}")
async def order(request: Request, user: Buyer, form: Form, product_id: str) -> Response:
    """R-ORD-1: the order placed at the catalogue's price, then its page; refused, the
    form again as typed, each field's message beside it."""
    typed = OrderForm.of(form)
    body = typed.body(product_id)
    if typed.errors:
        return await _product_page(request, user, product_id, typed)
    try:
        placed, replayed = await place(services_of(request), user, body, typed.key)
    except ServiceProblem as refused:
        if refused.status in (401, 404):
            raise
        if refused.status == 409:  # this key placed another order: a new one for a new order
            typed.key, refused = new_key(), replace(refused, detail=SENT_BEFORE)
        return await _product_page(request, user, product_id, typed, refused)
    if replayed:
        flash(request, "This form was already sent: here is the order it placed, once.")
    else:
        flash(request, "Your order is placed; the store confirms it soon.")
    return back_to(f"/orders/{segment(placed['order_id'])}")
