"""The baseline of `POST /orders`: a minimal FastAPI endpoint doing one insert
on the same engine, served by uvicorn as the services are (uvloop, no access log)."""

from __future__ import annotations

import argparse
import os
import uuid
from typing import Any

import uvicorn
from fastapi import FastAPI

from shared.mongo import connect


def create_app(mongo_url: str) -> FastAPI:
    app = FastAPI()
    collection = connect(mongo_url, app_name="bench-minimal")["bench_minimal"]["orders"]

    @app.post("/orders", status_code=201)
    async def place(body: dict[str, Any]) -> dict[str, str]:
        order_id = str(uuid.uuid4())
        await collection.insert_one({"_id": order_id, **body})
        return {"order_id": order_id}

    @app.get("/health/ready")
    async def ready() -> dict[str, str]:
        return {"status": "ready"}

    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(
        create_app(os.environ["MONGO_URL"]),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
    )
