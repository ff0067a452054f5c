"""Closing a year, so that the next one never pairs anyone with a past partner."""

from __future__ import annotations

import openpyxl

from jobs.settings_file import load_settings
from tests.conftest import committee_by_email, set_committee_cells, tab_rows
from tests.fakes.checkin_year import (
    DAY0,
    answer,
    checkins,
    health,
    invoke,
    on,
)


def test_a_second_year_never_pairs_anyone_with_a_past_partner(year):
    settings_file, path = year
    settings = load_settings(settings_file)
    before = committee_by_email(path, settings)
    assert before["ana@m.org"]["Suggested Mentor Email"] == "tom@t.org"
    assert before["bo@m.org"]["Suggested Mentor Email"] == "uma@u.org"
    checkins(settings_file, 30)
    answer(path, 31, "ana@m.org", "tom@t.org", rating=5)
    answer(path, 32, "tom@t.org", "anna@m.org", rating="1.5")  # a partner mistyped
    assert invoke(settings_file, on(33), "match").exit_code == 0
    assert len([r for r in tab_rows(path, "Intake Issues") if r["Tab"] == "Form Responses 3"]) == 1
    book = openpyxl.load_workbook(path)
    tab = book["Pair Health"]
    tab.cell(2, [c.value for c in tab[1]].index("Notes") + 1, "a lovely pair")
    tab.cell(1, tab.max_column + 1, "Follow-up")
    tab.cell(3, tab.max_column, "in May")
    book.save(path)
    set_committee_cells(path, settings, {"ana@m.org": {"Notes": "first choice"}})
    unchanged = path.read_bytes()
    preview = invoke(settings_file, on(366), "close-year", "2026", "--dry-run")
    assert preview.exit_code == 0, preview.output
    assert "close-year 2026: 2 pairs would be copied to Past Pairs (dry run" in preview.output
    assert path.read_bytes() == unchanged
    closed = invoke(settings_file, on(366), "close-year", "2026")
    assert closed.exit_code == 0, closed.output
    assert "close-year 2026: 2 pairs copied to Past Pairs" in closed.output
    assert "still hold the applications of 2 mentees and 2 mentors of 2026" in closed.output
    past = tab_rows(path, "Past Pairs")
    assert [(r["Cohort"], r["Mentee Email"], r["Mentor Email"]) for r in past] == [
        ("2026", "ana@m.org", "tom@t.org"),
        ("2026", "bo@m.org", "uma@u.org"),
    ]
    assert past[0]["Introduced On"].date() == DAY0
    assert past[0]["Closed On"].date() == on(366)
    # The committee's texts of both tabs go along, Notes joined.
    assert [(r["Notes"], r["Follow-up"]) for r in past] == [
        ("first choice; a lovely pair", None),
        (None, "in May"),
    ]
    assert committee_by_email(path, settings) == {}
    assert health(path) == {}
    # Closing again finds nothing left to close and changes nothing.
    unchanged = path.read_bytes()
    again = invoke(settings_file, on(367), "close-year", "2026")
    assert "close-year 2026: no introduced pairs to close" in again.output
    assert path.read_bytes() == unchanged
    # The next year: both apply again; the matcher reads Past Pairs and pairs them anew.
    assert invoke(settings_file, on(370), "match").exit_code == 0
    after = committee_by_email(path, settings)
    assert after["ana@m.org"]["Suggested Mentor Email"] == "uma@u.org"
    assert after["bo@m.org"]["Suggested Mentor Email"] == "tom@t.org"
    assert "mentee took part before (mentee 2026 with tom@t.org)" in after["ana@m.org"]["Why"]
    assert "mentor took part before (mentor 2026 with bo@m.org)" in after["ana@m.org"]["Why"]
    # Last year's check-in answers are about a closed pair: no intake issue.
    assert [r for r in tab_rows(path, "Intake Issues") if r["Tab"] == "Form Responses 3"] == []
    # A committee that pairs ana with tom again gets no emails for them, and is told why.
    set_committee_cells(
        path,
        settings,
        {"ana@m.org": {"Status": "Approved", "Committee Mentor Email": "tom@t.org"}},
    )
    outbox = {p.name for p in (path.parent / "outbox").glob("*.eml")}
    again = invoke(settings_file, on(371), "run")
    assert again.exit_code == 0, again.output
    new = {p.name for p in (path.parent / "outbox").glob("*.eml")} - outbox
    assert [name.split("_")[0] for name in new] == ["alert"]  # the committee is told
    assert (
        "ana@m.org and tom@t.org were a pair in an earlier year (Past Pairs); mentor-sync"
        " sends them no emails"
    ) in again.output
    [row] = [r for r in tab_rows(path, "Intake Issues") if r["Tab"] == "Committee Matches"]
    assert "were a pair in an earlier year (Past Pairs)" in row["Problem"]


def test_close_year_refuses_a_tab_whose_text_it_could_not_carry(year):
    settings_file, path = year
    checkins(settings_file, 30)
    book = openpyxl.load_workbook(path)
    tab = book["Pair Health"]
    tab.cell(3, tab.max_column + 2, "call back")  # under no name in row 1
    book.save(path)
    unchanged = path.read_bytes()
    result = invoke(settings_file, on(366), "close-year", "2026")
    assert result.exit_code == 2
    assert "tab 'Pair Health' has text in row 3, column R, which has no name in row 1" in (
        result.output
    )
    assert path.read_bytes() == unchanged


def test_close_year_joins_a_column_both_tabs_have_whatever_its_case(year):
    settings_file, path = year
    checkins(settings_file, 30)
    book = openpyxl.load_workbook(path)
    for tab_name, header, text_ in (
        ("Committee Matches", "Follow-up", "call in January"),
        ("Pair Health", "follow-up", "emailed"),
    ):
        tab = book[tab_name]
        emails_at = [c.value for c in tab[1]].index("Mentee Email") + 1
        tab.cell(1, tab.max_column + 1, header)
        row = next(
            r for r in range(2, tab.max_row + 1) if tab.cell(r, emails_at).value == "ana@m.org"
        )
        tab.cell(row, tab.max_column, text_)
    book.save(path)
    assert invoke(settings_file, on(366), "close-year", "2026").exit_code == 0
    past = {r["Mentee Email"]: r for r in tab_rows(path, "Past Pairs")}
    assert past["ana@m.org"]["Follow-up"] == "call in January; emailed"
