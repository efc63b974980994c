"""The order aggregate: its 24-hour confirmation rule (R-ORD-1..4) and its end when it
cannot or does not ship (R-ORD-5). Pure: no I/O."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from orders.domain.errors import OrderConflict, OrderError
from orders.domain.facts import Fact
from orders.domain.implausible import refuse_implausible
from orders.domain.order_parts import (
    TIMELINE_DETAIL,
    TOLD,
    OrderState,
    OrderStatus,
    one_line_per_product,
)
from shared.contract.events import (
    AfterSalesCaseAnswered,
    AfterSalesCaseOpened,
    AfterSalesCaseRejected,
    CancelReason,
    Delivered,
    OrderCancelled,
    OrderConfirmed,
    OrderCreated,
    OrderLine,
    ShipmentCancelled,
    ShipmentCreated,
    ShipmentException,
    ShipmentLate,
    Shipped,
)
from shared.contract.types import ShippingAddress, StoreType, rfc3339
from shared.policy import Policy


class Order(OrderState):
    """What happens to an order, each change with the event it records."""

    @classmethod
    def place(
        cls,
        *,
        order_id: str,
        buyer_id: str,
        store_id: str,
        merchant_id: str,
        store_type: StoreType,
        items: list[OrderLine],
        address: ShippingAddress,
        now: datetime,
        policy: Policy,
        request_fingerprint: str | None = None,
    ) -> Order:
        """R-ORD-1: generated at once. R-ORD-2: to be confirmed by `confirm_by`."""
        if not items:
            raise OrderError("An order needs at least one item.")
        one_line_per_product(items)
        total = items[0].unit_price.times(items[0].quantity)
        for line in items[1:]:
            total = total + line.unit_price.times(line.quantity)
        order = cls(
            id=order_id,
            buyer_id=buyer_id,
            store_id=store_id,
            merchant_id=merchant_id,
            store_type=store_type,
            items=items,
            total=total,
            shipping_address=address,
            status="awaiting_confirmation",
            created_at=now,
            confirm_by=now + timedelta(seconds=policy.order_confirm_window_seconds),
            request_fingerprint=request_fingerprint,
        )
        order._log(now, "OrderCreated", confirm_by=rfc3339(order.confirm_by))
        order.record(OrderCreated(**order._told(), created_at=now, confirm_by=order.confirm_by))
        return order

    def _told(self) -> dict[str, Any]:
        """What its events tell of every order: who, what, and where to."""
        return {"order_id": self.id, **self.model_dump(include=TOLD)}

    def seconds_left(self, now: datetime) -> float | None:
        """R-ORD-2: how long the merchant still has to confirm; None once not awaiting."""
        if self.status != "awaiting_confirmation":
            return None
        return max((self.confirm_by - now).total_seconds(), 0.0)

    def is_past_deadline(self, now: datetime) -> bool:
        return now >= self.confirm_by

    def confirm(self, now: datetime) -> None:
        """R-ORD-2: only while awaiting confirmation and before `confirm_by`."""
        self._require_awaiting("confirm")
        if self.is_past_deadline(now):
            raise OrderConflict(
                f"The confirmation deadline passed at {rfc3339(self.confirm_by)} "
                "(R-ORD-2); the order is cancelled by itself and cannot be confirmed.",
                "past_deadline",
            )
        self.status, self.confirmed_at, self.confirmation_outcome = "confirmed", now, "on_time"
        self.confirm_seconds = (now - self.created_at).total_seconds()
        self._log(now, "OrderConfirmed")
        self.record(OrderConfirmed(**self._told(), confirmed_at=now))

    def cancel_by_buyer(self, now: datetime) -> None:
        """The buyer cancels: before the merchant confirms (CONTRACT.md, `buyer_cancelled`),
        or, once confirmed, when it is past its `ship_by` and still not shipped (R-ORD-5,
        `buyer_cancelled_late`)."""
        if self.status == "confirmed":
            self._cancel_late(now)
            return
        self._require_not_shipped()
        self._require_awaiting("cancel")
        if self.is_past_deadline(now):
            raise OrderConflict(
                "The order already timed out (R-ORD-3); nothing to cancel.", "past_deadline"
            )
        self._cancel("buyer_cancelled", now)

    def _cancel_late(self, now: datetime) -> None:
        """R-ORD-5 `buyer_cancelled_late`: only once the confirmed order is past `ship_by`;
        before it (or before logistics told it), the buyer is told until when to wait."""
        if self.ship_by is None:
            raise OrderConflict(
                "The order is confirmed and its shipment is still being planned, so its "
                "ship-by time is not known yet; if it is not shipped by then, you may cancel "
                "it (R-ORD-5). The order shows `ship_by` once known.",
                "not_yet_late",
                ship_by=None,
            )
        if now < self.ship_by:
            ship_by = rfc3339(self.ship_by)
            raise OrderConflict(
                f"The order is confirmed and its merchant has until {ship_by} to hand it to "
                f"the carrier; if it is not shipped by then, you may cancel it (R-ORD-5): "
                f"wait until {ship_by}.",
                "not_yet_late",
                ship_by=ship_by,
            )
        self._cancel("buyer_cancelled_late", now)

    def _require_not_shipped(self) -> None:
        """Past `confirmed` an order is with the carrier (shipped, delivered, refunded after a
        case): no longer anybody's to cancel (R-ORD-5 needs it not shipped)."""
        if self.status != "cancelled" and self._beyond("confirmed"):
            raise OrderConflict(
                f"The order is already {self.status}: it was handed to the carrier and can "
                "no longer be cancelled; once delivered, open an after-sales case instead.",
                "already_shipped",
            )

    def shipment_cancelled(self, event_id: str, event: ShipmentCancelled, now: datetime) -> bool:
        """R-ORD-5: logistics cancelled the order's shipment. No route accepts it
        (`no_route`) or it was not handed over in time (`not_shipped`): a confirmed order
        is cancelled with that reason (once: a shipped or already cancelled order only
        notes it). Its order was cancelled (`order_cancelled`): only noted. Taken once per
        event id, in any order with the other facts; False if already taken."""
        if not self.take(event_id, event):
            return False
        if event.reason != "order_cancelled" and self.status == "confirmed":
            self._cancel(event.reason, now)
        return True

    def expire(self, now: datetime) -> bool:
        """R-ORD-3: unconfirmed at `confirm_by`: cancelled by itself. False if not due."""
        if self.status != "awaiting_confirmation" or not self.is_past_deadline(now):
            return False
        self.confirmation_outcome = "timed_out"
        self._cancel("confirmation_timeout", now)
        return True

    def _cancel(self, reason: CancelReason, now: datetime) -> None:
        self.status, self.cancelled_at, self.cancel_reason = "cancelled", now, reason
        self._log(now, "OrderCancelled", reason=reason)
        self.record(
            OrderCancelled(
                order_id=self.id,
                buyer_id=self.buyer_id,
                merchant_id=self.merchant_id,
                reason=reason,
                cancelled_at=now,
                # What the refund of R-ORD-5 and its liability (R-ORD-6) need.
                store_id=self.store_id,
                store_type=self.store_type,
                total=self.total,
            )
        )

    def _require_awaiting(self, action: str) -> None:
        if self.status == "cancelled":
            timed_out = self.cancel_reason == "confirmation_timeout"
            raise OrderConflict(
                f"The order was cancelled ({self.cancel_reason}); it cannot {action}.",
                "past_deadline" if timed_out else "cancelled",
            )
        if self.status != "awaiting_confirmation":
            raise OrderConflict(
                f"The order is already {self.status}; only an order awaiting "
                f"confirmation can {action}.",
                f"already_{self.status}",
            )

    def take(self, event_id: str, event: Fact) -> bool:
        """A fact from another service (R-ORD-4 onwards), taken once per event id: it goes
        on the timeline and may move the order forward (never back, never out of
        cancelled). False for an event already taken; `Implausible` if it cannot be so."""
        if self.has_applied(event_id):
            return False
        refuse_implausible(self, event)
        self.mark_applied(event_id)
        self.facts.learn(event)
        at, status = self._progress(event)
        detail = event.model_dump(mode="json", include=TIMELINE_DETAIL.get(type(event), set()))
        self._log(at, type(event).__name__, **detail)
        if status is not None and self.status != "cancelled" and self._behind(status):
            self.status = status
        return True

    def _progress(self, event: Fact) -> tuple[datetime, OrderStatus | None]:
        """When `event` happened, and the status it moves the order to (if any)."""
        match event:
            case ShipmentCreated():
                self.shipment_id, self.route = event.shipment_id, event.route
                self.ship_by, self.estimated_delivery = event.ship_by, event.estimated_delivery
                return event.created_at, None
            case ShipmentCancelled():
                return event.cancelled_at, None
            case Shipped():
                return event.shipped_at, "shipped"
            case Delivered():
                return event.delivered_at, "delivered"
            case ShipmentLate():
                self.ship_by = self.ship_by or event.ship_by
                return event.detected_at, None
            case ShipmentException():
                return event.reported_at, None
            case AfterSalesCaseOpened():
                return event.opened_at, None
            case AfterSalesCaseAnswered():
                return event.answered_at, None
            case AfterSalesCaseRejected():
                return event.rejected_at, None
        refunded = event.amount if self.refunded is None else self.refunded + event.amount
        self.refunded = refunded
        whole = refunded.amount_minor >= self.total.amount_minor
        return event.issued_at, "refunded" if whole else "partially_refunded"
