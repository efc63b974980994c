"""Read-side queries of review: invitations of a merchant, the lists of stores and
products, and the operator's queue. Each
one is served by an index declared in `INDEXES` (no collection scans; equalities written by
`shared.mongo.indexed`; tests/integration/test_review_query_plans.py explains every query)."""

from __future__ import annotations

import base64
import binascii
import heapq
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

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
#: R-REV-12: a store's change request under review, for the queue: its status, and when
#: it has been under review since ("" and "none" while there is none).
STORE_KEYS: dict[str, Callable[[Store], str]] = {
    **SUBMITTED_KEYS,
    "change_status": lambda store: store.open_change.status if store.open_change else "none",
    "change_key": lambda store: (
        time_key(store.open_change.since, store.open_change.id) if store.open_change else ""
    ),
}

#: R-REV-15: a listed product's price change under review, likewise.
PRODUCT_KEYS: dict[str, Callable[[Product], str]] = {
    **SUBMITTED_KEYS,
    "price_change_status": lambda product: "under_review" if product.price_change_since else "none",
    "price_change_key": lambda product: (
        time_key(product.price_change_since, product.id) if product.price_change_since else ""
    ),
}

QueueKind = Literal["change_request", "price_change", "product", "store"]
QUEUE_KINDS: tuple[QueueKind, ...] = get_args(QueueKind)

INDEXES = [
    IndexSpec(INVITATIONS, [("merchant_id", 1), ("invited_at", 1)]),
    # The review queue: what is under review, oldest first. `_id` is not in these keys:
    # the embedded engine cannot index `_id` inside a compound index.
    IndexSpec(STORES, [("status", 1), ("submitted_key", 1)]),
    IndexSpec(PRODUCTS, [("status", 1), ("submitted_key", 1)]),
    IndexSpec(STORES, [("change_status", 1), ("change_key", 1)]),
    IndexSpec(PRODUCTS, [("price_change_status", 1), ("price_change_key", 1)]),
    # Products newest first (`ReviewQueries.products`): a merchant's, a store's, everyone's.
    IndexSpec(PRODUCTS, [("merchant_id", 1), ("submitted_key", -1)]),
    IndexSpec(PRODUCTS, [("store_id", 1), ("submitted_key", -1)]),
    IndexSpec(PRODUCTS, [("submitted_key", -1)]),
    # Stores by submission, newest first (`ReviewQueries.stores`): a merchant's, everyone's;
    # by status, the queue's index above read backwards.
    IndexSpec(STORES, [("merchant_id", 1), ("submitted_key", -1)]),
    IndexSpec(STORES, [("submitted_key", -1)]),
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
            known = next(each for each in QUEUE_KINDS if each == kind)
            if submitted_at.tzinfo is None:
                raise ValueError(kind)
        except (ValueError, UnicodeDecodeError, binascii.Error, StopIteration) as error:
            raise Unprocessable(
                "The cursor is not one this API gave; start again without a cursor."
            ) from error
        return cls(utc_ms(submitted_at), known, item_id)


QueueItem = tuple[QueuePosition, Store | Product]


@dataclass(frozen=True)
class QueueSource:
    """One kind of item under review: where it is, how it is found and ordered."""

    kind: QueueKind
    collection: Collection
    model: type[Store] | type[Product]
    #: The stored status field and the key ("<since>|<id>") it is ordered by.
    status: str
    key: str

    def position(self, item: Store | Product) -> QueuePosition:
        change = item.open_change if isinstance(item, Store) else None
        if self.kind == "change_request" and change is not None:
            return QueuePosition(change.since, self.kind, change.id)
        price_since = item.price_change_since if isinstance(item, Product) else None
        if self.kind == "price_change" and price_since is not None:
            return QueuePosition(price_since, self.kind, item.id)
        return QueuePosition(item.submitted_at, self.kind, item.id)


async def _queue(
    sources: tuple[QueueSource, ...], limit: int, cursor: str | None
) -> tuple[list[QueueItem], str | None]:
    """R-REV-5: everything under review (applications, change requests, products, price
    changes), oldest first. Overdue means under review longer than a number of working days, so the
    oldest-first order also puts overdue first."""
    after = QueuePosition.decode(cursor) if cursor else None
    found: list[list[QueueItem]] = []
    for source in sources:
        query = indexed({source.status: "under_review", **_after(source, after)})
        documents = await (
            source.collection.find(query).sort(source.key, 1).limit(limit + 1).to_list()
        )
        items = [source.model.from_document(document) for document in documents]
        found.append([(source.position(item), item) for item in items])
    merged = list(heapq.merge(*found, key=lambda item: _sort_key(item[0])))
    page = merged[:limit]
    next_cursor = page[-1][0].encode() if len(merged) > limit and page else None
    return page, next_cursor


def _sort_key(position: QueuePosition) -> tuple[datetime, str, str]:
    return position.submitted_at, position.kind, position.id


def _after(source: QueueSource, position: QueuePosition | None) -> dict[str, Any]:
    """The query part of `source`'s items that come after `position` in queue order.

    Compares the stored key ("<time>|<id>", `shared.clock.time_key`), exact to the
    millisecond on every engine: the same instant sorts by kind, then by id."""
    if position is None:
        return {}
    same_instant = time_key(position.submitted_at)  # "<time>|": before every id of it
    if source.kind > position.kind:
        return {source.key: {"$gte": same_instant}}
    if source.kind < position.kind:
        return {source.key: {"$gt": same_instant + "\U0010ffff"}}
    return {source.key: {"$gt": time_key(position.submitted_at, position.id)}}


class ReviewQueries:
    """What review reads beyond one store or product by id: the routes and use cases
    read through these named queries, never a collection."""

    def __init__(self, stores: Collection, products: Collection, invitations: Collection) -> None:
        self._stores, self._products, self._invitations = stores, products, invitations
        self._queue = (
            QueueSource("store", stores, Store, "status", "submitted_key"),
            QueueSource("change_request", stores, Store, "change_status", "change_key"),
            QueueSource("product", products, Product, "status", "submitted_key"),
            QueueSource(
                "price_change", products, Product, "price_change_status", "price_change_key"
            ),
        )

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
        return await _queue(self._queue, limit, cursor)

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

    async def stores(
        self,
        principal: Principal,
        *,
        merchant_id: str | None,
        status: str | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Store], str | None]:
        """The stores `principal` may see, the latest submitted first (R-REV-6: a
        resubmission or an answer to a return moves a store to the top, as it is then
        under review anew). A merchant sees only its own: another's `merchant_id` lists
        nothing. Served by the indexes on `submitted_key` after `merchant_id` or `status`,
        or alone (`INDEXES`); `submitted_key` is stored with every store (`STORE_KEYS`)."""
        scope = principal.scope()
        if merchant_id and scope and scope["merchant_id"] != merchant_id:
            return [], None
        query: dict[str, Any] = {**({"merchant_id": merchant_id} if merchant_id else {}), **scope}
        if status:
            query["status"] = status
        return await find_page(
            self._stores,
            query,
            Store.from_document,
            key="submitted_key",
            descending=True,
            limit=limit,
            cursor=cursor,
        )
