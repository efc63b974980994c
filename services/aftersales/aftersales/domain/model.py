"""The after-sales case: a buyer's claim on an order and the operator's decision."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from aftersales.domain.errors import Conflict, Invalid
from aftersales.domain.facts import OrderFacts, StoreFacts
from aftersales.domain.refunds import money_text
from aftersales.domain.rules import Reason, check_can_open, liable_party
from shared.aggregate import Aggregate
from shared.categories import CategoryList
from shared.clock import utc_ms
from shared.contract.events import (
    AfterSalesCaseAnswered,
    AfterSalesCaseOpened,
    AfterSalesCaseRejected,
    RefundIssued,
)
from shared.contract.types import LiableParty, Money, Role, StoreType, UtcDateTime
from shared.policy import Policy

CaseStatus = Literal["open", "refunded", "rejected"]
Decision = Literal["refund", "reject"]


class Resolution(BaseModel):
    decision: Decision
    refund: Money | None = None
    note: str
    operator_id: str
    at: UtcDateTime


class CaseMessage(BaseModel):
    author_role: Role
    author_id: str
    body: str
    at: UtcDateTime


class CaseFields(BaseModel):
    """What a case is, as opened and shown (`CasePublic`)."""

    order_id: str
    buyer_id: str
    merchant_id: str
    store_id: str
    store_type: StoreType
    reason: Reason
    description: str
    refund_requested: Money
    status: CaseStatus = "open"
    opened_at: UtcDateTime


class Case(Aggregate, CaseFields):
    """One after-sales case; `id` is the case id."""

    # R-AS-2 / R-REV-10: who bore the refund, why, and the policy the decision was made under.
    liable_party: LiableParty | None = None
    liability_rule: str | None = None
    policy_snapshot: dict[str, Any] | None = None
    resolution: Resolution | None = None
    #: When the case was decided; top-level so refunds are found per period by an index.
    resolved_at: UtcDateTime | None = None
    messages: list[CaseMessage] = Field(default_factory=list)
    # R-AS-3: when an operator first answered (a message or the decision), and when the
    # store's merchant did (its scorecard's first response, R-SC-1).
    first_operator_response_at: UtcDateTime | None = None
    first_merchant_response_at: UtcDateTime | None = None

    @property
    def case_id(self) -> str:
        return self.id

    @classmethod
    def open(
        cls,
        case_id: str,
        order: OrderFacts,
        reason: Reason,
        description: str,
        refund_requested: Money,
        now: datetime,
        categories: CategoryList,
    ) -> Case:
        """Open a case on `order` (the caller has checked the buyer owns it)."""
        now = utc_ms(now)
        total = order.require_total()
        if (
            order.buyer_id is None
            or order.merchant_id is None
            or order.store_id is None
            or order.store_type is None
        ):
            raise Conflict(f"order {order.id} is not known to after-sales yet; try again shortly")
        if refund_requested.currency != total.currency:
            raise Invalid(
                f"refund requested in {refund_requested.currency}, but order {order.id} was "
                f"paid in {total.currency}"
            )
        if refund_requested.amount_minor > total.amount_minor:
            raise Invalid(
                f"refund requested ({money_text(refund_requested)}) is above the order total "
                f"of {money_text(total)}"
            )
        check_can_open(reason, order, now, categories)
        case = cls(
            id=case_id,
            order_id=order.id,
            buyer_id=order.buyer_id,
            merchant_id=order.merchant_id,
            store_id=order.store_id,
            store_type=order.store_type,
            reason=reason,
            description=description,
            refund_requested=refund_requested,
            opened_at=now,
        )
        case.record(
            AfterSalesCaseOpened(case_id=case_id, order_id=order.id, reason=reason, opened_at=now)
        )
        return case

    def resolve(
        self,
        decision: Decision,
        refund: Money | None,
        note: str,
        operator_id: str,
        order: OrderFacts,
        store: StoreFacts | None,
        now: datetime,
        policy: Policy,
    ) -> None:
        """Decide the case. A refund records `RefundIssued`. The refund is checked against
        the order's other refunds; the caller holds it first with `order.reserve_refund`
        (the service layer's two-step resolution), so this case's own hold is excluded."""
        now = utc_ms(now)
        if self.status != "open":
            raise Conflict(f"case {self.id} is already {self.status}; it cannot be resolved again")
        if order.id != self.order_id:
            raise ValueError(f"case {self.id} is about order {self.order_id}, not {order.id}")
        check_decision(decision, refund, note)
        if decision == "reject":
            self.status = "rejected"
            self.record(
                AfterSalesCaseRejected(
                    case_id=self.id, order_id=self.order_id, note=note, rejected_at=now
                )
            )
        else:
            assert refund is not None  # check_decision
            order.check_refund(refund, excluding_case=self.id)
            party, rule_note = liable_party(store, self.store_type, self.opened_at, policy)
            self.liable_party, self.liability_rule = party, rule_note
            self.status = "refunded"
            self.record(
                RefundIssued(
                    case_id=self.id,
                    order_id=self.order_id,
                    amount=refund,
                    liable_party=party,
                    issued_at=now,
                    reason="after_sales_case",
                )
            )
        self.policy_snapshot = policy.snapshot()
        self.resolution = Resolution(
            decision=decision, refund=refund, note=note, operator_id=operator_id, at=now
        )
        self.resolved_at = now
        self._note_operator_response(now)

    def add_message(
        self, author_role: Role, author_id: str, body: str, now: datetime, policy: Policy
    ) -> None:
        """R-AS-3: a question or answer on the case, from any party, at any status, up to
        `AFTERSALES_MAX_MESSAGES_PER_PARTY` of each party's; the merchant's first tells its
        store's scorecard (`AfterSalesCaseAnswered`, R-SC-1)."""
        now = utc_ms(now)
        if not body.strip():
            raise Invalid("a message needs a body")
        posted = sum(message.author_role == author_role for message in self.messages)
        if posted >= policy.aftersales_max_messages_per_party:
            raise Conflict(
                f"case {self.id} already has {posted} messages from its {author_role}, the most "
                "each party may post on one case; the other parties can still answer",
                rule="R-AS-3",
            )
        self.messages = [
            *self.messages,
            CaseMessage(author_role=author_role, author_id=author_id, body=body, at=now),
        ]
        if author_role == "operator":
            self._note_operator_response(now)
        elif author_role == "merchant" and self.first_merchant_response_at is None:
            self.first_merchant_response_at = now
            self.record(
                AfterSalesCaseAnswered(
                    case_id=self.id,
                    order_id=self.order_id,
                    opened_at=self.opened_at,
                    answered_at=now,
                )
            )

    @property
    def first_response_seconds(self) -> float | None:
        """R-AS-3: how long the buyer waited for an operator's first answer."""
        if self.first_operator_response_at is None:
            return None
        return (self.first_operator_response_at - self.opened_at).total_seconds()

    def _note_operator_response(self, now: datetime) -> None:
        if self.first_operator_response_at is None:
            self.first_operator_response_at = now


def check_decision(decision: Decision, refund: Money | None, note: str) -> None:
    """The shape of a decision, before anything is held or written: Invalid if wrong."""
    if decision == "reject":
        if refund is not None:
            raise Invalid("a rejection carries no refund; decide 'refund' to refund")
        if not note.strip():
            raise Invalid("a rejection needs a note telling the buyer why")
    elif refund is None or refund.amount_minor == 0:
        raise Invalid("a 'refund' decision needs a refund above zero")
