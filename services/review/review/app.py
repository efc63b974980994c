"""`review.app:create` builds the ASGI app; nothing connects until its lifespan starts."""

from __future__ import annotations

from review.adapters.documents import DOCUMENT_INDEXES
from review.adapters.queries import INDEXES, PRODUCTS, STORES
from review.bootstrap import bootstrap
from review.entrypoints.categories_http import categories_router
from review.entrypoints.changes_http import changes_router
from review.entrypoints.documents_http import UPLOAD_PATH, documents_router
from review.entrypoints.http import invitations_router, products_router, queue_router, stores_router
from review.entrypoints.problems import PROBLEMS
from review.entrypoints.store_list_http import store_list_router
from review.settings import ReviewSettings
from shared.app import AppFactory, ServiceSpec
from shared.category_migration import CategoryField
from shared.guards import Upload

SPEC = ServiceSpec(
    name="review",
    title="Review: invitations, store applications and product listings under review.",
    routers=[
        invitations_router,
        store_list_router,
        stores_router,
        documents_router,
        changes_router,
        products_router,
        queue_router,
        categories_router,
    ],
    indexes=[*INDEXES, *DOCUMENT_INDEXES],
    outbox_collections=[STORES, PRODUCTS],
    bootstrap=bootstrap,
    problems=PROBLEMS,
    # R-REV-14: documents arrive as forms, as large as a document may be.
    uploads=[Upload(UPLOAD_PATH, lambda policy: policy.document_max_bytes)],
    category_fields=[
        CategoryField(STORES, "application.categories"),
        CategoryField(PRODUCTS, "category"),
    ],
)

create = AppFactory(SPEC, ReviewSettings)
