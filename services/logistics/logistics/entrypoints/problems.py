"""Logistics' domain errors → problem+json: the one place of that mapping."""

from __future__ import annotations

from logistics.domain.parties import InvalidTransition, NoRoute, ShipmentError
from shared.problems import ProblemMap, answer

PROBLEMS: ProblemMap = {
    # A shipment asked to move to a status its current one does not lead to.
    InvalidTransition: answer(409, "conflict", "Conflicts with the current state"),
    # R-LOG-6: no route rule accepts the parcel.
    NoRoute: answer(422, "no-route", "No route"),
    ShipmentError: answer(422, "unprocessable", "Request cannot be processed"),
}
