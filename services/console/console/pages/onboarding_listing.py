"""A merchant lists a product of one of its approved stores (R-REV-8): title, description,
category (R-REV-11), image links, the supply price as typed in the currency's major unit
and sent exactly in minor units, and the weight; it then waits for review (R-REV-9)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from console.pages.onboarding_application import form_problem
from console.pages.onboarding_common import categories, issue_fields, text_of
from console.pages.onboarding_price import CURRENCIES, PriceRefused, minor_units
from console.services import ServiceProblem, services_of
from console.session import Form, Merchant, User
from console.web import back_to, flash, render

router = APIRouter(prefix="/listings", tags=["onboarding"])
StoreId = Annotated[str | None, Query(max_length=100)]
FIELDS = ("store_id", "title", "description", "category", "images", "price", "currency")
#: Review's names of a refused part of the price, and the form's field that holds it.
PRICE_PARTS = ("amount_minor", "currency")


async def approved_stores(request: Request, user: User) -> list[dict[str, Any]]:
    """The merchant's approved stores (R-REV-8: a product is listed in one), newest first."""
    found = await services_of(request).get(user, "review", "/stores", status="approved", limit=100)
    stores: list[dict[str, Any]] = found["items"]
    return stores


async def _page(
    request: Request,
    user: User,
    typed: dict[str, str],
    *,
    problem: ServiceProblem | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "listing.html",
        status=problem.status if problem else 200,
        problem=problem,
        field_errors=errors if errors is not None else {},
        typed=typed,
        stores=await approved_stores(request, user),
        categories=await categories(request, user),
        currencies=CURRENCIES,
    )


@router.get("/new")
async def listing_page(request: Request, user: Merchant, store_id: StoreId = None) -> Response:
    return await _page(request, user, {"store_id": store_id or "", "currency": "USD"})


def _listing(typed: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Review's `ProductCreate` body; and what the console can tell is wrong first."""
    errors: dict[str, str] = {}
    amount_minor = 0
    try:
        amount_minor = minor_units(typed["price"], typed["currency"])
    except PriceRefused as refused:
        errors["price"] = str(refused)
    weight = typed["weight_grams"]
    if not weight.isdigit():
        errors["weight_grams"] = "Give the weight in whole grams, e.g. 1200."
    body = {
        **{name: typed[name] for name in ("store_id", "title", "description", "category")},
        "images": [line.strip() for line in typed["images"].splitlines() if line.strip()],
        "price": {"amount_minor": amount_minor, "currency": typed["currency"]},
        "weight_grams": int(weight) if weight.isdigit() else 0,
    }
    return body, errors


def _beside(refused: ServiceProblem) -> dict[str, str]:
    """Review's messages on the form's fields: a part of the price on the price."""
    errors = {
        ("price" if name in PRICE_PARTS else name): message
        for name, message in issue_fields(refused).items()
    }
    if refused.status == 404:  # R-REV-8: only a store of one's own
        errors.setdefault("store_id", refused.detail)
    return errors


def typed_of(form: FormData) -> dict[str, str]:
    return {name: text_of(form, name) for name in (*FIELDS, "weight_grams")}


@router.post("")
async def list_product(request: Request, user: Merchant, form: Form) -> Response:
    """R-REV-8, R-REV-9: the product waits for review; refused, the form as typed."""
    typed = typed_of(form)
    body, errors = _listing(typed)
    if errors:
        detail = "Some fields need your attention: see the message beside each."
        return await _page(request, user, typed, problem=form_problem(detail), errors=errors)
    try:
        product = await services_of(request).post(user, "review", "/products", body)
    except ServiceProblem as refused:
        return await _page(request, user, typed, problem=refused, errors=_beside(refused))
    flash(request, f"{product['title']} is listed and waits for review.")
    return back_to(f"/stores?store_id={product['store_id']}")
