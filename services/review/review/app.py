"""`review.app:create` builds the ASGI app; nothing connects until its lifespan starts."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from review.adapters.queries import INDEXES, PRODUCTS, STORES
from review.bootstrap import bootstrap
from review.domain.errors import Conflict, Invalid, NotAllowed
from review.entrypoints.http import invitations_router, products_router, queue_router, stores_router
from review.settings import ReviewSettings
from shared import errors
from shared.app import ServiceSpec, create_app
from shared.clock import Clock
from shared.policy import Policy


def _unprocessable(error: Invalid) -> errors.Problem:
    extra: dict[str, Any] = {}
    if error.issues:
        extra["issues"] = [issue.model_dump() for issue in error.issues]
    return errors.Unprocessable(error.message, **extra)


SPEC = ServiceSpec(
    name="review",
    title="Review: invitations, store applications and product listings under review.",
    routers=[invitations_router, stores_router, products_router, queue_router],
    indexes=INDEXES,
    outbox_collections=[STORES, PRODUCTS],
    bootstrap=bootstrap,
    domain_errors={
        NotAllowed: lambda error: errors.Forbidden(error.message),
        Conflict: lambda error: errors.Conflict(error.message),
        Invalid: _unprocessable,
    },
)


def create(
    settings: ReviewSettings | None = None,
    *,
    policy: Policy | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    return create_app(SPEC, settings or ReviewSettings(), policy=policy, clock=clock)
