"""A pair keeps its identity: an address corrected after the introduction is the same pair
(nothing goes again, Pair Health keeps its history), another mentor after an introduction
is a new pair (its own introduction, no check-in before it), and a pair the rules forbid
gets no emails. Through the command line on real .xlsx files, to a real SMTP server."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from jobs.settings_file import load_settings
from tests.conftest import match, mentee, mentor, program_workbook
from tests.fakes.edits import apply_again, deliveries, invoke, rows_of, set_cells

DAY0 = date(2026, 1, 12)
PEOPLE = (
    [mentee("ana@m.org", name="Ana Ruiz"), mentee("bo@m.org", subjects="Engineering")],
    [
        mentor("tom@t.org", name="Tom Ng"),
        mentor("uma@u.org", subjects="Engineering"),
        mentor("val@v.org", name="Val Okafor", subjects="Physics & astronomy"),
    ],
)


@pytest.fixture
def program(tmp_path, server):
    """Ana with Tom and Bo with Uma, approved and introduced on DAY0, checked in on day 30,
    with the check-in form linked: (settings path, workbook, inbox)."""
    inbox, port = server
    settings_path = tmp_path / "settings.toml"
    settings_path.write_text(
        '[spreadsheet]\npath = "program.xlsx"\n[email]\nsender = "smtp"\n'
        f'[email.smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\ntimeout = 5\n'
        '[health]\ndigest = "off"\n',
        encoding="utf-8",
    )
    settings = load_settings(settings_path)
    workbook = program_workbook(tmp_path / "program.xlsx", settings, *PEOPLE)
    match(workbook, settings)
    approved = {"Status": "Approved"}
    set_cells(workbook, "Committee Matches", "Mentee Email", dict.fromkeys(PAIRS, approved))
    set_cells(workbook, "Committee Matches", "Mentee Email", {"ana@m.org": {"Notes": "keen"}})
    assert said(invoke(settings_path, DAY0, "introduce")) == "introduce: 2 sent"
    assert said(invoke(settings_path, DAY0 + timedelta(30), "checkin")).startswith("checkin: 4")
    return settings_path, workbook, inbox


PAIRS = {"ana@m.org": "tom@t.org", "bo@m.org": "uma@u.org"}


def said(result) -> str:
    assert result.exit_code in (0, 1), result.output
    return result.output.splitlines()[-1]


def committee(workbook: Path) -> dict[str, dict]:
    return rows_of(workbook, "Committee Matches", "Mentee Email")


def correct_toms_address(workbook: Path) -> None:
    """Tom's form response gets his right address, and so does the committee's row."""
    set_cells(
        workbook,
        "Form Responses 2",
        "Email Address",
        {"tom@t.org": {"Email Address": "tom.ng@t.org"}},
    )
    edits = {"ana@m.org": {"Committee Mentor Email": "tom.ng@t.org"}}
    set_cells(workbook, "Committee Matches", "Mentee Email", edits)


def test_a_mentor_address_corrected_after_the_introduction_is_the_same_pair(program):
    settings_path, workbook, inbox = program
    set_cells(workbook, "Pair Health", "Mentee Email", {"ana@m.org": {"Notes": "call in May"}})
    correct_toms_address(workbook)
    again = invoke(settings_path, DAY0 + timedelta(31), "run")
    assert said(again).startswith("introduce and checkin: 0 sent;"), again.output
    assert len(inbox.received) == 6
    health = rows_of(workbook, "Pair Health", "Mentee Email")["ana@m.org"]
    assert health["Mentor Email"] == "tom.ng@t.org"
    assert (health["Check-ins to Mentor"], health["Notes"]) == (1, "call in May")
    assert health["State"] == "active"
    later = invoke(settings_path, DAY0 + timedelta(120), "run")
    assert said(later).startswith("introduce and checkin: 4 sent;")
    [(to, _)] = [
        (t, m) for t, m in inbox.received[6:] if "check-in 2" in str(m["Subject"]) and "tom" in t[0]
    ]
    assert to == ["tom.ng@t.org"]
    log = rows_of(workbook, "Email Log", "Key")
    assert "check-in 2 | ana@m.org | tom@t.org | to tom@t.org" in log  # found by its first key
    assert log["check-in 2 | ana@m.org | tom@t.org | to tom@t.org"]["To"] == "tom.ng@t.org"
    assert set(deliveries(inbox).values()) == {1}
    assert committee(workbook)["ana@m.org"]["Notes"] == "keen"


def test_another_mentor_after_the_introduction_is_a_new_pair_introduced_first(program):
    settings_path, workbook, inbox = program
    edits = {"ana@m.org": {"Committee Mentor Email": "val@v.org"}}  # Introduced On left as it was
    set_cells(workbook, "Committee Matches", "Mentee Email", edits)
    day = DAY0 + timedelta(250)
    result = invoke(settings_path, day, "run")
    assert result.exit_code == 0, result.output
    assert (
        "Committee Matches row 2: the mentor is now val@v.org (Val Okafor), not tom@t.org"
        " (Tom Ng), who was introduced on 2026-01-12; mentor-sync introduces Ana Ruiz and Val"
        " Okafor as a new pair, and Introduced On becomes the day it goes (to keep the earlier"
        " pair, put its mentor back)"
    ) in " ".join(result.output.split())
    new = [m for to, m in inbox.received[6:] if "val@v.org" in to]
    assert [str(m["Subject"]) for m in new] == [
        "STS Mentoring Program: introducing Ana Ruiz (mentee) and Val Okafor (mentor)"
    ]
    assert not [
        m for to, m in inbox.received[6:] if "ana@m.org" in to and "check-in" in str(m["Subject"])
    ]
    assert committee(workbook)["ana@m.org"]["Introduced On"].date() == day
    health = rows_of(workbook, "Pair Health", "Mentor Email")
    assert (health["val@v.org"]["Mentee Email"], health["val@v.org"]["State"]) == (
        "ana@m.org",
        "active",
    )
    assert (health["tom@t.org"]["Mentee Email"], health["tom@t.org"]["State"]) == (
        "ana@m.org",
        "ended",
    )
    first = invoke(settings_path, day + timedelta(30), "checkin")
    assert "check-in 1" in first.output and "val@v.org" in first.output
    assert set(deliveries(inbox).values()) == {1}


def test_a_mentee_named_as_their_own_mentor_gets_no_emails(tmp_path, server):
    inbox, port = server
    settings_path = tmp_path / "settings.toml"
    settings_path.write_text(
        '[spreadsheet]\npath = "program.xlsx"\n[email]\nsender = "smtp"\n'
        f'[email.smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\ntimeout = 5\n',
        encoding="utf-8",
    )
    settings = load_settings(settings_path)
    mentees, mentors = PEOPLE
    workbook = program_workbook(
        tmp_path / "program.xlsx",
        settings,
        mentees,
        [*mentors, mentor("ana@m.org", name="Ana Ruiz")],
    )
    match(workbook, settings)
    edits = {"ana@m.org": {"Status": "Approved", "Committee Mentor Email": "ana@m.org"}}
    set_cells(workbook, "Committee Matches", "Mentee Email", edits)
    result = invoke(settings_path, DAY0, "run")
    assert result.exit_code == 0, result.output
    assert (
        "Committee Matches row 2: the mentor is the mentee themself (ana@m.org); name another"
        " mentor in Committee Mentor Email (no emails for this pair)"
    ) in " ".join(result.output.split())
    assert not [to for to, _ in inbox.received if "ana@m.org" in to]
    keys = rows_of(workbook, "Email Log", "Key")
    assert not [
        key for key in keys if key.startswith(("introduction", "check-in")) and "ana@m" in key
    ]


def test_a_pair_rejected_after_its_introduction_gives_the_next_mentor_an_introduction(program):
    settings_path, workbook, inbox = program
    set_cells(workbook, "Committee Matches", "Mentee Email", {"ana@m.org": {"Status": "Rejected"}})
    assert invoke(settings_path, DAY0 + timedelta(100), "match").exit_code == 0
    row = committee(workbook)["ana@m.org"]
    assert (row["Status"], row["Introduced On"]) == ("Suggested", None)
    assert row["Suggested Mentor Email"] not in ("tom@t.org", None)
    set_cells(workbook, "Committee Matches", "Mentee Email", {"ana@m.org": {"Status": "Approved"}})
    result = invoke(settings_path, DAY0 + timedelta(100), "run")
    assert said(result).startswith("introduce and checkin: 1 sent;"), result.output
    [(_, message)] = [(to, m) for to, m in inbox.received[6:] if "ana@m.org" in to]
    assert "introducing Ana Ruiz" in str(message["Subject"])


def test_a_new_row_of_the_same_two_people_waits_while_the_old_row_is_approved(program):
    settings_path, workbook, inbox = program
    apply_again(workbook, "Form Responses 1", "ana@m.org", "ana.ruiz@m.org")
    assert invoke(settings_path, DAY0 + timedelta(40), "match").exit_code == 0
    edits = {"ana.ruiz@m.org": {"Status": "Approved", "Committee Mentor Email": "tom@t.org"}}
    set_cells(workbook, "Committee Matches", "Mentee Email", edits)
    result = invoke(settings_path, DAY0 + timedelta(40), "run")
    assert "Ana Ruiz and Tom Ng are a pair already in row 2 (ana@m.org)" in said_all(result)
    assert not [to for to, _ in inbox.received[6:] if "tom@t.org" in to]
    # The committee ends the old row: the pair goes on under the new address, not introduced again.
    set_cells(workbook, "Committee Matches", "Mentee Email", {"ana@m.org": {"Status": "Rejected"}})
    later = invoke(settings_path, DAY0 + timedelta(41), "run")
    assert "mentor-sync does not introduce them again" in said_all(later)
    assert not [m for to, m in inbox.received[6:] if "introducing" in str(m["Subject"])]
    assert set(deliveries(inbox).values()) == {1}


def test_two_approved_rows_of_one_mentee_with_different_mentors_send_nothing_whatever_the_order(
    program,
):
    settings_path, workbook, inbox = program
    book = openpyxl.load_workbook(workbook)
    tab = book["Committee Matches"]
    header = [c.value for c in tab[1]]
    bo = next(
        r for r in tab.iter_rows(min_row=2) if r[header.index("Mentee Email")].value == "bo@m.org"
    )
    tab.append([c.value for c in bo])
    tab.cell(tab.max_row, header.index("Committee Mentor Email") + 1).value = "val@v.org"
    tab.cell(tab.max_row, header.index("Introduced On") + 1).value = None
    book.save(workbook)
    for day in (31, 32):
        result = invoke(settings_path, DAY0 + timedelta(day), "run")
        assert "are both Approved for bo@m.org, with different mentors" in said_all(result)
        book = openpyxl.load_workbook(workbook)  # and sorted the other way round
        rows = list(book["Committee Matches"].iter_rows(min_row=2, values_only=True))
        for number, values in enumerate(reversed(rows), start=2):
            for column, value in enumerate(values, start=1):
                book["Committee Matches"].cell(number, column).value = value
        book.save(workbook)
    assert not [to for to, _ in inbox.received[6:] if "val@v.org" in to or "bo@m.org" in to]


def said_all(result) -> str:
    return " ".join(result.output.split())


def test_next_year_someone_new_of_a_past_mentees_name_is_introduced(program):
    settings_path, workbook, inbox = program
    closed = invoke(settings_path, DAY0 + timedelta(370), "close-year", "2026")
    assert closed.exit_code == 0, closed.output
    apply_again(workbook, "Form Responses 1", "ana@m.org", "ana.ruiz@other.org")
    day = DAY0 + timedelta(380)
    assert invoke(settings_path, day, "match").exit_code == 0
    edits = {"ana.ruiz@other.org": {"Status": "Approved", "Committee Mentor Email": "tom@t.org"}}
    set_cells(workbook, "Committee Matches", "Mentee Email", edits)
    result = invoke(settings_path, day, "run")
    assert result.exit_code == 0, result.output
    new = [m for to, m in inbox.received if "ana.ruiz@other.org" in to]
    assert [str(m["Subject"]) for m in new] == [
        "STS Mentoring Program: introducing Ana Ruiz (mentee) and Tom Ng (mentor)"
    ]
