"""Test data for review's events of a change to what it approved: a store's business
information changed (`StoreUpdated`, R-REV-12) and a listed product taken off sale
(`ProductDelisted`, R-REV-15), overridden by keyword as in `testkit.factories`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.contract import events as ev
from testkit.factories import MERCHANT, PRODUCT, STORE, T0, usd


def a_store_updated(*, at: datetime = T0, **overrides: Any) -> ev.StoreUpdated:
    """STORE (full-managed) renamed "Tea House & Co" by change request `cr-1` at `at`."""
    fields: dict[str, Any] = {
        "store_id": STORE,
        "merchant_id": MERCHANT,
        "store_type": "full_managed",
        "store_name": "Tea House & Co",
        "categories": ["home"],
        "changed": ["name"],
        "change_request_id": "cr-1",
        "updated_at": at,
    }
    return ev.StoreUpdated(**{**fields, **overrides})


def a_product_delisted(*, at: datetime = T0, **overrides: Any) -> ev.ProductDelisted:
    """PRODUCT (as `a_product_approved` lists it) taken off sale by its merchant at `at`."""
    fields: dict[str, Any] = {
        "product_id": PRODUCT,
        "store_id": STORE,
        "merchant_id": MERCHANT,
        "store_type": "full_managed",
        "title": "Tea set",
        "category": "home",
        "price": usd(4990),
        "weight_grams": 500,
        "reason": "discontinued",
        "delisted_by": "merchant",
        "delisted_at": at,
    }
    return ev.ProductDelisted(**{**fields, **overrides})
