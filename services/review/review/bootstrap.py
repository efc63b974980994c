"""Wires the review service from its ports (`shared.ports`): repositories and use cases."""

from __future__ import annotations

from dataclasses import dataclass

from review.adapters.documents import DOCUMENTS, StoredDocuments
from review.adapters.queries import (
    INVITATIONS,
    PRODUCT_KEYS,
    PRODUCTS,
    STORE_KEYS,
    STORES,
    ReviewQueries,
)
from review.domain.model import Invitation, Product, Store
from review.service_layer.commands import StoreCommands
from review.service_layer.deadlines import ReviewDeadline
from review.service_layer.documents import DocumentCommands
from review.service_layer.events import ReviewEventHandlers
from review.service_layer.products import ProductCommands
from shared.app import Wiring
from shared.ports import Ports


@dataclass(frozen=True)
class ReviewServices:
    stores: StoreCommands
    products: ProductCommands
    deadline: ReviewDeadline
    queries: ReviewQueries
    documents: DocumentCommands


async def bootstrap(ports: Ports) -> Wiring:
    stores = ports.repository(STORES, Store, keys=STORE_KEYS)
    products = ports.repository(PRODUCTS, Product, keys=PRODUCT_KEYS)
    invitations = ports.repository(INVITATIONS, Invitation)
    queries = ReviewQueries(
        ports.collection(STORES), ports.collection(PRODUCTS), ports.collection(INVITATIONS)
    )
    documents = StoredDocuments(ports.collection(DOCUMENTS).database)
    services = ReviewServices(
        stores=StoreCommands(
            stores,
            invitations,
            queries,
            ports.clock,
            ports.policy,
            categories=ports.categories,
            documents=documents,
        ),
        products=ProductCommands(
            products, stores, ports.clock, ports.policy, categories=ports.categories
        ),
        deadline=ReviewDeadline(ports.calendars, ports.policy, ports.clock),
        queries=queries,
        documents=DocumentCommands(stores, documents, ports.clock, ports.policy),
    )
    return Wiring(services=services, handlers=ReviewEventHandlers(stores, ports.clock).table())
