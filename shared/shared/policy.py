"""Every policy value of the platform, in one typed object (R-POL-1).

Defaults are those of DOMAIN.md / CONTRACT.md; each is overridable in the environment as
`POLICY_<NAME>` (e.g. `POLICY_ORDER_CONFIRM_WINDOW_SECONDS=5`). Code never writes a rule's
number literally: it reads it from a `Policy` passed in, so a policy change needs no code
change, and a decision can record the values it was made under (R-REV-10).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Policy(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POLICY_", frozen=True, extra="ignore")

    # R-ORD-2: the merchant confirms within this many seconds of the order's creation.
    order_confirm_window_seconds: int = Field(86_400, gt=0)
    # R-REV-5: an application under review longer than this many working days is overdue.
    review_overdue_working_days: int = Field(3, gt=0)
    # R-LOG-1: full-managed orders ship within this many days of confirmation.
    full_managed_ship_days_max: int = Field(3, gt=0)
    # R-LOG-2: the only handling times a semi-managed store may choose (working days).
    semi_handling_days_options: Annotated[tuple[int, ...], NoDecode] = (1, 2)
    # R-LOG-5: a pickup counts for the day only before this hour, warehouse local time.
    pickup_cutoff_hour: int = Field(15, ge=0, le=23)
    # R-LOG-5: or the merchant drops the parcel at the carrier within this many hours.
    self_drop_hours: int = Field(48, gt=0)
    # R-ORD-5: a shipment not handed over this many hours past its ship-by is cancelled.
    ship_grace_hours: int = Field(72, gt=0)
    # R-AS-1: the bounds of a category's after-sales window (7-15 days by the goods); each
    # category's own days are in the category list (`shared.categories`, R-REV-11), which
    # is checked against these. A category the list does not know (data written before the
    # list) gets the longest.
    aftersales_window_days_min: int = Field(7, gt=0)
    aftersales_window_days_max: int = Field(15, gt=0)
    # R-AS-1 (decided): cases an order may have, open or closed (aftersales lists an
    # order's cases in one answer, unpaged).
    aftersales_max_cases_per_order: int = Field(5, gt=0, le=100)
    # R-AS-3 (decided): messages each party (buyer, merchant, operators) may post on one
    # case; counted per party, so one party's flood never silences the others.
    aftersales_max_messages_per_party: int = Field(20, gt=0)
    # R-AS-2: platform-borne refund period of a full-managed store, from its approval.
    exemption_period_days: int = Field(90, ge=0)
    # R-SC-1: a scorecard's measure is judged once it counts at least this many orders
    # (or complaints) in the period; fewer say too little to warn a store.
    scorecard_min_sample: int = Field(10, gt=0)
    # R-SC-1: the thresholds (developers' defaults): shares a store stays at least at...
    scorecard_confirmation_on_time_min: float = Field(0.95, ge=0, le=1)
    scorecard_handover_on_time_min: float = Field(0.95, ge=0, le=1)
    scorecard_delivery_in_window_min: float = Field(0.90, ge=0, le=1)
    scorecard_first_response_in_time_min: float = Field(0.90, ge=0, le=1)
    # ... or at most.
    scorecard_cancellation_rate_max: float = Field(0.05, ge=0, le=1)
    scorecard_refund_rate_max: float = Field(0.10, ge=0, le=1)
    # R-AS-3: a merchant's first answer to a complaint counts as prompt within these hours.
    scorecard_first_response_hours: int = Field(24, gt=0)
    # R-REV-4: largest accepted document.
    document_max_bytes: int = Field(10_485_760, gt=0)
    # R-REV-16: an invitation opens a full-managed store within this many days of its issue.
    invitation_valid_days: int = Field(30, gt=0)
    # R-SET-1: commission on a semi-managed order's total (full-managed pays none, R-FEE-1);
    # a Decimal, so the amount rounds exactly (half-even per order, settlement's ledger).
    semi_managed_commission_rate: Decimal = Field(Decimal("0.05"), ge=0, le=1)
    # R-SET-4, R-FEE-2: payout cycle lengths in days; full-managed's is the shorter.
    payout_cycle_days_full_managed: int = Field(7, gt=0)
    payout_cycle_days_semi_managed: int = Field(14, gt=0)

    @field_validator("semi_handling_days_options", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(int(part) for part in value.split(",") if part.strip())
        return value

    @model_validator(mode="after")
    def _full_managed_paid_sooner(self) -> Policy:
        # R-FEE-2: full-managed's promise is a shorter payout cycle than semi-managed's.
        if self.payout_cycle_days_full_managed >= self.payout_cycle_days_semi_managed:
            raise ValueError(
                "R-FEE-2: PAYOUT_CYCLE_DAYS_FULL_MANAGED "
                f"({self.payout_cycle_days_full_managed}) must be shorter than "
                f"PAYOUT_CYCLE_DAYS_SEMI_MANAGED ({self.payout_cycle_days_semi_managed})"
            )
        return self

    @model_validator(mode="after")
    def _window_bounds_in_order(self) -> Policy:
        if self.aftersales_window_days_min > self.aftersales_window_days_max:
            raise ValueError(
                f"R-AS-1: AFTERSALES_WINDOW_DAYS_MIN ({self.aftersales_window_days_min}) is "
                f"above AFTERSALES_WINDOW_DAYS_MAX ({self.aftersales_window_days_max})"
            )
        return self

    def snapshot(self) -> dict[str, Any]:
        """The values in force, as recorded with a decision (R-REV-10)."""
        return self.model_dump(mode="json")
