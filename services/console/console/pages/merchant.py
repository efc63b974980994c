"""The merchant's pages beside the confirmation desk: shipments to hand over, stores and
products under review, the scorecard, and the statement of account."""

from __future__ import annotations

from fastapi import APIRouter

from console.pages import merchant_money, merchant_shipments, merchant_stores

router = APIRouter()
for _page in (merchant_shipments, merchant_stores, merchant_money):
    router.include_router(_page.router)
