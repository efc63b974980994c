"""The MongoDB door on the real engine: start-up index creation is idempotent."""

from __future__ import annotations

import pytest

from shared.mongo import IndexSpec, connect, ensure_indexes

pytestmark = pytest.mark.integration

SPECS = [
    IndexSpec("things", [("kind", 1), ("at", -1)]),
    IndexSpec("things", [("title", "text"), ("description", "text")], name="search"),
]


async def test_indexes_are_created_again_at_every_start(mongo_url: str, db_prefix: str) -> None:
    client = connect(mongo_url, app_name="kit-test")
    database = client[f"{db_prefix}kit"]
    await database["things"].insert_one({"_id": "t", "kind": "a", "title": "Tea set",
                                         "description": "porcelain"})  # fmt: skip
    await ensure_indexes(database, SPECS)
    await ensure_indexes(database, SPECS)  # a restart: nothing new, nothing failing
    found = await database["things"].find({"$text": {"$search": "porcelain"}}).to_list()
    assert [document["_id"] for document in found] == ["t"]
    await client.close()
