"""Settlement in-process on the test's engine and broker, on a clock the test moves: what
its integration tests share.

The app's clock is a `FixedClock` the test holds: it starts at the run's now (the events
of `a_delivered_sale` are dated on the run's clock, and a consumer refuses a decision
dated ahead of its own by more than `CLOCK_SKEW`), and the test moves it past an order's
after-sales window and a payout cycle (`SETTLED_LATER`). The release and payout jobs pass
once as the app starts (nothing is due then) and afterwards only when the test calls them
(`services.jobs`), so each step of the money is seen before the next.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from devkit.wait import eventually
from settlement.app import create
from settlement.bootstrap import SettlementServices
from settlement.domain.payouts import Payout
from settlement.settings import SettlementSettings
from shared.clock import FixedClock
from testkit import clock as run_clock
from testkit.asgi import serve_in_process
from testkit.bus import emit_order_history
from testkit.settings import isolated
from testkit.tokens import bearer

#: Far enough ahead that an order delivered now is released (its after-sales window, the
#: longest 15 days after its latest estimated date, closed: R-AS-1, R-SET-2) and the
#: payout cycle its release falls in ended (R-SET-4: 14 days at the longest).
SETTLED_LATER = timedelta(days=60)
OPERATOR = bearer("operator", "op-1")
PROBLEM = "application/problem+json"


def settlement_app(
    mongo_url: str, amqp_url: str, db_prefix: str, clock: FixedClock, **changes: Any
) -> FastAPI:
    """The app on the test's engine, vhost and prefix, on `clock`, its jobs the test's."""
    tuned = {"outbox_poll_seconds": 0.1, "deadline_poll_seconds": 3600.0, **changes}
    settings = isolated(SettlementSettings, mongo_url, amqp_url, db_prefix, **tuned)
    return create(settings, clock=clock)


@dataclass
class Settlement:
    http: httpx.AsyncClient
    services: SettlementServices
    clock: FixedClock

    async def get(self, url: str, token: dict[str, str], **params: str) -> httpx.Response:
        return await self.http.get(url, headers=token, params=params)

    async def balance(self, merchant: str) -> list[dict[str, Any]]:
        """The merchant's balances per currency, as it reads them."""
        response = await self.get(f"/merchants/{merchant}/balance", bearer("merchant", merchant))
        assert response.status_code == 200, response.text
        return list(response.json()["balances"])

    async def balance_becomes(self, merchant: str, held: int, payable: int, negative: int) -> None:
        """Once the merchant's USD balances are these (events arrive in their own time)."""
        expected = [usd_balance(held, payable, negative)]

        async def reached() -> bool:
            return await self.balance(merchant) == expected

        await eventually(reached, what=f"{merchant}'s balance {expected}")

    async def paid_out(self, sale: Sale, total_minor: int = 5000) -> Payout:
        """The sale's earning held (R-SET-2), then, the clock moved `SETTLED_LATER`,
        released and paid out (R-SET-4): its payout."""
        await self.balance_becomes(sale.merchant_id, held=total_minor, payable=0, negative=0)
        self.clock.advance(SETTLED_LATER)
        await self.services.jobs.post_due_releases()
        [payout] = await self.services.jobs.pay_out()
        return payout


def in_process_settlement() -> Callable[..., AsyncIterator[Settlement]]:
    """The fixture `settlement` (assign it to a module's name of the same): the service
    in-process on the test's engine, vhost and prefix, its clock at the run's now."""

    @pytest.fixture(name="settlement")
    async def served(mongo_url: str, amqp_url: str, db_prefix: str) -> AsyncIterator[Settlement]:
        clock = FixedClock(run_clock.now())
        async with running(mongo_url, amqp_url, db_prefix, clock) as service:
            yield service

    return served


@asynccontextmanager
async def running(
    mongo_url: str, amqp_url: str, db_prefix: str, clock: FixedClock
) -> AsyncIterator[Settlement]:
    app = settlement_app(mongo_url, amqp_url, db_prefix, clock)
    async with serve_in_process(app) as http:
        yield Settlement(http, app.state.services, clock)


def usd_balance(held: int, payable: int, negative: int) -> dict[str, Any]:
    """A merchant's balance in USD as `GET /merchants/{id}/balance` states it."""
    return {
        "currency": "USD",
        "held_minor": held,
        "payable_minor": payable,
        "carried_negative_minor": negative,
    }


@dataclass(frozen=True)
class Sale:
    """An order of a new buyer at a new merchant's full-managed store (`s-<merchant>`)."""

    order_id: str
    buyer_id: str
    merchant_id: str

    @property
    def store_id(self) -> str:
        return f"s-{self.merchant_id}"


async def a_delivered_sale(
    amqp_url: str, *, total_minor: int = 5000, delivered: bool = True
) -> Sale:
    """A new sale's store approval, order, confirmation, shipping and (unless not
    `delivered`) delivery a day ago, as review, orders and logistics publish them, each
    twice (delivery is at least once)."""
    sale = Sale(*(f"{kind}-{uuid.uuid4().hex[:8]}" for kind in ("o", "b", "m")))
    days_ago = 1 if delivered else None
    await emit_order_history(
        amqp_url, **asdict(sale), total_minor=total_minor, delivered_days_ago=days_ago, times=2
    )
    return sale


def period(last: date) -> dict[str, str]:
    """A report's `from` and `to` query: from a week before the run's today (a sale's events
    are dated up to 5 days before it) to `last`, both included."""
    first = run_clock.now().date() - timedelta(days=7)
    return {"from": first.isoformat(), "to": last.isoformat()}
