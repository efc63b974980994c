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
from shared.mongo import Collection, indexed
from shared.pagination import encode_cursor, keyset


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
    if cursor or not query:  # an operator's first page of all products names its key too
        query["submitted_key"] = keyset(cursor, descending=True)
    documents = await (
        collection.find(indexed(query)).sort("submitted_key", -1).limit(limit + 1).to_list()
    )
    products = [Product.from_document(document) for document in documents[:limit]]
    more = len(documents) > limit
    return products, encode_cursor(products[-1].submitted_key) if more and products else None
