"""The ledger's own rules (R-SET-5): entries balance per currency, ids come from sources,
an entry is posted once and never edited, corrections are reversals."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from settlement.domain.ledger import (
    PLATFORM_BUYERS,
    PLATFORM_COMMISSION,
    PLATFORM_ESCROW,
    Entry,
    Journal,
    Line,
    balances,
    entry_id,
    held,
    reversal,
)
from shared.errors import Implausible
from testkit.factories import HOUR, ORDER, STORE, T0


def line(account: str, amount: int, currency: str = "USD") -> Line:
    return Line(account=account, currency=currency, amount_minor=amount)


def an_entry(*lines: Line, **fields: Any) -> Entry:
    values: dict[str, Any] = {
        "entry_id": entry_id("earning", ORDER),
        "kind": "earning",
        "at": T0,
        "lines": lines,
        "order_id": ORDER,
        **fields,
    }
    return Entry(**values)


EARNING = an_entry(
    line(PLATFORM_ESCROW, -1000), line(held(STORE), 950), line(PLATFORM_COMMISSION, 50)
)


def test_an_entry_that_does_not_balance_is_refused() -> None:  # R-SET-5
    with pytest.raises(ValidationError, match="does not balance"):
        an_entry(line(PLATFORM_BUYERS, -1000), line(held(STORE), 999))


def test_currencies_balance_apart_and_never_offset_each_other() -> None:  # R-SET-5
    with pytest.raises(ValidationError, match="does not balance"):
        an_entry(line(PLATFORM_BUYERS, -1000, "USD"), line(held(STORE), 1000, "EUR"))
    both = an_entry(
        line(PLATFORM_BUYERS, -1000, "USD"),
        line(held(STORE), 1000, "USD"),
        line(PLATFORM_BUYERS, -700, "EUR"),
        line(held(STORE), 700, "EUR"),
    )
    assert balances([both])[held(STORE)] == {"USD": 1000, "EUR": 700}


def test_balances_are_sums_of_lines_per_account_and_currency() -> None:  # R-SET-5
    found = balances([EARNING, EARNING.model_copy(update={"entry_id": "another"})])
    assert found == {
        PLATFORM_ESCROW: {"USD": -2000},
        held(STORE): {"USD": 1900},
        PLATFORM_COMMISSION: {"USD": 100},
    }


def test_an_entry_id_comes_from_its_source_alone() -> None:  # R-SET-5
    assert entry_id("earning", ORDER) == entry_id("earning", ORDER)
    assert entry_id("earning", ORDER) != entry_id("release", ORDER)
    assert entry_id("refund", ORDER, None) != entry_id("refund", ORDER, "case-1")


def test_an_entry_is_posted_once_per_source() -> None:  # R-SET-5
    journal = Journal()
    assert journal.post(EARNING)
    assert not journal.post(EARNING)
    assert not journal.post(EARNING.model_copy(update={"at": T0 + HOUR}))  # the first stands
    assert list(journal.entries.values()) == [EARNING]
    assert journal.balances()[held(STORE)] == {"USD": 950}


def test_an_entry_posted_is_never_edited() -> None:  # R-SET-5
    journal = Journal([EARNING])
    other = an_entry(line(PLATFORM_ESCROW, -1000), line(held(STORE), 1000))
    with pytest.raises(Implausible, match="never edited"):
        journal.post(other)
    assert journal.entries[EARNING.entry_id] == EARNING


def test_a_correction_is_a_reversing_entry_of_its_own() -> None:  # R-SET-5
    corrected = reversal(EARNING, T0 + HOUR)
    assert corrected.entry_id == entry_id("reversal", EARNING.entry_id) != EARNING.entry_id
    assert (corrected.kind, corrected.reverses, corrected.at) == (
        "reversal",
        EARNING.entry_id,
        T0 + HOUR,
    )
    assert [x.amount_minor for x in corrected.lines] == [1000, -950, -50]
    journal = Journal([EARNING, corrected])
    assert all(amount == 0 for by in journal.balances().values() for amount in by.values())
    assert journal.entries[EARNING.entry_id] == EARNING  # the original stands
