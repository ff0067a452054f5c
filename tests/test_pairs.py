"""Which pairs the email jobs write to (mentoring/pairs.py): the committee tab's Approved
rows, with the mentor the committee chose, and a row that cannot be used saying why while
every other pair goes on. On in-memory tables: no workbook."""

from __future__ import annotations

from datetime import date

import pytest

from mentoring.committee import COLUMNS
from mentoring.intake import read_responses
from mentoring.pairs import approved_pairs
from mentoring.sheet import table_from_cells
from tests.conftest import mentee, mentor, response_rows

PEOPLE = (
    [mentee("ana@m.org", name="Ana Silva"), mentee("bo@m.org", name="Bo Chen")],
    [mentor("tom@t.org", name="Tom Wong"), mentor("uma@u.org", name="Uma Patel")],
)
TODAY = date(2026, 11, 30)


def table(name, rows):
    return table_from_cells(
        name,
        {(r, c): v for r, row in enumerate(rows, 1) for c, v in enumerate(row, 1)},
    )


@pytest.fixture
def responses(settings):
    tabs = [
        table(form.tab, response_rows(list(form.questions.values()), list(form.questions), who))
        for form, who in zip((settings.mentee_form, settings.mentor_form), PEOPLE, strict=True)
    ]
    return read_responses(*tabs, settings)


def committee(*rows: dict):
    """The committee tab with these rows, by header; other cells empty."""
    return table("Committee Matches", [COLUMNS, *([row.get(h) for h in COLUMNS] for row in rows)])


def row(mentee_email, mentor_email, status="Approved", **more):
    return {
        "Mentee Email": mentee_email,
        "Suggested Mentor Email": mentor_email,
        "Status": status,
    } | more


def test_only_approved_rows_are_pairs(responses):
    read = approved_pairs(
        committee(row("ana@m.org", "tom@t.org"), row("bo@m.org", "uma@u.org", "Suggested")),
        responses,
        today=TODAY,
    )
    assert [(p.mentee.name, p.mentor.name, p.row) for p in read.pairs] == [
        ("Ana Silva", "Tom Wong", 2)
    ]
    assert read.problems == ()


def test_the_mentor_the_committee_chose_wins_over_the_suggestion(responses):
    chosen = row("ana@m.org", "tom@t.org", **{"Committee Mentor Email": "UMA@u.org"})
    (pair,) = approved_pairs(committee(chosen), responses, today=TODAY).pairs
    assert pair.mentor.email == "uma@u.org"


def test_approved_in_any_case_or_spacing_is_approved(responses):
    read = approved_pairs(committee(row("ana@m.org", "tom@t.org", " approved ")), responses)
    assert len(read.pairs) == 1


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        ([row("ana@m.org", "ana@m.org")], "the mentor is the mentee themself"),
        ([row("ana@m.org", "")], "no mentor is named; set Committee Mentor Email"),
        ([row("ana@m.org", "zed@z.org")], "the mentor zed@z.org is not in the mentor responses"),
        ([row("cy@m.org", "tom@t.org")], "the mentee cy@m.org is not in the mentee responses"),
        (
            [row("ana@m.org", "tom@t.org"), row("ana@m.org", "uma@u.org")],
            "rows 2 and 3 are both Approved for ana@m.org, with different mentors",
        ),
        (
            [row("ana@m.org", "tom@t.org", **{"Introduced On": "soon"})],
            "Introduced On 'soon' is not a date",
        ),
    ],
)
def test_a_row_that_cannot_be_used_says_why_and_the_others_go_on(responses, rows, says):
    rows = [*rows, row("bo@m.org", "uma@u.org")]
    read = approved_pairs(committee(*rows), responses, today=TODAY)
    assert [p.mentee.email for p in read.pairs] == ["bo@m.org"]
    assert read.problems and all(says in p.text for p in read.problems), read.problems


def test_no_committee_tab_yet_is_no_pairs(responses):
    assert approved_pairs(None, responses).pairs == ()
