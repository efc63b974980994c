"""Review's events of a change to what it approved: a store's business information
(R-REV-12) and a product taken off sale (R-REV-15). Listed in `events` with the others."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.contract.types import (
    CategoryCode,
    ContractModel,
    Money,
    NonEmpty,
    StoreType,
    UtcDateTime,
    Warehouse,
)

#: The business information of an approved store a change request may change (R-REV-12).
StoreField = Literal[
    "name", "company_name", "contact_email", "categories", "warehouse", "handling_days"
]


class StoreUpdated(ContractModel):
    """R-REV-12: an approved change of a store's business information, as it now stands.

    It carries what `StoreApproved` carries (the store's information its consumers keep),
    as it is after the change, so a consumer's replica takes it the way it takes an
    approval (the newest wins, whatever the arrival order), and names what changed.
    `company_name` and `contact_email` stay in review: they are named in `changed`, never
    sent."""

    store_id: str
    merchant_id: str
    store_type: StoreType
    store_name: str
    categories: list[CategoryCode]
    handling_days: int | None = None
    warehouse: Warehouse | None = None
    changed: list[StoreField] = Field(min_length=1)
    change_request_id: str
    updated_at: UtcDateTime


class ProductDelisted(ContractModel):
    """R-REV-15: a listed product taken off sale by its merchant or an operator; no new
    order includes it. It carries the listing as it stood, like the decisions it follows."""

    product_id: str
    store_id: str
    merchant_id: str
    store_type: StoreType
    title: str
    category: CategoryCode
    price: Money
    weight_grams: int = Field(gt=0)
    reason: NonEmpty
    delisted_by: Literal["merchant", "operator"]
    delisted_at: UtcDateTime
