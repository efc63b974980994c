"""Onboarding in the console: an operator invites a merchant (R-REV-1, R-REV-16), the
merchant applies for a store with its documents (R-REV-2, R-REV-4, R-REV-14), then lists
products of its approved store for review (R-REV-8, R-REV-9)."""

from __future__ import annotations

from fastapi import APIRouter

from console.pages import onboarding_apply, onboarding_invitations, onboarding_listing

router = APIRouter()
for _page in (onboarding_invitations, onboarding_apply, onboarding_listing):
    router.include_router(_page.router)
