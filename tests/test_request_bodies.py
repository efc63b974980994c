"""Every request body of the four services is read strictly (`shared.inputs`): each route
is a `JsonRoute` (no repeated JSON keys), each body a `RequestBody`, and every number,
boolean and text it holds, however deeply nested, is strict: no coercion, and text
without control characters (`ONE_LINE` / `MULTI_LINE`, or a pattern that admits none).
A field added without them fails here, naming it."""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel
from pydantic.types import Strict

from aftersales.app import SPEC as AFTERSALES
from logistics.app import SPEC as LOGISTICS
from orders.app import SPEC as ORDERS
from review.app import SPEC as REVIEW
from shared import admin
from shared.guards import JsonRoute
from shared.inputs import MULTI_LINE, ONE_LINE, RequestBody

ROUTES: list[tuple[str, APIRoute]] = [
    (f"{spec.name} {sorted(route.methods or ())} {route.path}", route)
    for spec in (REVIEW, ORDERS, LOGISTICS, AFTERSALES)
    for router in (*spec.routers, admin.router)
    for route in router.routes
    if isinstance(route, APIRoute)
]
#: Each route's body, by route: what its `body_field` declares.
BODIES: dict[str, Any] = {
    where: route.body_field.field_info.annotation
    for where, route in ROUTES
    if route.body_field is not None
}


def test_every_route_refuses_repeated_json_keys() -> None:
    assert len(ROUTES) > 30
    assert [where for where, route in ROUTES if not isinstance(route, JsonRoute)] == []


@pytest.mark.parametrize("where", sorted(BODIES))
def test_every_body_is_a_request_body_of_strict_values(where: str) -> None:
    body = BODIES[where]
    assert isinstance(body, type), where
    assert issubclass(body, RequestBody), where
    lax = [
        f"{path}: {leaf}"
        for path, leaf, metadata in _leaves(body, [], "body")
        if not _strict(leaf, metadata)
    ]
    assert lax == [], f"{where}: make these strict (shared.inputs)"


def _leaves(
    annotation: Any, metadata: list[Any], path: str
) -> Iterator[tuple[str, Any, list[Any]]]:
    """Each scalar a value of `annotation` may hold, with the metadata constraining it."""
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *more = get_args(annotation)
        yield from _leaves(inner, [*metadata, *more], path)
    elif origin in (Union, types.UnionType):
        for option in get_args(annotation):
            yield from _leaves(option, metadata, path)
    elif origin in (list, tuple):
        for item in get_args(annotation):
            yield from _leaves(item, [], f"{path}[]")
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, field in annotation.model_fields.items():
            yield from _leaves(field.annotation, list(field.metadata), f"{path}.{name}")
    elif origin is not Literal and annotation is not type(None):
        yield path, annotation, metadata


def _strict(leaf: Any, metadata: list[Any]) -> bool:
    strict = any(isinstance(item, Strict) and item.strict for item in metadata)
    if leaf in (int, bool):
        return strict
    if leaf is str:
        patterned = any(getattr(item, "pattern", None) for item in metadata)
        checked = any(item is ONE_LINE or item is MULTI_LINE for item in metadata)
        return patterned or (strict and checked)
    return False
