"""Calendar notices as data (R-CAL-1): what a well-formed notice is, and a malformed one
stopping start-up with a message naming its file and line."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from shared.calendar import Calendars, NoticeError
from testkit.notices import CN_2030

#: A well-formed notice: Spring Festival off on line 5, a make-up Saturday on line 7.
GOOD = CN_2030


def load(tmp_path: Path, text: str, name: str = "CN-2030.yaml") -> Calendars:
    (tmp_path / name).write_text(text)
    return Calendars.from_directory(tmp_path)


def refused(tmp_path: Path, text: str) -> str:
    with pytest.raises(NoticeError) as caught:
        load(tmp_path, text)
    return str(caught.value)


def assert_refused_at(tmp_path: Path, text: str, where: str, what: str) -> None:
    """Loading `text` as CN-2030.yaml is refused with a message naming the file, the line
    `where` and saying `what`."""
    message = refused(tmp_path, text)
    assert message.startswith(f"{tmp_path / 'CN-2030.yaml'}{where}: "), message
    assert what in message


def test_a_directory_one_file_and_several_documents_in_a_file(tmp_path: Path) -> None:
    assert Calendars.from_directory(None).notices == ()
    (tmp_path / "README.txt").write_text("not a notice")
    loaded = load(tmp_path, GOOD + "---\n" + GOOD.replace("2030", "2031"))
    assert [(n.country, n.year) for n in loaded.notices] == [("CN", 2030), ("CN", 2031)]
    assert loaded.notices[1].origin.endswith("CN-2030.yaml:9")
    single = Calendars.from_directory(tmp_path / "CN-2030.yaml")
    assert len(single.notices) == 2


@dataclass(frozen=True)
class Edit:
    """`GOOD` with `old` replaced by `new`: refused on line `where`, saying `what`."""

    old: str
    new: str
    where: str
    what: str


#: One mistake each in a well-formed notice, by test id.
MISTAKES = {
    "no source": Edit("source: test data (made-up dates)\n", "", ":1", "source: Field required"),
    "bad year": Edit("year: 2030", "year: twenty", ":2", "year:"),
    "unknown country": Edit("country: CN", "country: XX", ":1", "'XX'"),
    "make-up day on a weekday": Edit(
        "{date: 2030-01-26", "{date: 2030-01-25", ":7", "2030-01-25 is a Friday"
    ),
    "run backwards": Edit(
        "to: 2030-02-08", "to: 2030-01-08", ":5", "`to` (2030-01-08) is before `from`"
    ),
    "off and working": Edit(
        "{date: 2030-01-26", "{date: 2030-02-02", ":7", "also listed in days_off"
    ),
    "far outside the year": Edit("{date: 2030-01-26", "{date: 2029-10-27", ":7", "outside 2030"),
    "misspelt key": Edit(
        "working_days:", "workdays:", ":6", "workdays: Extra inputs are not permitted"
    ),
    "date and to": Edit(
        "{from: 2030-02-02, to", "{date: 2030-02-02, to", ":5", "either `date` or `from`"
    ),
    "not a date": Edit("2030-02-02", "2030-2-2", ":5", "days_off.0.from"),
}


@pytest.mark.parametrize("edit", MISTAKES.values(), ids=list(MISTAKES))
def test_a_malformed_notice_names_its_file_and_line(tmp_path: Path, edit: Edit) -> None:
    # R-CAL-1
    assert edit.old in GOOD
    assert_refused_at(tmp_path, GOOD.replace(edit.old, edit.new), edit.where, edit.what)


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        pytest.param("country: CN\nyear: [2030\n", ":3", "not valid YAML", id="broken YAML"),
        pytest.param("- just\n- a list\n", ":1", "a notice is a mapping", id="not a mapping"),
    ],
)
def test_a_notice_that_is_not_a_yaml_mapping_names_its_file_and_line(
    tmp_path: Path, text: str, where: str, what: str
) -> None:  # R-CAL-1
    assert_refused_at(tmp_path, text, where, what)


def test_two_notices_for_one_country_and_year_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD)
    with pytest.raises(NoticeError, match=r"b\.yaml:1: a second notice for CN 2030 .*a\.yaml:1"):
        Calendars.from_directory(tmp_path)


def test_neighbouring_notices_that_disagree_on_a_day_are_refused(tmp_path: Path) -> None:
    # 2030's notice gives Saturday 28 December off; 2031's makes it a make-up working day.
    earlier = GOOD.replace("days_off:\n", "days_off:\n  - {date: 2030-12-28}\n")
    later = (
        GOOD.replace("year: 2030", "year: 2031")
        .replace("from: 2030-02-02, to: 2030-02-08", "from: 2031-01-01, to: 2031-01-03")
        .replace("{date: 2030-01-26", "{date: 2030-12-28")
    )
    (tmp_path / "a.yaml").write_text(earlier)
    (tmp_path / "b.yaml").write_text(later)
    with pytest.raises(NoticeError, match="2030-12-28 is a day off in one"):
        Calendars.from_directory(tmp_path)


def test_a_missing_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NoticeError, match="names no file or directory"):
        Calendars.from_directory(tmp_path / "nowhere")


def test_a_service_with_a_malformed_notice_stops_at_start_up_naming_the_line(
    tmp_path: Path,
) -> None:  # R-CAL-1: before it connects to anything
    (tmp_path / "CN-2030.yaml").write_text(GOOD.replace("{date: 2030-01-26", "{date: 2030-01-25"))
    env = {**os.environ, "CALENDAR_NOTICES_DIR": str(tmp_path), "REVIEW_PORT": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "review"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"review cannot start: {tmp_path / 'CN-2030.yaml'}:7: "), done.stderr
    assert "2030-01-25 is a Friday" in last
