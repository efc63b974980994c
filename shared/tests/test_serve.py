"""`python -m <service>` (shared.app.serve): what it does before uvicorn takes over."""

from __future__ import annotations

import gc
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from shared import app as shared_app
from shared.settings import ServiceSettings


def test_the_start_up_heap_is_kept_out_of_full_collections(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A full collection over everything imported stopped a service for 40-80 ms
    (the tail of the event hops); frozen before serving, it is never traversed again."""
    frozen_when_serving: list[int] = []

    def run(app: Any, **options: Any) -> None:
        frozen_when_serving.append(gc.get_freeze_count())

    monkeypatch.setattr(uvicorn, "run", run)
    monkeypatch.setattr(shared_app, "configure_logging", lambda *args: None)
    gc.unfreeze()
    try:
        shared_app.serve(FastAPI, ServiceSettings(), service="orders", port=0)
    finally:
        gc.unfreeze()
    assert frozen_when_serving
    assert frozen_when_serving[0] > 10_000  # the imports' objects, not a handful
