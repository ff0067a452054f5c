"""Intake of the forms, with every quirk of real response tabs: on a spreadsheet in memory,
and the quirks once more through a real .xlsx file."""

from datetime import datetime

import pytest

from mentoring.errors import ConfigError
from mentoring.intake import Responses, read_responses, split_choices
from sync.spreadsheet import Spreadsheet
from sync.workbook import WorkbookSpreadsheet, create_workbook
from tests.conftest import mentee, mentor, program_tabs, response_rows
from tests.fakes.memory import MemorySpreadsheet

SKILLS = (
    "Grant writing",
    "Tenure, promotion & publishing",
    "Research data management",
    "Leadership & management",
)


def read_back(sheet: Spreadsheet, settings) -> Responses:
    tabs = sheet.read([settings.tabs.mentees, settings.tabs.mentors])
    return read_responses(tabs[settings.tabs.mentees], tabs[settings.tabs.mentors], settings)


def program(settings, mentees, mentors) -> MemorySpreadsheet:
    return MemorySpreadsheet(program_tabs(settings, mentees, mentors))


def mentee_tab(settings, header, rows, mentors=(), workbook=None) -> Spreadsheet:
    """A mentee tab with exactly these header and rows, and a normal mentor tab: in memory, or
    in a real .xlsx file at `workbook`."""
    form = settings.mentor_form
    tabs = {
        settings.tabs.mentees: [header, *rows],
        settings.tabs.mentors: response_rows(
            list(form.questions.values()), list(form.questions), mentors
        ),
    }
    if workbook is None:
        return MemorySpreadsheet(tabs)
    create_workbook(workbook, tabs)
    return WorkbookSpreadsheet(workbook)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Grant writing, Tenure, promotion & publishing", ("Grant writing", SKILLS[1])),
        ("Tenure, promotion & publishing", (SKILLS[1],)),
        ("Tenure, promotion & publishing, Grant writing", (SKILLS[1], "Grant writing")),
        (
            "Grant writing, Patent searching, prior art",
            ("Grant writing", "Patent searching, prior art"),
        ),
        ("Wikidata", ("Wikidata",)),
        ("grant  writing", ("Grant writing",)),
        ("Tenure, Grant writing", ("Grant writing", "Tenure")),
        # Microsoft Forms joins with ";" and ends with one.
        ("Grant writing;Tenure, promotion & publishing;", ("Grant writing", SKILLS[1])),
        ("Grant writing;Patents;Trademarks;", ("Grant writing", "Patents; Trademarks")),
        ("Grant writing, Patents; trademarks", ("Grant writing", "Patents; trademarks")),
    ],
)
def test_checkbox_answers_split_against_known_options(text, expected):
    assert split_choices(text, SKILLS) == expected


def test_reads_by_header_whatever_the_column_order(settings):
    questions = settings.mentee_form.questions
    fields = list(reversed(questions))  # every column in the opposite order
    person = mentee("ana@m.org", timestamp=datetime(2026, 9, 1), name="Ana Silva")
    sheet = mentee_tab(
        settings,
        [questions[f] for f in fields],
        [[person.get(f, "") for f in fields]],
    )
    (ana,) = read_back(sheet, settings).mentees
    assert (ana.name, ana.institution, ana.items("skills")) == (
        "Ana Silva",
        "m.org University",
        ("Grant writing",),
    )


@pytest.mark.parametrize("in_a_file", [False, True], ids=["memory", "xlsx"])
def test_quirks_of_real_tabs(tmp_path, settings, in_a_file):
    """Blank rows, committee columns, unused questions, text and serial timestamps, Other:."""
    questions = settings.mentee_form.questions
    fields = list(questions)
    header = [*questions.values(), "Anything else the committee should know?", "Committee notes"]

    def row(person, *extra):
        return [person.get(f, "") for f in fields] + list(extra)

    rows = [
        row(mentee("a@m.org", timestamp="09/14/2026 10:15:00")),
        [None] * len(header),
        ["", "  ", *[""] * (len(header) - 2)],
        row(
            mentee(
                "b@m.org", timestamp=46279.5, skills="Grant writing, Patent searching, prior art"
            )
        ),
        row(mentee("c@m.org", timestamp=datetime(2026, 9, 3)), "Only after 4 pm", "Call her first"),
    ]
    sheet = mentee_tab(settings, header, rows, workbook=tmp_path / "p.xlsx" if in_a_file else None)
    result = read_back(sheet, settings)
    by_email = {m.email: m for m in result.mentees}
    assert sorted(by_email) == ["a@m.org", "b@m.org", "c@m.org"]
    assert result.issues == ()
    assert by_email["a@m.org"].submitted == datetime(2026, 9, 14, 10, 15)
    assert by_email["b@m.org"].submitted == datetime(2026, 9, 14, 12, 0)
    assert by_email["b@m.org"].items("skills") == ("Grant writing", "Patent searching, prior art")
    assert by_email["c@m.org"].row == 6


def test_day_first_text_timestamps_are_detected(settings):
    people = [
        mentee("a@m.org", timestamp="03/10/2026 10:00:00"),  # 3 October, as the next row shows
        mentee("b@m.org", timestamp="25/09/2026 10:00:00"),
    ]
    sheet = program(settings, people, [])
    by_email = {m.email: m for m in read_back(sheet, settings).mentees}
    assert by_email["a@m.org"].submitted == datetime(2026, 10, 3, 10, 0)


def test_emails_are_normalised_and_the_latest_response_wins(settings):
    people = [
        # An edited response: newer Timestamp, higher up the tab.
        mentee("  Ana@M.org ", timestamp=datetime(2026, 11, 2), skills="Grant writing"),
        mentee("ana@m.org", timestamp=datetime(2026, 9, 1), skills="Leadership & management"),
        mentee("bo@m.org", timestamp=datetime(2026, 9, 1), skills="Grant writing"),
        # A second submission, lower down and later.
        mentee("BO@m.org", timestamp=datetime(2026, 10, 1), skills="Research data management"),
    ]
    sheet = program(settings, people, [])
    result = read_back(sheet, settings)
    by_email = {m.email: m for m in result.mentees}
    assert sorted(by_email) == ["ana@m.org", "bo@m.org"]
    assert by_email["ana@m.org"].items("skills") == ("Grant writing",)
    assert by_email["bo@m.org"].items("skills") == ("Research data management",)
    superseded = sorted((i.row, i.problem) for i in result.issues)
    assert superseded == [
        (3, "an earlier response from ana@m.org; the latest one (row 2) is used instead"),
        (4, "an earlier response from bo@m.org; the latest one (row 5) is used instead"),
    ]


@pytest.mark.parametrize(
    ("answers", "problem"),
    [
        ({"email": ""}, "no email address; this mentee is left out until the row has one"),
        (
            {"email": "ana at m.org"},
            "'ana at m.org' is not a usable email address (an email address must have an @-sign); this mentee is left out until it is corrected",
        ),
        (
            {"institution": ""},
            "no answer to 'Institution or organization'; this mentee is left out until the row has one",
        ),
        (
            {"timestamp": "sometime in May"},
            "the Timestamp 'sometime in May' cannot be read as a date; the row is used,"
            " but if this person answered twice the other response may win",
        ),
    ],
)
def test_rows_that_cannot_be_used_become_intake_issues(settings, answers, problem):
    people = [mentee("ok@m.org"), {**mentee("ana@m.org", name="Ana"), **answers}]
    sheet = program(settings, people, [])
    result = read_back(sheet, settings)
    (issue,) = result.issues
    assert (issue.tab, issue.row, issue.problem) == ("Form Responses 1", 3, problem)
    assert issue.person.startswith("Ana")
    used = {m.email for m in result.mentees}
    assert used == ({"ok@m.org", "ana@m.org"} if "timestamp" in answers else {"ok@m.org"})


def test_someone_in_both_forms_is_kept_as_both_and_flagged(settings):
    sheet = program(settings, [mentee("sam@m.org")], [mentor("sam@m.org")])
    result = read_back(sheet, settings)
    assert [m.email for m in result.mentees] == [m.email for m in result.mentors] == ["sam@m.org"]
    (issue,) = result.issues
    assert "also applied as a mentor (Form Responses 2 row 2)" in issue.problem


@pytest.mark.parametrize(
    ("answer", "capacity", "flagged"),
    [
        ("2", 2, False),
        (3, 3, False),
        ("", 1, False),
        ("2 if possible", 2, False),
        ("a few", 1, True),
        ("40", 1, True),
    ],
)
def test_mentor_capacity(settings, answer, capacity, flagged):
    sheet = program(settings, [], [mentor("t@t.org", capacity=answer)])
    result = read_back(sheet, settings)
    assert result.mentors[0].capacity == capacity
    assert bool(result.issues) is flagged


def test_a_renamed_question_names_the_closest_header(settings):
    questions = dict(settings.mentee_form.questions)
    header = [("Timezone" if h == "Time zone" else h) for h in questions.values()]
    sheet = mentee_tab(settings, header, [])
    with pytest.raises(ConfigError) as caught:
        read_back(sheet, settings)
    assert str(caught.value) == (
        "tab 'Form Responses 1' has no column 'Time zone' (mentee_form.questions.time_zone);"
        " did you mean 'Timezone'? If the question was reworded in the form, put its new text"
        ' in the settings: [mentee_form.questions] time_zone = "..."; if your form does not'
        " ask this, set it to \"\" there and take it out of the rule 'time zones'"
    )


def test_an_unusable_latest_response_falls_back_to_the_earlier_one_and_says_so(settings):
    people = [
        mentee("ana@m.org", name="Ana", timestamp=datetime(2026, 9, 1), skills="Grant writing"),
        mentee("ana@m.org", name="Ana", timestamp=datetime(2026, 10, 1), institution=""),
        mentee("bo@m.org", name="Bo", timestamp=datetime(2026, 9, 1), institution=""),
        mentee("bo@m.org", name="Bo", timestamp=datetime(2026, 10, 1), institution=""),
    ]
    sheet = program(settings, people, [])
    result = read_back(sheet, settings)
    assert [(m.email, m.row) for m in result.mentees] == [("ana@m.org", 2)]
    assert sorted((i.row, i.problem) for i in result.issues) == [
        (
            3,
            "no answer to 'Institution or organization'; the earlier response in row 2 is used until this one is corrected",
        ),
        (
            4,
            "an earlier response from bo@m.org, which cannot be used either (no answer to 'Institution or organization')",
        ),
        (
            5,
            "no answer to 'Institution or organization'; this mentee is left out until the row has one",
        ),
    ]
