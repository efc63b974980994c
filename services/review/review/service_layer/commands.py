"""The store and invitation use cases behind the HTTP API (R-REV-1..7, R-REV-12,
R-REV-13, R-REV-16)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from review.adapters.documents import StoredDocuments
from review.adapters.queries import ReviewQueries
from review.domain.application import StoreApplication
from review.domain.categories import check_store_categories
from review.domain.changes import ChangeRequest, StoreChanges
from review.domain.errors import Conflict
from review.domain.invitation import invitation_to_use
from review.domain.issues import Issue
from review.domain.model import Invitation, Message, Stage, StageDecision, Store
from review.service_layer.documents import cite
from shared.auth import Principal
from shared.categories import CategoryList, default_categories
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
    decision: StageDecision
    reason: str | None
    #: R-REV-13: the items to supply, when the decision is `needs_info`.
    items: list[Issue] = field(default_factory=list)
    #: R-REV-12: the change request decided, or None for the application.
    change_id: str | None = None


@dataclass
class StoreCommands:
    stores: AggregateRepository[Store]
    invitations: AggregateRepository[Invitation]
    queries: ReviewQueries
    clock: Clock
    policy: Policy
    #: R-REV-11: the codes a store's categories are.
    categories: CategoryList = field(default_factory=default_categories)
    #: R-REV-14: the uploads an application's citations name.
    documents: StoredDocuments | None = None

    async def invite(self, merchant_id: str, operator_id: str) -> Invitation:
        """R-REV-1: the platform invites a merchant to open a full-managed store, for
        `INVITATION_VALID_DAYS` (R-REV-16)."""
        now = self.clock.now()
        invitation = Invitation.issue(
            str(uuid.uuid4()), merchant_id, operator_id, now, policy=self.policy
        )
        await self.invitations.add(invitation, now=now)
        return invitation

    async def revoke_invitation(self, invitation_id: str, operator_id: str) -> Invitation:
        """R-REV-16: an operator revokes an unused invitation; again, nothing changes."""

        async def attempt() -> Invitation:
            invitation = await self.invitations.get(invitation_id)
            if invitation is None:
                raise NotFound(f"No invitation {invitation_id}.")
            now = self.clock.now()
            invitation.revoke(operator_id, now)
            await self.invitations.save(invitation, now=now)
            return invitation

        return await retry_on_conflict(attempt)

    async def apply(self, command: ApplyForStore) -> Store:
        """R-REV-4: a new application, `under_review` or `needs_info` with its issues;
        categories not of the list are refused (R-REV-11)."""
        check_store_categories(command.application.categories, self.categories)
        # R-REV-14: a new store has no uploads yet: a citation is an issue to resubmit.
        command = ApplyForStore(command.merchant_id, await cite(None, None, command.application))
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
        now = self.clock.now()
        invitation = await self._usable_invitation(command.merchant_id, now)
        store_id = (invitation.used_by_store_id if invitation else None) or str(uuid.uuid4())
        # Refuses (NotAllowed → 403) without an invitation, or with an expired or revoked
        # one (R-REV-16), before anything is written.
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

    async def _usable_invitation(self, merchant_id: str, now: datetime) -> Invitation | None:
        """An invitation whose store was never stored (an interrupted application) first,
        else the one `invitation_to_use` chooses (R-REV-16)."""
        invitations = await self.queries.invitations_of(merchant_id)
        chosen = invitation_to_use(invitations, now)
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
        check_store_categories(application.categories, self.categories)

        async def attempt() -> Store:
            store = await self._owned(store_id, merchant)
            cited = await cite(self.documents, store_id, application)  # R-REV-14
            now = self.clock.now()
            store.resubmit(cited, self.policy, now)
            await self.stores.save(store, now=now)
            return store

        return await retry_on_conflict(attempt)

    async def decide(self, command: DecideStage) -> Store:
        """R-REV-3: one stage of the application or of a change request (R-REV-12); the
        last approval or any rejection publishes the outcome; `needs_info` returns it
        (R-REV-13)."""

        async def attempt() -> Store:
            store = await self.stores.get(command.store_id)
            if store is None:
                raise NotFound(f"No store {command.store_id}.")
            now, items = self.clock.now(), command.items
            decided = (command.stage, command.decision, command.reason, command.operator_id)
            if command.change_id is None:
                store.decide(*decided, self.policy, now, items=items)
            else:
                store.decide_change(command.change_id, *decided, self.policy, now, items=items)
            await self.stores.save(store, now=now)
            return store

        return await retry_on_conflict(attempt)

    async def request_change(
        self, store_id: str, merchant: Principal, changes: StoreChanges
    ) -> ChangeRequest:
        """R-REV-12: an approved store asks to change its business information."""
        change_id = str(uuid.uuid4())
        return await self._change(
            store_id,
            merchant,
            changes,
            lambda store, now: store.request_change(change_id, changes, self.policy, now),
        )

    async def answer_change(
        self, store_id: str, change_id: str, merchant: Principal, changes: StoreChanges
    ) -> ChangeRequest:
        """R-REV-13: the merchant answers a change request returned for information."""
        return await self._change(
            store_id,
            merchant,
            changes,
            lambda store, now: store.answer_change(change_id, changes, self.policy, now),
        )

    async def withdraw_change(
        self, store_id: str, change_id: str, merchant: Principal
    ) -> ChangeRequest:
        return await self._change(
            store_id, merchant, None, lambda store, now: store.withdraw_change(change_id, now)
        )

    async def _change(
        self,
        store_id: str,
        merchant: Principal,
        changes: StoreChanges | None,
        act: Callable[[Store, datetime], ChangeRequest],
    ) -> ChangeRequest:
        if changes is not None and changes.categories is not None:
            check_store_categories(changes.categories, self.categories)  # R-REV-11

        async def attempt() -> ChangeRequest:
            store = await self._owned(store_id, merchant)
            now = self.clock.now()
            change = act(store, now)
            await self.stores.save(store, now=now)
            return change

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
