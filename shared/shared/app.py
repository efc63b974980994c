"""The FastAPI application every service is: lifespan, errors, health, metrics, logs.

A service provides a `bootstrap(ports)` coroutine that builds its repositories and
handlers from its ports (`shared.ports`: here the open runtime) and returns a `Wiring`;
routes reach what it built through `request.app.state.services`.
"""

from __future__ import annotations

import gc
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import admin, metrics, ratelimit
from shared.calendar import Calendars
from shared.categories import CategoryList
from shared.category_migration import CategoryField
from shared.clock import Clock, OffsetClock, SystemClock
from shared.costs import working
from shared.guards import BodyGuard, Upload
from shared.logs import configure_logging, correlation_scope
from shared.messaging.handlers import HandlerTable
from shared.messaging.topology import QUEUES
from shared.mongo import IndexSpec
from shared.policy import Policy
from shared.ports import Ports
from shared.problems import ProblemMap, install_problem_handlers
from shared.runtime import Runtime
from shared.settings import InvalidConfiguration, ProcessSettings, ServiceSettings
from shared.tokens import verifier_for
from shared.tracing import SpanKind, configure_tracing, span

CORRELATION_HEADER = "X-Correlation-ID"


@dataclass
class Wiring:
    """What a service's bootstrap hands back to the shared lifespan."""

    services: Any
    handlers: HandlerTable = field(default_factory=dict)
    jobs: Sequence[tuple[str, Callable[[], Awaitable[None]]]] = ()


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    title: str
    routers: Sequence[APIRouter]
    indexes: Sequence[IndexSpec]
    outbox_collections: Sequence[str]
    bootstrap: Callable[[Ports], Awaitable[Wiring]]
    #: The service's domain errors → the problems they are answered with: the service's
    #: `entrypoints/problems.py`, the one place of that mapping.
    problems: ProblemMap = field(default_factory=dict)
    #: Where the service stores category codes, for `shared.category_migration` (R-REV-11).
    category_fields: Sequence[CategoryField] = ()
    #: The routes that take a file as multipart/form-data rather than JSON.
    uploads: Sequence[Upload] = ()


S = TypeVar("S", bound=ServiceSettings)


class AppFactory(Generic[S]):
    """`<service>.app:create`: a service's app from its spec and its settings class, the
    settings read from the environment unless given (tests pass theirs, and a policy, a
    clock or a category list of their own)."""

    def __init__(self, spec: ServiceSpec, settings: type[S]) -> None:
        self.spec, self.settings = spec, settings

    def __call__(
        self,
        settings: S | None = None,
        *,
        policy: Policy | None = None,
        clock: Clock | None = None,
        categories: CategoryList | None = None,
    ) -> FastAPI:
        return create_app(
            self.spec,
            settings or self.settings(),
            policy=policy,
            clock=clock,
            categories=categories,
        )


def wired(request: Request) -> Any:
    """The route dependency that hands a route what its service's bootstrap built:
    `Services = Annotated[OrdersServices, Depends(wired)]`."""
    return request.app.state.services


def create_app(
    spec: ServiceSpec,
    settings: ServiceSettings,
    *,
    policy: Policy | None = None,
    clock: Clock | None = None,
    categories: CategoryList | None = None,
) -> FastAPI:
    if clock is None and settings.clock_offset_seconds:
        clock = OffsetClock(timedelta(seconds=settings.clock_offset_seconds))
    # Read before anything connects: a malformed notice stops start-up, naming its line.
    calendars = Calendars.from_directory(settings.calendar_notices_dir)
    policy = policy or Policy()
    # The category list (R-REV-11) is read and checked here too: a bad one names its entry.
    runtime = Runtime(spec.name, settings, policy, clock or SystemClock(), calendars, categories)
    configure_tracing(spec.name, settings.otel_exporter_otlp_endpoint)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.open([*spec.indexes, *ratelimit.INDEXES], spec.outbox_collections)
        wiring = await spec.bootstrap(runtime)
        app.state.services = wiring.services
        await runtime.start(wiring.handlers, wiring.jobs)
        try:
            yield
        finally:
            await runtime.close()

    app = FastAPI(
        title=f"marketplace {spec.name}", description=spec.title, version="1.0.0", lifespan=lifespan
    )
    app.state.tokens = verifier_for(settings)
    app.state.runtime = runtime
    install_problem_handlers(app, spec.problems)
    uploads = [upload.bound(policy) for upload in spec.uploads]  # forms, not JSON
    app.add_middleware(BodyGuard, max_bytes=settings.max_body_bytes, uploads=uploads)
    app.add_middleware(Observability, service=spec.name)
    # Writes count against their caller's limit, in the service's database (after auth).
    writes = ratelimit.WriteLimit.of(settings.rate_limit_writes, runtime)
    for router in spec.routers:
        app.include_router(writes.on_writes(router))
    if spec.name in QUEUES:
        app.include_router(writes.on_writes(admin.router))
    _install_health(app, runtime)
    return app


class Observability:
    """Correlation id, a server span, and the HTTP metrics of every request: a plain ASGI
    middleware (Starlette's `BaseHTTPMiddleware` costs a task group and a memory stream per
    request; this costs a closure)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        correlation_id = headers.get(CORRELATION_HEADER) or str(uuid.uuid4())
        method: str = scope["method"]
        status, started = 500, time.perf_counter()

        async def send_with_correlation(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append(CORRELATION_HEADER, correlation_id)
            await send(message)

        route = "unmatched"

        def work() -> str:  # routed before any command is sent
            return f"{method} {getattr(scope.get('route'), 'path', 'unmatched')}"

        try:
            with (
                working(work),
                correlation_scope(correlation_id),
                span(
                    f"{method} {scope['path']}",
                    SpanKind.SERVER,
                    headers,
                    **{"http.request.method": method},
                ) as current,
            ):
                try:
                    await self.app(scope, receive, send_with_correlation)
                finally:
                    route = getattr(scope.get("route"), "path", "unmatched")
                    current.update_name(f"{method} {route}")
                    current.set_attribute("http.response.status_code", status)
        finally:
            metrics.HTTP_REQUESTS.labels(self.service, method, route, status).inc()
            metrics.HTTP_SECONDS.labels(self.service, method, route).observe(
                time.perf_counter() - started
            )


def _install_health(app: FastAPI, runtime: Runtime) -> None:
    @app.get("/health/live", tags=["health"])
    async def live() -> dict[str, str]:
        return {"status": "live"}

    @app.get("/health/ready", tags=["health"], response_model=None)
    async def ready() -> JSONResponse:
        if await runtime.ready():
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "not ready"}, status_code=503)

    @app.get("/metrics", tags=["health"], response_class=Response)
    async def prometheus() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def serve(
    app_factory: Callable[[], FastAPI], settings: ProcessSettings, *, service: str, port: int
) -> None:
    """`python -m <service>` (or console): JSON logs, uvicorn, the configured host, port."""
    import uvicorn

    configure_logging(service, settings.log_level)
    try:
        app = app_factory()
    except InvalidConfiguration as error:
        # One line that says what to fix, not a traceback (e.g. a calendar notice's line).
        raise SystemExit(f"{service} cannot start: {error}") from None
    # What the imports and the app built lives as long as the process: kept out of the
    # collector's full passes, which otherwise stop the service for 40-80 ms now and then
    # (the tail of the event hops).
    gc.freeze()
    uvicorn.run(
        app,
        host=settings.host,
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
        # h11, not httptools: uvicorn caps a request's line and headers only for h11 (its
        # httptools parser keeps a header of any size in memory until it ends).
        http="h11",
        h11_max_incomplete_event_size=settings.max_header_bytes,
    )
