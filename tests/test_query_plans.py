"""How the query-plan tests judge and record queries (testkit.query_plans), without I/O.

The plans below are what `explain` answers: the embedded engine's (SQLite's query plan,
copied from its answers) and MongoDB 7/8's stage trees (classic and slot-based engines).
"""

from __future__ import annotations

from typing import Any

import pytest

from testkit import clock as run_clock
from testkit.query_plans import Query, queries_in, shape, uses_index
from testkit.query_plans import explained_as_run as faithful


def engine(*details: str) -> dict[str, Any]:
    return {
        "queryPlanner": {
            "namespace": "t_orders.orders",
            "winningPlan": [{"detail": d} for d in details],
        }
    }


def mongodb(plan: dict[str, Any]) -> dict[str, Any]:
    return {"queryPlanner": {"namespace": "t_orders.orders", "winningPlan": plan}}


IXSCAN = {"stage": "IXSCAN", "indexName": "merchant_id_1_created_key_-1", "direction": "forward"}
FETCH_IXSCAN = {"stage": "FETCH", "inputStage": IXSCAN}

INDEX_BACKED = {
    "engine: a compound index": engine(
        "SEARCH orders USING INDEX idx_orders_merchant_id_created_key (<expr>=? AND <expr><?)"
    ),
    "engine: the _id index": engine("SEARCH orders USING INDEX idx_orders_id (_id=?)"),
    "engine: text search on the text index": engine(
        "MATERIALIZE fts",
        "CO-ROUTINE f",
        "COMPOUND QUERY",
        "LEFT-MOST SUBQUERY",
        "SCAN catalogue_title_fts VIRTUAL TABLE INDEX 0:M1",
        "UNION ALL",
        "SCAN catalogue_description_fts VIRTUAL TABLE INDEX 0:M1",
        "SCAN f",
        "USE TEMP B-TREE FOR GROUP BY",
        "SCAN fts",
        "SEARCH c USING INTEGER PRIMARY KEY (rowid=?)",
    ),
    "engine: an index, then one document's array": engine(
        "SEARCH orders USING INDEX idx_orders_id (_id=?)",
        "CORRELATED SCALAR SUBQUERY 1",
        "SCAN json_each VIRTUAL TABLE INDEX 1:",
    ),
    "mongodb: LIMIT > FETCH > IXSCAN": mongodb(
        {"stage": "LIMIT", "limitAmount": 21, "inputStage": FETCH_IXSCAN}
    ),
    "mongodb: slot-based engine": mongodb(
        {
            "queryPlan": {"stage": "FETCH", "planNodeId": 2, "inputStage": IXSCAN},
            "slotBasedPlan": {"slots": "$$RESULT=s11", "stages": "[2] nlj inner [] [s4]"},
        }
    ),
    "mongodb: _id (7)": mongodb({"stage": "IDHACK"}),
    "mongodb: _id (8)": mongodb({"stage": "EXPRESS_IXSCAN", "keyPattern": "{ _id: 1 }"}),
    "mongodb: count scan": mongodb({"stage": "COUNT", "inputStage": {"stage": "COUNT_SCAN"}}),
    "mongodb: text": mongodb(
        {"stage": "TEXT_MATCH", "inputStage": {"stage": "FETCH", "inputStage": IXSCAN}}
    ),
    "mongodb: sort over an index": mongodb({"stage": "SORT", "inputStage": FETCH_IXSCAN}),
    "mongodb: sharded": mongodb(
        {"stage": "SINGLE_SHARD", "shards": [{"shardName": "s0", "winningPlan": FETCH_IXSCAN}]}
    ),
}

SCANS = {
    "engine: the collection": engine(
        "SCAN orders", "CORRELATED SCALAR SUBQUERY 1", "SCAN json_each VIRTUAL TABLE INDEX 1:"
    ),
    "engine: a whole index in order": engine("SCAN orders USING INDEX idx_orders_created_key"),
    "engine: the text-search join reading the collection": engine(
        "MATERIALIZE fts", "SCAN c", "SEARCH fts USING AUTOMATIC COVERING INDEX (fts_rid=?)"
    ),
    "engine: no plan": engine("Error getting plan: no such table: orders"),
    "engine: nothing": engine(),
    "mongodb: COLLSCAN": mongodb({"stage": "COLLSCAN", "direction": "forward"}),
    "mongodb: sort over COLLSCAN": mongodb({"stage": "SORT", "inputStage": {"stage": "COLLSCAN"}}),
    "mongodb: an OR with a COLLSCAN branch": mongodb(
        {
            "stage": "SUBPLAN",
            "inputStage": {"stage": "OR", "inputStages": [IXSCAN, {"stage": "COLLSCAN"}]},
        }
    ),
    "mongodb: slot-based COLLSCAN": mongodb(
        {"queryPlan": {"stage": "COLLSCAN"}, "slotBasedPlan": {"stages": "[1] scan s1"}}
    ),
    "EOF: the engine explaining another command, MongoDB a missing collection": mongodb(
        {"stage": "EOF"}
    ),
}


@pytest.mark.parametrize("explanation", INDEX_BACKED.values(), ids=INDEX_BACKED.keys())
def test_index_backed_plans(explanation: dict[str, Any]) -> None:
    assert uses_index(explanation)


@pytest.mark.parametrize("explanation", SCANS.values(), ids=SCANS.keys())
def test_scans_and_plans_that_prove_nothing(explanation: dict[str, Any]) -> None:
    assert not uses_index(explanation)


def test_every_filter_of_a_command_is_recorded_with_its_sort() -> None:
    update = {
        "update": "orders",
        "updates": [
            {"q": {"_id": "o-1", "version": 3}, "u": {"$inc": {"version": 1}}},
            {"q": {"_id": "o-2", "version": 1}, "u": {"$inc": {"version": 1}}},
        ],
    }
    assert [q.filter for q in queries_in("update", "db", update)] == [
        {"_id": "o-1", "version": 3},
        {"_id": "o-2", "version": 1},
    ]
    find = {"find": "orders", "filter": {"status": {"$eq": "x"}}, "sort": {"created_key": -1}}
    (query,) = queries_in("find", "db", find)
    assert query.as_find() == find
    count = {"count": "orders", "query": {"merchant_id": {"$eq": "m"}}}
    assert queries_in("count", "db", count)[0].as_find() == {
        "find": "orders",
        "filter": {"merchant_id": {"$eq": "m"}},
    }
    aggregate = {"aggregate": "orders", "pipeline": [{"$match": {"a": 1}}, {"$sort": {"b": 1}}]}
    assert queries_in("aggregate", "db", aggregate)[0].sort == {"b": 1}
    assert queries_in("insert", "db", {"insert": "orders", "documents": []}) == []


def test_shapes_name_fields_and_operators() -> None:
    assert shape({"merchant_id": {"$eq": "m"}, "created_key": {"$lt": "k"}}) == (
        "created_key $lt, merchant_id $eq"
    )
    assert shape({"_id": "o-1", "version": 2}) == "_id =, version ="
    assert shape({"price.amount_minor": {"$lte": 9, "$gte": 1}}) == "price.amount_minor $gte $lte"
    assert shape({"$text": {"$search": "tea"}}) == "$text $search"


def test_short_forms_are_trusted_only_where_the_engine_runs_what_it_explains() -> None:
    now = run_clock.now()
    assert faithful(Query("db", "orders", "find", {"outbox_pending": True}))
    assert faithful(Query("db", "orders", "update", {"_id": "o-1", "version": 2}))
    assert faithful(Query("db", "orders", "count", {"merchant_id": {"$eq": "m"}}))
    assert not faithful(Query("db", "orders", "count", {"merchant_id": "m"}))
    assert not faithful(Query("db", "orders", "update", {"store_id": "s"}))
    assert not faithful(Query("db", "orders", "find", {"status": "x", "due": {"$lt": now}}))
    assert faithful(Query("db", "orders", "find", {"status": {"$eq": "x"}, "due": {"$lt": now}}))
