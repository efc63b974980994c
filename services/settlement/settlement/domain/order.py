"""What settlement knows of one order: the facts its money follows (R-SET-1..3).

A replica of facts (`shared.replica`): `OrderCreated`, `OrderConfirmed`, `OrderCancelled`,
`Shipped`, `Delivered`, `ShipmentException`, `AfterSalesCaseOpened`,
`AfterSalesCaseRejected` and `RefundIssued`, merged in any order, each event taken once
(by its id, `Replicas.apply`), and merging the same fact again changes nothing: the
earliest time of each fact, the cases opened and closed as sets, refunds by case. The
ledger entries follow from these facts (`settlement.domain.earnings.entries_due`), not
from the order events came in: the buyer's money from the confirmation (R-ORD-2), the
earning from the delivery (R-SET-1), and nothing earned once cancelled (R-SET-3).

Refunds are checked against the order as they meet it, whichever came first: a refund in
another currency than the order's, refunds above its total, or a case refunded twice
otherwise are `Implausible` (aftersales never issues them), and so is a second total:
such an event is refused whole, nothing taken.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from settlement.domain.ledger import Store
from shared.aftersales_window import window_close
from shared.categories import CategoryList
from shared.contract.events import (
    AfterSalesCaseOpened,
    AfterSalesCaseRejected,
    Delivered,
    OrderCancelled,
    OrderConfirmed,
    OrderCreated,
    RefundIssued,
    ShipmentException,
    Shipped,
)
from shared.contract.types import (
    IsoDate,
    LiableParty,
    Money,
    StoreType,
    UtcDateTime,
)
from shared.errors import Implausible
from shared.replica import CLOCK_SKEW, Facts, earliest

OrderFact = (
    OrderCreated
    | OrderConfirmed
    | OrderCancelled
    | Shipped
    | Delivered
    | ShipmentException
    | AfterSalesCaseOpened
    | AfterSalesCaseRejected
    | RefundIssued
)


class Refund(BaseModel):
    """A refund issued on the order: of a case, or (`case_id` None) of its cancellation."""

    model_config = ConfigDict(frozen=True)

    case_id: str | None
    amount: Money
    liable_party: LiableParty
    issued_at: UtcDateTime


class OrderSettlement(Facts):
    """One order as settlement sees it; `id` is the order id."""

    store_id: str | None = None
    merchant_id: str | None = None
    store_type: StoreType | None = None
    #: The order's total at the approved prices (R-SET-1), from its own events.
    total: Money | None = None
    categories: list[str] = Field(default_factory=list)
    #: When the merchant accepted the order the buyer paid (R-ORD-2): its collection.
    confirmed_at: UtcDateTime | None = None
    delivered_at: UtcDateTime | None = None
    #: The latest estimated delivery date of its parcel (R-AS-1 counts from its end).
    due_latest: IsoDate | None = None
    lost_reported_at: UtcDateTime | None = None
    cancelled_at: UtcDateTime | None = None
    cases_opened: dict[str, UtcDateTime] = Field(default_factory=dict)
    #: A case closes when rejected or refunded: the earliest told.
    cases_closed: dict[str, UtcDateTime] = Field(default_factory=dict)
    #: By case id; "" for the refund of the order's cancellation (R-ORD-5).
    refunds: dict[str, Refund] = Field(default_factory=dict)

    def merge(self, event: OrderFact) -> None:
        match event:
            case OrderCreated() | OrderConfirmed():
                self._learn_total(event)  # first: it may refuse the event, nothing taken
                self._learn(event.store_id, event.merchant_id, event.store_type)
                if isinstance(event, OrderConfirmed):
                    self.confirmed_at = earliest(self.confirmed_at, event.confirmed_at)
            case OrderCancelled():
                self._learn(event.store_id, event.merchant_id, event.store_type)
                self.cancelled_at = earliest(self.cancelled_at, event.cancelled_at)
            case Shipped():
                latest = event.estimated_delivery.latest
                self.due_latest = (
                    latest if self.due_latest is None else max(self.due_latest, latest)
                )
            case Delivered():
                self.delivered_at = earliest(self.delivered_at, event.delivered_at)
            case ShipmentException():
                if event.kind == "lost":
                    self.lost_reported_at = earliest(self.lost_reported_at, event.reported_at)
            case AfterSalesCaseOpened():
                self.cases_opened = _with_earliest(
                    self.cases_opened, event.case_id, event.opened_at
                )
            case AfterSalesCaseRejected():
                at = event.rejected_at
                self.cases_closed = _with_earliest(self.cases_closed, event.case_id, at)
            case RefundIssued():
                self._refunded(event)

    @property
    def store(self) -> Store | None:
        """Whose money the order's is, once one of its events told it."""
        if self.store_id is None or self.merchant_id is None or self.store_type is None:
            return None
        return Store(
            store_id=self.store_id, merchant_id=self.merchant_id, store_type=self.store_type
        )

    @property
    def cancelled(self) -> bool:
        """R-ORD-5: told by its cancellation, or by its refund (a refund without a case is
        only ever of a cancelled order's)."""
        return self.cancelled_at is not None or "" in self.refunds

    @property
    def earns(self) -> bool:
        """R-SET-1, R-SET-3: delivered, known, and not cancelled. An order is cancelled
        only before it ships (R-ORD-3, R-ORD-5); a parcel delivered after a cancellation
        that raced its handover leaves the order cancelled, its refund standing."""
        known = self.total is not None and self.store is not None
        return known and self.delivered_at is not None and not self.cancelled

    def release_at(self, categories: CategoryList) -> datetime | None:
        """R-SET-2: when the earnings become payable: the after-sales window's close
        (R-AS-1, as aftersales counts it), or later the resolution of the last case open
        then; None while not delivered, or shipped, or while a case open at the close is
        unresolved."""
        close = window_close(
            self.categories,
            categories,
            delivered_at=self.delivered_at,
            lost_reported_at=self.lost_reported_at,
            due_latest=self.due_latest,
        )
        if self.delivered_at is None or close is None or self.due_latest is None:
            # A delivered parcel was handed over first: until its `Shipped` is told, the
            # close is not known (it counts from the end of the latest estimated date too,
            # as aftersales counts it), and a release made on the delivery alone could
            # come before a case aftersales still takes.
            return None
        release = close
        for case_id in self.cases_opened.keys() | self.cases_closed.keys():
            opened_at, closed_at = self.cases_opened.get(case_id), self.cases_closed.get(case_id)
            if opened_at is not None and opened_at >= close:
                continue  # not open at the close (aftersales opens none then)
            if closed_at is None:
                return None  # held until it is resolved
            release = max(release, closed_at)
        return release

    def release_due(self, now: datetime, categories: CategoryList) -> bool:
        """R-SET-2: the release is due `CLOCK_SKEW` after its moment: aftersales judges
        the window on its own clock, which may lag this one by as much, and may take a case
        until then. A case told after the release does not undo it (a release is never
        reversed for a case): a refund on it is debited from `payable` (R-SET-3)."""
        release = self.release_at(categories)
        return release is not None and now >= release + CLOCK_SKEW

    def _learn(self, store_id: str | None, merchant_id: str, store_type: StoreType | None) -> None:
        self.store_id = self.store_id or store_id
        self.merchant_id = self.merchant_id or merchant_id
        self.store_type = self.store_type or store_type

    def _learn_total(self, event: OrderCreated | OrderConfirmed) -> None:
        if self.total is not None and self.total != event.total:
            raise Implausible(
                f"{type(event).__name__} of order {self.id} says its total is "
                f"{_text(event.total)}, but {_text(self.total)} was told; a total never changes"
            )
        _check_refunds(self.id, event.total, self.refunds)
        self.total = event.total
        if not self.categories:
            self.categories = list(dict.fromkeys(item.category for item in event.items))

    def _refunded(self, event: RefundIssued) -> None:
        key = event.case_id or ""
        refund = Refund(
            case_id=event.case_id,
            amount=event.amount,
            liable_party=event.liable_party,
            issued_at=event.issued_at,
        )
        known = self.refunds.get(key)
        if known is not None and known != refund:
            raise Implausible(
                f"RefundIssued of order {self.id}, case {event.case_id}, says "
                f"{_text(refund.amount)} borne by the {refund.liable_party}, but "
                f"{_text(known.amount)} borne by the {known.liable_party} was told; a case "
                "(or a cancellation) is refunded once"
            )
        refunds = {**self.refunds, key: refund}
        _check_refunds(self.id, self.total, refunds)
        self.refunds = refunds
        if event.case_id is not None:
            self.cases_closed = _with_earliest(self.cases_closed, event.case_id, event.issued_at)


def _with_earliest(times: dict[str, datetime], key: str, at: datetime) -> dict[str, datetime]:
    if key in times and times[key] <= at:
        return times
    return {**times, key: at}


def _check_refunds(order_id: str, total: Money | None, refunds: dict[str, Refund]) -> None:
    """`Implausible` if the refunds are in another currency than the order's, or above
    its total, together (aftersales never refunds more, R-AS-2, R-ORD-5)."""
    if total is None or not refunds:
        return
    currencies = {refund.amount.currency for refund in refunds.values()}
    refunded = sum(refund.amount.amount_minor for refund in refunds.values())
    if currencies != {total.currency} or refunded > total.amount_minor:
        raise Implausible(
            f"refunds of order {order_id} ({refunded} in {'/'.join(sorted(currencies))}, "
            f"minor units) are not within its total, {_text(total)}; aftersales never "
            "refunds more than an order's total"
        )


def _text(money: Money) -> str:
    return f"{money.amount_minor} {money.currency} (minor units)"
