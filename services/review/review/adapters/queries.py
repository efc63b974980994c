"""Read-side queries of review: invitations of a merchant and the operator's queue. Each
one is served by an index declared in `INDEXES` (no collection scans; equalities written by
`shared.mongo.indexed`; tests/integration/test_review_query_plans.py explains every query)."""

from __future__ import annotations

import base64
import binascii
import heapq
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from review.domain.model import Invitation, Product, Store
from shared.auth import Principal
from shared.clock import time_key, utc_ms
from shared.errors import Unprocessable
from shared.mongo import Collection, IndexSpec, indexed
from shared.pagination import find_page

INVITATIONS, STORES, PRODUCTS = "invitations", "stores", "products"
#: Stored with each store and product for pages in submission order (`time_key`).
SUBMITTED_KEYS = {
    "submitted_key": lambda under_review: time_key(under_review.submitted_at, under_review.id)
}

QueueKind = Literal["product", "store"]

INDEXES = [
    IndexSpec(INVITATIONS, [("merchant_id", 1), ("invited_at", 1)]),
    # The review queue: what is under review, oldest first. `_id` is not in these keys:
    # the embedded engine cannot index `_id` inside a compound index.
    IndexSpec(STORES, [("status", 1), ("submitted_key", 1)]),
    IndexSpec(PRODUCTS, [("status", 1), ("submitted_key", 1)]),
    # Products newest first (`ReviewQueries.products`): a merchant's, a store's, everyone's.
    IndexSpec(PRODUCTS, [("merchant_id", 1), ("submitted_key", -1)]),
    IndexSpec(PRODUCTS, [("store_id", 1), ("submitted_key", -1)]),
    IndexSpec(PRODUCTS, [("submitted_key", -1)]),
]

#: How many invitations of one merchant are looked at (far more than one merchant gets).
INVITATIONS_SCANNED = 50


@dataclass(frozen=True)
class QueuePosition:
    """Where an item stands in the queue: under review since, then kind, then id."""

    submitted_at: datetime
    kind: QueueKind
    id: str

    def encode(self) -> str:
        raw = f"{self.submitted_at.isoformat()}|{self.kind}|{self.id}"
        return base64.urlsafe_b64encode(raw.encode()).decode()

    @classmethod
    def decode(cls, cursor: str) -> QueuePosition:
        try:
            moment, kind, item_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 2)
            submitted_at = datetime.fromisoformat(moment)
            if kind not in ("product", "store") or submitted_at.tzinfo is None:
                raise ValueError(kind)
        except (ValueError, UnicodeDecodeError, binascii.Error) as error:
            raise Unprocessable(
                "The cursor is not one this API gave; start again without a cursor."
            ) from error
        return cls(utc_ms(submitted_at), "product" if kind == "product" else "store", item_id)


QueueItem = tuple[QueuePosition, Store | Product]


async def _queue(
    stores: Collection, products: Collection, limit: int, cursor: str | None
) -> tuple[list[QueueItem], str | None]:
    """R-REV-5: everything under review, oldest first. Overdue means under review longer
    than a number of working days, so the oldest-first order also puts overdue first."""
    after = QueuePosition.decode(cursor) if cursor else None
    sources: tuple[tuple[QueueKind, Collection, type[Store] | type[Product]], ...] = (
        ("store", stores, Store),
        ("product", products, Product),
    )
    found: list[list[QueueItem]] = []
    for kind, collection, model in sources:
        query = indexed({"status": "under_review", **_after(kind, after)})
        documents = await collection.find(query).sort("submitted_key", 1).limit(limit + 1).to_list()
        found.append(
            [
                (
                    QueuePosition(utc_ms(document["submitted_at"]), kind, document["_id"]),
                    model.from_document(document),
                )
                for document in documents
            ]
        )
    merged = list(heapq.merge(*found, key=lambda item: _sort_key(item[0])))
    page = merged[:limit]
    next_cursor = page[-1][0].encode() if len(merged) > limit and page else None
    return page, next_cursor


def _sort_key(position: QueuePosition) -> tuple[datetime, str, str]:
    return position.submitted_at, position.kind, position.id


def _after(kind: QueueKind, position: QueuePosition | None) -> dict[str, Any]:
    """The query part of items of `kind` that come after `position` in queue order.

    Compares the stored `submitted_key` ("<time>|<id>", `shared.clock.time_key`), exact to
    the millisecond on every engine: the same instant sorts by kind, then by id."""
    if position is None:
        return {}
    same_instant = time_key(position.submitted_at)  # "<time>|": before every id of it
    if kind > position.kind:
        return {"submitted_key": {"$gte": same_instant}}
    if kind < position.kind:
        return {"submitted_key": {"$gt": same_instant + "\U0010ffff"}}
    return {"submitted_key": {"$gt": time_key(position.submitted_at, position.id)}}


class ReviewQueries:
    """What review reads beyond one store or product by id: the routes and use cases
    read through these named queries, never a collection."""

    def __init__(self, stores: Collection, products: Collection, invitations: Collection) -> None:
        self._stores, self._products, self._invitations = stores, products, invitations

    async def invitations_of(self, merchant_id: str) -> list[Invitation]:
        """A merchant's invitations, oldest first."""
        documents = await (
            self._invitations.find(indexed({"merchant_id": merchant_id}))
            .sort("invited_at", 1)
            .limit(INVITATIONS_SCANNED)
            .to_list()
        )
        return [Invitation.from_document(document) for document in documents]

    async def queue(self, limit: int, cursor: str | None) -> tuple[list[QueueItem], str | None]:
        """R-REV-5: everything under review, oldest first (so overdue first)."""
        return await _queue(self._stores, self._products, limit, cursor)

    async def products(
        self,
        principal: Principal,
        *,
        store_id: str | None,
        status: str | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Product], str | None]:
        """A merchant's products with their review status, newest first; an operator sees
        every merchant's. Served by the indexes on `submitted_key` after `merchant_id`,
        `store_id` or `status`, or alone (`INDEXES`)."""
        query: dict[str, Any] = principal.scope()
        if store_id:
            query["store_id"] = store_id
        if status:
            query["status"] = status
        return await find_page(
            self._products,
            query,
            Product.from_document,
            key="submitted_key",
            descending=True,
            limit=limit,
            cursor=cursor,
        )
