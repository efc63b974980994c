"""Where documents live (R-REV-14): their bytes in GridFS (PyMongo's async GridFS, bucket
`document_files`), their facts in the collection `documents`, one id for both.

The facts are a document of their own rather than the GridFS file's `metadata`: they are
queried (a store's documents, by an index) and typed (dates) like every other collection.
A file is written first and its facts second, so facts never name missing bytes; a crash
in between leaves bytes nothing names, which nobody can reach.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from gridfs import AsyncGridFSBucket, AsyncGridIn

from review.domain.uploads import UploadedDocument
from shared.mongo import (
    Database,
    Document,
    IndexSpec,
    count,
    delete_grid_file,
    indexed,
    without_id,
)

DOCUMENTS = "documents"
BUCKET = "document_files"
DOCUMENT_INDEXES = [IndexSpec(DOCUMENTS, [("store_id", 1), ("uploaded_at", 1)])]


class StoredDocuments:
    """The documents of every store, in review's database."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._records = database[DOCUMENTS]
        self._bucket: AsyncGridFSBucket | None = None

    @property
    def bucket(self) -> AsyncGridFSBucket:
        # Made on first use: unit tests' in-memory database has the records, not GridFS.
        if self._bucket is None:
            self._bucket = AsyncGridFSBucket(self._database, bucket_name=BUCKET)
        return self._bucket

    def open_upload(self, document_id: str, filename: str) -> AsyncGridIn:
        """A GridFS file being written, chunk by chunk, under `document_id`."""
        return self.bucket.open_upload_stream_with_id(document_id, filename)

    async def discard(self, document_id: str) -> None:
        """The file's bytes gone, whole or partial (an upload refused or interrupted)."""
        await delete_grid_file(self.bucket, document_id)

    async def record(self, document: UploadedDocument) -> None:
        """The facts of a document whose bytes are stored."""
        fields = document.model_dump(exclude={"document_id"})
        await self._records.insert_one({"_id": document.document_id, **fields})

    async def get(self, store_id: str, document_id: str) -> UploadedDocument | None:
        found = await self._records.find_one(indexed({"_id": document_id, "store_id": store_id}))
        return None if found is None else _read(found)

    async def of_store(self, store_id: str) -> list[UploadedDocument]:
        """A store's documents, oldest first (at most `DOCUMENTS_PER_STORE` exist)."""
        cursor = self._records.find(indexed({"store_id": store_id})).sort("uploaded_at", 1)
        return [_read(found) for found in await cursor.to_list(None)]

    async def count_of_store(self, store_id: str) -> int:
        return await count(self._records, indexed({"store_id": store_id}))

    async def chunks(self, document_id: str) -> AsyncIterator[bytes]:
        """The file's bytes, one GridFS chunk at a time."""
        stream = await self.bucket.open_download_stream(document_id)
        try:
            while chunk := await stream.readchunk():
                yield chunk
        finally:
            await stream.close()


def _read(found: Document) -> UploadedDocument:
    return UploadedDocument.model_validate({**without_id(found), "document_id": found["_id"]})
