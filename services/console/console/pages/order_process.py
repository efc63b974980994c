"""One order's whole process, as each service keeps its part of it (R-ORD-5): orders (the
status, lines, timeline and what the platform waits for), logistics (the shipment),
aftersales (the cases) and settlement (where the money is). Each part is asked for at
once and on its own: a service that refuses this user or is down is shown as such, and
the rest of the page still shows.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from console.pages.fetched import Part, part_of
from console.services import Services
from console.session import User
from shared.contract.events import PRODUCERS

#: Which service published each event on an order's timeline: the hops of its process.
EVENT_SERVICE: dict[str, str] = {model.__name__: service for model, service in PRODUCERS.items()}
#: Settlement shows an order's ledger to its merchant and to operators (R-SET-5); a buyer
#: is answered 404, so the console does not ask for a buyer.
LEDGER_READERS = frozenset({"operator", "merchant"})


@dataclass(frozen=True)
class Hop:
    """One event of the order's timeline: when, what, which service told it, and what it
    carried (each value as a string, or a money object the page formats)."""

    at: str
    event: str
    service: str
    detail: list[tuple[str, Any]]


@dataclass(frozen=True)
class OrderProcess:
    order: Part
    shipments: Part
    cases: Part
    #: None where this user's role is not one settlement shows the ledger to.
    ledger: Part | None

    @property
    def hops(self) -> list[Hop]:
        if not self.order.ok:
            return []
        return [_hop(entry) for entry in self.order.value.get("timeline", [])]


def path_of(order_id: str) -> str:
    """An order id as one segment of a path (ids are the services', never trusted)."""
    return quote(order_id, safe="")


async def order_process(services: Services, user: User, order_id: str) -> OrderProcess:
    """Every service's part of `order_id`, asked at once."""
    segment = path_of(order_id)
    calls = [
        part_of("orders", services.get(user, "orders", f"/orders/{segment}")),
        part_of("logistics", services.get(user, "logistics", "/shipments", order_id=order_id)),
        part_of("aftersales", services.get(user, "aftersales", "/cases", order_id=order_id)),
    ]
    if user.role in LEDGER_READERS:
        ledger = services.get(user, "settlement", f"/orders/{segment}/ledger")
        calls.append(part_of("settlement", ledger))
    parts = await asyncio.gather(*calls)
    return OrderProcess(
        order=parts[0],
        shipments=parts[1],
        cases=parts[2],
        ledger=parts[3] if len(parts) > 3 else None,
    )


def _hop(entry: dict[str, Any]) -> Hop:
    event = str(entry.get("event", ""))
    detail = entry.get("detail") or {}
    return Hop(
        at=str(entry.get("at", "")),
        event=event,
        service=EVENT_SERVICE.get(event, "unknown"),
        detail=[(str(name), _shown(value)) for name, value in detail.items()],
    )


def _shown(value: Any) -> Any:
    """A value as the page shows it: money stays an object (the page formats it), a
    delivery window is its two dates, anything else its text."""
    if isinstance(value, dict):
        if {"amount_minor", "currency"} <= value.keys():
            return value
        if {"earliest", "latest"} <= value.keys():
            return f"{value['earliest']} to {value['latest']}"
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)
