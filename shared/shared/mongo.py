"""The one door to MongoDB: PyMongo's native async client (`AsyncMongoClient`).

PyMongo's async API is the official successor of Motor (deprecated May 2025, end of life
May 2026). Everything else in the platform reaches the database through this module, so
the engine's limits are handled here and only here (see the README, "The embedded engine").

Only single-document atomic writes are used. The outbox lives inside the aggregate's own
document (`shared.repository`), which is atomic on every MongoDB and on the embedded engine,
whose multi-document transactions are not isolated from one another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure, DuplicateKeyError, OperationFailure, PyMongoError

Document = dict[str, Any]
Collection = AsyncCollection[Document]
Database = AsyncDatabase[Document]

__all__ = [
    "Collection",
    "Database",
    "Document",
    "DuplicateKeyError",
    "IndexSpec",
    "PyMongoError",
    "connect",
    "ensure_indexes",
    "is_reachable",
]


@dataclass(frozen=True)
class IndexSpec:
    """An index a service needs, declared as a value beside the code that queries it."""

    collection: str
    keys: Sequence[tuple[str, int | str]]
    unique: bool = False
    name: str | None = None

    @property
    def is_text(self) -> bool:
        return any(order == "text" for _, order in self.keys)

    def model(self) -> IndexModel:
        name = self.name or "_".join(f"{field}_{order}" for field, order in self.keys)
        return IndexModel(list(self.keys), unique=self.unique, name=name)


def connect(url: str, *, app_name: str) -> AsyncMongoClient[Document]:
    """A client; it connects lazily, so nothing touches the network at import or here."""
    return AsyncMongoClient(
        url,
        tz_aware=True,
        uuidRepresentation="standard",
        appname=app_name,
        serverSelectionTimeoutMS=5_000,
        connectTimeoutMS=5_000,
    )


#: What the embedded engine answers when a text index is created again (it keeps text
#: indexes as full-text tables, and does not list them among the indexes).
_TEXT_INDEX_EXISTS = "constraint failed"


async def ensure_indexes(database: Database, specs: Sequence[IndexSpec]) -> None:
    """Create every declared index at start-up (idempotent on every engine)."""
    by_collection: dict[str, list[IndexModel]] = {}
    text: list[IndexSpec] = []
    for spec in specs:
        if spec.is_text:
            text.append(spec)
        else:
            by_collection.setdefault(spec.collection, []).append(spec.model())
    for collection, models in by_collection.items():
        await database[collection].create_indexes(models)
    for spec in text:
        try:
            await database[spec.collection].create_indexes([spec.model()])
        except OperationFailure as error:
            # MongoDB accepts an identical index again; the embedded engine refuses a text
            # index that exists (README, "The embedded engine").
            if _TEXT_INDEX_EXISTS not in str(error):
                raise


def is_outage(error: BaseException) -> bool:
    """The database could not be reached (rather than refusing what was asked)."""
    return isinstance(error, ConnectionFailure)


async def is_reachable(client: AsyncMongoClient[Document]) -> bool:
    try:
        await client.admin.command("ping")
    except PyMongoError:
        return False
    return True


def without_id(document: Mapping[str, Any]) -> Document:
    return {key: value for key, value in document.items() if key != "_id"}
