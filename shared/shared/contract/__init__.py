"""The event contract of CONTRACT.md: envelope, payload models and their registry."""

from shared.contract.envelope import (
    REGISTRY,
    ContractViolation,
    Envelope,
    parse_event,
    record_event,
)

__all__ = ["REGISTRY", "ContractViolation", "Envelope", "parse_event", "record_event"]
