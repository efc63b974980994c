"""Replicas: what a service keeps of another service's data, learnt from its events.

Events come at least once and in any order, so every replica follows one rule, whatever
the arrival order: **the newest decision wins, by the time its event occurred** (the
envelope's `occurred_at`, set by the producer when it stored the event). A replica keeps,
per decision, the time of the newest event it took (`as_of`); an event no newer than that
changes nothing, so a redelivery, or an approval overtaken by a later one, is a no-op. A
decision is named by `decision(event)`: by default the event's type (a store's approval);
a product's approval and its rejection are one decision, so the newest of the two wins.

Some replicas also gather facts that never supersede each other (an order's shipping and
delivery, which only move it forward): those are `Facts`, whose `decision` answers None,
whose `merge` takes them in any order (`earliest` time, furthest status), and each event is
taken once, by its id.

A decision dated ahead of the consumer's clock (its event's `occurred_at`, or any time it
carries, e.g. `approved_at`) by more than `CLOCK_SKEW` is refused (`Implausible`: parked,
nothing taken): "the newest wins" would let it outrank every real decision made before
that date, and its own date may start a period (R-AS-2). Facts are not judged so: they
merge by their earliest time, so one dated ahead never outranks the real one, and a
service may run its clock ahead to rehearse its deadlines (`CLOCK_OFFSET_SECONDS`). A
replica may name fields its first decision fixes for good (`fixed`: a store's merchant and
type): a later decision saying otherwise is refused too.

`Replicas.apply` is the one way to change a replica: it creates the replica from
whichever event arrives first, or updates it, in a versioned write; a create that loses
the race to another consumer (`AlreadyExists`) is retried as an update, as is any version
conflict. The service's replica class keeps only its rules: its fields (taken from the
event's fields of the same names), or `merge` for facts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar, Generic, Self, TypeVar

from pydantic import Field

from shared.aggregate import Aggregate
from shared.clock import Clock, utc_ms
from shared.contract import Envelope
from shared.contract.types import ContractModel, UtcDateTime, rfc3339
from shared.errors import Implausible
from shared.repository import (
    AggregateRepository,
    AlreadyExists,
    ConcurrencyConflict,
    retry_on_conflict,
)

#: How far ahead of the consumer's clock a decision's times may be: the producer's clock
#: may run ahead of the consumer's by the hosts' skew, which NTP keeps well under a
#: second; five minutes is the customary bound (Kerberos' default). The kit's tolerance
#: of its own clocks, not a business rule, so not a policy value (R-POL-1).
CLOCK_SKEW = timedelta(minutes=5)


def refuse_if_dated_ahead(envelope: Envelope, event: ContractModel, now: datetime) -> None:
    """`Implausible` if the event occurred, or says anything happened, after `now` plus
    `CLOCK_SKEW`: a decision is told after it is made."""
    latest = now + CLOCK_SKEW
    times = {"occurred_at": envelope.occurred_at}
    times.update((name, value) for name, value in event if isinstance(value, datetime))
    ahead = [f"{name} {rfc3339(moment)}" for name, moment in times.items() if moment > latest]
    if ahead:
        skew = f"{CLOCK_SKEW.total_seconds():.0f} s of skew allowed"
        raise Implausible(
            f"{type(event).__name__} is dated ahead of this service's clock ({rfc3339(now)}, "
            f"{skew}): {', '.join(ahead)}; a decision is told after it is made"
        )


class Replica(Aggregate):
    #: Per decision, when the newest event this replica took occurred.
    as_of: dict[str, UtcDateTime] = Field(default_factory=dict)

    @classmethod
    def decision(cls, event: ContractModel) -> str | None:
        """The decision `event` makes (the newest of each wins), or None for a fact merged
        in any order."""
        return type(event).__name__

    #: The replica's fields its events name otherwise: {replica's field: event's field}.
    renamed: ClassVar[Mapping[str, str]] = {}

    #: The fields its first decision fixes for good (a store's merchant and type), and why:
    #: a later decision saying otherwise is `Implausible` (`apply`).
    fixed: ClassVar[tuple[str, ...]] = ()
    fixed_because: ClassVar[str] = "they never change"

    @classmethod
    def fields(cls, event: Any) -> dict[str, Any]:
        """What `event` decides of the replica, field by field: by default every field of
        the replica the event carries, under the same name or the one `renamed` gives. A
        replica whose decisions need more overrides it; one that gathers facts writes
        `first` and `apply` instead."""
        carried = type(event).model_fields
        sources = {name: cls.renamed.get(name, name) for name in cls.model_fields}
        return {
            name: getattr(event, source) for name, source in sources.items() if source in carried
        }

    @classmethod
    def first(cls, replica_id: str, event: Any) -> Self:
        """The replica as the first event it receives makes it: that decision, or for
        facts an empty replica that takes the first."""
        if cls.decision(event) is not None:
            return cls(id=replica_id, **cls.fields(event))
        replica = cls(id=replica_id)
        replica.apply(event)
        return replica

    def apply(self, event: Any) -> bool:
        """Take what `event` says; whether anything changed. `Implausible` if it says
        otherwise of a field `fixed` for good (nothing taken)."""
        told = self.fields(event)
        moved = [
            f"{name} {told[name]} (held: {getattr(self, name)})"
            for name in self.fixed
            if name in told and getattr(self, name) not in (None, told[name])
        ]
        if moved:
            raise Implausible(
                f"{type(event).__name__} of {type(self).__name__} {self.id} says "
                f"{', '.join(moved)}; {self.fixed_because}"
            )
        return self.update(**told)

    def update(self, **values: Any) -> bool:
        """Set these fields; whether any of them changed."""
        changed = any(getattr(self, name) != value for name, value in values.items())
        for name, value in values.items():
            setattr(self, name, value)
        return changed

    def takes(self, envelope: Envelope, decision: str | None) -> bool:
        """Whether this event is news: newer than the decision held, or a fact not seen."""
        if decision is None:
            return not self.has_applied(str(envelope.event_id))
        held = self.as_of.get(decision)
        return held is None or utc_ms(envelope.occurred_at) > held

    def took(self, envelope: Envelope, decision: str | None) -> None:
        if decision is None:
            self.mark_applied(str(envelope.event_id))
        else:
            self.as_of = {**self.as_of, decision: utc_ms(envelope.occurred_at)}


def earliest(current: datetime | None, candidate: datetime) -> datetime:
    """A fact's time, merged: the earliest told, so a late or repeated telling never moves it."""
    return candidate if current is None else min(current, candidate)


class Facts(Replica):
    """A replica of facts that never supersede each other (an order's shipping and
    delivery): each event taken once by its id, merged by `merge` in any order."""

    @classmethod
    def decision(cls, event: ContractModel) -> None:
        return None  # facts, merged in any order

    def apply(self, event: Any) -> bool:
        before = self.model_dump()
        self.merge(event)
        return self.model_dump() != before

    def merge(self, event: Any) -> None:
        """Take what the fact `event` says (earliest time, furthest status)."""
        raise NotImplementedError


R = TypeVar("R", bound=Replica)


class Replicas(Generic[R]):
    """The replicas of one kind, as the service's handlers change them."""

    def __init__(self, repository: AggregateRepository[R], model: type[R], clock: Clock) -> None:
        self.repository, self._model, self._clock = repository, model, clock

    async def get(self, replica_id: str) -> R | None:
        return await self.repository.get(replica_id)

    async def apply(
        self,
        replica_id: str,
        envelope: Envelope,
        event: ContractModel,
        *,
        first: Callable[[], R] | None = None,
        likely_new: bool = False,
    ) -> bool:
        """Take `event` into the replica `replica_id`, creating it if it is the first;
        whether the replica changed. `first` builds a new replica when it needs more than
        the event (another replica's data); with `likely_new` (the event usually comes
        first) the first attempt inserts without reading: one round-trip fewer.
        `Implausible` for a decision dated ahead (`refuse_if_dated_ahead`), or one the
        replica's `apply` refuses."""
        changed, _ = await self._take(replica_id, envelope, event, first, likely_new)
        return changed

    async def applied(
        self, replica_id: str, envelope: Envelope, event: ContractModel, *, likely_new: bool = False
    ) -> R:
        """`apply`, answering the replica as it now stands: no read after the write."""
        _, replica = await self._take(replica_id, envelope, event, None, likely_new)
        return replica

    async def _take(
        self,
        replica_id: str,
        envelope: Envelope,
        event: ContractModel,
        first: Callable[[], R] | None,
        likely_new: bool,
    ) -> tuple[bool, R]:
        decision = self._model.decision(event)
        if decision is not None:
            refuse_if_dated_ahead(envelope, event, self._clock.now())
        read = not likely_new

        async def attempt() -> tuple[bool, R]:
            nonlocal read
            current = await self.repository.get(replica_id) if read else None
            read = True
            now, causation = self._clock.now(), str(envelope.event_id)
            if current is None:
                replica = first() if first is not None else self._model.first(replica_id, event)
                replica.took(envelope, decision)
                try:
                    await self.repository.add(replica, now=now, causation_id=causation)
                except AlreadyExists as error:  # another consumer created it meanwhile
                    raise ConcurrencyConflict(replica_id) from error
                return True, replica
            if not current.takes(envelope, decision):
                return False, current
            changed = current.apply(event)
            # A decision's time is kept even when nothing else changed: an older decision
            # arriving later must find it. A fact that changed nothing needs no write.
            if changed or decision is not None:
                current.took(envelope, decision)
                await self.repository.save(current, now=now, causation_id=causation)
            return changed, current

        return await retry_on_conflict(attempt)
