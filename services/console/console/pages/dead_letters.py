"""The operators' dead letters: what each service parked (a message its handler refused, or
failed on as many times as it tries), why, and a way to send it back once the cause is
gone. Each service keeps its own queue (`GET /admin/dead-letters`, `POST
/admin/dead-letters/replay`); the page asks them all, and one that does not answer is shown
as such while the others' letters still show."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from console.pages.fetched import part_of
from console.services import SERVICES, ServiceProblem, Services, ServiceUnavailable, services_of
from console.session import Form, Operator, User
from console.web import back_to, flash, render

router = APIRouter(prefix="/dead-letters", tags=["dead-letters"])
#: The letters of one service the overview lists (the services' own default page).
SHOWN = 50
#: The most letters a service looks through to find the one inspected (its own limit).
LOOKED_THROUGH = 1000


@dataclass(frozen=True)
class Parked:
    """One service's dead-letter queue as it answered, or why it could not be read."""

    service: str
    depth: int | None = None
    letters: list[dict[str, Any]] = field(default_factory=list)
    unread: str = ""


def pretty(body: str) -> str:
    """A parked body as people read it: indented JSON, or as it is when it is not JSON
    (a poison message is kept byte for byte, and its bytes are the evidence)."""
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body


def shown(item: dict[str, Any]) -> dict[str, Any]:
    """A parked letter as the page shows it: its body pretty, and the error without the
    type's name in front (the type has a badge of its own)."""
    error, kind = str(item.get("error", "")), str(item.get("error_type", ""))
    reason = error.removeprefix(f"{kind}: ") if kind else error
    return {**item, "pretty": pretty(str(item.get("body", ""))), "reason": reason}


async def parked(services: Services, user: User, service: str, limit: int) -> Parked:
    """`service`'s queue; a service out of reach, or refusing, is told, never raised, so
    the other services' letters still show (an ended session still signs out)."""
    part = await part_of(service, services.get(user, service, "/admin/dead-letters", limit=limit))
    if part.refused is not None:
        return Parked(service, unread=part.refused.detail)
    if part.down is not None:
        return Parked(service, unread=part.down)
    found = part.value
    return Parked(service, int(found["depth"]), [shown(item) for item in found["items"]])


async def every_service(request: Request, user: User, limit: int) -> list[Parked]:
    services = services_of(request)
    return list(await asyncio.gather(*(parked(services, user, s, limit) for s in SERVICES)))


def known(service: str) -> str:
    if service not in SERVICES:
        raise HTTPException(404, f"There is no service {service!r}: it is one of {SERVICES}.")
    return service


@router.get("")
async def dead_letters(request: Request, user: Operator) -> Response:
    queues = await every_service(request, user, SHOWN)
    return render(request, "dead_letters.html", queues=queues)


@router.get("/counts")
async def counts(request: Request, user: Operator) -> Response:
    """The live counts above the queues (htmx polls them): how many each service parks."""
    queues = await every_service(request, user, 1)
    return render(request, "dead_letters_counts.html", queues=queues)


@router.get("/{service}/letters/{message_id}")
async def letter(request: Request, user: Operator, service: str, message_id: str) -> Response:
    """One parked letter: why, when, how many attempts, and its body, to judge whether
    replaying it now would succeed."""
    services = services_of(request)
    found = await services.get(user, known(service), "/admin/dead-letters", limit=LOOKED_THROUGH)
    for item in found["items"]:
        if item["message_id"] == message_id:
            return render(request, "dead_letter.html", service=service, letter=shown(item))
    raise HTTPException(
        404,
        f"No letter {message_id} is parked in {service} now: it was replayed, or it is among "
        "letters another operator is looking at. See the dead letters again.",
    )


def _replay_body(form: Form) -> dict[str, Any] | None:
    """What the service replays: every parked letter, or the one chosen."""
    if form.get("all") == "true":
        return {"all": True}
    message_id = form.get("message_id")
    if isinstance(message_id, str) and message_id.strip():
        return {"message_ids": [message_id.strip()]}
    return None


def _told(service: str, replayed: list[str]) -> tuple[str, str]:
    """The flash message after a replay, and its kind."""
    if not replayed:
        return (
            f"{service} replayed nothing: no such letter is parked now (replayed already, "
            "or being looked at by another operator).",
            "bad",
        )
    letters = "letter" if len(replayed) == 1 else "letters"
    return (
        f"{service} replayed {len(replayed)} {letters} ({', '.join(replayed)}): back in its "
        "queue with the attempts reset; handled now, or parked again if it fails again.",
        "ok",
    )


@router.post("/{service}/replay")
async def replay(request: Request, user: Operator, form: Form, service: str) -> Response:
    """Sends letters back to `service`'s queue, then says what the service answered."""
    known(service)
    body = _replay_body(form)
    if body is None:
        flash(request, "Choose a letter to replay, or replay all of the service's.", "bad")
        return back_to(f"/dead-letters#{service}")
    services = services_of(request)
    try:
        answer = await services.post(user, service, "/admin/dead-letters/replay", body)
    except ServiceProblem as refused:
        if refused.status == 401:
            raise
        queues = await every_service(request, user, SHOWN)
        return render(
            request,
            "dead_letters.html",
            status=refused.status,
            problem=refused,
            queues=queues,
        )
    except ServiceUnavailable as down:
        flash(request, f"{down} Whether it replayed anything shows in its queue below.", "bad")
        return back_to(f"/dead-letters#{service}")
    flash(request, *_told(service, [str(i) for i in answer["replayed"]]))
    return back_to(f"/dead-letters#{service}")
