"""A service app run in-process, lifespan included, behind an httpx client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from testkit.settings import Settings, isolated


@asynccontextmanager
async def serve_in_process(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield client


def served(
    name: str, create: Callable[[Settings], FastAPI], kind: type[Settings], **changes: Any
) -> Callable[..., AsyncIterator[httpx.AsyncClient]]:
    """A fixture called `name` (assign it to a module's name of the same): the app `create`
    makes of `kind` with `changes`, in-process on the test's engine, vhost and prefix."""

    @pytest.fixture(name=name)
    async def client(
        mongo_url: str, amqp_url: str, db_prefix: str
    ) -> AsyncIterator[httpx.AsyncClient]:
        settings = isolated(kind, mongo_url, amqp_url, db_prefix, **changes)
        async with serve_in_process(create(settings)) as http:
            yield http

    return client
