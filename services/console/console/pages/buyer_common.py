"""What the buyer's pages share: who may open them, a form's text, and amounts typed as
people read them (`49.90`) turned into the minor units the services keep."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from urllib.parse import quote

from starlette.datastructures import FormData

from console.services import ServiceProblem

#: The buyer's pages (the services check the role too; this says it before they refuse).


def segment(identifier: str) -> str:
    """An id as one segment of a path (ids come from the services and the URL: never
    trusted to hold no `/` or `?`)."""
    return quote(identifier, safe="")


def text_of(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def readable(
    problem: ServiceProblem, errors: Collection[str], form: Collection[str]
) -> ServiceProblem:
    """A validation refusal says where in the request body each problem is
    (`body.shipping_address.phone: String should match pattern …`): when every one of them
    is shown beside a field of the `form`, the page says so above it instead."""
    if problem.status != 422 or not errors or not set(errors) <= set(form):
        return problem
    detail = "Fix what is marked below, then send the form again."
    return replace(problem, title="Check the form", detail=detail)
