"""A merchant's products with their review status, newest first, by pages.

Served by the indexes on `submitted_key` declared in `queries.INDEXES`: after `merchant_id`
(a merchant's), `store_id` (an operator's, of one store), `status` (an operator's, of one
status) or alone (an operator's, of all); tests/integration/test_review_query_plans.py
explains every query.
"""

from __future__ import annotations

from typing import Any

from review.domain.model import Product
from shared.auth import Principal
from shared.mongo import Collection
from shared.pagination import find_page


async def product_page(
    collection: Collection,
    principal: Principal,
    *,
    store_id: str | None,
    status: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Product], str | None]:
    """A merchant sees its own products; an operator sees every merchant's."""
    query: dict[str, Any] = principal.scope()
    if store_id:
        query["store_id"] = store_id
    if status:
        query["status"] = status
    return await find_page(collection, query, Product.from_document, key="submitted_key",
                           descending=True, limit=limit, cursor=cursor)  # fmt: skip
