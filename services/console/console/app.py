"""The console's application: its pages, its session, the services' client, and what a
refusal looks like to a person (a page saying what to do, never a stack trace or JSON)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
from authlib.integrations.starlette_client import OAuth
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from console.pages import (
    buyer,
    cases,
    dead_letters,
    desk,
    merchant,
    money,
    onboarding,
    orders,
    review,
    shipping,
    sign_in,
)
from console.refusals import REFUSALS
from console.services import Services
from console.settings import ConsoleSettings
from shared.app import Observability
from shared.clock import Clock, OffsetClock
from shared.dev_idp import Signing, signing_for
from shared.tokens import verifier_for

#: A signed-in session lasts as long as the longest token the services accept.
SESSION_COOKIE = "console_session"


@dataclass
class Console:
    settings: ConsoleSettings
    signing: Signing
    oauth: OAuth | None
    services: Services
    #: The platform's time, moved as the services' is (`CLOCK_OFFSET_SECONDS`), for the
    #: defaults of the pages' periods ("the last 30 days").
    clock: Clock


def _oauth(settings: ConsoleSettings) -> OAuth | None:
    if not settings.oidc_discovery_url:
        return None
    oauth = OAuth()
    oauth.register(
        "idp",
        server_metadata_url=settings.oidc_discovery_url,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        client_kwargs={"scope": settings.oidc_scope, "code_challenge_method": "S256"},
    )
    return oauth


def create(
    settings: ConsoleSettings | None = None, *, transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """The console; unit tests pass a `transport` that answers for the services."""
    settings = settings or ConsoleSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        timeout = httpx.Timeout(settings.service_timeout_seconds)
        async with httpx.AsyncClient(timeout=timeout, transport=transport) as client:
            app.state.console = Console(
                settings,
                signing_for(settings),
                _oauth(settings),
                Services(client, settings.service_urls),
                OffsetClock(timedelta(seconds=settings.clock_offset_seconds)),
            )
            yield

    app = FastAPI(
        title="marketplace console",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.tokens = verifier_for(settings)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret,
        session_cookie=SESSION_COOKIE,
        max_age=settings.auth_max_token_lifetime_seconds,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(Observability, service="console")
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    pages = (sign_in, desk, review, orders, cases, dead_letters, money, merchant)
    for page in (*pages, onboarding, buyer, shipping):
        app.include_router(page.router)
    for kind, handler in REFUSALS.items():
        app.add_exception_handler(kind, handler)

    @app.get("/health/live", include_in_schema=False)
    @app.get("/health/ready", include_in_schema=False)
    async def health() -> JSONResponse:  # no database, no broker: up is ready
        return JSONResponse({"status": "ready"})

    return app
