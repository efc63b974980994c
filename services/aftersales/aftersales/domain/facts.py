"""What aftersales knows of other services' orders and stores: its own replica.

Replicas (`shared.replica`), filled from `OrderCreated`, `OrderConfirmed`,
`OrderCancelled`, `Shipped`, `Delivered`, `ShipmentException`, `StoreApproved` and
`StoreUpdated`. A store is approved once: another approval saying otherwise is refused
(`StoreFacts`); its approved changes (R-REV-12) rename it, never move its approval.
An order's events are facts that never supersede each other, so `OrderFacts.apply` merges
them in any order and never moves a fact backwards; each event is taken once. A
cancellation ends the order whatever comes after it (R-ORD-5): a parcel handed over in a
race with the buyer's late cancellation leaves it cancelled, its refund standing.

What logistics tells of a parcel is taken only of an order aftersales knows was confirmed
(logistics ships nothing else, R-ORD-4), and a delivery only of a parcel it knows was
shipped: until then the event waits (`NotYetKnown`: retried, then parked), as the event
telling it may still be on its way. An order's total is what its lines add up to
(`Implausible` otherwise), and only its own events (`OrderCreated`, `OrderConfirmed`) tell
it: a cancellation's total is checked against it (`domain/compensation.py`), never taken.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from pydantic import Field

from aftersales.domain.refunds import RefundLedger
from shared.contract.events import (
    CancelReason,
    Delivered,
    DeliveryWindow,
    OrderCancelled,
    OrderConfirmed,
    OrderCreated,
    OrderLine,
    ShipmentException,
    Shipped,
    StoreApproved,
    StoreUpdated,
)
from shared.contract.types import Money, StoreType, UtcDateTime, rfc3339
from shared.errors import Implausible, NotYetKnown
from shared.replica import CLOCK_SKEW, Facts, earliest
from shared.store_replica import StoreReplica

OrderFact = OrderCreated | OrderConfirmed | OrderCancelled | Shipped | Delivered | ShipmentException
StoreDecided = StoreApproved | StoreUpdated
OrderStatus = Literal["awaiting_confirmation", "confirmed", "cancelled", "shipped", "delivered"]

# How far an order has got; a fact only moves it forward. A cancellation ends the order
# (before its confirmation, R-ORD-3, or after it, R-ORD-5): no later fact undoes it, not a
# late `OrderCreated` or `OrderConfirmed`, nor a `Shipped` that raced a late cancellation.
_PROGRESS: dict[OrderStatus, int] = {
    "awaiting_confirmation": 0,
    "confirmed": 1,
    "shipped": 2,
    "delivered": 3,
    "cancelled": 4,
}


class OrderFacts(RefundLedger, Facts):
    """One order as aftersales sees it; `id` is the order id."""

    buyer_id: str | None = None
    merchant_id: str | None = None
    store_id: str | None = None
    store_type: StoreType | None = None
    categories: list[str] = Field(default_factory=list)
    status: OrderStatus = "awaiting_confirmation"
    created_at: UtcDateTime | None = None
    confirmed_at: UtcDateTime | None = None
    shipped_at: UtcDateTime | None = None
    estimated_delivery: DeliveryWindow | None = None
    delivered_at: UtcDateTime | None = None
    lost_reported_at: UtcDateTime | None = None
    cancelled_at: UtcDateTime | None = None
    cancel_reason: CancelReason | None = None

    @property
    def order_id(self) -> str:
        return self.id

    @property
    def known(self) -> bool:
        """True once `OrderCreated` or `OrderConfirmed` told who and what the order is."""
        return self.total is not None

    def merge(self, event: OrderFact) -> None:
        match event:
            case OrderCreated():
                self._created(event)
            case OrderConfirmed():
                self._confirmed(event)
            case OrderCancelled():
                self._cancelled(event)
            case Shipped():
                self._shipped(event)
            case Delivered():
                self._delivered(event)
            case ShipmentException():
                self._exception(event)

    def _created(self, event: OrderCreated) -> None:
        self._learn_goods(event.items, event.total)
        self._learn(event.buyer_id, event.merchant_id, event.store_id, event.store_type)
        self.created_at = earliest(self.created_at, event.created_at)
        self._advance("awaiting_confirmation")

    def _confirmed(self, event: OrderConfirmed) -> None:
        self._learn_goods(event.items, event.total)
        self._learn(event.buyer_id, event.merchant_id, event.store_id, event.store_type)
        self.confirmed_at = earliest(self.confirmed_at, event.confirmed_at)
        self._advance("confirmed")

    def _cancelled(self, event: OrderCancelled) -> None:
        # What a compensation needs (R-ORD-6), if the order's own events have not told it
        # yet; absent from cancellations recorded before it was added. Not the total: only
        # the order's own events tell it (a compensation checks the cancellation's).
        self._learn(event.buyer_id, event.merchant_id, event.store_id, event.store_type)
        if self.cancelled_at is None or event.cancelled_at < self.cancelled_at:
            self.cancelled_at, self.cancel_reason = event.cancelled_at, event.reason
        self._advance("cancelled")

    def _shipped(self, event: Shipped) -> None:
        self._require_confirmed(event)
        self.shipped_at = earliest(self.shipped_at, event.shipped_at)
        # A second shipment (re-sent goods) is due later: keep the latest promise.
        if (
            self.estimated_delivery is None
            or event.estimated_delivery.latest > self.estimated_delivery.latest
        ):
            self.estimated_delivery = event.estimated_delivery
        self._advance("shipped")

    def _delivered(self, event: Delivered) -> None:
        # R-AS-1: a delivery opens the window of damaged goods: only of a parcel shipped.
        if self.shipped_at is None:
            raise NotYetKnown(
                f"Delivered of order {self.id}, which aftersales has not seen shipped "
                "(Shipped); a parcel is delivered only once shipped"
            )
        self.delivered_at = earliest(self.delivered_at, event.delivered_at)
        self._advance("delivered")

    def _exception(self, event: ShipmentException) -> None:
        self._require_confirmed(event)
        if event.kind == "lost":
            self.lost_reported_at = earliest(self.lost_reported_at, event.reported_at)

    def _learn(
        self,
        buyer_id: str,
        merchant_id: str,
        store_id: str | None,
        store_type: StoreType | None,
    ) -> None:
        self.buyer_id = self.buyer_id or buyer_id
        self.merchant_id = self.merchant_id or merchant_id
        self.store_id = self.store_id or store_id
        self.store_type = self.store_type or store_type

    def _require_confirmed(self, event: Shipped | ShipmentException) -> None:
        """R-ORD-4: logistics has a shipment only of a confirmed order."""
        if self.confirmed_at is None:
            raise NotYetKnown(
                f"{type(event).__name__} of order {self.id}, which aftersales has not seen "
                "confirmed (OrderConfirmed); logistics ships only confirmed orders (R-ORD-4)"
            )

    def _learn_goods(self, items: Sequence[OrderLine], total: Money) -> None:
        added = sum(line.unit_price.amount_minor * line.quantity for line in items)
        currencies = {line.unit_price.currency for line in items}
        if (added, currencies) != (total.amount_minor, {total.currency}):
            raise Implausible(
                f"order {self.id}'s total, {total.amount_minor} {total.currency} (minor units), "
                f"is not what its lines add up to, {added} {'/'.join(sorted(currencies))}"
            )
        if self.total is None:
            self.total = total
        if not self.categories:
            self.categories = list(dict.fromkeys(item.category for item in items))

    def _advance(self, status: OrderStatus) -> None:
        if _PROGRESS[status] > _PROGRESS[self.status]:
            self.status = status


class StoreFacts(StoreReplica):
    """One store as aftersales sees it, from its `StoreApproved`; `id` is the store id.
    R-AS-2: the exemption period counts from the store's approval. A store is approved
    once (an approved application cannot be resubmitted, R-REV-6), so once its approval
    is known another one saying otherwise (an earlier date would end its exemption period
    sooner, a later one extend it; another merchant or type) is `Implausible`: who bears
    a refund never moves on such a word. The same approval sent again changes nothing.

    R-REV-12: an approved change of the store's information (`StoreUpdated`) is the same
    decision as its approval, the newest of the two winning whatever the arrival order: it
    renames the store and carries no approval date, so `approved_at` stays the approval's
    (R-AS-2 counts from it); one naming another merchant or type is `Implausible`."""

    merchant_id: str | None = None
    store_type: StoreType | None = None
    approved_at: UtcDateTime | None = None
    #: Its current name, from its approval, then its approved changes (R-REV-12).
    store_name: str | None = None

    fixed = ("merchant_id", "store_type", "approved_at")
    fixed_because = (
        "a store is approved once (R-REV-6), and R-AS-2 counts its exemption period from it"
    )
    service = "aftersales"

    @property
    def store_id(self) -> str:
        return self.id

    @staticmethod
    def refuse_backdated(event: StoreApproved, occurred_at: datetime) -> None:
        """R-AS-2: the exemption period counts from `approved_at`, which review records
        as it approves, its event occurring then; an approval dated otherwise than its
        event (beyond the clocks' skew) is `Implausible`, as an earlier date would end the
        period sooner and move refunds onto the merchant."""
        if abs(event.approved_at - occurred_at) > CLOCK_SKEW:
            raise Implausible(
                f"StoreApproved of store {event.store_id} is dated {rfc3339(event.approved_at)} "
                f"but occurred at {rfc3339(occurred_at)}; an approval is told as it is made "
                "(R-AS-2 counts the exemption period from it)"
            )
