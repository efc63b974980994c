"""Operators' endpoints every consuming service has: its dead letters, listed, inspected
and replayed (`/admin/dead-letters`)."""

from __future__ import annotations

from typing import Annotated, Self

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, StrictBool, model_validator

from shared.auth import Operator
from shared.guards import JsonRoute
from shared.inputs import Line, RequestBody
from shared.messaging.dead_letters import MAX_BATCH, DeadLetters, ParkedMessage
from shared.problems import Problem

router = APIRouter(prefix="/admin/dead-letters", tags=["operations"], route_class=JsonRoute)


class DeadLetterList(BaseModel):
    depth: int
    #: Each parked message as the queue holds it (a dataclass FastAPI serialises as is).
    items: list[ParkedMessage]


class ReplayRequest(RequestBody):
    #: The messages to replay; or `all: true` for every parked message.
    message_ids: list[Line] | None = Field(None, min_length=1, max_length=MAX_BATCH)
    all: StrictBool = False

    @model_validator(mode="after")
    def _one_choice(self) -> Self:
        if (self.message_ids is None) == self.all:
            return self
        raise ValueError("give either `message_ids` or `all: true`, not both or neither")


class ReplayResult(BaseModel):
    replayed: list[str]


def _dead_letters(request: Request) -> DeadLetters:
    dead_letters: DeadLetters | None = request.app.state.runtime.dead_letters
    if dead_letters is None:
        raise Problem(
            "This service consumes no events, so it parks none.",
            status=404,
            kind="no-dead-letters",
            title="No dead-letter queue",
        )
    return dead_letters


@router.get("", response_model=DeadLetterList)
async def list_dead_letters(
    request: Request, operator: Operator, limit: Annotated[int, Query(ge=1, le=MAX_BATCH)] = 50
) -> DeadLetterList:
    """Parked messages with the error that parked them, oldest first; nothing is taken."""
    dead_letters = _dead_letters(request)
    # Counted first: while they are looked at, the messages are out of the queue's count.
    depth = await dead_letters.depth()
    parked = await dead_letters.peek(limit)
    return DeadLetterList(depth=depth, items=parked)


@router.post("/replay", response_model=ReplayResult)
async def replay_dead_letters(
    request: Request, body: ReplayRequest, operator: Operator
) -> ReplayResult:
    """Send parked messages back to the service's queue, attempts reset, error kept."""
    chosen = None if body.all else set(body.message_ids or ())
    return ReplayResult(replayed=await _dead_letters(request).replay(chosen))
