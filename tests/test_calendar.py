"""`mentor-sync calendar`: every email of the year for the approved pairs, with its day and
whether it went, read from the spreadsheet and the Email Log; it writes and sends nothing."""

from __future__ import annotations

import re
from collections import Counter

from jobs.settings_file import load_settings
from tests.conftest import (
    PEOPLE,
    add_settings,
    match,
    mentor,
    program_workbook,
    set_committee_cells,
)
from tests.fakes.commands import invoke


def calendar(settings_file, day: str) -> list[str]:
    result = invoke(settings_file, "--as-of", day, "calendar")
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_a_pair_not_introduced_yet_is_planned_from_today(program, settings_file):
    path, settings = program
    set_committee_cells(path, settings, {"ana@m.org": {"Status": "Approved"}})
    lines = calendar(settings_file, "2026-01-12")
    assert lines[:3] == [
        "Date        Email         Pair               To                    Status",
        "2026-01-12  introduction  Ana Ruiz & Tom Ng  ana@m.org, tom@t.org  next run",
        "2026-02-11  check-in 1    Ana Ruiz & Tom Ng  ana@m.org             planned",
    ]
    assert lines[-1] == (
        "calendar: 9 emails for 1 approved pairs (0 introduced); today is 2026-01-12"
    )


def test_each_row_names_its_pair_and_an_address_stands_in_for_a_blank_name(tmp_path, settings_file):
    add_settings(settings_file, '[mentor_form]\nrequired = ["institution"]\n')
    settings = load_settings(settings_file)
    mentees, mentors = PEOPLE
    path = program_workbook(
        tmp_path / "program.xlsx", settings, mentees, [*mentors, mentor("vi@v.org", name="")]
    )
    match(path, settings)
    approved = {"Status": "Approved"}
    set_committee_cells(
        path,
        settings,
        {"ana@m.org": approved, "bo@m.org": {**approved, "Committee Mentor Email": "vi@v.org"}},
    )
    lines = calendar(settings_file, "2026-01-12")
    pairs = Counter(re.split(" {2,}", line)[2] for line in lines[1:-1])
    assert pairs == {"Ana Ruiz & Tom Ng": 9, "Bo & vi@v.org": 9}


def test_the_calendar_writes_nothing_and_sends_nothing(program, settings_file, tmp_path):
    path, settings = program
    set_committee_cells(path, settings, {"ana@m.org": {"Status": "Approved"}})
    before = path.read_bytes()
    calendar(settings_file, "2026-01-12")
    assert path.read_bytes() == before
    assert not (tmp_path / "outbox").exists()


def test_without_an_approved_pair_the_calendar_says_so(program, settings_file):
    assert calendar(settings_file, "2026-01-12")[-1].startswith("calendar: 0 emails")
