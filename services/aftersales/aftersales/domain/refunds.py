"""The refund ledger of an order: every refund held against its total, keyed by case (or,
for the whole-order refund of a cancelled order, R-ORD-5, by `cancellation_key`)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from aftersales.domain.errors import Conflict, Invalid
from shared.aggregate import Aggregate
from shared.contract.types import Money, UtcDateTime


def money_text(money: Money) -> str:
    return f"{money.amount_minor} {money.currency} (minor units)"


def cancellation_key(order_id: str) -> str:
    """The ledger key of a cancelled order's refund (R-ORD-5): one per order, whichever
    `OrderCancelled` brings it, so it is held (and issued) once. No case has this id."""
    return f"cancellation:{order_id}"


class RefundReservation(BaseModel):
    """A refund held against the order's total for one case, from before the case is
    resolved, or for the order's cancellation (`case_id` is then `cancellation_key`). The
    ledger lives in the order's own document, so "the refunds of an order never exceed its
    total" is decided by one versioned single-document write."""

    case_id: str
    amount: Money
    reserved_at: UtcDateTime


class RefundLedger(Aggregate):
    """The money side of `OrderFacts`: what the buyer paid and what is held for refunds."""

    total: Money | None = None
    refund_reservations: list[RefundReservation] = Field(default_factory=list)
    #: The keys (a cancellation's) for which nothing was left to refund when decided: the
    #: decision is kept, so the same event told again decides nothing anew (a hold since
    #: released must not make it refund then).
    nothing_left: list[str] = Field(default_factory=list)

    @property
    def refunded(self) -> Money | None:
        """Every refund held on the order (issued or being issued); None before any."""
        return self._reserved_sum()

    def require_total(self) -> Money:
        if self.total is None:
            raise Conflict(f"order {self.id} is not known to after-sales yet; try again shortly")
        return self.total

    def refundable_left(self, *, excluding_case: str | None = None) -> Money:
        """The order total less every refund held on it (but `excluding_case`'s own)."""
        total = self.require_total()
        held = self._reserved_sum(excluding_case)
        refunded = held.amount_minor if held is not None else 0
        return Money(amount_minor=total.amount_minor - refunded, currency=total.currency)

    def check_refund(self, amount: Money, *, excluding_case: str | None = None) -> None:
        """Refunds of an order never exceed what the buyer paid: Invalid above the total
        or in another currency, Conflict above what earlier refunds left."""
        total = self.require_total()
        if amount.currency != total.currency:
            raise Invalid(
                f"refund in {amount.currency}, but order {self.id} was paid in {total.currency}"
            )
        if amount.amount_minor > total.amount_minor:
            raise Invalid(
                f"refund of {money_text(amount)} is above the order total of {money_text(total)}"
            )
        left = self.refundable_left(excluding_case=excluding_case)
        if amount.amount_minor > left.amount_minor:
            raise Conflict(
                f"refund of {money_text(amount)} is above what is left refundable on order "
                f"{self.id}: {money_text(left)} of {money_text(total)}"
            )

    def reservation_of(self, case_id: str) -> RefundReservation | None:
        return next((r for r in self.refund_reservations if r.case_id == case_id), None)

    def reserve_refund(self, case_id: str, amount: Money, at: datetime) -> bool:
        """Hold `amount` of the total for `case_id`. True if held now; False if that very
        reservation already stands (a retry); Conflict if the case holds another amount."""
        existing = self.reservation_of(case_id)
        if existing is not None:
            if existing.amount == amount:
                return False
            raise Conflict(
                f"case {case_id} already holds a refund of {money_text(existing.amount)} on "
                f"order {self.id} from an unfinished resolution; resolve it again with that "
                "refund to complete it, or reject the case to release it"
            )
        self.check_refund(amount)
        self.refund_reservations = [
            *self.refund_reservations,
            RefundReservation(case_id=case_id, amount=amount, reserved_at=at),
        ]
        return True

    def reserve_the_rest(self, key: str, at: datetime) -> tuple[Money | None, bool]:
        """Hold all that is left refundable for `key` (a cancelled order's refund of the
        whole order, R-ORD-5): the amount held, and whether the order changed now. Held
        already under `key`: that same amount, nothing more (a retry).
        Nothing left: (None, True) the first time, the decision to be stored; (None, False)
        after. Conflict if the total is not known yet."""
        if key in self.nothing_left:
            return None, False
        existing = self.reservation_of(key)
        if existing is not None:
            return existing.amount, False
        left = self.refundable_left(excluding_case=key)
        if left.amount_minor == 0:
            self.nothing_left = [*self.nothing_left, key]
            return None, True
        self.reserve_refund(key, left, at)
        return left, True

    def release_refund(self, case_id: str) -> bool:
        """Drop the reservation of a case that will never refund (it was rejected)."""
        kept = [r for r in self.refund_reservations if r.case_id != case_id]
        changed = len(kept) != len(self.refund_reservations)
        self.refund_reservations = kept
        return changed

    def _reserved_sum(self, excluding_case: str | None = None) -> Money | None:
        amounts = [r.amount for r in self.refund_reservations if r.case_id != excluding_case]
        if not amounts:
            return None
        held = amounts[0]
        for amount in amounts[1:]:
            held = held + amount
        return held
