"""Wires the review service from an open runtime: repositories and use cases."""

from __future__ import annotations

from dataclasses import dataclass

from review.adapters.queries import INVITATIONS, PRODUCTS, STORES, SUBMITTED_KEYS, ReviewQueries
from review.domain.model import Invitation, Product, Store
from review.service_layer.commands import StoreCommands
from review.service_layer.deadlines import ReviewDeadline
from review.service_layer.products import ProductCommands
from shared.app import Wiring
from shared.runtime import Runtime


@dataclass(frozen=True)
class ReviewServices:
    stores: StoreCommands
    products: ProductCommands
    deadline: ReviewDeadline
    queries: ReviewQueries


async def bootstrap(runtime: Runtime) -> Wiring:
    stores = runtime.repository(STORES, Store, keys=SUBMITTED_KEYS)
    products = runtime.repository(PRODUCTS, Product, keys=SUBMITTED_KEYS)
    invitations = runtime.repository(INVITATIONS, Invitation)
    queries = ReviewQueries(runtime.db[STORES], runtime.db[PRODUCTS], runtime.db[INVITATIONS])
    services = ReviewServices(
        stores=StoreCommands(stores, invitations, queries, runtime.clock, runtime.policy),
        products=ProductCommands(products, stores, runtime.clock, runtime.policy),
        deadline=ReviewDeadline(runtime.calendars, runtime.policy, runtime.clock),
        queries=queries,
    )
    # Review consumes no events: the topology has no review queue.
    return Wiring(services=services)
