"""Check-in answers: the Pair Health tab and its flags, the committee's notes, and the rows
the tab keeps or cannot read."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from jobs.settings_file import load_settings
from mentoring.answers import read_answers
from mentoring.health import COLUMNS, health_tab
from mentoring.sheet import Row, Table, apply_edits
from tests.conftest import add_settings, set_committee_cells, tab_rows
from tests.fakes.checkin_year import (
    CHECKIN_HEADER,
    answer,
    checkins,
    emails,
    health,
    invoke,
    on,
    text,
)


def test_each_flag_in_plain_words(year):
    settings_file, path = year
    checkins(settings_file, 30)  # check-in 1 to all four
    answer(path, 32, "ana@m.org", "tom@t.org", rating=2, met="No", contact="Yes")
    answer(path, 33, "bo@m.org", "uma@u.org", rating=5, met="Yes")
    answer(path, 34, "uma@u.org", "bo@m.org", rating=4, met="Yes")
    checkins(settings_file, 120)  # check-in 2
    answer(path, 121, "uma@u.org", "bo@m.org", rating=4, met="Yes")
    checkins(settings_file, 140)  # check-in 2 is 20 days old: past answer_within_days (14)
    rows = health(path)
    assert rows["ana@m.org"]["Flag"] == (
        "no answer to the last 2 check-ins (mentor); rating 2 or lower (mentee: 2);"
        " have not met; asked the committee to get in touch (mentee, 2026-11-06)"
    )
    ana = rows["ana@m.org"]
    assert (ana["Check-ins to Mentee"], ana["Answered by Mentee"]) == (2, 1)
    assert (ana["Check-ins to Mentor"], ana["Answered by Mentor"]) == (2, 0)
    assert (ana["Mentee Rating"], ana["Mentor Rating"]) == (2, None)
    assert ana["Met Since Last Check-in"] == "No (2026-11-06)"
    assert ana["Last Answer"].date() == on(32)
    assert ana["State"] == "active"
    # bo left check-in 2 unanswered, but one check-in is not two; uma answered both.
    bo = rows["bo@m.org"]
    assert bo["Flag"] is None
    assert (bo["Answered by Mentee"], bo["Answered by Mentor"]) == (1, 2)
    assert bo["Met Since Last Check-in"] == "Yes (2027-02-03)"
    # A flag goes when its reason does: tom answers, with a good rating.
    answer(path, 141, "tom@t.org", "ana@m.org", rating=4, met="Yes")
    checkins(settings_file, 142)
    assert health(path)["ana@m.org"]["Flag"] == (
        "rating 2 or lower (mentee: 2); asked the committee to get in touch (mentee, 2026-11-06)"
    )


def test_a_low_rating_from_either_side_and_the_threshold_is_the_committees(year):
    settings_file, path = year
    add_settings(settings_file, "low_rating = 3\n")  # still in [health]
    checkins(settings_file, 30)
    answer(path, 31, "tom@t.org", "ana@m.org", rating=3)
    checkins(settings_file, 31)
    assert health(path)["ana@m.org"]["Flag"] == "rating 3 or lower (mentor: 3)"


def test_the_committees_notes_stay_with_their_pair_when_the_tab_is_sorted(year):
    settings_file, path = year
    checkins(settings_file, 30)
    book = openpyxl.load_workbook(path)
    tab = book["Pair Health"]
    header = [c.value for c in tab[1]]
    rows = [[c.value for c in row] for row in tab.iter_rows(min_row=2)]
    notes, mentee = header.index("Notes"), header.index("Mentee Email")
    for row in rows:
        row[notes] = f"called {row[mentee]}"
    tab.delete_rows(2, tab.max_row)
    for row in reversed(rows):  # sorted the other way, with a column of their own
        tab.append(row)
    tab.cell(1, len(header) + 1, "Follow-up")
    tab.cell(2, len(header) + 1, "in May")
    book.save(path)
    followed = tab.cell(2, mentee + 1).value
    checkins(settings_file, 45)
    rows = health(path)
    assert {e: r["Notes"] for e, r in rows.items()} == {e: f"called {e}" for e in rows}
    assert rows[followed]["Follow-up"] == "in May"


def test_answers_of_no_pair_go_to_intake_issues_and_are_not_counted(year):
    settings_file, path = year
    checkins(settings_file, 30)
    answer(path, 31, "ana@m.org", "uma@u.org", rating=1, contact="Yes")  # bo's mentor
    answer(path, 31, "zoe@z.org", "tom@t.org")
    answer(path, 31, "bo@m.org", "uma@u.org", rating="1.5")  # counted, but for its rating
    assert invoke(settings_file, on(31), "match").exit_code == 0
    issues = {row["Person"]: row for row in tab_rows(path, "Intake Issues")}
    assert issues["bo@m.org"]["Problem"].startswith("the rating '1.5' is not a number from 1")
    assert issues["ana@m.org"]["Tab"] == "Form Responses 3"
    assert issues["ana@m.org"]["Problem"] == (
        "names uma@u.org as their partner, but their partner is tom@t.org; not counted in"
        " Pair Health until Partner's email is corrected in this row (they asked the"
        " committee to get in touch; they rated the relationship 1 of 5)"
    )
    assert issues["zoe@z.org"]["Problem"].startswith("zoe@z.org is not in an introduced pair")
    checkins(settings_file, 31)
    rows = health(path)
    assert rows["ana@m.org"]["Answered by Mentee"] == 0
    assert rows["ana@m.org"]["Flag"] is None and rows["bo@m.org"]["Flag"] is None


@pytest.mark.parametrize("renamed", ["tab", "question"])
def test_a_check_in_tab_that_cannot_be_read_is_told_and_the_emails_still_go(year, renamed):
    settings_file, path = year
    book = openpyxl.load_workbook(path)
    if renamed == "tab":
        book["Form Responses 3"].title = "Form Responses 3 (old)"  # renamed by a committee member
    else:
        book["Form Responses 3"].cell(1, 5).value = "How is it going? (1 to 5)"
    book.save(path)
    result = invoke(settings_file, on(30), "checkin")
    assert result.exit_code == 0, result.output
    assert len(emails(path.parent / "outbox", "check-in")) == 4
    assert invoke(settings_file, on(30), "match").exit_code == 0
    [issue] = [r for r in tab_rows(path, "Intake Issues") if r["Tab"] == "Form Responses 3"]
    expected = (
        "no tab 'Form Responses 3' (the check-in form's responses); did you mean"
        " 'Form Responses 3 (old)'? If so, set tabs.checkins"
        if renamed == "tab"
        else "tab 'Form Responses 3' has no column 'How is the mentoring relationship going?'"
        " (checkin_form.questions.rating)"
    )
    assert issue["Problem"].startswith(expected)
    assert issue["Problem"].endswith(
        "Until then the check-in answers are not read: Pair Health counts none, and nobody"
        " is reminded or flagged for not answering"
    )
    [alert] = emails(path.parent / "outbox", "alert")
    assert "the check-in answers are not read" in text(alert)


def test_check_in_rows_that_cannot_be_read_say_why(settings):
    def row(number, when, email_, partner, rating, met="Yes", contact=""):
        return Row(number, (when, email_, "Mentee", partner, rating, met, "", contact))

    day = datetime(2026, 3, 1)
    table = Table(
        "Form Responses 3",
        CHECKIN_HEADER,
        (
            row(2, day, "ana@m.org", "tom@t.org", "5 - great"),
            row(3, day, "", "tom@t.org", 3),
            row(4, day, "ana@m.org", "", 3),
            row(5, "soon", "ana@m.org", "tom@t.org", 3),
            row(6, day, "ANA@M.ORG ", "tom@t.org", "great", met=""),
            row(7, day, "ana@m.org", "tom@t.org", "1.5", met="Not yet", contact="Yes, please"),
            row(8, day, "ana@m.org", "tom@t.org", 4.0, met="Sí", contact="maybe later"),
        ),
    )
    rows = read_answers(table, settings.checkin_form)
    read = [(a.row, a.email, a.rating, a.met, a.contact) for a in rows.answers]
    assert read == [
        (2, "ana@m.org", 5, "Yes", False),
        (6, "ana@m.org", None, "", False),
        (7, "ana@m.org", None, "", True),
        (8, "ana@m.org", 4, "", True),
    ]
    problems = {issue.row: issue.problem for issue in rows.issues}
    assert problems[3].startswith("no email address;")
    assert problems[4].startswith("Partner's email: no answer;")
    assert problems[5].startswith("the Timestamp 'soon' cannot be read as a date")
    # What could not be read in a usable row is its note, told when the row is counted.
    notes = {a.row: a.note for a in rows.answers}
    assert notes[2] == ""
    assert notes[6].startswith("the rating 'great' is not a number from 1 to 5")
    assert notes[7].startswith("the rating '1.5' is not a number from 1 to 5")
    assert "'Not yet' to 'Have you met since the last check-in?' is neither" in notes[7]
    assert notes[8] == (
        "'Sí' to 'Have you met since the last check-in?' is neither Yes nor No; read as no"
        " answer to it; 'maybe later' to 'Would you like someone from the committee to"
        " contact you?' is neither Yes nor No; read as a request to get in touch"
    )


def test_rows_of_ended_pairs_and_of_the_committee_are_kept_in_pair_health():
    header = (*COLUMNS, "Follow-up")
    ended = dict.fromkeys(header)
    ended.update(
        {
            "Mentee Email": "old@m.org",
            "Mentor Email": "old@t.org",
            "State": "active",
            "Notes": "moved to another mentor",
        }
    )
    loose = dict.fromkeys(header)
    loose["Notes"] = "remember the spring meeting"
    table = Table(
        "Pair Health",
        header,
        (Row(2, tuple(ended.values())), Row(3, tuple(loose.values()))),
        last_row=3,
    )
    written = health_tab(table, "Pair Health", [])
    assert written.ended == ("old@m.org | old@t.org",)
    after = apply_edits(table, written.edits)
    rows = [dict(zip(after.header, row.cells, strict=False)) for row in after.rows]
    assert [(r["Mentee Email"], r["State"], r["Notes"]) for r in rows] == [
        ("old@m.org", "ended", "moved to another mentor"),
        (None, None, "remember the spring meeting"),
    ]


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (
            lambda tab: tab.cell(1, 2, "Mentee e-mail"),
            "no column 'Mentee Email' (a column of Pair Health) in tab 'Pair Health'; did you"
            " mean 'Mentee e-mail'? Rename it back; mentor-sync finds each pair's Notes by it.",
        ),
        (
            lambda tab: tab.cell(1, tab.max_column + 1, "notes"),
            "two columns of tab 'Pair Health' are named 'Notes'; rename one",
        ),
        (
            lambda tab: tab.cell(3, tab.max_column + 2, "call back"),
            "tab 'Pair Health' has text in row 3, column R, which has no name in row 1",
        ),
    ],
)
def test_a_pair_health_tab_that_would_lose_a_note_is_left_as_it_is(year, edit, said):
    settings_file, path = year
    checkins(settings_file, 30)
    book = openpyxl.load_workbook(path)
    tab = book["Pair Health"]
    tab.cell(2, 16, "a note to keep")
    edit(tab)
    book.save(path)
    before = [[c.value for c in row] for row in book["Pair Health"].iter_rows()]
    result = invoke(settings_file, on(31), "checkin")
    # The job says so and fails (so cron and the alerts tell of it), and writes the Email
    # Log as ever; the tab stays exactly as the committee left it.
    assert result.exit_code == 1
    assert f"Pair Health not written: {said}" in result.output
    after = openpyxl.load_workbook(path)["Pair Health"]
    assert [[c.value for c in row] for row in after.iter_rows()] == before


def test_two_rows_of_one_pair_become_one_with_both_notes(year):
    settings_file, path = year
    checkins(settings_file, 30)
    book = openpyxl.load_workbook(path)
    tab = book["Pair Health"]
    notes = [c.value for c in tab[1]].index("Notes") + 1
    copy = [c.value for c in tab[2]]
    tab.cell(2, notes, "called in May")
    tab.append(copy)
    tab.cell(tab.max_row, notes, "met at the conference")
    book.save(path)
    checkins(settings_file, 31)
    rows = tab_rows(path, "Pair Health")
    assert len(rows) == 2
    mentee = copy[1]
    assert health(path)[mentee]["Notes"] == "called in May; met at the conference"


def test_a_pair_health_tab_without_its_header_row_is_refused_and_nothing_is_sent(year):
    settings_file, path = year
    checkins(settings_file, 30)
    book = openpyxl.load_workbook(path)
    book["Pair Health"].insert_rows(1)
    book.save(path)
    before = path.read_bytes()
    sent = len(list((path.parent / "outbox").glob("*.eml")))
    result = invoke(settings_file, on(45), "checkin")
    assert result.exit_code == 2
    assert (
        "tab 'Pair Health' (Pair Health) has its header in row 2, not in row 1 (a row was"
        " inserted above it, or the rows were moved); delete the rows above the header so that"
        " it is row 1 again. Nothing was written or sent"
    ) in result.output
    assert path.read_bytes() == before
    assert len(list((path.parent / "outbox").glob("*.eml"))) == sent
    assert len(tab_rows_after_blank(path)) == 3


def tab_rows_after_blank(path: Path) -> list:
    return [
        r for r in openpyxl.load_workbook(path)["Pair Health"].iter_rows(values_only=True) if any(r)
    ]


def test_the_answers_of_a_pair_on_hold_are_no_intake_issue(year):
    settings_file, path = year
    checkins(settings_file, 30)
    answer(path, 32, "ana@m.org", "tom@t.org", rating=4)
    settings = load_settings(settings_file)
    set_committee_cells(path, settings, {"ana@m.org": {"Status": "Hold"}})
    assert invoke(settings_file, on(33), "match").exit_code == 0
    assert [r for r in tab_rows(path, "Intake Issues") if r["Tab"] == "Form Responses 3"] == []


def test_a_pair_whose_mentor_left_the_forms_keeps_its_pair_health_row(year):
    settings_file, path = year
    checkins(settings_file, 30)
    before = health(path)["ana@m.org"]
    book = openpyxl.load_workbook(path)
    responses = book["Form Responses 2"]
    header = [c.value for c in responses[1]]
    [number] = [
        r[0].row
        for r in responses.iter_rows(min_row=2)
        if r[header.index("Email Address")].value == "tom@t.org"
    ]
    responses.delete_rows(number)
    book.save(path)
    result = invoke(settings_file, on(31), "checkin")
    assert "the mentor tom@t.org is not in the mentor responses" in result.output
    assert health(path)["ana@m.org"] == before  # kept as it was, not "ended"
