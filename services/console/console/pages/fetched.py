"""One service's part of a page that gathers several: what the service answered, or why
it did not (it refused this user, or it is down). A page built from several services
shows every part it has and says of each missing one why it is missing, rather than
failing whole because one service is away (each part is fetched on its own, at once).
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from console.services import ServiceProblem, ServiceUnavailable


@dataclass(frozen=True)
class Part:
    """`value` when the service answered; else `refused` (its problem) or `down` (why)."""

    service: str
    value: Any = None
    refused: ServiceProblem | None = None
    down: str | None = None

    @property
    def ok(self) -> bool:
        return self.refused is None and self.down is None

    @property
    def missing(self) -> bool:
        """The service says there is no such thing for this user (404)."""
        return self.refused is not None and self.refused.status == 404


async def part_of(service: str, answer: Awaitable[Any]) -> Part:
    """`answer` awaited as one part; an ended session (401) still ends the whole page, as
    it does on any page (back to sign-in)."""
    try:
        return Part(service, await answer)
    except ServiceProblem as refused:
        if refused.status == 401:
            raise
        return Part(service, refused=refused)
    except ServiceUnavailable as down:
        return Part(service, down=str(down))
