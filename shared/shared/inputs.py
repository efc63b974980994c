"""What a request body may carry, checked where it enters (CONTRACT.md, conventions).

- `RequestBody`: the base of every request body: unknown fields are refused, and its text
  is checked by the text types below.
- Numbers and booleans of a body are pydantic's `StrictInt` and `StrictBool`: `true` is
  not 1, `"2"` is not 2 and `1e3` is not 1000. (A model-wide `strict=True` would also
  refuse dates and enums given as JSON strings: FastAPI validates a body in Python mode.)
- Text is `Line` (one line: names, ids, addresses, URLs) or `Prose` (descriptions,
  messages, notes: tabs and line breaks allowed); a text type of one's own ends with
  `ONE_LINE` or `MULTI_LINE`. Neither holds a C0 or C1 control character (NUL, ESC,
  ...) or DEL. (A lone surrogate, which no database write could encode, pydantic refuses
  in any text.)
- JSON itself is read strictly by `shared.guards.JsonRoute`, every router's route class.

The text types check only inside a `RequestBody`: what was stored before this check, and
the events and answers made of it, are read as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextvars import ContextVar
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    ModelWrapValidatorHandler,
    StrictStr,
    model_validator,
)
from pydantic_core import PydanticCustomError

#: True while a request body is validated: the text types check only then.
_IN_REQUEST_BODY: ContextVar[bool] = ContextVar("in_request_body", default=False)

# Unicode's control characters (category Cc: U+0000-001F, U+007F-009F).
_NOT_IN_A_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_NOT_IN_PROSE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _refusing(forbidden: re.Pattern[str], allowed: str) -> Callable[[str], str]:
    def check(text: str) -> str:
        if _IN_REQUEST_BODY.get() and (found := forbidden.search(text)):
            raise PydanticCustomError(
                "control_character",
                "Text may not hold control characters ({allowed}): found U+{code} at "
                "character {position}; remove it",
                {"allowed": allowed, "code": f"{ord(found[0]):04X}", "position": found.start()},
            )
        return text

    return check


ONE_LINE = AfterValidator(_refusing(_NOT_IN_A_LINE, "one line: no tab or line break either"))
MULTI_LINE = AfterValidator(_refusing(_NOT_IN_PROSE, "tabs and line breaks are fine"))

Line = Annotated[StrictStr, ONE_LINE]
Prose = Annotated[StrictStr, MULTI_LINE]


#: The largest integer JSON carries exactly (and MongoDB stores): larger ones are refused
#: as malformed (422) rather than reported as an issue or failing the write.
LARGEST_INTEGER = 2**53 - 1


def storable(value: int | None, field: str) -> int | None:
    """`value` if JSON and MongoDB carry it exactly; a validator's ValueError otherwise."""
    if value is not None and abs(value) > LARGEST_INTEGER:
        raise ValueError(f"{field} must be between -{LARGEST_INTEGER} and {LARGEST_INTEGER}")
    return value


class RequestBody(BaseModel):
    """The base of every request body (`tests/test_request_bodies.py` checks that each
    route's body is one, and that its every number, boolean and text is strict)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="wrap")
    @classmethod
    def _as_input(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        entered = _IN_REQUEST_BODY.set(True)
        try:
            return handler(data)
        finally:
            _IN_REQUEST_BODY.reset(entered)
