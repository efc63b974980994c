"""The MongoDB door on the real engine: start-up index creation is idempotent; filters
written by `indexed` select the same documents, from an index."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.mongo import IndexSpec, connect, count, ensure_indexes, indexed
from testkit.query_plans import uses_index

pytestmark = pytest.mark.integration

SPECS = [
    IndexSpec("things", [("kind", 1), ("at", -1)]),
    IndexSpec("things", [("title", "text"), ("description", "text")], name="search"),
]


async def test_indexes_are_created_again_at_every_start(mongo_url: str, db_prefix: str) -> None:
    client = connect(mongo_url, app_name="kit-test")
    database = client[f"{db_prefix}kit"]
    await database["things"].insert_one(
        {"_id": "t", "kind": "a", "title": "Tea set", "description": "porcelain"}
    )
    await ensure_indexes(database, SPECS)
    await ensure_indexes(database, SPECS)  # a restart: nothing new, nothing failing
    found = await database["things"].find({"$text": {"$search": "porcelain"}}).to_list()
    assert [document["_id"] for document in found] == ["t"]
    await client.close()


async def test_explicit_equalities_select_the_same_documents_from_an_index(
    mongo_url: str, db_prefix: str
) -> None:
    """`indexed` changes how the engine plans a filter, never what it selects; `count` counts
    what `find` finds (README, "The embedded engine")."""
    client = connect(mongo_url, app_name="kit-test")
    things = client[f"{db_prefix}kit"]["things"]
    at = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    await things.insert_many(
        [
            {"_id": "a", "kind": "tea", "shelf": 1, "sold": True, "at": at, "gone": None},
            {"_id": "b", "kind": "tea", "shelf": 2, "sold": False, "at": at + timedelta(hours=1)},
            {"_id": "c", "kind": "cup", "shelf": 1, "sold": True, "at": at, "gone": at},
        ]
    )
    await things.update_one({"_id": "b"}, {"$set": {"sold": True}})  # read back as 1
    await ensure_indexes(things.database, [IndexSpec("things", [("kind", 1), ("shelf", 1)])])
    filters: list[dict[str, Any]] = [
        {"kind": "tea"},
        {"kind": "tea", "shelf": {"$gte": 2}},
        {"kind": "tea", "sold": True},
        {"kind": "tea", "gone": None},
        {"kind": "cup", "at": at},
        {"_id": "a", "kind": "tea"},
    ]
    for short in filters:
        explicit = indexed(short)
        found = sorted(document["_id"] for document in await things.find(short).to_list())
        assert sorted(d["_id"] for d in await things.find(explicit).to_list()) == found
        assert await count(things, explicit) == len(found), short
        plan = await things.database.command(
            {"explain": {"find": "things", "filter": explicit}, "verbosity": "queryPlanner"}
        )
        assert uses_index(plan), (short, plan)
    unwritten = await things.database.command(
        {"explain": {"find": "things", "filter": {"kind": "tea"}}, "verbosity": "queryPlanner"}
    )
    if isinstance(unwritten["queryPlanner"]["winningPlan"], list):  # the embedded engine
        assert not uses_index(unwritten)  # the short form scans: why `indexed` exists
    await client.close()


def test_indexed_writes_equalities_explicitly_and_leaves_the_rest() -> None:
    at = datetime(2026, 3, 9, tzinfo=UTC)
    pattern = re.compile("^tea")
    assert indexed(
        {
            "kind": "tea",
            "sold": True,
            "gone": None,
            "at": at,
            "price.currency": "EUR",
            "_id": "a",
            "shelf": {"$gt": 1},
            "$text": {"$search": "tea"},
            "tags": ["x"],
            "title": pattern,
        }
    ) == {
        "kind": {"$eq": "tea"},
        "sold": {"$eq": True},
        "gone": {"$eq": None},
        "at": {"$eq": at},
        "price.currency": {"$eq": "EUR"},
        "_id": "a",
        "shelf": {"$gt": 1},
        "$text": {"$search": "tea"},
        "tags": ["x"],
        "title": pattern,
    }
