"""`GET /catalogue`: approved products as buyers see them; anyone may browse (R-CAT-1)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from orders.adapters.catalogue_queries import CatalogueFilter
from orders.entrypoints.http import Limit, Services
from orders.entrypoints.schemas import CataloguePage, ProductPublic
from shared.categories import CategoryList, category_list
from shared.contract.types import CurrencyCode
from shared.errors import NotFound, Unprocessable
from shared.guards import JsonRoute

catalogue_router = APIRouter(prefix="/catalogue", tags=["catalogue"], route_class=JsonRoute)
Text = Annotated[str | None, Query(min_length=1, max_length=100)]
PriceMinor = Annotated[int | None, Query(ge=0, le=10**12)]


@catalogue_router.get("", response_model=CataloguePage)
async def browse(
    services: Services,
    categories: Annotated[CategoryList, Depends(category_list)],
    channel: Literal["full_managed", "all"] | None = None,
    category: Text = None,
    q: Text = None,
    min_price: PriceMinor = None,
    max_price: PriceMinor = None,
    currency: CurrencyCode | None = None,
    limit: Limit = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> CataloguePage:
    """`channel=full_managed` is the full-managed exclusive channel; `category` is a code of
    the category list (R-REV-11); `q` searches titles and descriptions;
    `min_price`/`max_price` are in minor units (with `currency`)."""
    if min_price is not None and max_price is not None and min_price > max_price:
        raise Unprocessable("`min_price` is above `max_price`; swap them.")
    if category is not None and category not in categories:
        # R-REV-11: products carry codes only, so any other text would just find nothing.
        refusal = categories.refusal()
        raise Unprocessable(
            f"`category` {category!r}: {refusal}",
            errors=[{"loc": ["query", "category"], "msg": refusal}],
        )
    where = CatalogueFilter(
        channel=channel,
        category=category,
        text=q,
        min_price_minor=min_price,
        max_price_minor=max_price,
        currency=currency,
    )
    items, next_cursor = await services.catalogue.page(where, limit, cursor)
    return CataloguePage(items=[ProductPublic.of(item) for item in items], next_cursor=next_cursor)


@catalogue_router.get("/{product_id}", response_model=ProductPublic)
async def catalogue_product(product_id: str, services: Services) -> ProductPublic:
    item = await services.commands.catalogue.get(product_id)
    if item is None or not item.available:
        raise NotFound(f"Product {product_id} is not on sale.")
    return ProductPublic.of(item)
