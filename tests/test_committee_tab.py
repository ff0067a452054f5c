"""Every rule of the committee tab, run as the match job: on a spreadsheet in memory, and
on real .xlsx workbooks for the tests about the file itself (marked `workbook`)."""

import zipfile

import openpyxl
import pytest

from mentoring.committee import COLUMNS
from mentoring.errors import ConfigError
from mentoring.sheet import table_from_cells
from tests.conftest import (
    Program,
    committee_by_email,
    match,
    mentee,
    mentor,
    program_memory,
    program_workbook,
    response_rows,
    set_committee_cells,
    tab_rows,
)
from tests.fakes.memory import MemorySpreadsheet

MENTEES = [
    mentee("ana@m.org", name="Ana Silva", subjects="Chemistry", skills="Grant writing"),
    mentee("bo@m.org", name="Bo Chen", subjects="Engineering", skills="Systematic reviews"),
    mentee("cy@m.org", name="Cy Eze", subjects="Chemistry", skills="Systematic reviews"),
]
MENTORS = [
    mentor("tom@t.org", name="Tom Wong", subjects="Chemistry", skills="Grant writing"),
    mentor("uma@u.org", name="Uma Patel", subjects="Engineering", skills="Systematic reviews"),
    mentor("val@v.org", name="Val Kaur", subjects="Chemistry", skills="Systematic reviews"),
]


@pytest.fixture
def program(request, tmp_path, settings) -> Program:
    """The matched program of MENTEES and MENTORS: in memory, or as a workbook for a test
    marked `workbook`."""
    if request.node.get_closest_marker("workbook"):
        path = program_workbook(tmp_path / "program.xlsx", settings, MENTEES, MENTORS)
        match(path, settings)
        return path
    sheet = program_memory(settings, MENTEES, MENTORS)
    match(sheet, settings)
    return sheet


def replace_responses(program: Program, settings, form, people):
    rows = response_rows(list(form.questions.values()), list(form.questions), people)
    if isinstance(program, MemorySpreadsheet):
        grid = {(r, c): v for r, row in enumerate(rows, 1) for c, v in enumerate(row, 1)}
        program.tables[form.tab] = table_from_cells(form.tab, grid)
        return
    book = openpyxl.load_workbook(program)
    del book[form.tab]
    sheet = book.create_sheet(form.tab, 0)
    for row in rows:
        sheet.append(row)
    book.save(program)


@pytest.mark.workbook
def test_first_run_writes_one_suggestion_per_mentee(program, settings):
    sheet = openpyxl.load_workbook(program)[settings.tabs.committee]
    assert tuple(c.value for c in sheet[1]) == COLUMNS
    rows = committee_by_email(program, settings)
    assert {e: (r["Suggested Mentor Email"], r["Score"], r["Status"]) for e, r in rows.items()} == {
        "ana@m.org": ("tom@t.org", 50, "Suggested"),
        "bo@m.org": ("uma@u.org", 50, "Suggested"),
        "cy@m.org": ("val@v.org", 50, "Suggested"),
    }
    # Skills (weight 3) and subjects (2) of the default rules' 10 points are shared.
    assert rows["ana@m.org"]["Why"] == "skills: Grant writing; subjects: Chemistry"
    assert rows["ana@m.org"]["Alternatives"] == (
        "Val Kaur <val@v.org> 20 (place goes to Cy Eze, 50);"
        " Uma Patel <uma@u.org> 0 (place goes to Bo Chen, 50)"
    )
    assert rows["ana@m.org"]["Mentee"] == "Ana Silva"
    assert rows["ana@m.org"]["Suggested Mentor"] == "Tom Wong"


@pytest.mark.workbook
def test_running_twice_changes_nothing(program, settings):
    before = program.read_bytes()
    report = match(program, settings)
    assert report.stats.cells_changed == 0
    assert program.read_bytes() == before


@pytest.mark.workbook
def test_a_sorted_tab_with_committee_columns_is_matched_by_email(program, settings):
    book = openpyxl.load_workbook(program)
    sheet = book[settings.tabs.committee]
    rows = sorted(sheet.iter_rows(min_row=2, values_only=True), key=lambda r: r[0], reverse=True)
    sheet.delete_rows(2, sheet.max_row)
    sheet.insert_cols(3)  # a committee column in the middle of the tool's columns
    sheet.cell(1, 3).value = "Interviewed"
    sheet.cell(1, 14).value = "Committee lead"  # and one at the end
    for number, row in enumerate(rows, start=2):
        values = [*row[:2], f"yes-{row[1]}", *row[2:], f"lead-{row[1]}"]
        for column, value in enumerate(values, start=1):
            sheet.cell(number, column).value = value
    book.save(program)
    before = committee_by_email(program, settings)

    set_committee_cells(program, settings, {"bo@m.org": {"Notes": "call first"}})
    report = match(program, settings)

    after = committee_by_email(program, settings)
    assert report.stats.cells_changed == 0
    assert [r["Mentee Email"] for r in tab_rows(program, settings.tabs.committee)] == [
        "cy@m.org",
        "bo@m.org",
        "ana@m.org",
    ]
    for email, row in after.items():
        assert row["Interviewed"] == f"yes-{email}"
        assert row["Committee lead"] == f"lead-{email}"
        assert row["Suggested Mentor Email"] == before[email]["Suggested Mentor Email"]
    assert after["bo@m.org"]["Notes"] == "call first"


def test_approved_and_hold_keep_their_mentor_and_use_capacity(tmp_path, settings):
    # Tom fits both Ana and Cy; capacity 1. The committee approves Tom for Cy.
    mentors = [
        mentor("tom@t.org", subjects="Chemistry", skills="Grant writing, Systematic reviews")
    ]
    mentors.append(mentor("zed@z.org", subjects="Physics & astronomy", skills="Liaison & outreach"))
    path = program_workbook(tmp_path / "p.xlsx", settings, MENTEES, mentors)
    match(path, settings)
    set_committee_cells(
        path,
        settings,
        {
            "cy@m.org": {"Suggested Mentor Email": "tom@t.org", "Status": "Approved"},
            "bo@m.org": {"Status": "hold"},
        },
    )
    held_mentor = committee_by_email(path, settings)["bo@m.org"]["Suggested Mentor Email"]
    match(path, settings)
    rows = committee_by_email(path, settings)
    assert rows["cy@m.org"]["Suggested Mentor Email"] == "tom@t.org"
    assert rows["cy@m.org"]["Status"] == "Approved"
    assert rows["bo@m.org"]["Suggested Mentor Email"] == held_mentor
    assert rows["bo@m.org"]["Status"] == "hold"  # the committee's cell is never rewritten
    # Tom's one place went to Cy, so Ana cannot have him.
    assert rows["ana@m.org"]["Suggested Mentor Email"] != "tom@t.org"


def test_a_rejection_is_remembered_and_a_new_suggestion_made(program, settings):
    set_committee_cells(program, settings, {"ana@m.org": {"Status": "Rejected"}})
    match(program, settings)
    ana = committee_by_email(program, settings)["ana@m.org"]
    assert ana["Rejected Mentors"] == "tom@t.org"
    assert ana["Status"] == "Suggested"
    assert ana["Suggested Mentor Email"] not in ("tom@t.org", None)

    set_committee_cells(program, settings, {"ana@m.org": {"Status": "Rejected"}})
    rejected_second = ana["Suggested Mentor Email"]
    match(program, settings)
    ana = committee_by_email(program, settings)["ana@m.org"]
    assert ana["Rejected Mentors"] == f"tom@t.org, {rejected_second}"
    assert ana["Suggested Mentor Email"] not in ("tom@t.org", rejected_second)
    assert match(program, settings).stats.cells_changed == 0


def test_a_mentee_with_no_possible_mentor_gets_an_empty_suggestion(program, settings):
    set_committee_cells(
        program, settings, {"ana@m.org": {"Rejected Mentors": "tom@t.org, uma@u.org, val@v.org"}}
    )
    match(program, settings)
    ana = committee_by_email(program, settings)["ana@m.org"]
    assert (ana["Suggested Mentor"], ana["Suggested Mentor Email"], ana["Score"]) == (
        None,
        None,
        None,
    )
    assert (
        ana["Why"]
        == "no mentor with free capacity who is allowed (hard rules, rejections, past partners)"
    )


def test_an_alternatives_entry_pasted_whole_is_the_committees_choice(program, settings):
    """The docs say Alternatives entries are there to copy into Committee Mentor Email: the
    whole entry, name, score and place note included, names its mentor."""
    val = committee_by_email(program, settings)["ana@m.org"]["Alternatives"].split("; ")[0]
    assert val.startswith("Val Kaur <val@v.org> ")
    set_committee_cells(program, settings, {"ana@m.org": {"Committee Mentor Email": val}})
    match(program, settings)
    ana = committee_by_email(program, settings)["ana@m.org"]
    assert (ana["Suggested Mentor"], ana["Suggested Mentor Email"]) == ("Val Kaur", "val@v.org")
    assert ana["Why"].startswith("committee's choice")
    assert ana["Committee Mentor Email"] == val  # the committee's cell, as they left it


def test_an_override_replaces_the_suggestion_and_is_kept(program, settings):
    set_committee_cells(program, settings, {"ana@m.org": {"Committee Mentor Email": " Uma@U.org "}})
    match(program, settings)
    rows = committee_by_email(program, settings)
    ana = rows["ana@m.org"]
    assert (ana["Suggested Mentor"], ana["Suggested Mentor Email"]) == ("Uma Patel", "uma@u.org")
    assert ana["Committee Mentor Email"] == " Uma@U.org "
    assert (
        ana["Why"]
        == "committee's choice; weak match (score below 35); nothing in common on the matching questions"
    )
    assert ana["Score"] == 0
    # Uma's one place is Ana's now.
    assert rows["bo@m.org"]["Suggested Mentor Email"] != "uma@u.org"
    assert match(program, settings).stats.cells_changed == 0


def test_an_override_naming_an_unknown_mentor_says_why(program, settings):
    set_committee_cells(
        program, settings, {"ana@m.org": {"Committee Mentor Email": "nobody@x.org"}}
    )
    match(program, settings)
    ana = committee_by_email(program, settings)["ana@m.org"]
    assert ana["Suggested Mentor Email"] is None
    assert (
        ana["Why"]
        == "Committee Mentor Email 'nobody@x.org' is not a mentor in the mentor responses; check the address"
    )
    assert ana["Committee Mentor Email"] == "nobody@x.org"


def test_rejecting_with_an_override_rejects_the_old_suggestion(program, settings):
    set_committee_cells(
        program,
        settings,
        {"ana@m.org": {"Status": "Rejected", "Committee Mentor Email": "val@v.org"}},
    )
    match(program, settings)
    ana = committee_by_email(program, settings)["ana@m.org"]
    assert (ana["Suggested Mentor Email"], ana["Rejected Mentors"], ana["Status"]) == (
        "val@v.org",
        "tom@t.org",
        "Suggested",
    )


def test_a_withdrawn_mentee_keeps_their_row(program, settings):
    set_committee_cells(program, settings, {"bo@m.org": {"Notes": "promising"}})
    replace_responses(program, settings, settings.mentee_form, [MENTEES[0], MENTEES[2]])
    report = match(program, settings)
    bo = committee_by_email(program, settings)["bo@m.org"]
    assert bo["Mentee"] == "Bo Chen"
    assert bo["Notes"] == "promising"
    assert bo["Suggested Mentor Email"] is None
    assert bo["Why"].startswith("not in the mentee responses any more")
    assert (report.stats.mentees, report.stats.withdrawn) == (2, 1)


def test_an_unknown_status_locks_the_row_and_says_so(program, settings):
    set_committee_cells(program, settings, {"ana@m.org": {"Status": "Aproved"}})
    match(program, settings)
    ana = committee_by_email(program, settings)["ana@m.org"]
    assert ana["Suggested Mentor Email"] == "tom@t.org"
    assert ana["Why"].startswith(
        "Status 'Aproved' is not one of Suggested, Approved, Rejected, Hold"
    )


def test_new_mentees_are_appended_below_the_committee_rows(program, settings):
    replace_responses(
        program, settings, settings.mentee_form, [*MENTEES, mentee("di@m.org", name="Di Xu")]
    )
    match(program, settings)
    rows = tab_rows(program, settings.tabs.committee)
    assert [r["Mentee Email"] for r in rows][-1] == "di@m.org"
    assert rows[-1]["Status"] == "Suggested"


def test_formula_looking_answers_stay_text(tmp_path, settings):
    mentees = [mentee("ana@m.org", name='=HYPERLINK("http://evil.example","click")')]
    mentors = [mentor("tom@t.org", name="@Tom"), mentor("uma@u.org", name="-Uma", capacity="0")]
    path = program_workbook(tmp_path / "p.xlsx", settings, mentees, mentors)
    match(path, settings)
    sheet = openpyxl.load_workbook(path)[settings.tabs.committee]
    assert sheet["A2"].value == '=HYPERLINK("http://evil.example","click")'
    assert sheet["A2"].data_type == "s"
    assert sheet["C2"].value == "@Tom"
    with zipfile.ZipFile(path) as archive:
        xml = "".join(
            archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/")
        )
    assert "<f>" not in xml and "<f " not in xml


@pytest.mark.workbook
def test_a_missing_committee_column_is_a_clear_error(program, settings):
    book = openpyxl.load_workbook(program)
    book[settings.tabs.committee]["H1"].value = "State"
    book.save(program)
    with pytest.raises(ConfigError) as caught:
        match(program, settings)
    assert str(caught.value) == (
        "no column 'Status' (a column the tool needs) in tab 'Committee Matches'; did you mean 'State'?"
        " Rename the column back to 'Status'."
    )


def test_intake_issues_tab_is_rewritten_each_run(tmp_path, settings):
    people = [
        *MENTEES,
        {**mentee("bad@m.org"), "email": "bad at m.org"},
        mentee("x@m.org", institution=""),
    ]
    path = program_workbook(tmp_path / "p.xlsx", settings, people, MENTORS)
    assert match(path, settings).intake_issues == 2
    issues = tab_rows(path, settings.tabs.intake_issues)
    assert [(r["Tab"], r["Row"]) for r in issues] == [
        ("Form Responses 1", 5),
        ("Form Responses 1", 6),
    ]
    replace_responses(path, settings, settings.mentee_form, MENTEES)
    assert match(path, settings).intake_issues == 0
    assert tab_rows(path, settings.tabs.intake_issues) == []


def test_approved_without_a_mentor_is_never_filled_in_by_the_tool(program, settings):
    set_committee_cells(
        program,
        settings,
        {
            "ana@m.org": {
                "Status": "Approved",
                "Suggested Mentor Email": None,
                "Suggested Mentor": None,
            }
        },
    )
    match(program, settings)
    ana = committee_by_email(program, settings)["ana@m.org"]
    assert ana["Suggested Mentor Email"] is None
    assert ana["Why"] == (
        "Approved without a mentor: name one in Committee Mentor Email, or set Status to Suggested for a suggestion"
    )


def test_rejecting_the_committees_own_override_is_not_undone(program, settings):
    set_committee_cells(program, settings, {"ana@m.org": {"Committee Mentor Email": "val@v.org"}})
    match(program, settings)
    set_committee_cells(program, settings, {"ana@m.org": {"Status": "Rejected"}})
    match(program, settings)
    ana = committee_by_email(program, settings)["ana@m.org"]
    assert ana["Rejected Mentors"] == "val@v.org"
    assert ana["Suggested Mentor Email"] not in ("val@v.org", None)
    assert ana["Why"].startswith(
        "Committee Mentor Email val@v.org is also in Rejected Mentors, so it is not used: clear one of the two; "
    )
    assert match(program, settings).stats.cells_changed == 0


@pytest.mark.workbook
def test_a_duplicate_row_keeps_its_approved_mentors_place(program, settings):
    book = openpyxl.load_workbook(program)
    sheet = book[settings.tabs.committee]
    header = [c.value for c in sheet[1]]
    copy = {
        "Mentee": "Ana Silva",
        "Mentee Email": "ANA@m.org",
        "Suggested Mentor Email": "val@v.org",
        "Status": "Approved",
    }
    sheet.append([copy.get(h) for h in header])
    book.save(program)
    match(program, settings)
    rows = tab_rows(program, settings.tabs.committee)
    assert rows[-1]["Why"] == (
        "another row (row 2) already holds this mentee; this row is left as it is,"
        " and val@v.org keeps a place for it: delete one of the two"
    )
    assert rows[-1]["Status"] == "Approved"
    assert "val@v.org" not in [r["Suggested Mentor Email"] for r in rows[:-1]]


@pytest.mark.workbook
def test_a_renamed_committee_tab_is_not_replaced_by_a_new_one(program, settings):
    set_committee_cells(program, settings, {"ana@m.org": {"Status": "Approved"}})
    book = openpyxl.load_workbook(program)
    book[settings.tabs.committee].title = "Committee matches 2026"
    book.save(program)
    before = program.read_bytes()
    with pytest.raises(ConfigError) as caught:
        match(program, settings)
    assert str(caught.value) == (
        "no tab 'Committee Matches' (the committee's matches), but tab 'Committee matches 2026'"
        " has its columns; if it is that tab renamed, rename it back, or set tabs.committee in"
        " the settings to 'Committee matches 2026'. Nothing was written or sent"
    )
    assert program.read_bytes() == before
