"""Whole order journeys at a steady rate, retried through faults, recording every 2xx.

Each journey's acknowledged steps are what the platform promised; the checker compares
them with the final state. Retries are safe: orders are created with an Idempotency-Key,
and a step whose answer was lost is recognised by the state it left (a 409 that shows it
already happened counts as acknowledged).
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from devkit.journey import ADDRESS, Actor

KINDS = ("deliver", "deliver", "refund", "timeout", "cancel")
#: Journeys confirmed that never ship (R-ORD-5), named for the cancellation they expect:
#: ordered to a destination no route serves, or never handed over by their merchant.
UNSHIPPABLE = ("not_shipped", "no_route")
#: The mix of the row in which every order must end: those, and orders shipped at once.
ENDS_KINDS = (*UNSHIPPABLE, "deliver")
#: R-LOG-6: no route serves Argentina (logistics' DEFAULT_ROUTES).
NO_ROUTE_ADDRESS = {**ADDRESS, "country": "AR", "city": "Buenos Aires"}


def _status_in(*states: str) -> Callable[[dict[str, Any]], bool]:
    """Whether a shipment or case, as read back, has reached one of `states`."""
    return lambda resource: resource["status"] in states


@dataclass
class Journey:
    kind: str
    buyer: Actor
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    order_id: str | None = None
    total: dict[str, Any] | None = None
    acked: set[str] = field(default_factory=set)


class Load:
    def __init__(
        self, operator: Actor, merchant: Actor, product_id: str, step_seconds: float
    ) -> None:
        self.operator, self.merchant, self.product_id = operator, merchant, product_id
        self.step_seconds = step_seconds

    async def run(
        self, rate: float, seconds: float, kinds_of: tuple[str, ...] = KINDS
    ) -> list[Journey]:
        """Start `rate` journeys a second for `seconds`, of the kinds in turn; wait for
        all of them to end."""
        journeys: list[Journey] = []
        tasks = []
        kinds = itertools.cycle(kinds_of)
        started = time.monotonic()
        for index in itertools.count():
            due = started + index / rate
            if due - started >= seconds:
                break
            await asyncio.sleep(max(due - time.monotonic(), 0))
            buyer = Actor(
                "buyer",
                f"chaos-b-{uuid.uuid4().hex[:10]}",
                self.operator.urls,
                self.operator.client,
            )
            journey = Journey(next(kinds), buyer)
            journeys.append(journey)
            tasks.append(asyncio.create_task(self._journey(journey)))
        await asyncio.gather(*tasks)
        return journeys

    async def _call(
        self,
        actor: Actor,
        method: str,
        service: str,
        path: str,
        done: Callable[[httpx.Response], bool],
        **kwargs: Any,
    ) -> httpx.Response | None:
        """Retry through faults until `done` holds, a refusal comes, or time is up."""
        deadline = time.monotonic() + self.step_seconds
        while time.monotonic() < deadline:
            try:
                response = await actor.call(method, service, path, **kwargs)
            except httpx.HTTPError:
                await asyncio.sleep(0.3)
                continue
            if done(response):
                return response
            # A 200 that does not show it yet (a confirmed order's shipment still on its
            # way to logistics) is asked again, like a 404; any other 4xx is a refusal.
            if response.status_code < 500 and response.status_code not in (200, 404, 409, 422):
                return None  # refused for good
            await asyncio.sleep(0.3)
        return None

    async def _create(
        self, actor: Actor, service: str, path: str, body: dict[str, Any], **kwargs: Any
    ) -> dict[str, Any] | None:
        """POST a new resource as `actor`: what the 201 answered, or None if none came."""
        response = await self._call(
            actor, "POST", service, path, lambda r: r.status_code == 201, json=body, **kwargs
        )
        return None if response is None else dict(response.json())

    async def _journey(self, journey: Journey) -> None:
        order = {
            "items": [{"product_id": self.product_id, "quantity": 1}],
            "shipping_address": NO_ROUTE_ADDRESS if journey.kind == "no_route" else ADDRESS,
        }
        key = {"Idempotency-Key": journey.key}
        created = await self._create(journey.buyer, "orders", "/orders", order, headers=key)
        if created is None:
            return
        journey.acked.add("create")
        journey.order_id, journey.total = created["order_id"], created["total"]
        if journey.kind == "timeout":
            return
        if journey.kind == "cancel":
            if await self._step(
                journey,
                journey.buyer,
                "cancel",
                f"/orders/{journey.order_id}/cancel",
                lambda o: o.get("cancel_reason") == "buyer_cancelled",
            ):
                journey.acked.add("cancel")
            return
        if not await self._step(
            journey,
            self.merchant,
            "confirm",
            f"/orders/{journey.order_id}/confirm",
            lambda o: o.get("confirmed_at") is not None,
        ):
            return
        journey.acked.add("confirm")
        if journey.kind in UNSHIPPABLE:
            return  # nothing ships: no route takes it, or its merchant never hands it over
        await self._ship_and_deliver(journey)
        if journey.kind == "refund" and "deliver" in journey.acked:
            await self._refund(journey)

    async def _step(
        self,
        journey: Journey,
        actor: Actor,
        name: str,
        path: str,
        happened: Callable[[dict[str, Any]], bool],
    ) -> bool:
        """A command on the order: 200, or a 409 whose state shows it happened already."""
        return await self._command(actor, "orders", path, f"/orders/{journey.order_id}", happened)

    async def _command(
        self,
        actor: Actor,
        service: str,
        path: str,
        state_path: str,
        happened: Callable[[dict[str, Any]], bool],
        body: dict[str, Any] | None = None,
    ) -> bool:
        """POST `path` as `actor`: acknowledged by a 200, or by a 409 when the state the
        operator reads at `state_path` shows the command happened already (its answer lost)."""
        response = await self._call(
            actor, "POST", service, path, lambda r: r.status_code in (200, 409), json=body
        )
        if response is None:
            return False
        if response.status_code == 200:
            return True
        state = await self._call(
            self.operator, "GET", service, state_path, lambda r: r.status_code == 200
        )
        return state is not None and happened(state.json())

    async def _ship_and_deliver(self, journey: Journey) -> None:
        found = await self._call(
            self.operator,
            "GET",
            "logistics",
            f"/shipments?order_id={journey.order_id}",
            lambda r: r.status_code == 200 and bool(r.json()["items"]),
        )
        if found is None:
            return
        shipment = found.json()["items"][0]["shipment_id"]
        handover = {"carrier": "SF", "tracking_number": journey.key[:12], "handover": "pickup"}
        for step, body, happened in (
            ("ship", handover, _status_in("shipped", "delivered")),
            ("deliver", None, _status_in("delivered")),
        ):
            if not await self._command(
                self.operator,
                "logistics",
                f"/shipments/{shipment}/{step}",
                f"/shipments/{shipment}",
                happened,
                body,
            ):
                return
            journey.acked.add(step)

    async def _refund(self, journey: Journey) -> None:
        case = {
            "order_id": journey.order_id,
            "reason": "damaged",
            "description": "Broken in transit.",
            "refund_requested": journey.total,
        }
        opened = await self._create(journey.buyer, "aftersales", "/cases", case)
        if opened is None:
            return
        case_id = opened["case_id"]
        if await self._command(
            self.operator,
            "aftersales",
            f"/cases/{case_id}/resolve",
            f"/cases/{case_id}",
            _status_in("refunded"),
            {"decision": "refund", "refund": journey.total, "note": "Sorry."},
        ):
            journey.acked.add("refund")
