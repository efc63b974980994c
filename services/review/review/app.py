"""`review.app:create` builds the ASGI app; nothing connects until its lifespan starts."""

from __future__ import annotations

from review.adapters.queries import INDEXES, PRODUCTS, STORES
from review.bootstrap import bootstrap
from review.entrypoints.http import invitations_router, products_router, queue_router, stores_router
from review.entrypoints.problems import PROBLEMS
from review.settings import ReviewSettings
from shared.app import AppFactory, ServiceSpec

SPEC = ServiceSpec(
    name="review",
    title="Review: invitations, store applications and product listings under review.",
    routers=[invitations_router, stores_router, products_router, queue_router],
    indexes=INDEXES,
    outbox_collections=[STORES, PRODUCTS],
    bootstrap=bootstrap,
    problems=PROBLEMS,
)

create = AppFactory(SPEC, ReviewSettings)
