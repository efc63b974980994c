"""The review service's aggregates, in one place for the service layer and adapters."""

from review.domain.invitation import Invitation
from review.domain.overdue import Decision
from review.domain.product import Product, ProductListing, ProductStatus
from review.domain.store import Store
from review.domain.store_parts import (
    STAGES,
    Message,
    Stage,
    StageDecision,
    StageReview,
    StageStatus,
    StoreStatus,
    StoreWarning,
    Submission,
)

__all__ = [
    "STAGES",
    "Decision",
    "Invitation",
    "Message",
    "Product",
    "ProductListing",
    "ProductStatus",
    "Stage",
    "StageDecision",
    "StageReview",
    "StageStatus",
    "Store",
    "StoreStatus",
    "StoreWarning",
    "Submission",
]
