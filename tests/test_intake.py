"""Intake of the forms, with every quirk of real response tabs, through real .xlsx files."""

from datetime import datetime

import pytest

from mentoring.errors import ConfigError
from mentoring.intake import Responses, read_responses, split_choices
from sync.workbook import WorkbookSpreadsheet, create_workbook
from tests.conftest import mentee, mentor, program_workbook, response_rows

SKILLS = (
    "Grant writing",
    "Tenure, promotion & publishing",
    "Research data management",
    "Leadership & management",
)


def read_back(path, settings) -> Responses:
    tabs = WorkbookSpreadsheet(path).read([settings.tabs.mentees, settings.tabs.mentors])
    return read_responses(tabs[settings.tabs.mentees], tabs[settings.tabs.mentors], settings)


def write_mentee_tab(path, settings, header, rows, mentors=()):
    """A mentee tab with exactly these header and rows, and a normal mentor tab."""
    form = settings.mentor_form
    create_workbook(
        path,
        {
            settings.tabs.mentees: [header, *rows],
            settings.tabs.mentors: response_rows(
                list(form.questions.values()), list(form.questions), mentors
            ),
        },
    )


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


def test_reads_by_header_whatever_the_column_order(tmp_path, settings):
    questions = settings.mentee_form.questions
    fields = list(reversed(questions))  # every column in the opposite order
    person = mentee("ana@m.org", timestamp=datetime(2026, 9, 1), name="Ana Silva")
    write_mentee_tab(
        tmp_path / "p.xlsx",
        settings,
        [questions[f] for f in fields],
        [[person.get(f, "") for f in fields]],
    )
    (ana,) = read_back(tmp_path / "p.xlsx", settings).mentees
    assert (ana.name, ana.institution, ana.items("skills")) == (
        "Ana Silva",
        "m.org University",
        ("Grant writing",),
    )


def test_quirks_of_real_tabs(tmp_path, settings):
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
    write_mentee_tab(tmp_path / "p.xlsx", settings, header, rows)
    result = read_back(tmp_path / "p.xlsx", settings)
    by_email = {m.email: m for m in result.mentees}
    assert sorted(by_email) == ["a@m.org", "b@m.org", "c@m.org"]
    assert result.issues == ()
    assert by_email["a@m.org"].submitted == datetime(2026, 9, 14, 10, 15)
    assert by_email["b@m.org"].submitted == datetime(2026, 9, 14, 12, 0)
    assert by_email["b@m.org"].items("skills") == ("Grant writing", "Patent searching, prior art")
    assert by_email["c@m.org"].row == 6


def test_day_first_text_timestamps_are_detected(tmp_path, settings):
    people = [
        mentee("a@m.org", timestamp="03/10/2026 10:00:00"),  # 3 October, as the next row shows
        mentee("b@m.org", timestamp="25/09/2026 10:00:00"),
    ]
    program_workbook(tmp_path / "p.xlsx", settings, people, [])
    by_email = {m.email: m for m in read_back(tmp_path / "p.xlsx", settings).mentees}
    assert by_email["a@m.org"].submitted == datetime(2026, 10, 3, 10, 0)


def test_emails_are_normalised_and_the_latest_response_wins(tmp_path, settings):
    people = [
        # An edited response: newer Timestamp, higher up the tab.
        mentee("  Ana@M.org ", timestamp=datetime(2026, 11, 2), skills="Grant writing"),
        mentee("ana@m.org", timestamp=datetime(2026, 9, 1), skills="Leadership & management"),
        mentee("bo@m.org", timestamp=datetime(2026, 9, 1), skills="Grant writing"),
        # A second submission, lower down and later.
        mentee("BO@m.org", timestamp=datetime(2026, 10, 1), skills="Research data management"),
    ]
    program_workbook(tmp_path / "p.xlsx", settings, people, [])
    result = read_back(tmp_path / "p.xlsx", settings)
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
def test_rows_that_cannot_be_used_become_intake_issues(tmp_path, settings, answers, problem):
    people = [mentee("ok@m.org"), {**mentee("ana@m.org", name="Ana"), **answers}]
    program_workbook(tmp_path / "p.xlsx", settings, people, [])
    result = read_back(tmp_path / "p.xlsx", settings)
    (issue,) = result.issues
    assert (issue.tab, issue.row, issue.problem) == ("Form Responses 1", 3, problem)
    assert issue.person.startswith("Ana")
    used = {m.email for m in result.mentees}
    assert used == ({"ok@m.org", "ana@m.org"} if "timestamp" in answers else {"ok@m.org"})


def test_someone_in_both_forms_is_kept_as_both_and_flagged(tmp_path, settings):
    program_workbook(tmp_path / "p.xlsx", settings, [mentee("sam@m.org")], [mentor("sam@m.org")])
    result = read_back(tmp_path / "p.xlsx", settings)
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
def test_mentor_capacity(tmp_path, settings, answer, capacity, flagged):
    program_workbook(tmp_path / "p.xlsx", settings, [], [mentor("t@t.org", capacity=answer)])
    result = read_back(tmp_path / "p.xlsx", settings)
    assert result.mentors[0].capacity == capacity
    assert bool(result.issues) is flagged


def test_a_renamed_question_names_the_closest_header(tmp_path, settings):
    questions = dict(settings.mentee_form.questions)
    header = [("Timezone" if h == "Time zone" else h) for h in questions.values()]
    write_mentee_tab(tmp_path / "p.xlsx", settings, header, [])
    with pytest.raises(ConfigError) as caught:
        read_back(tmp_path / "p.xlsx", settings)
    assert str(caught.value) == (
        "no column 'Time zone' (mentee form, field 'time_zone') in tab 'Form Responses 1';"
        " did you mean 'Timezone'? If the question was reworded, put its new text in the settings"
        " (mentee_form.questions.time_zone)."
    )


def test_an_unusable_latest_response_falls_back_to_the_earlier_one_and_says_so(tmp_path, settings):
    people = [
        mentee("ana@m.org", name="Ana", timestamp=datetime(2026, 9, 1), skills="Grant writing"),
        mentee("ana@m.org", name="Ana", timestamp=datetime(2026, 10, 1), institution=""),
        mentee("bo@m.org", name="Bo", timestamp=datetime(2026, 9, 1), institution=""),
        mentee("bo@m.org", name="Bo", timestamp=datetime(2026, 10, 1), institution=""),
    ]
    program_workbook(tmp_path / "p.xlsx", settings, people, [])
    result = read_back(tmp_path / "p.xlsx", settings)
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
