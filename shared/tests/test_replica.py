"""The one replica rule (`shared.replica`): the newest decision wins by the time its event
occurred, whatever the arrival order, and one dated ahead of the clock (beyond its skew)
is refused; facts are merged once each; a lost create race is retried as an update."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.clock import FixedClock
from shared.contract import Envelope, record_event
from shared.contract.events import Delivered, StoreApproved
from shared.errors import Implausible
from shared.replica import CLOCK_SKEW, Facts, Replica, Replicas
from shared.repository import AlreadyExists
from shared.testing import InMemoryRepository

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
#: The consumer's clock: the decisions below, made from T0 on, arrive after they were made.
NOW = T0 + timedelta(days=1)


class Listing(Replica):
    name: str

    @classmethod
    def fields(cls, event: StoreApproved) -> dict[str, Any]:
        return {"name": event.store_name}


class Owned(Replica):
    """A listing whose merchant its first decision fixes for good."""

    merchant_id: str
    name: str
    renamed = {"name": "store_name"}
    fixed = ("merchant_id",)
    fixed_because = "a store's merchant never changes"


class Deliveries(Facts):
    count: int = 0

    def merge(self, event: Delivered) -> None:
        self.count += 1


def approved(name: str, at: datetime, occurred_at: datetime | None = None) -> Envelope:
    event = StoreApproved(
        store_id="s-1",
        merchant_id="m-1",
        store_type="full_managed",
        store_name=name,
        approved_at=at,
    )
    occurred = occurred_at or at
    return record_event(event, producer="review", correlation_id="s-1", occurred_at=occurred)


def delivered(at: datetime) -> Envelope:
    event = Delivered(shipment_id="sh-1", order_id="o-1", delivered_at=at)
    return record_event(event, producer="logistics", correlation_id="o-1", occurred_at=at)


def listings() -> tuple[Replicas[Listing], InMemoryRepository[Listing]]:
    repository = InMemoryRepository(Listing)
    return Replicas(repository, Listing, FixedClock(NOW)), repository


async def take(replicas: Replicas[Any], envelope: Envelope) -> bool:
    return await replicas.apply("s-1", envelope, envelope.typed_payload())


async def test_the_first_event_creates_the_replica() -> None:
    replicas, _ = listings()
    assert await take(replicas, approved("Lantern", T0))
    stored = await replicas.get("s-1")
    assert stored is not None
    assert (stored.name, stored.as_of) == ("Lantern", {"StoreApproved": T0})


async def test_the_newest_decision_wins_whatever_the_arrival_order() -> None:
    for order in ((0, 1), (1, 0)):
        replicas, _ = listings()
        envelopes = [approved("Old name", T0), approved("New name", T0 + timedelta(hours=1))]
        for index in order:
            await take(replicas, envelopes[index])
        stored = await replicas.get("s-1")
        assert stored is not None
        assert stored.name == "New name", order


async def test_a_stale_redelivery_changes_nothing_and_writes_nothing() -> None:
    replicas, repository = listings()
    first = approved("Lantern", T0)
    await take(replicas, first)
    await take(replicas, approved("Lantern & Co", T0 + timedelta(hours=1)))
    writes = await repository.writes()
    assert not await take(replicas, first)  # the same event again
    assert await repository.writes() == writes
    stored = await replicas.get("s-1")
    assert stored is not None
    assert stored.name == "Lantern & Co"


async def test_a_decision_that_changed_nothing_still_outranks_older_ones() -> None:
    replicas, _ = listings()
    await take(replicas, approved("Lantern", T0))
    assert not await take(replicas, approved("Lantern", T0 + timedelta(hours=2)))
    assert not await take(replicas, approved("Older", T0 + timedelta(hours=1)))
    stored = await replicas.get("s-1")
    assert stored is not None
    assert stored.name == "Lantern"


@pytest.mark.parametrize(
    ("approved_at", "occurred_at"),
    [
        (NOW + CLOCK_SKEW + timedelta(milliseconds=1), NOW),  # the decision's own date
        (NOW, NOW + CLOCK_SKEW + timedelta(milliseconds=1)),  # its event's
        (NOW + timedelta(days=365), NOW + timedelta(days=365)),  # both, to outrank all
    ],
)
async def test_a_decision_dated_ahead_of_the_clock_is_refused_and_changes_nothing(
    approved_at: datetime, occurred_at: datetime
) -> None:
    replicas, repository = listings()
    await take(replicas, approved("Lantern", T0))
    writes = await repository.writes()
    with pytest.raises(Implausible, match="dated ahead of this service's clock"):
        await take(replicas, approved("Forged", approved_at, occurred_at))
    assert await repository.writes() == writes
    assert await take(replicas, approved("Lantern & Co", T0 + timedelta(hours=1)))
    stored = await replicas.get("s-1")
    assert stored is not None
    assert stored.name == "Lantern & Co"  # later real decisions still win


async def test_a_decision_ahead_by_no_more_than_the_clocks_skew_is_taken() -> None:
    replicas, _ = listings()
    assert await take(replicas, approved("Lantern", NOW + CLOCK_SKEW))
    stored = await replicas.get("s-1")
    assert stored is not None
    assert stored.name == "Lantern"


async def test_a_later_decision_saying_otherwise_of_a_fixed_field_is_refused() -> None:
    repository = InMemoryRepository(Owned)
    replicas = Replicas(repository, Owned, FixedClock(NOW))
    await take(replicas, approved("Lantern", T0))
    forged = approved("Lantern", T0 + timedelta(hours=1)).model_copy(deep=True)
    forged.payload["merchant_id"] = "m-2"
    writes = await repository.writes()
    with pytest.raises(Implausible, match=r"merchant_id m-2 \(held: m-1\); a store's merchant"):
        await take(replicas, forged)
    assert await repository.writes() == writes
    assert await take(replicas, approved("Lantern & Co", T0 + timedelta(hours=2)))


async def test_facts_are_each_taken_once_in_any_order() -> None:
    repository = InMemoryRepository(Deliveries)
    replicas = Replicas(repository, Deliveries, FixedClock(T0))
    later, earlier = delivered(T0 + timedelta(hours=1)), delivered(T0)
    ahead = delivered(T0 + timedelta(days=3))  # a fact is not judged by the clock
    for envelope in (later, earlier, later, earlier, ahead):
        await replicas.apply("o-1", envelope, envelope.typed_payload())
    stored = await replicas.get("o-1")
    assert stored is not None
    assert stored.count == 3


class RacedRepository(InMemoryRepository[Listing]):
    """Another consumer creates the replica between our read and our insert."""

    async def add(self, aggregate: Listing, **kwargs: Any) -> None:
        if not await self.documents():
            rival = Listing(id=aggregate.id, name="Rival", as_of={"StoreApproved": T0})
            await super().add(rival, now=T0)
            raise AlreadyExists(aggregate.id)
        await super().add(aggregate, **kwargs)


async def test_a_create_lost_to_another_consumer_is_retried_as_an_update() -> None:
    repository = RacedRepository(Listing)
    replicas = Replicas(repository, Listing, FixedClock(T0))
    assert await take(replicas, approved("Newer", T0 + timedelta(minutes=5)))
    stored = await replicas.get("s-1")
    assert stored is not None
    assert (stored.name, stored.version) == ("Newer", 2)


async def test_replicas_documents_carry_no_outbox_and_their_sort_keys() -> None:
    keys = {"name_key": lambda listing: listing.name.lower()}
    repository = InMemoryRepository(Listing, keys=keys, outbox=False)
    replicas = Replicas(repository, Listing, FixedClock(T0))
    await take(replicas, approved("Lantern", T0))
    document = (await repository.documents())["s-1"]
    assert document["name_key"] == "lantern"
    assert not {"outbox", "outbox_pending"} & set(document)


async def test_an_aggregate_without_an_outbox_may_not_record_events() -> None:
    repository = InMemoryRepository(Listing, outbox=False)
    listing = Listing(id="s-1", name="Lantern")
    listing.record(approved("Lantern", T0).typed_payload())
    with pytest.raises(RuntimeError, match="keeps no outbox"):
        await repository.add(listing, now=T0)
