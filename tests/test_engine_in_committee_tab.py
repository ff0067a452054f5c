"""The engine as the committee sees it: Alternatives, weak pairs, past partners, the slate summary."""

import re
import tomllib
from collections import Counter

import openpyxl
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from jobs.settings_file import default_settings_text
from mentoring.committee import COLUMNS, update_committee_tab
from mentoring.errors import ConfigError
from mentoring.intake import Applicant, Responses
from mentoring.matching import RuleMatcher
from mentoring.settings import parse_settings
from mentoring.sheet import Row, Table
from tests.conftest import (
    add_settings,
    committee_by_email,
    match,
    mentee,
    mentor,
    program_memory,
    program_workbook,
    set_committee_cells,
)
from tests.test_matching import brute_force

MENTEES = [
    mentee(
        "ana@m.org", name="Ana Silva", skills="Grant writing", career_stage="Library school student"
    ),
    mentee(
        "bo@m.org", name="Bo Chen", skills="Systematic reviews", career_stage="Mid-career librarian"
    ),
]
MENTORS = [
    mentor("tom@t.org", name="Tom Wong", skills="Grant writing"),
    mentor("uma@u.org", name="Uma Patel", skills="Systematic reviews"),
    mentor(
        "val@v.org",
        name="Val Kaur",
        skills="Grant writing, Systematic reviews",
        subjects="Engineering",
    ),
]


@pytest.mark.workbook
def test_a_tab_from_before_alternatives_gets_the_column_after_why(tmp_path, settings):
    old_columns = [c for c in COLUMNS if c != "Alternatives"]
    row = dict.fromkeys(old_columns)
    row.update(
        {
            "Mentee": "Ana Silva",
            "Mentee Email": "ana@m.org",
            "Status": "Approved",
            "Suggested Mentor Email": "val@v.org",
            "Notes": "keep",
        }
    )
    path = program_workbook(
        tmp_path / "p.xlsx",
        settings,
        MENTEES,
        MENTORS,
        extra_tabs={
            settings.tabs.committee: [
                [*old_columns, "Lead"],
                [*(row[c] for c in old_columns), "Kim"],
            ]
        },
    )
    book = openpyxl.load_workbook(path)
    rule = openpyxl.worksheet.datavalidation.DataValidation(
        type="list", formula1='"Suggested,Approved,Rejected,Hold"'
    )
    rule.add("G2:G5000")
    book[settings.tabs.committee].add_data_validation(rule)
    book.save(path)

    match(path, settings)
    sheet = openpyxl.load_workbook(path)[settings.tabs.committee]
    assert [c.value for c in sheet[1]] == [*COLUMNS, "Lead"]
    ana = committee_by_email(path, settings)["ana@m.org"]
    assert (ana["Status"], ana["Notes"], ana["Lead"], ana["Suggested Mentor Email"]) == (
        "Approved",
        "keep",
        "Kim",
        "val@v.org",
    )
    assert str(sheet.data_validations.dataValidation[0].sqref) == "H2:H5000"
    assert match(path, settings).stats.cells_changed == 0


def test_weak_pairs_are_flagged_not_hidden(settings):
    people = [mentee("cy@m.org", skills="Leadership & management", subjects="Physics & astronomy")]
    sheet = program_memory(settings, people, MENTORS)
    report = match(sheet, settings)
    cy = committee_by_email(sheet, settings)["cy@m.org"]
    assert cy["Suggested Mentor Email"] is not None
    assert cy["Score"] < 35
    assert cy["Why"].startswith("weak match (score below 35)")
    assert (
        report.slate[0]
        == "slate: 1 of 1 mentees matched, 0 unmatched, 1 weak (score below 35); optimal"
    )


def test_alternatives_name_the_next_best_mentors_with_a_free_place(settings):
    sheet = program_memory(settings, MENTEES[:1], MENTORS)
    match(sheet, settings)
    ana = committee_by_email(sheet, settings)["ana@m.org"]
    # Skills weigh 3 and subjects 2 of 10: Tom shares both, Val skills, Uma the subject.
    assert (ana["Suggested Mentor Email"], ana["Score"]) == ("tom@t.org", 50)
    assert ana["Alternatives"] == (
        "Val Kaur <val@v.org> 30 (has a free place); Uma Patel <uma@u.org> 20 (has a free place)"
    )


def test_previous_partners_from_the_past_pairs_tab_are_never_suggested(settings):
    past = [["Cohort", "Mentee Email", "Mentor Email"], ["2025", "ANA@m.org", "tom@t.org"]]
    sheet = program_memory(settings, MENTEES[:1], MENTORS[:2], extra_tabs={"Past Pairs": past})
    match(sheet, settings)
    ana = committee_by_email(sheet, settings)["ana@m.org"]
    assert ana["Suggested Mentor Email"] == "uma@u.org"


def test_previous_partners_from_a_csv_file(tmp_path, settings_file):
    add_settings(settings_file, '[matching]\npast_pairs_file = "past.csv"\n')
    (tmp_path / "past.csv").write_text("Mentee Email,Mentor Email\nana@m.org,tom@t.org\n")
    from jobs.settings_file import load_settings

    settings = load_settings(settings_file)
    sheet = program_memory(settings, MENTEES[:1], MENTORS[:2])
    match(sheet, settings)
    assert committee_by_email(sheet, settings)["ana@m.org"]["Suggested Mentor Email"] == "uma@u.org"


def test_a_past_pairs_tab_without_its_columns_is_a_clear_error(settings):
    sheet = program_memory(
        settings,
        MENTEES,
        MENTORS,
        extra_tabs={"Past Pairs": [["Mentee", "Mentor"]]},
    )
    with pytest.raises(
        ConfigError,
        match="no column 'Mentee Email' \\(a previous pair's mentee\\) in tab 'Past Pairs'",
    ):
        match(sheet, settings)


def test_the_slate_summary_shows_load_and_scores_by_career_stage(settings):
    sheet = program_memory(settings, MENTEES, MENTORS)
    report = match(sheet, settings)
    assert report.slate[1] == "mentor load (mentees per mentor): 1 with 0, 2 with 1"
    assert report.slate[2].startswith("mean score by career stage: Library school student ")
    assert "Mid-career librarian" in report.slate[2]


def person(email, skills, capacity=1) -> Applicant:
    return Applicant(
        email,
        email[:3],
        email.split("@")[1],
        None,
        "t",
        2,
        {"skills": tuple(skills), "institution": email.split("@")[1]},
        capacity,
    )


SKILLS = ["A", "B", "C"]
DEFAULTS = parse_settings(tomllib.loads(default_settings_text()))
# Small programs: each mentee's skills, and each mentor's skills and capacity.
MENTEE_SKILLS = st.lists(st.lists(st.sampled_from(SKILLS), unique=True), min_size=1, max_size=6)
MENTOR_SPECS = st.lists(
    st.tuples(st.lists(st.sampled_from(SKILLS), unique=True), st.integers(0, 2)),
    min_size=1,
    max_size=4,
)


@hypothesis_settings(max_examples=40, deadline=None)
@given(MENTEE_SKILLS, MENTOR_SPECS, st.data())
def test_locked_pairs_are_kept_and_no_capacity_or_hard_rule_is_broken(
    mentee_skills, mentor_specs, data
):
    mentees = [person(f"m{i}@m{i % 2}.org", s) for i, s in enumerate(mentee_skills)]
    mentors = [person(f"t{j}@t{j}.org", s, c) for j, (s, c) in enumerate(mentor_specs)]
    header = list(COLUMNS)
    rows, locked, rejected = [], {}, {}
    for number, m in enumerate(mentees, start=2):
        status = data.draw(st.sampled_from(["Suggested", "Approved", "Hold", "Rejected", ""]))
        chosen = data.draw(st.sampled_from([t.email for t in mentors]))
        if status in ("Approved", "Hold"):
            locked[m.email] = chosen
        if status == "Rejected":
            rejected[m.email] = chosen
        values = {"Mentee Email": m.email, "Status": status, "Suggested Mentor Email": chosen}
        rows.append(Row(number, tuple(values.get(h) for h in header)))
    table = Table("Committee Matches", tuple(header), tuple(rows), len(rows) + 1)
    responses = Responses(tuple(mentees), tuple(mentors), ())
    matcher = RuleMatcher(DEFAULTS.matching, mentees, mentors)
    update = update_committee_tab(table, "Committee Matches", responses, matcher)
    final = {o.mentee.email: o.mentor for o in update.outcomes}
    for email, mentor_email in locked.items():
        assert final[email] == mentor_email
    load = Counter(m for m in final.values() if m)
    held = Counter(locked.values())
    for t in mentors:
        assert load[t.email] <= max(t.capacity, held[t.email])
    for email, mentor_email in final.items():
        if mentor_email and email not in locked:
            assert (
                matcher.fit(
                    next(m for m in mentees if m.email == email),
                    next(t for t in mentors if t.email == mentor_email),
                ).refusal
                == ""
            )
    # Around the committee's pairs, the rest of the slate is still the best there is.
    board = matcher.board
    open_mentees = [m.email for m in mentees if m.email not in locked]
    rows_of = [board.row[e] for e in open_mentees]
    allowed = board.allowed[rows_of].copy()
    for i, email in enumerate(open_mentees):
        if email in rejected:
            allowed[i, board.column[rejected[email]]] = False
    capacity = [max(0, t.capacity - held[t.email]) for t in board.mentors]
    score = board.score[rows_of]
    ours = [(i, board.column[final[e]]) for i, e in enumerate(open_mentees) if final[e]]
    assert (len(ours), sum(int(score[i, j]) for i, j in ours)) == brute_force(
        score, allowed, capacity
    )


def test_a_past_pairs_tab_under_a_slightly_different_name_is_not_skipped(settings):
    past = [["Mentee Email", "Mentor Email"], ["ana@m.org", "tom@t.org"]]
    sheet = program_memory(settings, MENTEES, MENTORS, extra_tabs={"Past Pair": past})
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "no tab 'Past Pairs' (previous pairs, never suggested again); did you mean 'Past"
            " Pair'? If so, set matching.past_pairs_tab in the settings to its name, or rename"
            " the tab back"
        ),
    ):
        match(sheet, settings)


def test_a_past_pairs_tab_in_other_case_is_the_past_pairs_tab(settings):
    past = [["Mentee Email", "Mentor Email"], ["ana@m.org", "tom@t.org"]]
    sheet = program_memory(settings, MENTEES, MENTORS, extra_tabs={"past  pairs": past})
    match(sheet, settings)
    assert committee_by_email(sheet, settings)["ana@m.org"]["Suggested Mentor Email"] != "tom@t.org"
    assert "Past Pairs" not in sheet.tab_names()


def test_a_committee_choice_against_the_rules_says_so(settings):
    past = [["Mentee Email", "Mentor Email"], ["ana@m.org", "tom@t.org"]]
    sheet = program_memory(settings, MENTEES, MENTORS, extra_tabs={"Past Pairs": past})
    match(sheet, settings)
    set_committee_cells(sheet, settings, {"ana@m.org": {"Committee Mentor Email": "tom@t.org"}})
    match(sheet, settings)
    ana = committee_by_email(sheet, settings)["ana@m.org"]
    assert ana["Suggested Mentor Email"] == "tom@t.org"
    assert ana["Why"].startswith(
        "committee's choice; note: against the rules: a previous pair (Past Pairs)"
    )
    assert ana["Alternatives"] is None
