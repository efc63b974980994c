"""What a request body may carry (`shared.inputs`), and how its JSON is read
(`shared.guards.JsonRoute`): strict values, no control characters, no repeated keys."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import Field, StrictInt, ValidationError

from shared.contract.types import ShippingAddress
from shared.guards import JsonRoute
from shared.inputs import Line, Prose, RequestBody
from shared.problems import install_problem_handlers
from testkit.bodies import an_address_json

PROBLEM = "application/problem+json"


class Note(RequestBody):
    title: Line = Field(max_length=50)
    text: Prose = ""
    count: StrictInt = 0
    address: ShippingAddress | None = None


@pytest.mark.parametrize(
    ("fields", "found"),
    [
        ({"title": "a\x00b"}, "U+0000 at character 1"),
        ({"title": "a\tb"}, "U+0009"),
        ({"title": "a\nb"}, "U+000A"),
        ({"title": "\x7f"}, "U+007F"),
        ({"title": "a\x9bb"}, "U+009B"),  # C1: a terminal's control sequence introducer
        ({"title": "t", "text": "a\x1b[2Jb"}, "U+001B"),
        ({"title": "t", "text": "a\x00"}, "U+0000"),
        ({"title": "t", "address": {**an_address_json(), "line1": "1 Main\nFloor 2"}}, "U+000A"),
    ],
)
def test_text_in_a_body_holds_no_control_character(fields: dict[str, object], found: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(found)):
        Note.model_validate(fields)


def test_prose_keeps_its_tabs_and_line_breaks() -> None:
    note = Note.model_validate({"title": "Photos", "text": "lid:\tcracked\r\nbox:\tfine\n"})
    assert note.text == "lid:\tcracked\r\nbox:\tfine\n"


@pytest.mark.parametrize("count", [True, "2", 1000.0])
def test_numbers_in_a_body_are_not_coerced(count: object) -> None:
    with pytest.raises(ValidationError, match="valid integer"):
        Note.model_validate({"title": "t", "count": count})


def test_what_was_stored_before_the_check_is_read_as_it_is() -> None:
    """An address stored with a line break (accepted before) still loads, and is shown."""
    stored = ShippingAddress.model_validate({**an_address_json(), "line1": "1 Main\nFloor 2"})
    assert stored.line1 == "1 Main\nFloor 2"


@pytest.fixture
async def echo() -> AsyncIterator[httpx.AsyncClient]:
    """An app answering `POST /notes` with the note it read."""
    app = FastAPI()
    install_problem_handlers(app, {})
    router = APIRouter(route_class=JsonRoute)

    @router.post("/notes")
    async def post_note(note: Note) -> Note:
        return note

    app.include_router(router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        yield client


async def _post(client: httpx.AsyncClient, text: str) -> httpx.Response:
    return await client.post(
        "/notes", content=text.encode(), headers={"content-type": "application/json"}
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('{"title": "a", "count": 1, "count": 1000}', "the key `count` appears twice"),
        ('{"title": "a", "address": {"city": "x", "city": "y"}}', "the key `city` appears twice"),
        ('{"title": "a", "count": NaN}', "`NaN` is not a JSON number"),
        ('{"title": "a", "count": -Infinity}', "`-Infinity` is not a JSON number"),
    ],
)
async def test_json_read_two_ways_is_refused_naming_why(
    echo: httpx.AsyncClient, text: str, says: str
) -> None:
    """Python's `json` keeps a repeated key's last value; a check in front of the service
    may have read its first: neither is guessed."""
    response = await _post(echo, text)
    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM)
    assert says in response.json()["detail"]
    [error] = response.json()["errors"]
    assert error["loc"] == ["body"]


async def test_json_of_one_reading_is_read_and_malformed_json_answered_as_ever(
    echo: httpx.AsyncClient,
) -> None:
    read = await _post(echo, '{"title": "a", "text": "line\\nbreak", "count": 3}')
    assert read.json() == {"title": "a", "text": "line\nbreak", "count": 3, "address": None}
    malformed = await _post(echo, '{"title": ')
    assert (malformed.status_code, malformed.headers["content-type"]) == (422, PROBLEM)
    assert malformed.json()["errors"][0]["msg"] == "JSON decode error"
