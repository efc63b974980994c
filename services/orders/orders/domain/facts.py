"""What logistics and aftersales told orders of one order (R-ORD-4 onwards), kept as facts
for the view of its whole process (`orders.domain.process`, R-ORD-5).

Facts never supersede each other, so `ProcessFacts.learn` merges them in any order of
arrival (each event is taken once: `Order.take` keeps the event ids): the earliest time
of each fact wins, a case refunded before its opening arrived is not left open. Pure.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from shared.contract import events
from shared.replica import earliest

#: What other services tell about an order (R-ORD-4 onwards) that goes on its timeline
#: and may move it forward.
OrderFact = (
    events.ShipmentCreated
    | events.Shipped
    | events.Delivered
    | events.ShipmentLate
    | events.ShipmentException
    | events.AfterSalesCaseOpened
    | events.AfterSalesCaseAnswered
    | events.AfterSalesCaseRejected
    | events.RefundIssued
)
#: ... and every fact `Order.take` takes, `ShipmentCancelled` too (which may end the
#: order: `Order.shipment_cancelled`, R-ORD-5).
Fact = OrderFact | events.ShipmentCancelled


class ProcessFacts(BaseModel):
    """The facts the order's process and its store's scorecard need, beyond its status:
    when its parcel was handed over, delivered (late or not), flagged late (R-LOG-1..8),
    reported lost or damaged, cancelled (R-ORD-5); its after-sales cases, the merchant's
    answers and the refunds (R-AS-1..3, R-ORD-5)."""

    shipped_at: datetime | None = None
    #: The delivery window `Shipped` promised (the latest, if several).
    shipped_window: events.DeliveryWindow | None = None
    delivered_at: datetime | None = None
    #: R-LOG-8: delivered after its window's latest date, by so many days (logistics').
    delivered_late: bool = False
    days_late: int = 0
    late_detected_at: datetime | None = None
    exception_kind: Literal["lost", "damaged", "no_route"] | None = None
    exception_at: datetime | None = None
    lost_reported_at: datetime | None = None
    shipment_cancel_reason: Literal["no_route", "not_shipped", "order_cancelled"] | None = None
    shipment_cancelled_at: datetime | None = None
    #: Each case opened (its id → when), and the cases a refund resolved.
    cases_opened: dict[str, datetime] = {}
    #: The merchant's first answer to each case it answered (R-AS-3, for R-SC-1).
    cases_answered: dict[str, datetime] = {}
    cases_refunded: list[str] = []
    #: The cases an operator rejected: closed, without a refund.
    cases_rejected: list[str] = []
    #: The whole-order refund of a cancellation (R-ORD-5): `RefundIssued` without a case.
    cancellation_refunded_at: datetime | None = None

    @property
    def open_cases(self) -> dict[str, datetime]:
        """Cases opened and not (yet known to be) refunded or rejected."""
        closed = {*self.cases_refunded, *self.cases_rejected}
        return {case: at for case, at in self.cases_opened.items() if case not in closed}

    def learn(self, event: Fact) -> None:
        match event:
            case events.Shipped():
                self.shipped_at = earliest(self.shipped_at, event.shipped_at)
                window = self.shipped_window
                if window is None or event.estimated_delivery.latest > window.latest:
                    self.shipped_window = event.estimated_delivery
            case events.Delivered():
                self.delivered_at = earliest(self.delivered_at, event.delivered_at)
                self.delivered_late, self.days_late = event.late, event.days_late
            case events.ShipmentLate():
                self.late_detected_at = earliest(self.late_detected_at, event.detected_at)
            case events.ShipmentException():
                self._exception(event)
            case events.ShipmentCancelled():
                if self.shipment_cancelled_at is None:
                    self.shipment_cancel_reason = event.reason
                    self.shipment_cancelled_at = event.cancelled_at
            case events.AfterSalesCaseOpened():
                self.cases_opened = {**self.cases_opened, event.case_id: event.opened_at}
            case events.AfterSalesCaseAnswered():
                answered = self.cases_answered.get(event.case_id, event.answered_at)
                self.cases_answered = {
                    **self.cases_answered,
                    event.case_id: min(answered, event.answered_at),
                }
            case events.AfterSalesCaseRejected():
                if event.case_id not in self.cases_rejected:
                    self.cases_rejected = [*self.cases_rejected, event.case_id]
            case events.RefundIssued():
                self._refund(event)

    def _exception(self, event: events.ShipmentException) -> None:
        if self.exception_at is None or event.reported_at < self.exception_at:
            self.exception_kind, self.exception_at = event.kind, event.reported_at
        if event.kind == "lost":
            self.lost_reported_at = earliest(self.lost_reported_at, event.reported_at)

    def _refund(self, event: events.RefundIssued) -> None:
        if event.case_id is None:
            self.cancellation_refunded_at = earliest(self.cancellation_refunded_at, event.issued_at)
        elif event.case_id not in self.cases_refunded:
            self.cases_refunded = [*self.cases_refunded, event.case_id]
