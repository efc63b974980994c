"""The event contract: envelope, payload models and their registry, their versions
(`versions`, `snapshots`, `compatibility`) and their form on the wire (`wire`)."""

from shared.contract.envelope import (
    REGISTRY,
    ContractViolation,
    Envelope,
    NewerVersion,
    record_event,
)
from shared.contract.wire import CONTENT_TYPE, parse_event, to_wire

__all__ = [
    "CONTENT_TYPE",
    "REGISTRY",
    "ContractViolation",
    "Envelope",
    "NewerVersion",
    "parse_event",
    "record_event",
    "to_wire",
]
