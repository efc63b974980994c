"""The console's application: its pages, its session, the services' client, and what a
refusal looks like to a person (a page saying what to do, never a stack trace or JSON)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from authlib.integrations.starlette_client import OAuth
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from console.pages import (
    cases,
    dead_letters,
    desk,
    merchant,
    money,
    orders,
    review,
    sign_in,
)
from console.services import ServiceProblem, Services, ServiceUnavailable
from console.session import NotForYou, SignInRequired, StaleForm
from console.settings import ConsoleSettings
from console.web import render
from shared.app import Observability
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


def create(settings: ConsoleSettings | None = None) -> FastAPI:
    settings = settings or ConsoleSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        timeout = httpx.Timeout(settings.service_timeout_seconds)
        async with httpx.AsyncClient(timeout=timeout) as client:
            app.state.console = Console(
                settings,
                signing_for(settings),
                _oauth(settings),
                Services(client, settings.service_urls),
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
    for page in (sign_in, desk, review, orders, cases, dead_letters, money, merchant):
        app.include_router(page.router)
    _install_refusals(app)

    @app.get("/health/live", include_in_schema=False)
    @app.get("/health/ready", include_in_schema=False)
    async def health() -> JSONResponse:  # no database, no broker: up is ready
        return JSONResponse({"status": "ready"})

    return app


def _install_refusals(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def signed_out(request: Request, error: SignInRequired) -> Response:
        if request.headers.get("HX-Request"):  # htmx follows no redirect: it reloads
            return Response(status_code=204, headers={"HX-Redirect": error.location})
        return RedirectResponse(error.location, status_code=303)

    @app.exception_handler(NotForYou)
    async def not_for_you(request: Request, error: NotForYou) -> Response:
        return render(
            request, "refused.html", status=403, title="Not your page", detail=error.message
        )

    @app.exception_handler(StaleForm)
    async def stale(request: Request, error: StaleForm) -> Response:
        return render(
            request,
            "refused.html",
            status=403,
            title="This form has expired",
            detail="The form was not sent from this session (or the session "
            "changed): go back, reload the page and send it again.",
        )

    @app.exception_handler(ServiceProblem)
    async def refused(request: Request, problem: ServiceProblem) -> Response:
        if problem.status == 401:
            return RedirectResponse(
                SignInRequired(request.url.path, f"Your session ended: {problem.detail}").location,
                status_code=303,
            )
        return render(
            request,
            "refused.html",
            status=problem.status,
            title=problem.title,
            detail=problem.detail,
            problem=problem,
        )

    @app.exception_handler(ServiceUnavailable)
    async def unavailable(request: Request, error: ServiceUnavailable) -> Response:
        return render(
            request, "refused.html", status=502, title="A service did not answer", detail=str(error)
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        where = "; ".join(
            f"{'.'.join(str(part) for part in e['loc'][1:]) or 'the request'}: {e['msg']}"
            for e in error.errors()[:5]
        )
        return render(
            request,
            "refused.html",
            status=422,
            title="Check what you sent",
            detail=f"Fix and send again: {where}",
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        title = "No such page" if error.status_code == 404 else "Not possible"
        return render(
            request, "refused.html", status=error.status_code, title=title, detail=str(error.detail)
        )
