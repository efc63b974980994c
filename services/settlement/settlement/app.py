"""`settlement.app:create` builds the ASGI app; nothing connects until its lifespan starts."""

from __future__ import annotations

from settlement.adapters.queries import INDEXES, ORDERS, PAYOUTS
from settlement.bootstrap import bootstrap
from settlement.entrypoints.http import (
    merchants_router,
    orders_router,
    payouts_router,
    platform_router,
)
from settlement.settings import SettlementSettings
from shared.app import AppFactory, ServiceSpec
from shared.category_migration import CategoryField

SPEC = ServiceSpec(
    name="settlement",
    title="Settlement: a double-entry ledger of earnings, refunds and payouts.",
    routers=[merchants_router, payouts_router, platform_router, orders_router],
    indexes=INDEXES,
    outbox_collections=[PAYOUTS],
    bootstrap=bootstrap,
    category_fields=[CategoryField(ORDERS, "categories")],
)

create = AppFactory(SPEC, SettlementSettings)
