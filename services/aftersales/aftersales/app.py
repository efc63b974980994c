"""`aftersales.app:create` builds the ASGI app; nothing connects until its lifespan starts."""

from __future__ import annotations

from aftersales.adapters.queries import CASES, COMPENSATIONS, INDEXES, ORDERS
from aftersales.bootstrap import bootstrap
from aftersales.entrypoints.http import cases_router
from aftersales.entrypoints.problems import PROBLEMS
from aftersales.settings import AftersalesSettings
from shared.app import AppFactory, ServiceSpec
from shared.category_migration import CategoryField

SPEC = ServiceSpec(
    name="aftersales",
    title="Aftersales: cases within the after-sales window, refunds and who bears them.",
    routers=[cases_router],
    indexes=INDEXES,
    outbox_collections=[CASES, COMPENSATIONS],
    bootstrap=bootstrap,
    problems=PROBLEMS,
    category_fields=[CategoryField(ORDERS, "categories")],
)

create = AppFactory(SPEC, AftersalesSettings)
