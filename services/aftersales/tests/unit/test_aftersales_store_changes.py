"""Aftersales' store replica through its `StoreUpdated` handler (no engine, no broker): an
approved change of a store's information (R-REV-12) renames it and is one decision with
its approval, the newest of the two winning whatever the arrival order; it never moves the
approval date R-AS-2 counts the exemption period from, nor the store's merchant or type."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from shared.errors import Implausible, NotYetKnown
from testkit.aftersales_unit import TOTAL, an_aftersales_service, an_open_case, resolve, the_store
from testkit.factories import MERCHANT, STORE, STORE_FORGERIES, T0, a_store_approved
from testkit.store_changes import a_store_updated

#: When the store's change is approved: after its approval at T0.
CHANGED_AT = T0 + timedelta(hours=1)


async def test_a_change_renames_the_store_and_keeps_its_approval() -> None:  # R-REV-12, R-AS-2
    wired = await an_aftersales_service()
    await wired.deliver(a_store_approved(at=T0), at=T0)
    assert (await the_store(wired)).store_name == "Tea House"
    wired.clock.set(CHANGED_AT)
    changed = a_store_updated(at=CHANGED_AT)
    await wired.deliver(changed, at=changed.updated_at)
    store = await the_store(wired)
    assert (store.store_name, store.approved_at) == ("Tea House & Co", T0)
    assert (store.merchant_id, store.store_type, store.version) == (MERCHANT, "full_managed", 2)
    assert wired.ports.published == []  # a replica publishes nothing


async def test_a_late_older_approval_undoes_no_change() -> None:  # R-REV-12
    wired = await an_aftersales_service()
    wired.clock.set(CHANGED_AT)
    approval, changed = a_store_approved(at=T0), a_store_updated(at=CHANGED_AT)
    await wired.deliver(approval, at=T0)
    await wired.deliver(changed, at=changed.updated_at)
    await wired.deliver(approval, at=T0)  # sent again, after the change
    store = await the_store(wired)
    assert (store.store_name, store.approved_at, store.version) == ("Tea House & Co", T0, 2)


async def test_an_older_change_arriving_after_a_newer_one_changes_nothing() -> None:
    wired = await an_aftersales_service()
    wired.clock.set(CHANGED_AT + timedelta(hours=1))
    await wired.deliver(a_store_approved(at=T0), at=T0)
    newer = a_store_updated(store_name="Tea House III", at=CHANGED_AT + timedelta(hours=1))
    older = a_store_updated(store_name="Tea House II", at=CHANGED_AT)
    await wired.deliver(newer, at=newer.updated_at)
    await wired.deliver(older, at=older.updated_at)
    assert (await the_store(wired)).store_name == "Tea House III"


async def test_a_change_of_a_store_not_seen_approved_waits() -> None:  # R-REV-12, R-AS-2
    """Taken first, it would leave the store with no approval date for R-AS-2: it is
    retried (then parked) until the approval is known."""
    wired = await an_aftersales_service()
    wired.clock.set(CHANGED_AT)
    changed = a_store_updated(at=CHANGED_AT)
    with pytest.raises(NotYetKnown, match="which aftersales has not seen approved"):
        await wired.deliver(changed, at=changed.updated_at)
    assert await wired.services.events.stores.get(STORE) is None
    await wired.deliver(a_store_approved(at=T0), at=T0)
    await wired.deliver(changed, at=changed.updated_at)  # the consumer's retry
    store = await the_store(wired)
    assert (store.store_name, store.approved_at) == ("Tea House & Co", T0)


@pytest.mark.parametrize("forged", STORE_FORGERIES.values(), ids=STORE_FORGERIES)
async def test_a_change_naming_another_merchant_or_type_is_refused(
    forged: dict[str, Any],
) -> None:  # R-REV-12, R-AS-2
    wired = await an_aftersales_service()
    await wired.deliver(a_store_approved(at=T0), at=T0)
    held = await the_store(wired)
    wired.clock.set(CHANGED_AT)
    changed = a_store_updated(at=CHANGED_AT, **forged)
    with pytest.raises(Implausible, match="a store is approved once"):
        await wired.deliver(changed, at=changed.updated_at)
    assert await the_store(wired) == held


async def test_a_change_moves_no_exemption_period() -> None:  # R-REV-12, R-AS-2
    """A full-managed store approved 100 days before its case (past the 90-day exemption
    period), changed just before the case is decided: the merchant bears the refund, as
    the period counts from the approval, not from the change."""
    wired, case = await an_open_case(approved_at=T0 - timedelta(days=100))
    now = wired.clock.now()
    changed = a_store_updated(at=now)
    await wired.deliver(changed, at=now)
    assert (await the_store(wired)).approved_at == T0 - timedelta(days=100)
    decided = await resolve(wired, case, TOTAL)
    assert decided.liable_party == "merchant"
    assert decided.liability_rule is not None
    assert "after the exemption period" in decided.liability_rule
