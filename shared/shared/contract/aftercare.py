"""The contract's events from an order's after-sales and the store's record: complaints
and their cases (R-AS-1..3), refunds (R-AS-2, R-ORD-5), and the warnings of a store's
scorecard (R-SC-1). Part of `shared.contract.events`, which lists every event."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.contract.types import ContractModel, LiableParty, Money, UtcDateTime


class AfterSalesCaseOpened(ContractModel):
    case_id: str
    order_id: str
    reason: Literal["damaged", "lost", "not_received", "not_as_described"]
    opened_at: UtcDateTime


class AfterSalesCaseAnswered(ContractModel):
    """The store's merchant answered a complaint for the first time (R-AS-3): once per
    case, counted on the store's scorecard (R-SC-1)."""

    case_id: str
    order_id: str
    opened_at: UtcDateTime
    answered_at: UtcDateTime


class AfterSalesCaseRejected(ContractModel):
    """An operator rejected a case (R-AS-2): it is closed without a refund, so nobody
    waits on it any more (R-ORD-5: every order ends)."""

    case_id: str
    order_id: str
    note: str
    rejected_at: UtcDateTime


class RefundIssued(ContractModel):
    #: The case resolved with this refund; null for the refund of a cancelled order.
    case_id: str | None
    order_id: str
    amount: Money
    liable_party: LiableParty
    issued_at: UtcDateTime
    #: An after-sales case (R-AS-2), or the cause of the order's cancellation (R-ORD-5).
    reason: Literal["after_sales_case", "no_route", "not_shipped", "buyer_cancelled_late"] = (
        "after_sales_case"
    )


#: What a store's scorecard measures (R-SC-1): each a share of its orders in a period.
Measure = Literal[
    "confirmation_on_time",
    "handover_on_time",
    "delivery_in_window",
    "cancellation_rate",
    "refund_rate",
    "first_response_in_time",
]


class StoreWarned(ContractModel):
    """A store's scorecard fell past a threshold for a measure in a period (R-SC-1): once
    per store, period and measure, whatever the number of its orders."""

    store_id: str
    merchant_id: str
    measure: Measure
    #: The measure's figure when it was judged (a share, 0 to 1), and its threshold.
    value: float
    threshold: float
    #: `at_least` or `at_most`: which side of the threshold the figure must stay.
    bound: Literal["at_least", "at_most"]
    #: How many orders (or complaints) the figure counts.
    sample: int
    #: The calendar month (UTC) of the orders' creation, e.g. `2026-12`.
    period: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    warned_at: UtcDateTime
