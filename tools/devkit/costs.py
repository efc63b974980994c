"""What one journey costs, step by step, counted, not timed: every database command each
service sends for the step (`engine_commands_total`, by the work that sent it:
`shared.costs`), every event it publishes and every delivery it acknowledges. Counts are
the same on every machine, so a step that costs more than `ALLOWED` fails a test
(`tests/e2e/test_journey_costs.py`) wherever it runs; `make bench` prints the table beside
`MINIMUM`, what each step needs for its guarantees.

A step is measured from the services' `/metrics` before it and once it has settled: every
event it caused published, forgotten by its relay, and handled (or parked) by every queue
bound to its type. Work that is not the step's is left out: the relay's periodic read of
what no write offered, periodic jobs, start-up, and the `GET`s the journey reads ids with.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from devkit.journey import (
    Actor,
    list_product,
    open_damage_case,
    open_full_managed_store,
    place_order,
    refund_whole_order,
    ship,
    shipment_of,
)
from devkit.metrics_text import samples
from devkit.wait import eventually
from shared.messaging.topology import QUEUES

SERVICES = ("review", "orders", "logistics", "aftersales", "settlement")
#: Each step, and the events it causes (the step has settled once each is published and
#: handled everywhere).
STEPS: dict[str, tuple[str, ...]] = {
    "create": ("OrderCreated",),
    "confirm": ("OrderConfirmed", "ShipmentCreated"),
    "ship": ("Shipped",),
    "deliver": ("Delivered",),
    "open case": ("AfterSalesCaseOpened",),
    "refund": ("RefundIssued",),
}

#: The database commands each step may cost each service (today's count): a step costing
#: more fails the test; one costing less lowers its number here. The write limit's
#: commands are apart (`RATE_LIMIT`).
ALLOWED: dict[str, dict[str, int]] = {
    "create": {"orders": 3, "aftersales": 1, "settlement": 1},
    "confirm": {"orders": 5, "logistics": 3, "aftersales": 2, "settlement": 4},
    "ship": {"orders": 2, "logistics": 3, "aftersales": 2, "settlement": 3},
    "deliver": {"orders": 2, "logistics": 3, "aftersales": 2, "settlement": 5},
    "open case": {"orders": 2, "aftersales": 4, "settlement": 4},
    "refund": {"orders": 2, "aftersales": 6, "settlement": 5},
}

#: What each step needs for its guarantees: one write per state change with its events in
#: the same document, and the reads its rules need; a redelivery is recognised by the
#: event ids the aggregate keeps, in that same write, and a relay's forget can ride on the
#: aggregate's next write. `make bench` prints it beside the count.
MINIMUM: dict[str, dict[str, tuple[int, str]]] = {
    "create": {
        "orders": (2, "the catalogue's price (R-CAT-1), the order with OrderCreated"),
        "aftersales": (1, "its copy of the order"),
        "settlement": (1, "its facts of the order (nothing moves before confirmation)"),
    },
    "confirm": {
        "orders": (4, "read and confirm the order; read and plan it (ShipmentCreated)"),
        "logistics": (2, "the store's warehouse and handling days; the shipment"),
        "aftersales": (2, "read and update its copy"),
        "settlement": (3, "read and update its facts; the collection entry"),
    },
    "ship": {
        "orders": (2, "read and update the order"),
        "logistics": (2, "read and ship the shipment"),
        "aftersales": (2, "read and update its copy"),
        "settlement": (2, "read and update its facts"),
    },
    "deliver": {
        "orders": (2, "read and update the order"),
        "logistics": (2, "read and deliver the shipment"),
        "aftersales": (2, "read and update its copy (the window opens)"),
        "settlement": (3, "read and update its facts (with the release's date); the earning"),
    },
    "open case": {
        "orders": (2, "read and update the order"),
        "aftersales": (3, "the order, its other cases (R-AS-1 limits), the case"),
        "settlement": (2, "read and update its facts (the release waits)"),
    },
    "refund": {
        "orders": (2, "read and update the order"),
        "aftersales": (5, "the case, the order, the store (R-AS-2); the case, the order"),
        "settlement": (3, "read and update its facts; the refund entry"),
    },
}


@dataclass
class Snapshot:
    """The counters of every service at one moment."""

    #: (service, work, command, collection) -> commands sent.
    commands: Counter[tuple[str, str, str, str]] = field(default_factory=Counter)
    #: (service, event type) -> events published (confirmed by the broker).
    published: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: service -> events forgotten by its relay.
    forgotten: Counter[str] = field(default_factory=Counter)
    #: (service, event type) -> deliveries acknowledged: handled or parked.
    acked: Counter[tuple[str, str]] = field(default_factory=Counter)

    def __sub__(self, before: Snapshot) -> Snapshot:
        return Snapshot(
            self.commands - before.commands,
            self.published - before.published,
            self.forgotten - before.forgotten,
            self.acked - before.acked,
        )


async def snapshot(client: httpx.AsyncClient, urls: Mapping[str, str]) -> Snapshot:
    taken = Snapshot()
    for service in SERVICES:
        text = (await client.get(urls[service] + "/metrics")).text
        for name, labels, value in samples(text):
            if name == "engine_commands_total":
                key = (service, labels["work"], labels["command"], labels["collection"])
                taken.commands[key] += int(value)
            elif name == "events_published_total":
                taken.published[service, labels["event_type"]] += int(value)
            elif name == "events_forgotten_total":
                taken.forgotten[service] += int(value)
            elif name in ("events_consumed_total", "events_parked_total"):
                taken.acked[service, labels["event_type"]] += int(value)
    return taken


def settled(step: Snapshot, causes: tuple[str, ...]) -> bool:
    """Every event the step causes is published; each one published is forgotten by its
    relay and acknowledged by every queue bound to its type."""
    by_service: Counter[str] = Counter()
    by_type: Counter[str] = Counter()
    published = {event_type for (_, event_type), count in step.published.items() if count}
    if not published >= set(causes):
        return False
    for (service, event_type), count in step.published.items():
        by_service[service] += count
        by_type[event_type] += count
    if any(step.forgotten[service] < count for service, count in by_service.items()):
        return False
    return all(
        step.acked[queue.service, event_type] >= count
        for event_type, count in by_type.items()
        for queue in QUEUES.values()
        if event_type in queue.event_types and queue.service in SERVICES
    )


#: The write limit's commands: 1 per write, 3 when the caller's window turns (a new minute
#: for `60/minute`) or a client writes for the first time, so they depend on the clock:
#: shown apart, held to `RATE_LIMIT_MOST` per write request.
RATE_LIMIT = "rate limit"
RATE_LIMIT_MOST = 3


def counted(work: str) -> bool:
    """Whether a command of this work is the step's (see the module's docstring)."""
    if work in ("other", "relay poll", RATE_LIMIT):
        return False
    return not work.startswith(("job ", "GET "))


@dataclass(frozen=True)
class StepCost:
    step: str
    #: service -> work -> "command collection" -> commands.
    commands: dict[str, dict[str, dict[str, int]]]
    published: dict[str, int]
    acked: dict[str, int]
    #: service -> the write limit's commands (not in `total`).
    rate_limit: dict[str, int]

    def total(self, service: str) -> int:
        return sum(sum(each.values()) for each in self.commands.get(service, {}).values())


def cost_of(step: str, taken: Snapshot) -> StepCost:
    commands: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    rate_limit: Counter[str] = Counter()
    for (service, work, command, collection), count in sorted(taken.commands.items()):
        if work == RATE_LIMIT:
            rate_limit[service] += count
        elif count and counted(work):
            commands[service][work][f"{command} {collection}".strip()] = count
    published: Counter[str] = Counter()
    acked: Counter[str] = Counter()
    for (service, _), count in taken.published.items():
        published[service] += count
    for (service, _), count in taken.acked.items():
        acked[service] += count
    return StepCost(
        step,
        {service: dict(works) for service, works in commands.items()},
        dict(published),
        dict(acked),
        dict(rate_limit),
    )


async def measured(
    client: httpx.AsyncClient,
    urls: Mapping[str, str],
    step: str,
    action: Callable[[], Awaitable[Any]],
) -> tuple[StepCost, Any]:
    before = await snapshot(client, urls)
    result = await action()

    async def done() -> Snapshot | None:
        now = await snapshot(client, urls) - before
        return now if settled(now, STEPS[step]) else None

    taken = await eventually(done, timeout=30, what=f"the step '{step}' settled")
    return cost_of(step, taken), result


async def journey_costs(
    client: httpx.AsyncClient, operator: Actor, merchant: Actor, buyer: Actor
) -> list[StepCost]:
    """A full-managed store and its product (not counted), then one order's steps: created,
    confirmed (its shipment planned), shipped, delivered, a damage case opened and refunded
    in whole."""
    urls = operator.urls
    store = await open_full_managed_store(operator, merchant)
    product_id = await list_product(operator, merchant, store["store_id"])
    costs: list[StepCost] = []

    async def step(name: str, action: Callable[[], Awaitable[Any]]) -> Any:
        cost, result = await measured(client, urls, name, action)
        costs.append(cost)
        return result

    order = await step("create", lambda: place_order(buyer, product_id))
    confirm = f"/orders/{order['order_id']}/confirm"
    await step("confirm", lambda: merchant.call("POST", "orders", confirm, expect=200))
    shipment = await shipment_of(operator, order["order_id"])
    await step("ship", lambda: ship(operator, shipment["shipment_id"]))
    deliver = f"/shipments/{shipment['shipment_id']}/deliver"
    await step("deliver", lambda: operator.call("POST", "logistics", deliver, expect=200))
    case = await step("open case", lambda: open_damage_case(buyer, order))
    await step("refund", lambda: refund_whole_order(operator, case, order))
    return costs


def table(costs: list[StepCost]) -> str:
    """The cost table, as `make bench` prints it (markdown)."""
    lines = [
        "| step | service | commands (by work: command collection ×n) | total | minimum "
        "| allowed | rate limit | published | acked |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for cost in costs:
        for service in SERVICES:
            total = cost.total(service)
            published, acked = cost.published.get(service, 0), cost.acked.get(service, 0)
            if not (total or published or acked):
                continue
            detail = "; ".join(
                f"{work}: " + ", ".join(f"{what} ×{n}" for what, n in each.items())
                for work, each in cost.commands.get(service, {}).items()
            )
            minimum = MINIMUM.get(cost.step, {}).get(service, (None, ""))[0]
            allowed = ALLOWED.get(cost.step, {}).get(service)
            limited = cost.rate_limit.get(service, 0)
            lines.append(
                f"| {cost.step} | {service} | {detail} | {total} | "
                f"{'' if minimum is None else minimum} | {'' if allowed is None else allowed} "
                f"| {limited} | {published} | {acked} |"
            )
    return "\n".join(lines) + "\n"
