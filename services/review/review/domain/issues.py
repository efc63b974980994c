"""A problem found in what a merchant submitted, and what to do about it (R-REV-4)."""

from __future__ import annotations

from shared.contract.types import ContractModel


class Issue(ContractModel):
    #: Where the problem is, as a path into the request, e.g. `documents[1].content_type`.
    field: str
    #: What is wrong and what to do, in words the merchant can act on.
    problem: str
