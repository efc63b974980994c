"""The store and invitation use cases behind the HTTP API (R-REV-1..7)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from review.adapters.queries import ReviewQueries
from review.domain.application import StoreApplication
from review.domain.errors import Conflict
from review.domain.model import Decision, Invitation, Message, Stage, Store
from shared.auth import Principal
from shared.clock import Clock
from shared.errors import NotFound
from shared.policy import Policy
from shared.repository import AggregateRepository, AlreadyExists, retry_on_conflict


@dataclass(frozen=True)
class ApplyForStore:
    merchant_id: str
    application: StoreApplication


@dataclass(frozen=True)
class DecideStage:
    store_id: str
    operator_id: str
    stage: Stage
    decision: Decision
    reason: str | None


@dataclass
class StoreCommands:
    stores: AggregateRepository[Store]
    invitations: AggregateRepository[Invitation]
    queries: ReviewQueries
    clock: Clock
    policy: Policy

    async def invite(self, merchant_id: str, operator_id: str) -> Invitation:
        """R-REV-1: the platform invites a merchant to open a full-managed store."""
        now = self.clock.now()
        invitation = Invitation.issue(str(uuid.uuid4()), merchant_id, operator_id, now)
        await self.invitations.add(invitation, now=now)
        return invitation

    async def apply(self, command: ApplyForStore) -> Store:
        """R-REV-4: a new application, `under_review` or `needs_info` with its issues."""
        if command.application.store_type == "full_managed":
            return await retry_on_conflict(lambda: self._apply_invited(command))
        now = self.clock.now()
        store = Store.apply(
            str(uuid.uuid4()), command.merchant_id, command.application, self.policy, now
        )
        await self.stores.add(store, now=now)
        return store

    async def _apply_invited(self, command: ApplyForStore) -> Store:
        """R-REV-1: one invitation opens one full-managed store.

        The invitation is marked used first, naming the new store's id, and the store is
        stored second. A crash in between leaves an invitation naming a store that does not
        exist; the merchant's next application finds it and completes it with that id, so
        the invitation is never lost and never opens two stores.
        """
        invitation = await self._usable_invitation(command.merchant_id)
        store_id = (invitation.used_by_store_id if invitation else None) or str(uuid.uuid4())
        now = self.clock.now()
        # Refuses (NotAllowed → 403) without an invitation, before anything is written.
        store = Store.apply(
            store_id,
            command.merchant_id,
            command.application,
            self.policy,
            now,
            invitation=invitation,
        )
        assert invitation is not None  # Store.apply refused a full-managed store without one
        await self.invitations.save(invitation, now=now)  # a racing use: reload, decide again
        try:
            await self.stores.add(store, now=now)
        except AlreadyExists as error:
            # Another request of this merchant completed the same interrupted application.
            raise Conflict(
                f"this invitation already opened store {store_id}; "
                "ask the platform for a new invitation"
            ) from error
        return store

    async def _usable_invitation(self, merchant_id: str) -> Invitation | None:
        """An invitation whose store was never stored (an interrupted application) first,
        else the merchant's oldest unused one."""
        invitations = await self.queries.invitations_of(merchant_id)
        chosen = next((each for each in invitations if not each.is_used), None)
        for invitation in invitations:
            used_by = invitation.used_by_store_id
            if used_by is not None and await self.stores.get(used_by) is None:
                chosen = invitation
                break
        # Read again through its repository, which keeps what its outbox holds.
        return None if chosen is None else await self.invitations.get(chosen.id)

    async def get_visible(self, store_id: str, principal: Principal) -> Store:
        """The store if the caller may see it; another merchant's store is 404."""
        return principal.sees(await self.stores.get(store_id), f"No store {store_id} for you.")

    async def resubmit(
        self, store_id: str, merchant: Principal, application: StoreApplication
    ) -> Store:
        """R-REV-6: corrected information after `needs_info` or a rejection."""

        async def attempt() -> Store:
            store = await self._owned(store_id, merchant)
            now = self.clock.now()
            store.resubmit(application, self.policy, now)
            await self.stores.save(store, now=now)
            return store

        return await retry_on_conflict(attempt)

    async def decide(self, command: DecideStage) -> Store:
        """R-REV-3: one stage; the last approval or any rejection publishes the outcome."""

        async def attempt() -> Store:
            store = await self.stores.get(command.store_id)
            if store is None:
                raise NotFound(f"No store {command.store_id}.")
            now = self.clock.now()
            store.decide(
                command.stage,
                command.decision,
                command.reason,
                command.operator_id,
                self.policy,
                now,
            )
            await self.stores.save(store, now=now)
            return store

        return await retry_on_conflict(attempt)

    async def post_message(self, store_id: str, author: Principal, body: str) -> Message:
        """R-REV-7: the support thread on an application, owner and operators."""

        async def attempt() -> Message:
            store = await self.get_visible(store_id, author)
            now = self.clock.now()
            store.post_message(author.role, author.sub, body, now)
            await self.stores.save(store, now=now)
            return store.messages[-1]

        return await retry_on_conflict(attempt)

    async def _owned(self, store_id: str, merchant: Principal) -> Store:
        return merchant.owns(await self.stores.get(store_id), f"No store {store_id} for you.")
