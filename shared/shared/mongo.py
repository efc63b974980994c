"""The one door to MongoDB: PyMongo's native async client (`AsyncMongoClient`).

PyMongo's async API is the official successor of Motor (deprecated May 2025, end of life
May 2026). Everything else in the platform reaches the database through this module, so
the engine's limits are handled here and only here (see the README, "The embedded engine").

Only single-document atomic writes are used. The outbox lives inside the aggregate's own
document (`shared.repository`), which is atomic on every MongoDB and on the embedded engine,
whose multi-document transactions are not isolated from one another.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bson.regex import Regex
from gridfs import AsyncGridFSBucket, NoFile
from pymongo import AsyncMongoClient, IndexModel, monitoring
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import (
    BulkWriteError,
    ConnectionFailure,
    DuplicateKeyError,
    OperationFailure,
    PyMongoError,
)

Document = dict[str, Any]
#: The database could not be reached (an answer of 503, not 500).
DatabaseUnavailable = ConnectionFailure
#: The server's error code for a unique-index violation.
DUPLICATE_KEY = 11000
Collection = AsyncCollection[Document]
Database = AsyncDatabase[Document]

__all__ = [
    "DUPLICATE_KEY",
    "BulkWriteError",
    "Collection",
    "Database",
    "DatabaseUnavailable",
    "Document",
    "DuplicateKeyError",
    "IndexSpec",
    "PyMongoError",
    "connect",
    "count",
    "delete_grid_file",
    "ensure_indexes",
    "indexed",
    "is_reachable",
]


@dataclass(frozen=True)
class IndexSpec:
    """An index a service needs, declared as a value beside the code that queries it."""

    collection: str
    keys: Sequence[tuple[str, int | str]]
    unique: bool = False
    name: str | None = None
    #: A TTL index: MongoDB removes a document this many seconds after the date in its
    #: (single) key field.
    expire_after_seconds: int | None = None

    @property
    def is_text(self) -> bool:
        return any(order == "text" for _, order in self.keys)

    def model(self) -> IndexModel:
        name = self.name or "_".join(f"{field}_{order}" for field, order in self.keys)
        options: dict[str, Any] = {"unique": self.unique, "name": name}
        if self.expire_after_seconds is not None:
            options["expireAfterSeconds"] = self.expire_after_seconds
        return IndexModel(list(self.keys), **options)


def connect(
    url: str, *, app_name: str, listeners: Sequence[monitoring.CommandListener] = ()
) -> AsyncMongoClient[Document]:
    """A client; it connects lazily, so nothing touches the network at import or here.
    `listeners` (PyMongo monitoring) see its commands: the tests count round-trips so."""
    return AsyncMongoClient(
        url,
        tz_aware=True,
        uuidRepresentation="standard",
        appname=app_name,
        serverSelectionTimeoutMS=5_000,
        connectTimeoutMS=5_000,
        event_listeners=list(listeners),
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


def indexed(filter: Mapping[str, Any]) -> Document:
    """`filter` with each top-level equality written `{"field": {"$eq": value}}`.

    Use it for every filter a service builds. MongoDB reads `{"f": v}` and
    `{"f": {"$eq": v}}` alike. The embedded engine does not: it compiles the short form into
    "f equals v, or f is an array holding v", which no index serves (its `find` spares a field
    that ends an index's keys; counts, updates and date queries spare none), so a query on
    the leading keys of a compound index scans the collection. The explicit form is a plain
    comparison that every index on `f` serves (README, "The embedded engine").

    Left as they are: operators (`{"f": {"$gt": v}}`), `$`-keys (`$text`, `$or`), `_id`
    (its own index serves either form) and values that are documents, lists or patterns.
    Only for fields that hold one value: the engine's `$eq` does not look inside arrays.
    """
    return {key: value if _kept(key, value) else {"$eq": value} for key, value in filter.items()}


def _kept(key: str, value: Any) -> bool:
    return (
        key == "_id"
        or key.startswith("$")
        or isinstance(value, Mapping | list | tuple | re.Pattern | Regex)
    )


async def count(collection: Collection, filter: Mapping[str, Any]) -> int:
    """How many documents match `filter` (pass it through `indexed`), by the `count` command.

    `count_documents` sends an aggregation (`$match`, `$group`), which the embedded engine
    runs by copying the whole collection and filtering it in Python; the `count` command is
    an indexed `SELECT COUNT` there, and on MongoDB an exact count over the same index."""
    answer = await collection.database.command({"count": collection.name, "query": filter})
    return int(answer["n"])


#: What the embedded engine answers when a GridFS file to delete has no files document.
_GRID_FILE_MISSING = "not found"


async def delete_grid_file(bucket: AsyncGridFSBucket, file_id: Any) -> None:
    """A GridFS file gone with every chunk of it: a whole one, or one whose upload stopped
    before its files document was written (its chunks alone).

    MongoDB deletes the chunks of a file without a files document and then says `NoFile`;
    the embedded engine (whose GridFS is its own tables) answers that deletion with an
    error saying "not found" instead, having deleted them too (README, "The embedded
    engine"). Both mean: nothing of it is left."""
    try:
        await bucket.delete(file_id)
    except NoFile:
        pass
    except OperationFailure as error:
        if _GRID_FILE_MISSING not in str(error):
            raise


def is_outage(error: BaseException) -> bool:
    """The database could not be reached (rather than refusing what was asked)."""
    return isinstance(error, DatabaseUnavailable)


async def is_reachable(client: AsyncMongoClient[Document]) -> bool:
    try:
        await client.admin.command("ping")
    except PyMongoError:
        return False
    return True


def without_id(document: Mapping[str, Any]) -> Document:
    return {key: value for key, value in document.items() if key != "_id"}
