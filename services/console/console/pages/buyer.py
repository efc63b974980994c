"""The buyer's pages: the shop and its products' order form (`buyer_shop`,
`buyer_order`), and opening an after-sales case on an order (`buyer_case`). The orders
and the cases themselves have their own pages (`/orders`, `/cases`), for every role."""

from __future__ import annotations

from fastapi import APIRouter

from console.pages import buyer_case, buyer_order, buyer_shop

router = APIRouter()
for _page in (buyer_shop, buyer_order, buyer_case):
    router.include_router(_page.router)
