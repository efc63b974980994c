"""A store's documents (R-REV-14): uploaded by its merchant as they stream in, read by
its merchant and operators (anyone else: 404), cited by its application."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass

from gridfs import AsyncGridIn

from review.adapters.documents import StoredDocuments
from review.domain.application import StoreApplication
from review.domain.documents import DocumentRef
from review.domain.errors import Conflict, Invalid
from review.domain.issues import Issue
from review.domain.model import Store
from review.domain.uploads import (
    Digest,
    UploadedDocument,
    known_kind,
    plain_filename,
    verified_type,
)
from shared.auth import Principal
from shared.clock import Clock
from shared.errors import NotFound
from shared.policy import Policy
from shared.repository import AggregateRepository

#: The most documents one store keeps (an application cites at most 50).
DOCUMENTS_PER_STORE = 50


class Receiving:
    """One upload as its bytes arrive: counted, hashed, typed and written to GridFS, and
    refused the moment they are too many or of a type not accepted."""

    def __init__(self, stored: StoredDocuments, max_bytes: int) -> None:
        self.stored = stored
        self.document_id = str(uuid.uuid4())
        self.digest = Digest(max_bytes)
        self.filename = ""
        self._file: AsyncGridIn | None = None

    async def start_file(self, declared_name: str | None) -> None:
        if self._file is not None:
            raise Invalid(
                "send one file per upload",
                [Issue(field="file", problem="one `file` part in the form")],
            )
        self.filename = plain_filename(declared_name)
        self._file = self.stored.open_upload(self.document_id, self.filename)

    async def write(self, chunk: bytes) -> None:
        assert self._file is not None  # the form reader starts the file before its bytes
        before = self.digest.head_complete
        self.digest.add(chunk)
        if not before and self.digest.head_complete:
            # Refused as soon as the first bytes say what the file is, not at its end.
            verified_type(self.filename, self.digest.head)
        await self._file.write(chunk)

    async def finish(self, store: Store, kind: str | None, clock: Clock) -> UploadedDocument:
        kind = known_kind(kind)
        if self._file is None:
            raise Invalid(
                "the form has no file", [Issue(field="file", problem="send the file as `file`")]
            )
        document = self.digest.document(
            document_id=self.document_id,
            store_id=store.id,
            merchant_id=store.merchant_id,
            kind=kind,
            filename=self.filename,
            now=clock.now(),
        )
        await self._file.close()
        await self.stored.record(document)
        return document

    async def discard(self) -> None:
        if self._file is not None:
            await self.stored.discard(self.document_id)


#: Reads a request's form, handing its file to the `Receiving` as it streams in; the
#: form's text fields.
FormReader = Callable[[Receiving], Awaitable[Mapping[str, str]]]


@dataclass
class DocumentCommands:
    stores: AggregateRepository[Store]
    stored: StoredDocuments
    clock: Clock
    policy: Policy

    async def upload(
        self, store_id: str, merchant: Principal, read_form: FormReader
    ) -> UploadedDocument:
        """R-REV-14: the store's merchant uploads one document (`kind` and `file`); nothing
        is kept of a refused or interrupted one."""
        store = merchant.owns(await self.stores.get(store_id), f"No store {store_id} for you.")
        if await self.stored.count_of_store(store_id) >= DOCUMENTS_PER_STORE:
            raise Conflict(
                f"a store keeps at most {DOCUMENTS_PER_STORE} documents; "
                "cite the ones uploaded already"
            )
        receiving = Receiving(self.stored, self.policy.document_max_bytes)
        try:
            fields = await read_form(receiving)
            return await receiving.finish(store, fields.get("kind"), self.clock)
        except BaseException:
            await receiving.discard()
            raise

    async def listed(self, store_id: str, principal: Principal) -> list[UploadedDocument]:
        """The store's documents, for its merchant and operators."""
        await self._visible(store_id, principal)
        return await self.stored.of_store(store_id)

    async def opened(
        self, store_id: str, document_id: str, principal: Principal
    ) -> tuple[UploadedDocument, AsyncIterator[bytes]]:
        """A document and its bytes, for the store's merchant and operators (R-REV-14)."""
        await self._visible(store_id, principal)
        document = await self.stored.get(store_id, document_id)
        if document is None:
            raise NotFound(f"No document {document_id} in store {store_id}.")
        return document, self.stored.chunks(document_id)

    async def _visible(self, store_id: str, principal: Principal) -> Store:
        return principal.sees(await self.stores.get(store_id), f"No store {store_id} for you.")


async def cite(
    stored: StoredDocuments | None, store_id: str | None, application: StoreApplication
) -> StoreApplication:
    """The application with each citation matched with its store's upload of that id and
    kind, the upload's facts copied; a citation of nothing uploaded stays bare (an issue,
    R-REV-4). A new store (`store_id` None) has no uploads yet."""
    cited = any(each.document_id is not None for each in application.documents)
    uploads: dict[str, UploadedDocument] = {}
    if cited and stored is not None and store_id is not None:
        uploads = {each.document_id: each for each in await stored.of_store(store_id)}
    documents = [_matched(each.unresolved(), uploads) for each in application.documents]
    return application.model_copy(update={"documents": documents})


def _matched(citation: DocumentRef, uploads: Mapping[str, UploadedDocument]) -> DocumentRef:
    upload = uploads.get(citation.document_id or "")
    if upload is None or upload.kind != citation.kind:
        return citation
    return upload.cited()
