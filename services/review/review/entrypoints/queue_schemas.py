"""The review queue's answers (R-REV-5): stores and products under review, one list."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from review.domain.model import Product, Stage, Store
from review.service_layer.deadlines import Overdue
from shared.calendar import CalendarBasis
from shared.contract.types import StoreType, UtcDateTime


class QueueItemPublic(BaseModel):
    kind: Literal["store", "product"]
    #: The store's or the product's id, by `kind`.
    id: str
    store_id: str
    merchant_id: str
    store_type: StoreType
    #: The store's name or the product's title.
    name: str
    submitted_at: UtcDateTime
    overdue: bool
    calendar: CalendarBasis | None
    current_stage: Stage | None

    @classmethod
    def of(
        cls, kind: Literal["store", "product"], item: Store | Product, deadline: Overdue
    ) -> QueueItemPublic:
        if isinstance(item, Store):
            store_id, name, stage = item.id, item.name, item.current_stage
        else:
            store_id, name, stage = item.store_id, item.title, None
        return cls(
            kind=kind,
            id=item.id,
            store_id=store_id,
            merchant_id=item.merchant_id,
            store_type=item.store_type,
            name=name,
            submitted_at=item.submitted_at,
            overdue=deadline.overdue,
            calendar=deadline.calendar,
            current_stage=stage,
        )


class ReviewQueuePage(BaseModel):
    items: list[QueueItemPublic]
    next_cursor: str | None
