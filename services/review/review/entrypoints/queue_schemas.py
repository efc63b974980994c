"""The review queue's answers (R-REV-5): store applications, change requests (R-REV-12),
products and price changes (R-REV-15) under review, one list."""

from __future__ import annotations

from pydantic import BaseModel

from review.adapters.queries import QueueKind, QueuePosition
from review.domain.model import Product, Stage, Store
from review.service_layer.deadlines import Overdue
from shared.calendar import CalendarBasis
from shared.contract.types import StoreType, UtcDateTime


class QueueItemPublic(BaseModel):
    kind: QueueKind
    #: The store's, the change request's or the product's id (a price change's too).
    id: str
    store_id: str
    merchant_id: str
    store_type: StoreType
    #: The store's name or the product's title.
    name: str
    #: Under review since (a change request: since it was asked or last answered).
    submitted_at: UtcDateTime
    overdue: bool
    calendar: CalendarBasis | None
    current_stage: Stage | None

    @classmethod
    def of(
        cls, position: QueuePosition, item: Store | Product, deadline: Overdue
    ) -> QueueItemPublic:
        if isinstance(item, Product):
            store_id, name, stage = item.store_id, item.title, None
        elif position.kind == "change_request":
            store_id, name = item.id, item.name
            stage = item.change_request(position.id).current_stage
        else:
            store_id, name, stage = item.id, item.name, item.current_stage
        return cls(
            kind=position.kind,
            id=position.id,
            store_id=store_id,
            merchant_id=item.merchant_id,
            store_type=item.store_type,
            name=name,
            submitted_at=position.submitted_at,
            overdue=deadline.overdue,
            calendar=deadline.calendar,
            current_stage=stage,
        )


class ReviewQueuePage(BaseModel):
    items: list[QueueItemPublic]
    next_cursor: str | None
