"""`orders.app:create` builds the ASGI app; nothing connects until its lifespan starts."""

from __future__ import annotations

from fastapi import FastAPI

from orders.adapters.queries import INDEXES, ORDERS
from orders.bootstrap import bootstrap
from orders.entrypoints.catalogue_http import catalogue_router
from orders.entrypoints.http import merchants_router, orders_router
from orders.entrypoints.problems import PROBLEMS
from orders.settings import OrdersSettings
from shared.app import ServiceSpec, create_app
from shared.clock import Clock
from shared.policy import Policy

SPEC = ServiceSpec(
    name="orders",
    title="Orders: instant orders, the 24-hour confirmation, the catalogue replica.",
    routers=[orders_router, catalogue_router, merchants_router],
    indexes=INDEXES,
    outbox_collections=[ORDERS],
    bootstrap=bootstrap,
    problems=PROBLEMS,
)


def create(
    settings: OrdersSettings | None = None,
    *,
    policy: Policy | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    return create_app(SPEC, settings or OrdersSettings(), policy=policy, clock=clock)
