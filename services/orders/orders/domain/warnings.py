"""The warnings of one store in one period (R-SC-1): a store whose scorecard falls past a
threshold is warned once per period and measure, however many of its orders (and however
many reviews, by however many processes) find it there. Pure: no I/O."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from orders.domain.scorecard import Bound, Scorecard
from shared.aggregate import Aggregate
from shared.contract.events import Measure, StoreWarned
from shared.contract.types import UtcDateTime


class StoreWarning(BaseModel):
    """What the store was warned of: the figure when it was judged, and its threshold."""

    value: float
    threshold: float
    bound: Bound
    sample: int
    warned_at: UtcDateTime


class StorePeriod(Aggregate):
    """One store's period (`orders.domain.scorecard.period_of`), with its warnings."""

    store_id: str
    merchant_id: str
    period: str
    warnings: dict[Measure, StoreWarning] = {}

    @classmethod
    def open(cls, store_id: str, merchant_id: str, period: str) -> StorePeriod:
        return cls(
            id=key(store_id, period), store_id=store_id, merchant_id=merchant_id, period=period
        )

    def judge(self, card: Scorecard, now: datetime) -> list[Measure]:
        """Warn of each failing measure not yet warned of in this period: a
        `StoreWarned` each. The measures warned of now."""
        warned: list[Measure] = []
        for figure in card.failing:
            if figure.measure in self.warnings or figure.value is None:
                continue
            warning = StoreWarning(
                value=round(figure.value, 4),
                threshold=figure.threshold,
                bound=figure.bound,
                sample=figure.sample,
                warned_at=now,
            )
            self.warnings = {**self.warnings, figure.measure: warning}
            told = self.model_dump(include={"store_id", "merchant_id", "period"})
            self.record(StoreWarned(measure=figure.measure, **told, **warning.model_dump()))
            warned.append(figure.measure)
        return warned


def key(store_id: str, period: str) -> str:
    """A store's period's id: one document, so one set of warnings, per store and period."""
    return f"{store_id}|{period}"
