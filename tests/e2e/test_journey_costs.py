"""What one journey costs, counted (`devkit.costs`): no step of it sends more database
commands, in any service, than the cost table allows. Counts, not timings: the same on
every machine, so a regression fails here wherever the suite runs."""

from __future__ import annotations

import httpx
import pytest

from devkit.costs import ALLOWED, RATE_LIMIT_MOST, STEPS, journey_costs, table
from devkit.journey import cast
from testkit.platforms import StartPlatform

pytestmark = pytest.mark.e2e


async def test_no_step_costs_more_than_the_table_allows(start_platform: StartPlatform) -> None:
    running = start_platform()
    async with httpx.AsyncClient(timeout=10) as client:
        operator, merchant, buyer = cast(running.urls, client)
        costs = await journey_costs(client, operator, merchant, buyer)
    print(table(costs))
    assert [cost.step for cost in costs] == list(STEPS)
    assert all(cost.total("orders") for cost in costs), table(costs)
    over = [
        f"{cost.step} / {service}: {cost.total(service)} commands, {allowed} allowed"
        for cost in costs
        for service, allowed in ALLOWED.get(cost.step, {}).items()
        if cost.total(service) > allowed
    ]
    # Each step is one write request: its write limit costs one command, three at most.
    over += [
        f"{cost.step}: the write limit sent {sum(cost.rate_limit.values())} commands"
        for cost in costs
        if sum(cost.rate_limit.values()) > RATE_LIMIT_MOST
    ]
    assert not over, "\n".join(over) + "\n" + table(costs)
