"""`GET /categories`: the platform's category list (R-REV-11); anyone may read it, like
the catalogue, since merchants apply with its codes and buyers browse by them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from shared.categories import Category, CategoryList, category_list
from shared.guards import JsonRoute

categories_router = APIRouter(prefix="/categories", tags=["categories"], route_class=JsonRoute)


class CategoryListPublic(BaseModel):
    """Every category, in the list's order: code, names, after-sales window (R-AS-1)."""

    items: list[Category]


@categories_router.get("", response_model=CategoryListPublic)
async def categories(
    listed: Annotated[CategoryList, Depends(category_list)],
) -> CategoryListPublic:
    """R-REV-11: the codes stores and products use, with their names and windows."""
    return CategoryListPublic(items=list(listed))
