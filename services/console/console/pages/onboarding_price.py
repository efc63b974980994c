"""A price as a person types it (`12.50`, in the currency's major unit) and as the
services keep it (`amount_minor`, an integer of the currency's minor unit): converted
exactly, with Decimal and the currency's own number of decimals from CLDR (Babel), never
through a float; more decimals than the currency has are refused, not rounded."""

from __future__ import annotations

from console import amounts

#: The currencies offered for a product's supply price.
CURRENCIES = ("USD", "EUR", "GBP", "CNY", "JPY")


class PriceRefused(ValueError):
    """What is wrong with the amount typed, in words the person can act on."""


def minor_units(typed: str, currency: str) -> int:
    """`12.50` USD → 1250; `1234` JPY → 1234; `12.345` USD refused (R-REV-8: a price
    the merchant meant, exactly)."""
    if currency not in CURRENCIES:
        raise PriceRefused(f"Choose one of {', '.join(CURRENCIES)}.")
    try:
        minor = amounts.minor_units(typed, currency)
    except amounts.AmountRefused as refused:
        raise PriceRefused(str(refused)) from None
    if minor <= 0:
        raise PriceRefused("Give a price above zero, e.g. 12.50.")
    return minor
