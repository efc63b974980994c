"""Which index serves each query a service issues (no query scans a collection).

A test runs a service in-process with `serve_checking_queries`: after `recording`, every
client that `shared.mongo.connect` makes reports its commands to a recorder, which keeps each
filter (and sort) of a find, count, update, delete, findAndModify, aggregate or distinct.
After the test drove the service, `assert_every_query_uses_an_index` explains each recorded
query and judges the plan with `uses_index`, on the embedded engine and on MongoDB alike.

The engine explains only `find`, and only its filter (any other command gets
`{"stage": "EOF"}`), so each query is explained as the find of its filter and sort: MongoDB's
planner chooses the same access path for a filter whatever the command. One difference the
explained find would hide: a short-form equality (`{"f": v}`) on a field that ends an
index's keys is a plain, indexed comparison in the engine's find, but "f equals v or is an
array holding it", which no index serves, in its counts, updates, deletes and queries on
dates. Those filters must therefore be in the explicit form `shared.mongo.indexed` writes,
or select by `_id` (`explained_as_run`).
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pymongo import AsyncMongoClient, monitoring

from devkit.wait import eventually
from shared import mongo
from shared.mongo import Document, indexed
from testkit.asgi import serve_in_process

#: Commands that select documents by a filter.
QUERY_COMMANDS = frozenset(
    {"find", "count", "update", "delete", "findAndModify", "aggregate", "distinct"}
)

#: Stages of MongoDB plans (classic and slot-based engines, MongoDB 7 and 8) reading an index.
INDEX_STAGES = frozenset({"IXSCAN", "EXPRESS_IXSCAN", "IDHACK", "COUNT_SCAN", "DISTINCT_SCAN"})

#: What the engine's text search reads besides the collection, each bounded by the matches:
#: the two intermediate results of `WITH fts AS (...)` (its full-text tables are virtual).
TEXT_SEARCH_RESULTS = frozenset({"fts", "f"})


@dataclass(frozen=True)
class Query:
    """What one command selects: its collection, filter and sort."""

    database: str
    collection: str
    command: str
    filter: Document
    sort: Document | None = None

    @property
    def shape(self) -> str:
        return shape(self.filter)

    @property
    def kind(self) -> str:
        """`command collection: shape`, e.g. `count orders: merchant_id $eq`."""
        return f"{self.command} {self.collection}: {self.shape}"

    def as_find(self) -> Document:
        """The find that selects what this query selects, in the same order."""
        find: Document = {"find": self.collection, "filter": self.filter}
        if self.sort:
            find["sort"] = self.sort
        return find

    def skeleton(self) -> tuple[str, str, str, str, str]:
        """What the plan depends on: where, which command, fields, operators, value types,
        the sort."""
        return (
            self.database,
            self.collection,
            self.command,
            _skeleton(self.filter),
            str(self.sort),
        )

    def __str__(self) -> str:
        order = f" sort {dict(self.sort)}" if self.sort else ""
        return f"{self.command} {self.collection} {_skeleton(self.filter)}{order}"


def shape(filter: Mapping[str, Any]) -> str:
    """`filter`'s fields and operators, sorted: `created_key $gt, merchant_id $eq`; a
    short-form equality is `field =`."""
    parts = []
    for key in sorted(filter):
        value = filter[key]
        operators = (
            sorted(value)
            if isinstance(value, Mapping) and any(k.startswith("$") for k in value)
            else ["="]
        )
        parts.append(f"{key} {' '.join(operators)}")
    return ", ".join(parts)


def _skeleton(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_skeleton(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(sorted({_skeleton(v) for v in value})) + "]"
    return type(value).__name__


def queries_in(command_name: str, database: str, command: Mapping[str, Any]) -> list[Query]:
    """The queries one command runs (an update or delete command may carry several)."""
    if command_name not in QUERY_COMMANDS:
        return []
    collection = str(command[command_name])
    match command_name:
        case "find":
            selections = [(command.get("filter") or {}, command.get("sort"))]
        case "count" | "distinct":
            selections = [(command.get("query") or {}, None)]
        case "findAndModify":
            selections = [(command.get("query") or {}, command.get("sort"))]
        case "update":
            selections = [(each.get("q") or {}, None) for each in command.get("updates", [])]
        case "delete":
            selections = [(each.get("q") or {}, None) for each in command.get("deletes", [])]
        case _:  # aggregate: what its leading $match and $sort select
            stages = list(command.get("pipeline", []))
            match_ = stages[0].get("$match", {}) if stages else {}
            sorts = [s["$sort"] for s in stages[1:2] if "$sort" in s]
            selections = [(match_, sorts[0] if sorts else None)]
    return [
        Query(
            database,
            collection,
            command_name,
            copy.deepcopy(dict(filter)),
            copy.deepcopy(dict(sort)) if sort else None,
        )
        for filter, sort in selections
    ]


class QueryRecorder(monitoring.CommandListener):
    """Keeps every query of the clients it listens to (it runs in their event loop)."""

    def __init__(self) -> None:
        self.queries: list[Query] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.queries.extend(queries_in(event.command_name, event.database_name, event.command))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def kinds(self) -> set[str]:
        """The `Query.kind` of every query recorded so far."""
        return {query.kind for query in self.queries}

    def missing(self, expected: Iterable[str]) -> set[str]:
        return set(expected) - self.kinds()


def recording(monkeypatch: pytest.MonkeyPatch) -> QueryRecorder:
    """A recorder every client `shared.mongo.connect` makes from now on reports to (the
    service's own client, with its own options: only the listener is added)."""
    recorder = QueryRecorder()

    def listened(*args: Any, event_listeners: Iterable[Any] = (), **options: Any) -> Any:
        return AsyncMongoClient(*args, event_listeners=[*event_listeners, recorder], **options)

    monkeypatch.setattr(mongo, "AsyncMongoClient", listened)
    return recorder


def uses_index(explanation: Mapping[str, Any]) -> bool:
    """Whether an `explain` answer (verbosity `queryPlanner`) shows an index-backed plan.

    - The embedded engine: `winningPlan` is SQLite's query plan, a list of `{"detail": ...}`.
      A row `SCAN <table>` reads a whole table (with `USING INDEX`, a whole index): allowed
      only for virtual tables (full-text matches; `json_each` over one document's array)
      and the text search's intermediate results. At least one row must `SEARCH`.
    - MongoDB: `winningPlan` is a tree of stages (`inputStage`, `inputStages`, `queryPlan` of
      the slot-based engine, `shards`): no `COLLSCAN` anywhere, and an index stage somewhere
      (`EOF`, a query planned on nothing, proves nothing).
    """
    plan = explanation.get("queryPlanner", {}).get("winningPlan")
    if isinstance(plan, list):
        details = [str(row.get("detail", "")) for row in plan if isinstance(row, Mapping)]
        return not any(map(_scans_a_table, details)) and any(
            detail.startswith("SEARCH ") for detail in details
        )
    stages = set(_stages(plan))
    return "COLLSCAN" not in stages and bool(stages & INDEX_STAGES)


def _scans_a_table(detail: str) -> bool:
    words = detail.split()
    return (
        len(words) >= 2
        and words[0] == "SCAN"
        and "VIRTUAL TABLE" not in detail
        and words[1] not in TEXT_SEARCH_RESULTS
    )


def _stages(plan: Any) -> Iterator[str]:
    if isinstance(plan, Mapping):
        if isinstance(plan.get("stage"), str):
            yield plan["stage"]
        for value in plan.values():
            yield from _stages(value)
    elif isinstance(plan, list):
        for value in plan:
            yield from _stages(value)


def explained_as_run(query: Query) -> bool:
    """Whether the engine runs `query` with the plan of its explained find (module doc)."""
    if query.command == "find" and not _has_dates(query.filter):
        return True
    return _selects_by_id(query.filter) or dict(indexed(query.filter)) == dict(query.filter)


def _selects_by_id(filter: Mapping[str, Any]) -> bool:
    if "_id" not in filter:
        return False
    value = filter["_id"]
    return not isinstance(value, Mapping) or set(value) <= {"$eq", "$in"}


def _has_dates(value: Any) -> bool:
    if isinstance(value, Mapping):
        return any(_has_dates(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_dates(v) for v in value)
    return isinstance(value, date | datetime)


async def assert_every_query_uses_an_index(
    mongo_url: str, recorder: QueryRecorder, expected: Iterable[str]
) -> None:
    """Each `expected` kind of query (`Query.kind`) was recorded, and every recorded query
    (each distinct skeleton once) is planned on an index."""
    expected = set(expected)
    assert expected, "name the queries the test must have seen"
    missing = recorder.missing(expected)
    assert not missing, f"never issued: {sorted(missing)}; issued: {sorted(recorder.kinds())}"
    distinct = {query.skeleton(): query for query in recorder.queries}
    client: AsyncMongoClient[Document] = AsyncMongoClient(mongo_url, tz_aware=True)
    failures = []
    try:
        for query in distinct.values():
            if not explained_as_run(query):
                failures.append(f"{query}: write its equalities with shared.mongo.indexed")
                continue
            explanation = await client[query.database].command(
                {"explain": query.as_find(), "verbosity": "queryPlanner"}
            )
            if not uses_index(explanation):
                plan = explanation.get("queryPlanner", {}).get("winningPlan")
                failures.append(f"{query}: no index in {plan}")
    finally:
        await client.close()
    assert not failures, "queries not served by an index:\n" + "\n".join(failures)


@asynccontextmanager
async def serve_checking_queries(
    app: FastAPI, expected: Iterable[str], mongo_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    """`app` served in-process with every query of its clients recorded. On leaving, once
    each `expected` kind was issued (its background jobs query in their own time), every
    recorded query must be served by an index (`assert_every_query_uses_an_index`)."""
    expected = set(expected)
    recorder = recording(monkeypatch)
    async with serve_in_process(app) as http:
        yield http

        async def all_issued() -> bool:
            return not recorder.missing(expected)

        await eventually(all_issued, what=f"queries {sorted(recorder.missing(expected))}")
    await assert_every_query_uses_an_index(mongo_url, recorder, expected)
