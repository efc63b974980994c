"""Who may ship, what a parcel weighs, and the shipment's refusals (R-LOG-1, R-LOG-4)."""

from __future__ import annotations

from collections.abc import Iterable

from shared.contract.events import OrderLine
from shared.contract.types import Role, StoreType


class ShipmentError(Exception):
    """A command the shipment refuses; the message is for a human."""


class InvalidTransition(ShipmentError):
    pass


class NoRoute(ShipmentError):
    """R-LOG-6: no route rule accepts this parcel."""


def may_ship(store_type: StoreType, role: Role, subject: str, merchant_id: str) -> bool:
    """R-LOG-1: the platform ships full-managed orders; R-LOG-4: the owning merchant
    ships its semi-managed orders itself."""
    if store_type == "full_managed":
        return role == "operator"
    return role == "merchant" and subject == merchant_id


def order_weight_grams(items: Iterable[OrderLine]) -> int:
    return sum(line.weight_grams * line.quantity for line in items)
