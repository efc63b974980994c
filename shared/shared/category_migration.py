"""Data written before the category list (R-REV-11) carries free text where codes belong
(`Food`, `食品`, ` clothing `): this step rewrites it as codes, in one service's database.

Each service names where it stores categories (`ServiceSpec.category_fields`); a text is
rewritten when it is, whatever its case and surrounding spaces, a category's code, English
name or Chinese name (`CategoryList.code_for`). Any other text is left as it is, logged and
counted, never guessed: an operator maps it by hand or adds the category to the list. A
document is rewritten whole, guarded by its version (and its version moved on, so a writer
holding the old one reloads it); running the step again changes nothing.

Run it by hand, once per service, after deploying the list (the service may be running):

    python -m shared.category_migration review   # and orders, aftersales, settlement

It reads the service's own settings (`MONGO_URL`, `MONGO_DATABASE_PREFIX`,
`CATEGORIES_FILE`) from the environment, like the service.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from shared.categories import CategoryList
from shared.mongo import Collection, Database, Document, connect

log = logging.getLogger("shared.category_migration")

#: Attempts at one document that other writers keep changing meanwhile.
MAX_ATTEMPTS = 20


@dataclass(frozen=True)
class CategoryField:
    """Where a collection's documents hold a category code or a list of codes: a dotted
    path, `[]` after a part stepping into each element of a list (`items[].category`)."""

    collection: str
    path: str


@dataclass
class MigrationReport:
    #: Documents rewritten, per collection.
    rewritten: Counter[str] = field(default_factory=Counter)
    #: Texts no category matched, per `collection.path` and text: how often each was met.
    unknown: Counter[tuple[str, str]] = field(default_factory=Counter)


async def migrate_categories(
    db: Database, fields: Sequence[CategoryField], categories: CategoryList
) -> MigrationReport:
    """Rewrite every text of `fields` that names a category as its code (module doc)."""
    report = MigrationReport()
    for collection, group in groupby(sorted(fields, key=_collection), key=_collection):
        paths = [each.path for each in group]
        # The whole collection, once: a step run by hand, not a request's query. Ids first,
        # so a document rewritten meanwhile is never met twice.
        ids = [each["_id"] async for each in db[collection].find({}, {"_id": 1})]
        for id_ in ids:
            document = await db[collection].find_one({"_id": id_})
            await _migrate(db[collection], document, paths, categories, report)
    for (where, text), times in sorted(report.unknown.items()):
        log.warning(
            "%s: %r is no category of the list (%s times); left as it is", where, text, times
        )
    log.info(
        "categories migrated: %s documents rewritten, %s unknown texts left",
        sum(report.rewritten.values()),
        len(report.unknown),
    )
    return report


def _collection(each: CategoryField) -> str:
    return each.collection


async def _migrate(
    collection: Collection,
    document: Document | None,
    paths: Sequence[str],
    categories: CategoryList,
    report: MigrationReport,
) -> None:
    for _ in range(MAX_ATTEMPTS):
        if document is None:
            return  # deleted meanwhile
        unknown: list[tuple[str, str]] = []
        changed = [
            _rewrite(document, path.split("."), categories, unknown, f"{collection.name}.{path}")
            for path in paths
        ]
        if not any(changed):
            report.unknown.update(unknown)
            return
        guard: Document = {"_id": document["_id"]}
        if "version" in document:
            guard["version"] = document["version"]
            document["version"] += 1
        if (await collection.replace_one(guard, document)).matched_count:
            report.rewritten[collection.name] += 1
            report.unknown.update(unknown)
            return
        document = await collection.find_one({"_id": guard["_id"]})
    raise RuntimeError(f"{collection.name} {guard['_id']}: changed by others on every attempt")


def _rewrite(
    node: Any,
    parts: list[str],
    categories: CategoryList,
    unknown: list[tuple[str, str]],
    where: str,
) -> bool:
    """Rewrite the value at `parts` under `node` in place; whether anything changed."""
    if not isinstance(node, dict) or not parts:
        return False
    key, rest = parts[0].removesuffix("[]"), parts[1:]
    if key not in node:
        return False
    if parts[0].endswith("[]"):
        items = node[key] if isinstance(node[key], list) else []
        # Every element, not only up to the first one rewritten.
        changed = [_rewrite(item, rest, categories, unknown, where) for item in items]
        return any(changed)
    if rest:
        return _rewrite(node[key], rest, categories, unknown, where)
    value = node[key]
    new = _codes(value, categories, unknown, where)
    if new == value:
        return False
    node[key] = new
    return True


def _codes(value: Any, categories: CategoryList, unknown: list[tuple[str, str]], where: str) -> Any:
    if isinstance(value, list):
        # Two texts of one category ("Food", "食品") become one code.
        return list(dict.fromkeys(_codes(each, categories, unknown, where) for each in value))
    if not isinstance(value, str) or value in categories:
        return value
    code = categories.code_for(value)
    if code is None:
        unknown.append((where, value))
        return value
    return code


async def migrate_service(service: str) -> MigrationReport:
    """The step for `service` (its `<service>.app:create`), on its settings' database."""
    factory = importlib.import_module(f"{service}.app").create
    settings = factory.settings()
    categories = CategoryList.load(settings.categories_file)
    client = connect(settings.mongo_url, app_name=f"{service}-category-migration")
    try:
        db = client[settings.database_name(service)]
        return await migrate_categories(db, factory.spec.category_fields, categories)
    finally:
        await client.close()


def main(argv: Sequence[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m shared.category_migration <service>", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    report = asyncio.run(migrate_service(argv[0]))
    print(
        f"{argv[0]}: {sum(report.rewritten.values())} documents rewritten; "
        f"{sum(report.unknown.values())} texts of {len(report.unknown)} kinds left unknown"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
