"""`orders.app:create` builds the ASGI app; nothing connects until its lifespan starts."""

from __future__ import annotations

from orders.adapters.catalogue_queries import CATALOGUE
from orders.adapters.queries import INDEXES, ORDERS
from orders.adapters.scorecard_queries import STORE_PERIODS
from orders.bootstrap import bootstrap
from orders.entrypoints.catalogue_http import catalogue_router
from orders.entrypoints.http import merchants_router, orders_router
from orders.entrypoints.problems import PROBLEMS
from orders.settings import OrdersSettings
from shared.app import AppFactory, ServiceSpec
from shared.category_migration import CategoryField

SPEC = ServiceSpec(
    name="orders",
    title="Orders: instant orders, the 24-hour confirmation, the catalogue replica.",
    routers=[orders_router, catalogue_router, merchants_router],
    indexes=INDEXES,
    outbox_collections=[ORDERS, STORE_PERIODS],
    bootstrap=bootstrap,
    problems=PROBLEMS,
    category_fields=[
        CategoryField(CATALOGUE, "category"),
        CategoryField(ORDERS, "items[].category"),
    ],
)

create = AppFactory(SPEC, OrdersSettings)
