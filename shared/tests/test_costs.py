"""Each database command counted by the work that sent it (`shared.costs`), on the real
engine: a request's route, an event's handling, and `other` outside any work."""

from __future__ import annotations

import asyncio

import pytest

from shared import metrics
from shared.costs import EngineCommands, current_work, working
from shared.mongo import connect

pytestmark = pytest.mark.integration


def sent(service: str, work: str, command: str, collection: str) -> float:
    value = metrics.ENGINE_COMMANDS.labels(service, work, command, collection)._value.get()
    return float(value)


async def test_commands_count_for_the_work_that_sent_them(mongo_url: str, db_prefix: str) -> None:
    service = f"costs-{db_prefix}"
    client = connect(mongo_url, app_name=service, listeners=[EngineCommands(service)])
    things = client[f"{db_prefix}costs"]["things"]
    route = "none yet"
    try:
        await things.insert_one({"_id": "a"})
        with working(lambda: f"POST {route}"):
            route = "/things/{id}"  # known once routed, as the HTTP middleware's
            await things.find_one({"_id": "a"})
            # A task started in the work counts for it too.
            await asyncio.create_task(things.update_one({"_id": "a"}, {"$set": {"n": 1}}))
        with working("handle ThingMoved"):
            assert current_work() == "handle ThingMoved"
            await things.find_one({"_id": "a"})
    finally:
        await client.close()
    assert sent(service, "other", "insert", "things") == 1
    assert sent(service, "POST /things/{id}", "find", "things") == 1
    assert sent(service, "POST /things/{id}", "update", "things") == 1
    assert sent(service, "handle ThingMoved", "find", "things") == 1
    assert current_work() == "other"
