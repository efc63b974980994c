"""A service's handler table: each event class it consumes → the handler that takes it.

`on(Shipped, self.shipped)` pairs a class with a handler whose payload parameter is that
class (or a union holding it), so mypy refuses a handler wired to the wrong event. The
consumer dispatches on the payload's class and refuses to start unless the table's
classes are exactly its queue's bindings in the topology (`shared.messaging.topology`,
the contract's list of who consumes what, which every service declares whole so that an
event is routable whichever service starts first).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from shared.contract import Envelope
from shared.contract.types import ContractModel

E = TypeVar("E", bound=ContractModel)

Handler = Callable[[Envelope, Any], Awaitable[None]]
HandlerTable = Mapping[type[ContractModel], Handler]


#: One entry of a handler table (its type names no event class, so that each `on` call
#: is checked on its own arguments).
Entry = tuple[type[ContractModel], Handler]


def on(event: type[E], handler: Callable[[Envelope, E], Awaitable[None]]) -> Entry:
    """One entry of a handler table: `dict([on(Shipped, self.shipped), ...])`."""
    return event, handler


def event_types(table: HandlerTable) -> set[str]:
    """The event types a table handles: its queue's bindings."""
    return {event.__name__ for event in table}
