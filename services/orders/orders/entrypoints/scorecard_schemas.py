"""The body of `GET /merchants/{id}/scorecard` (R-SC-1): each store's figures over the
days asked for, and the warnings of the periods they touch."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from pydantic import BaseModel

from orders.domain.scorecard import Bound, Figure, Scorecard
from orders.domain.warnings import StorePeriod
from orders.service_layer.scorecards import MerchantCard
from shared.contract.events import Measure
from shared.contract.types import StoreType, UtcDateTime


class FigurePublic(BaseModel):
    measure: Measure
    #: `hits` / `sample` (a share, 0 to 1); null with no sample.
    value: float | None
    hits: int
    sample: int
    threshold: float
    bound: Bound
    #: Enough sample, and the store's to answer for (see the README's scorecard).
    judged: bool
    #: Judged and past its threshold: the store is warned of it once per period.
    failing: bool

    @classmethod
    def of(cls, figure: Figure) -> FigurePublic:
        value = None if figure.value is None else round(figure.value, 4)
        return cls(**asdict(figure), value=value, failing=figure.failing)


class StoreScorecard(BaseModel):
    store_id: str
    store_type: StoreType
    orders: int
    measures: list[FigurePublic]
    #: Every cancellation of the store's orders, by its cause (R-ORD-3, R-ORD-5).
    cancellations: dict[str, int]
    #: R-LOG-8: deliveries after the window's latest date, and their days late in all.
    late_deliveries: int
    days_late: int
    #: R-AS-3: the median time to the merchant's first answer to a complaint.
    median_first_response_seconds: float | None

    @classmethod
    def of(cls, card: Scorecard) -> StoreScorecard:
        tally = card.tally
        return cls(
            store_id=card.store_id,
            store_type=card.store_type,
            orders=tally.orders,
            measures=[FigurePublic.of(figure) for figure in card.figures],
            cancellations=dict(tally.cancellations),
            late_deliveries=len(tally.delivered) - sum(tally.delivered),
            days_late=tally.days_late,
            median_first_response_seconds=card.median_first_response_seconds,
        )


class WarningPublic(BaseModel):
    """A `StoreWarned` as the store's period keeps it."""

    store_id: str
    period: str
    measure: Measure
    value: float
    threshold: float
    bound: Bound
    sample: int
    warned_at: UtcDateTime

    @classmethod
    def all_of(cls, period: StorePeriod) -> list[WarningPublic]:
        return [
            cls(store_id=period.store_id, period=period.period, measure=measure, **w.model_dump())
            for measure, w in period.warnings.items()
        ]


class MerchantScorecard(BaseModel):
    merchant_id: str
    #: The days counted, both included (UTC): orders created on them.
    from_date: date
    to_date: date
    stores: list[StoreScorecard]
    #: The warnings of every period (calendar month) those days touch.
    warnings: list[WarningPublic]

    @classmethod
    def of(cls, card: MerchantCard) -> MerchantScorecard:
        return cls(
            merchant_id=card.merchant_id,
            from_date=card.first,
            to_date=card.last,
            stores=[StoreScorecard.of(store) for store in card.cards],
            warnings=[w for period in card.periods for w in WarningPublic.all_of(period)],
        )
