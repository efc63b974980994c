"""The platform after the calendar library's last published year (R-CAL-1, R-CAL-2).

Each platform runs with its clock moved (`CLOCK_OFFSET_SECONDS`) into a year the
installed `holidays` release publishes no State Council notice for (the first such year,
and 2031), whatever year the machine's clock is in: onboarding, a product listed, a
semi-managed order shipped from a warehouse in China, and the buyer's delivery estimate
all answer, correctly, and say they were computed on a provisional calendar. With an
operator's notice for that year, the same answers say `published` and the notice's
make-up Saturday is a working day.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from devkit.journey import (
    Actor,
    apply_for_store,
    approve_stages,
    cast,
    confirmed_with_shipment,
    list_product,
    semi_managed_application,
)
from logistics.domain.deadlines import estimate
from logistics.domain.routes import DEFAULT_ROUTES, Route
from shared.calendar import Calendars
from shared.policy import Policy
from testkit.factories import a_warehouse
from testkit.notices import a_notice
from testkit.platforms import RunningPlatform, StartPlatform

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.local_only(
        reason="local_only: its platforms need a route file and a notices folder of their "
        "own, which the compose stack mounts once for all"
    ),
]

CHINA = Calendars().of("CN")
assert CHINA.published_years is not None
FIRST_UNPUBLISHED = max(CHINA.published_years[1] + 1, datetime.now(UTC).year)
#: A semi-managed store shipping from its warehouse in Shenzhen (CN), one handling day.
APPLICATION = semi_managed_application(
    "Shenzhen Lantern", warehouse=a_warehouse().model_dump(mode="json")
)
#: R-LOG-6: the route a merchant shipping from China to Spain would need (the defaults
#: have semi-managed routes within Europe and North America only).
CN_TO_ES = Route(
    name="semi-cn-es",
    carrier="China Post",
    store_type="semi_managed",
    origin_countries=("CN",),
    destination_countries=("ES",),
    max_weight_grams=5_000,
    transit_days_min=5,
    transit_days_max=10,
)


def offset_to(moment: datetime) -> str:
    """`CLOCK_OFFSET_SECONDS` that moves the services' clocks to `moment` (from now)."""
    return str(max(0, int((moment - datetime.now(UTC)).total_seconds())))


def first_monday_of_march(year: int) -> date:
    day = date(year, 3, 1)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def on_monday_morning(
    start_platform: StartPlatform, monday: date, tmp_path: Path, **env: str
) -> RunningPlatform:
    """A platform whose clock reads 10:00 in Beijing on `monday`, with a route from China."""
    routes = tmp_path / "routes.json"
    routes.write_text(json.dumps([r.model_dump() for r in (*DEFAULT_ROUTES, CN_TO_ES)]))
    return start_platform(
        CLOCK_OFFSET_SECONDS=offset_to(datetime(monday.year, 3, monday.day, 2, tzinfo=UTC)),
        LOGISTICS_ROUTES_FILE=str(routes),
        **env,
    )


def provisional_cn(year: int) -> dict[str, Any]:
    return {"country": "CN", "year": year, "basis": "provisional", "source": "derived"}


@pytest.mark.parametrize("year", sorted({FIRST_UNPUBLISHED, 2031}))
async def test_onboarding_listing_shipping_and_estimates_work_past_the_published_years(
    start_platform: StartPlatform, tmp_path: Path, year: int
) -> None:  # R-CAL-2, R-REV-5, R-LOG-2, R-LOG-3
    monday = first_monday_of_march(year)
    # An ordinary working week in March, away from festivals.
    running = on_monday_morning(start_platform, monday, tmp_path)
    async with httpx.AsyncClient(timeout=10) as client:
        operator, merchant, buyer = cast(running.urls, client)
        # Onboarding (R-REV-3, R-REV-5): every answer under review says its basis.
        store = await apply_for_store(merchant, APPLICATION)
        assert (store["overdue"], store["calendar"]["basis"]) == (False, "provisional")
        assert provisional_cn(year) in store["calendar"]["years"]
        queue = (await operator.call("GET", "review", "/review-queue", expect=200)).json()
        assert queue["items"][0]["calendar"]["basis"] == "provisional"
        approved = await approve_stages(operator, merchant, store)
        assert approved["status"] == "approved"

        # Product listing (R-REV-9): submitted, approved, on sale.
        product_id = await list_product(operator, merchant, store["store_id"])

        # A semi-managed order from the Chinese warehouse: its ship-by counts China's
        # provisional working days, its window Spain's published ones (R-LOG-2, R-LOG-3).
        confirmed, shipment = await confirmed_with_shipment(buyer, merchant, product_id)
        assert shipment["route"] == "semi-cn-es"
        expected = estimate(
            "semi_managed",
            datetime.fromisoformat(confirmed["confirmed_at"]),
            destination_country="ES",
            weight_grams=shipment["weight_grams"],
            policy=Policy(),
            routes=(*DEFAULT_ROUTES, CN_TO_ES),
            handling_days=1,
            warehouse_country="CN",
            warehouse_timezone="Asia/Shanghai",
            calendars=Calendars(),
        )
        assert expected is not None
        # Confirmed on that Monday before the 15:00 cut-off: shipped by Tuesday 15:00 Beijing.
        assert shipment["ship_by"] == f"{monday + timedelta(days=1)}T07:00:00Z"
        assert shipment["ship_by"] == expected.model_dump(mode="json")["ship_by"]
        assert shipment["estimated_delivery"] == {
            "earliest": str(expected.earliest),
            "latest": str(expected.latest),
        }
        assert shipment["calendar"]["basis"] == "provisional"
        years = shipment["calendar"]["years"]
        assert provisional_cn(year) in years
        assert {"country": "ES", "year": year, "basis": "published", "source": "library"} in years

        # The buyer's estimate is the shipment's deadline, on the same basis.
        quote = await _estimate(buyer, confirmed["confirmed_at"])
        assert (quote["ship_by"], quote["earliest"], quote["latest"]) == (
            shipment["ship_by"],
            shipment["estimated_delivery"]["earliest"],
            shipment["estimated_delivery"]["latest"],
        )
        assert quote["calendar"] == shipment["calendar"]
        for service in running.urls:
            ready = await client.get(f"{running.url(service)}/health/ready")
            assert ready.status_code == 200, service
        metrics = (await client.get(f"{running.url('logistics')}/metrics")).text
        assert f'calendar_provisional_computations_total{{country="CN",year="{year}"}}' in metrics


async def test_with_a_notice_the_year_is_published_and_its_make_up_saturday_works(
    start_platform: StartPlatform, tmp_path: Path
) -> None:  # R-CAL-1
    year = FIRST_UNPUBLISHED
    monday = first_monday_of_march(year)
    friday, saturday = monday - timedelta(days=3), monday - timedelta(days=2)
    notices = tmp_path / "notices"
    notices.mkdir()
    # Test data with a made-up make-up day: never shipped with the project.
    (notices / f"CN-{year}.yaml").write_text(
        a_notice(year, days_off=[f"{{date: {year}-01-01}}"], working_days=[f"{{date: {saturday}}}"])
    )
    running = on_monday_morning(start_platform, monday, tmp_path, CALENDAR_NOTICES_DIR=str(notices))
    async with httpx.AsyncClient(timeout=10) as client:
        _, merchant, buyer = cast(running.urls, client)
        store = await apply_for_store(merchant, APPLICATION)
        published_cn = {"country": "CN", "year": year, "basis": "published", "source": "notice"}
        assert store["calendar"] == {"basis": "published", "years": [published_cn]}
        # Confirmed on the Friday after the 15:00 cut-off: day 0 is the next working day,
        # the make-up Saturday, and one handling day later is Monday 15:00 Beijing.
        after_cutoff = f"{friday}T08:30:00Z"  # 16:30 in Beijing
        quote = await _estimate(buyer, after_cutoff)
        assert quote["ship_by"] == f"{monday}T07:00:00Z"
        assert published_cn in quote["calendar"]["years"]


async def _estimate(actor: Actor, at: str) -> dict[str, Any]:
    """`GET /delivery-estimate` of a 1.2 kg semi-managed parcel from Shenzhen to Spain."""
    params = {
        "store_type": "semi_managed",
        "country": "ES",
        "at": at,
        "weight_grams": 1_200,
        "handling_days": 1,
        "warehouse_country": "CN",
        "warehouse_timezone": "Asia/Shanghai",
    }
    body: dict[str, Any] = (
        await actor.call("GET", "logistics", "/delivery-estimate", params=params, expect=200)
    ).json()
    return body
