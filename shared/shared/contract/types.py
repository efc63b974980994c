"""Value types every API and event shares: money, UTC times, addresses (CONTRACT.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictInt,
    StrictStr,
    StringConstraints,
    WithJsonSchema,
)

from shared.clock import utc_ms
from shared.inputs import ONE_LINE


def _require_aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("a time must carry its offset, e.g. 2026-11-27T08:00:00Z")
    return utc_ms(moment)


def rfc3339(moment: datetime) -> str:
    """RFC 3339 in UTC with a `Z`, milliseconds only when there are some."""
    moment = utc_ms(moment)
    if moment.microsecond:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


UtcDateTime = Annotated[
    datetime,
    AfterValidator(_require_aware),
    PlainSerializer(rfc3339, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]

#: A calendar date, stored and sent as `YYYY-MM-DD` (BSON has no date-only type).
IsoDate = Annotated[
    date,
    PlainSerializer(date.isoformat, return_type=str),
    WithJsonSchema({"type": "string", "format": "date"}, mode="serialization"),
]

StoreType = Literal["full_managed", "semi_managed"]
Role = Literal["buyer", "merchant", "operator"]
LiableParty = Literal["platform", "merchant"]
#: What moved money in settlement's ledger (R-SET-5): each entry's kind.
LedgerEntryKind = Literal["collection", "earning", "release", "refund", "payout", "reversal"]


def _known_currency(code: str) -> str:
    if pycountry.currencies.get(alpha_3=code) is None:
        raise ValueError(f"{code} is not an ISO 4217 currency code (e.g. USD, EUR, CNY)")
    return code


def _known_country(code: str) -> str:
    if pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"{code} is not an ISO 3166-1 alpha-2 country code (e.g. ES, US)")
    return code


# ISO data from the maintained `pycountry` package, not a hand-written list.
CurrencyCode = Annotated[
    str, StringConstraints(pattern=r"^[A-Z]{3}$"), AfterValidator(_known_currency)
]
CountryCode = Annotated[
    str, StringConstraints(pattern=r"^[A-Z]{2}$"), AfterValidator(_known_country)
]
#: A category's code (R-REV-11): a lowercase slug, letters and digits, words joined by
#: single hyphens (`pet-food`). Which codes exist is configuration (`shared.categories`).
CATEGORY_CODE_PATTERN = r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$"
CategoryCode = Annotated[str, StringConstraints(pattern=CATEGORY_CODE_PATTERN, max_length=40)]
#: One line of text (`shared.inputs`: no control characters in a request body).
NonEmpty = Annotated[
    StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), ONE_LINE
]


class ContractModel(BaseModel):
    """Strict about shape: unknown fields are refused, values are never coerced silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Money(ContractModel):
    amount_minor: StrictInt = Field(ge=0, le=10**12)
    currency: CurrencyCode

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(amount_minor=self.amount_minor + other.amount_minor, currency=self.currency)

    def times(self, quantity: int) -> Money:
        return Money(amount_minor=self.amount_minor * quantity, currency=self.currency)


class ShippingAddress(ContractModel):
    recipient: NonEmpty
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{5,20}$")]
    country: CountryCode
    city: NonEmpty
    line1: NonEmpty
    postal_code: Annotated[
        StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=20), ONE_LINE
    ]


class Warehouse(ContractModel):
    country: CountryCode
    city: NonEmpty
    address: NonEmpty
    timezone: Annotated[StrictStr, StringConstraints(min_length=1, max_length=64), ONE_LINE]
