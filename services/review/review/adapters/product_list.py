"""A merchant's products with their review status (issue #3), newest first, by pages.

Served by the index `(merchant_id, submitted_at)` declared in `queries.INDEXES`.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from review.domain.model import Product
from shared.auth import Principal
from shared.errors import Unprocessable
from shared.mongo import Collection


def _encode(product: Product) -> str:
    raw = f"{product.submitted_at.isoformat()}|{product.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode(cursor: str) -> tuple[datetime, str]:
    try:
        moment, product_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        submitted_at = datetime.fromisoformat(moment)
    except (ValueError, UnicodeDecodeError, binascii.Error) as error:
        raise Unprocessable(
            "The cursor is not one this API gave; start again without a cursor."
        ) from error
    return submitted_at, product_id


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
    query: dict[str, Any] = {}
    if principal.role == "merchant":
        query["merchant_id"] = principal.sub
    if store_id:
        query["store_id"] = store_id
    if status:
        query["status"] = status
    if cursor:
        submitted_at, product_id = _decode(cursor)
        query["$or"] = [
            {"submitted_at": {"$lt": submitted_at}},
            {"submitted_at": submitted_at, "_id": {"$lt": product_id}},
        ]
    documents = (
        await collection.find(query)
        .sort([("submitted_at", -1), ("_id", -1)])
        .limit(limit + 1)
        .to_list()
    )
    products = [Product.from_document(document) for document in documents[:limit]]
    more = len(documents) > limit
    return products, _encode(products[-1]) if more and products else None
