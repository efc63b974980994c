"""What a service keeps of a store: review's decisions on it, as one replica
(`shared.replica`), for orders, logistics and aftersales alike."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from shared.contract.stores import StoreUpdated
from shared.contract.types import ContractModel
from shared.errors import NotYetKnown
from shared.replica import Replica


class StoreReplica(Replica):
    """What a service keeps of a store from review's decisions on it: its approval
    (`StoreApproved`) and its approved changes (`StoreUpdated`, R-REV-12) state the store as
    it then stands, so they are one decision, the newest of which wins whatever the arrival
    order (a late, older approval undoes no change). The decision is named after the
    approval: replicas stored before `StoreUpdated` existed hold its time under that name.
    A change of a store not yet known approved waits (`NotYetKnown`: retried, then parked):
    only an approved store changes, so its approval is on its way, and the replica needs
    what only the approval tells (when it was approved)."""

    #: The service keeping it, as its refusals name it.
    service: ClassVar[str]

    @classmethod
    def decision(cls, event: ContractModel) -> str:
        return "StoreApproved"

    @classmethod
    def first(cls, replica_id: str, event: Any) -> Self:
        if isinstance(event, StoreUpdated):
            raise NotYetKnown(
                f"StoreUpdated of store {event.store_id}, which {cls.service} has not seen "
                "approved (StoreApproved); only an approved store's information changes "
                "(R-REV-12)"
            )
        return super().first(replica_id, event)
