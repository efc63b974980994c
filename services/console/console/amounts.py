"""Amounts as people type them (`12.50`, in the currency's major unit) and as the services
keep them (`amount_minor`, an integer of the currency's minor unit): converted exactly, with
Decimal and the currency's own number of decimals from CLDR (Babel), never through a
float. More decimals than the currency has are refused, not rounded: money adds up to the
minor unit."""

from __future__ import annotations

import re
from decimal import Decimal

from babel.numbers import UnknownCurrencyError, get_currency_precision

#: Digits, then a point and digits if any: no sign, no exponent, at most 15 digits whole.
AMOUNT = re.compile(r"\d{1,15}(\.\d{1,12})?")


class AmountRefused(ValueError):
    """What is wrong with the amount typed, in words the person can act on."""


def minor_units(typed: str, currency: str) -> int:
    """`12.50` USD → 1250; `1,234` JPY → 1234; `12.345` USD refused."""
    try:
        decimals = get_currency_precision(currency)
    except UnknownCurrencyError:
        raise AmountRefused(f"{currency} is not a currency.") from None
    text = typed.strip().replace(",", "")
    if not AMOUNT.fullmatch(text):
        raise AmountRefused(f"'{typed}' is not an amount in {currency}; type one like 12.50.")
    amount = Decimal(text)
    if amount != amount.quantize(Decimal(1).scaleb(-decimals)):
        allowed = f"{decimals} decimals" if decimals else "no decimals"
        raise AmountRefused(f"{currency} has {allowed}: '{typed}' has more; type it exactly.")
    return int(amount.scaleb(decimals))


def typed_amount(minor: int, currency: str) -> str:
    """Minor units as a form shows them to be typed (`49.90` for 4990 USD): no symbol, no
    grouping."""
    decimals = get_currency_precision(currency)
    return f"{Decimal(minor).scaleb(-decimals):.{decimals}f}"
