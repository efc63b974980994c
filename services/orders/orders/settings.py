from __future__ import annotations

from pydantic import Field

from shared.settings import ServiceSettings

#: Decided for R-ORD-5: how long an automatic reaction to an event may take (logistics
#: plans a confirmed order, aftersales refunds a cancelled one) before the order is overdue.
PROCESS_REACTION_SECONDS = 300.0

#: How often, at most, the stores' scorecards are reviewed for warnings (R-SC-1).
SCORECARD_REVIEW_SECONDS = 300.0


class OrdersSettings(ServiceSettings):
    port: int = Field(8002, validation_alias="ORDERS_PORT")
    #: `PROCESS_REACTION_SECONDS`: see `orders.domain.process`.
    process_reaction_seconds: float = Field(PROCESS_REACTION_SECONDS, gt=0)
    #: `SCORECARD_REVIEW_SECONDS`: see `orders.service_layer.scorecards`.
    scorecard_review_seconds: float = Field(SCORECARD_REVIEW_SECONDS, gt=0)
