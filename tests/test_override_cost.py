"""What an override costs, before and after it is made: Alternatives that say whose place a
mentor's is, the displaced mentee's Why, the slate summary's cost against the unconstrained
best (checked against a brute-force re-solve), and the fairness line."""

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from jobs.settings_file import load_settings
from mentoring.choice_cost import ChoicesCost
from mentoring.committee import COLUMNS, Outcome, update_committee_tab
from mentoring.intake import Applicant, Responses, read_responses
from mentoring.matching import RuleMatcher
from mentoring.names import possessive
from mentoring.scoring import ScoreBoard
from mentoring.sheet import Row, Table
from mentoring.summary import cost_line, slate_summary
from tests.conftest import (
    add_settings,
    committee_by_email,
    match,
    mentee,
    mentor,
    program_memory,
    set_committee_cells,
)
from tests.test_engine_in_committee_tab import DEFAULTS, MENTEE_SKILLS, MENTOR_SPECS, person
from tests.test_matching import brute_force

# Skills weigh 3 and subjects 2 of the default rules' 10: sharing both scores 50, skills 30.
ANA = mentee("ana@m.org", name="Ana Silva", skills="Grant writing", subjects="Chemistry")
BO = mentee("bo@m.org", name="Bo Chen", skills="Systematic reviews", subjects="Engineering")
TOM = mentor(
    "tom@t.org", name="Tom Wong", skills="Grant writing", subjects="Chemistry", pronouns="he/him"
)
UMA = mentor(
    "uma@u.org",
    name="Uma Patel",
    skills="Systematic reviews",
    subjects="Engineering",
    pronouns="She/Her",
)
VAL = mentor(
    "val@v.org",
    name="Val Kaur",
    skills="Grant writing, Systematic reviews",
    subjects="Physics & astronomy",
    pronouns="they/them",
)


def unconstrained_less_committee(sheet, settings) -> tuple[int, int]:
    """The committee's cost worked out independently, by brute force: the best slate with
    every row open, less the committee's rows plus the best slate of the open rows around
    them; (points, mentees matched)."""
    found = sheet.read([settings.tabs.mentees, settings.tabs.mentors])
    responses = read_responses(found[settings.tabs.mentees], found[settings.tabs.mentors], settings)
    board = ScoreBoard(settings.matching.rules, responses.mentees, responses.mentors)
    allowed = board.allowed.copy()
    rows = committee_by_email(sheet, settings)
    for email, row in rows.items():
        for rejected in filter(None, str(row["Rejected Mentors"] or "").split(", ")):
            allowed[board.row[email], board.column[rejected]] = False
    capacity = np.array([m.capacity for m in board.mentors])
    best = brute_force(board.score, allowed, capacity)

    fixed = {
        email: row["Committee Mentor Email"] or row["Suggested Mentor Email"]
        for email, row in rows.items()
        if row["Status"] in ("Approved", "Hold") or row["Committee Mentor Email"]
    }
    for mentor_email in fixed.values():
        capacity[board.column[mentor_email]] -= 1
    open_rows = [board.row[m.email] for m in board.mentees if m.email not in fixed]
    around = brute_force(board.score[open_rows], allowed[open_rows], np.maximum(capacity, 0))
    fixed_total = sum(int(board.score[board.row[e], board.column[t]]) for e, t in fixed.items())
    return best[1] - around[1] - fixed_total, best[0] - around[0] - len(fixed)


def test_each_alternative_says_whose_place_it_is_or_that_it_is_free(settings):
    sheet = program_memory(settings, [ANA, BO], [TOM, UMA, VAL])
    report = match(sheet, settings)
    rows = committee_by_email(sheet, settings)
    assert (rows["ana@m.org"]["Suggested Mentor Email"], rows["ana@m.org"]["Score"]) == (
        "tom@t.org",
        50,
    )
    assert (rows["bo@m.org"]["Suggested Mentor Email"], rows["bo@m.org"]["Score"]) == (
        "uma@u.org",
        50,
    )
    assert rows["ana@m.org"]["Alternatives"] == (
        "Val Kaur <val@v.org> 30 (has a free place);"
        " Uma Patel <uma@u.org> 0 (her place goes to Bo Chen, 50)"
    )
    assert rows["bo@m.org"]["Alternatives"] == (
        "Val Kaur <val@v.org> 30 (has a free place);"
        " Tom Wong <tom@t.org> 0 (his place goes to Ana Silva, 50)"
    )
    # No committee choice yet: no cost to state.
    assert not any(line.startswith("committee choices") for line in report.slate)


def test_a_mentor_without_clear_pronouns_is_named_without_one(settings):
    people = [mentor("tom@t.org", name="Tom Wong", pronouns="she/they"), mentor("uma@u.org")]
    sheet = program_memory(settings, [mentee("ana@m.org"), mentee("bo@m.org")], people)
    match(sheet, settings)
    alternatives = {e: r["Alternatives"] for e, r in committee_by_email(sheet, settings).items()}
    # Everyone scores 50 with everyone: Ana gets Tom and Bo Uma, by email order.
    assert alternatives == {
        "ana@m.org": "Uma <uma@u.org> 50 (place goes to Bo, 50)",
        "bo@m.org": "Tom Wong <tom@t.org> 50 (place goes to Ana, 50)",
    }


@pytest.mark.parametrize(
    ("answer", "word"),
    [
        ("she/her", "her"),
        ("She / Her / Hers", "her"),
        ("he/him", "his"),
        ("They/Them", "their"),
        ("she/they", ""),
        ("ze/zir", ""),
        ("any pronouns", ""),
        ("Prefer not to say", ""),
        ("", ""),
    ],
)
def test_a_pronouns_answer_gives_a_possessive_only_when_it_is_clear(answer, word):
    assert possessive(answer) == word


WU = mentor("wu@w.org", name="Wu Li", skills="Leadership & management", subjects="Engineering")


def test_when_no_listed_alternative_is_free_the_best_free_mentor_comes_last(settings_file):
    add_settings(settings_file, "[matching]\nalternatives = 1\n")
    settings = load_settings(settings_file)
    sheet = program_memory(settings, [ANA, BO], [TOM, UMA, WU])
    match(sheet, settings)
    rows = committee_by_email(sheet, settings)
    # Ana's best other mentor is Uma (0, a tie broken by email order over Wu, also 0)...
    assert rows["ana@m.org"]["Alternatives"] == (
        "Uma Patel <uma@u.org> 0 (her place goes to Bo Chen, 50);"
        " Wu Li <wu@w.org> 0 (has a free place)"
    )
    # ... and Bo's best other is Wu, who is free: nothing is added.
    assert rows["bo@m.org"]["Alternatives"] == "Wu Li <wu@w.org> 20 (has a free place)"


def test_an_override_that_takes_a_suggested_mentor_says_so_on_the_displaced_row(settings):
    sheet = program_memory(settings, [ANA, BO], [TOM, UMA, VAL])
    match(sheet, settings)
    set_committee_cells(sheet, settings, {"bo@m.org": {"Committee Mentor Email": "tom@t.org"}})
    report = match(sheet, settings)
    rows = committee_by_email(sheet, settings)
    assert rows["bo@m.org"]["Suggested Mentor Email"] == "tom@t.org"
    ana = rows["ana@m.org"]
    assert (ana["Suggested Mentor Email"], ana["Score"]) == ("val@v.org", 30)
    assert ana["Why"] == (
        "weak match (score below 35); Tom Wong would be suggested here, but the committee gave the place to Bo Chen"
        " (Committee Mentor Email, row 3); skills: Grant writing"
    )
    # Ana 50 and Bo 50 unconstrained; now Bo 0 with Tom and Ana 30 with Val.
    assert unconstrained_less_committee(sheet, settings) == (70, 0)
    assert (
        report.slate[1]
        == "committee choices cost 70 points in total against the unconstrained best"
    )
    # Running again changes nothing: the note is worked out afresh, the same.
    assert match(sheet, settings).stats.cells_changed == 0


def test_an_approved_pair_that_leaves_a_newcomer_without_a_mentor_costs_a_match(
    settings, settings_file
):
    tom = mentor("tom@t.org", name="Tom Wong", skills="Grant writing", subjects="Chemistry")
    # Uma shares Bo's institution (u.org), which the default hard rule refuses.
    uma = mentor("uma@u.org", name="Uma Patel", skills="Grant writing", subjects="Engineering")
    sheet = program_memory(settings, [ANA], [tom, uma])
    match(sheet, settings)
    set_committee_cells(sheet, settings, {"ana@m.org": {"Status": "Approved"}})
    newcomer = mentee("bo@u.org", name="Bo Chen", skills="Grant writing", subjects="Chemistry")
    sheet = program_memory(
        settings,
        [ANA, newcomer],
        [tom, uma],
        extra_tabs={settings.tabs.committee: _tab_rows(sheet, settings)},
    )
    report = match(sheet, settings)
    bo = committee_by_email(sheet, settings)["bo@u.org"]
    assert bo["Suggested Mentor Email"] is None
    assert bo["Why"] == (
        "Tom Wong would be suggested here, but the committee gave the place to Ana Silva"
        " (Approved, row 2); no mentor with free capacity who is allowed (hard rules,"
        " rejections, past partners)"
    )
    # Unconstrained, Bo has Tom (50) and Ana Uma (30); with Ana approved with Tom, 50 alone.
    assert unconstrained_less_committee(sheet, settings) == (30, 1)
    assert report.slate[1] == (
        "committee choices cost 30 points in total and 1 mentee matched against the"
        " unconstrained best"
    )


def test_a_place_held_for_a_mentee_who_withdrew_is_named_on_the_row_it_displaces(settings):
    tom = mentor("tom@t.org", name="Tom Wong", skills="Grant writing", subjects="Chemistry")
    sheet = program_memory(settings, [ANA], [tom])
    match(sheet, settings)
    set_committee_cells(sheet, settings, {"ana@m.org": {"Status": "Approved"}})
    newcomer = mentee("bo@u.org", name="Bo Chen", skills="Grant writing", subjects="Chemistry")
    sheet = program_memory(
        settings,
        [newcomer],
        [tom],
        extra_tabs={settings.tabs.committee: _tab_rows(sheet, settings)},
    )
    report = match(sheet, settings)
    assert committee_by_email(sheet, settings)["bo@u.org"]["Why"].startswith(
        "Tom Wong would be suggested here, but the committee gave the place to Ana Silva, who is"
        " no longer in the mentee responses (Approved, row 2); "
    )
    # Bo would have Tom (50); Ana's row keeps Tom's only place.
    assert report.slate[1] == (
        "committee choices cost 50 points in total and 1 mentee matched against the"
        " unconstrained best"
    )


def _tab_rows(sheet, settings):
    table = sheet.tables[settings.tabs.committee]
    return [list(table.header), *(list(row.cells) for row in table.rows)]


def test_approving_the_suggestions_costs_nothing_and_displaces_nobody(settings):
    sheet = program_memory(settings, [ANA, BO], [TOM, UMA, VAL])
    match(sheet, settings)
    set_committee_cells(sheet, settings, {"ana@m.org": {"Status": "Approved"}})
    report = match(sheet, settings)
    assert report.slate[1] == "committee choices cost nothing against the unconstrained best"
    assert committee_by_email(sheet, settings)["bo@m.org"]["Why"] == (
        "skills: Systematic reviews; subjects: Engineering"
    )


@pytest.mark.parametrize(
    ("cost", "line"),
    [
        (ChoicesCost(12, 1), "committee choices cost 12 points in total and 1 mentee matched"),
        (ChoicesCost(1, 0), "committee choices cost 1 point in total"),
        (ChoicesCost(-20, -1), "committee choices gain 20 points in total and 1 mentee matched"),
        (ChoicesCost(0, 2), "committee choices cost 2 mentees matched"),
        (ChoicesCost(0, 0), "committee choices cost nothing"),
    ],
)
def test_the_cost_line_says_what_changed(cost, line):
    assert cost_line(cost) == line + " against the unconstrained best"


def test_the_cost_line_says_when_the_unconstrained_best_is_not_proven():
    assert cost_line(ChoicesCost(3, 0, gap=4.0)) == (
        "committee choices cost 3 points in total against the unconstrained best (itself not"
        " proven optimal: it could score up to 4 points more)"
    )


@hypothesis_settings(max_examples=200, deadline=None)
@given(MENTEE_SKILLS, MENTOR_SPECS, st.data())
def test_one_override_costs_what_a_brute_force_re_solve_says(mentee_skills, mentor_specs, data):
    mentees = [person(f"m{i}@x{i % 3}.org", s) for i, s in enumerate(mentee_skills)]
    mentors = [person(f"t{j}@x{j % 3}.org", s, c) for j, (s, c) in enumerate(mentor_specs)]
    chosen = data.draw(st.sampled_from(mentees))
    override = data.draw(st.sampled_from(mentors))
    # Each mentee may have rejected a mentor, but for the committee's own choice.
    rejected = {
        m.email: data.draw(
            st.sampled_from(
                ["", *(t.email for t in mentors if m is not chosen or t is not override)]
            )
        )
        for m in mentees
    }
    header = list(COLUMNS)
    rows = []
    for number, m in enumerate(mentees, start=2):
        values = {
            "Mentee Email": m.email,
            "Status": "Suggested",
            "Rejected Mentors": rejected[m.email],
        }
        if m is chosen:
            values["Committee Mentor Email"] = override.email
        rows.append(Row(number, tuple(values.get(h) for h in header)))
    table = Table("Committee Matches", tuple(header), tuple(rows), len(rows) + 1)
    matcher = RuleMatcher(DEFAULTS.matching, mentees, mentors)
    update = update_committee_tab(
        table, "Committee Matches", Responses(tuple(mentees), tuple(mentors), ()), matcher
    )

    board = matcher.board
    allowed = board.allowed.copy()
    for m in mentees:
        if rejected[m.email]:
            allowed[board.row[m.email], board.column[rejected[m.email]]] = False
    capacity = np.array([t.capacity for t in board.mentors])
    best = brute_force(board.score, allowed, capacity)
    at = board.column[override.email]
    capacity[at] = max(0, capacity[at] - 1)
    others = [board.row[m.email] for m in board.mentees if m is not chosen]
    around = brute_force(board.score[others], allowed[others], capacity)
    fixed = int(board.score[board.row[chosen.email], at])
    assert update.cost == ChoicesCost(best[1] - around[1] - fixed, best[0] - around[0] - 1)

    # The one choice displaces at most one row per place it holds, and says whose: a row it
    # leaves worse off than the unconstrained best, unmatched or with a lower score.
    notes = [o for o in update.outcomes if "the committee gave the place to" in o.why]
    assert len(notes) <= 1
    unconstrained = matcher.best_pairs(mentees, mentors, {e: [r] for e, r in rejected.items() if r})
    for outcome in notes:
        assert f"the place to {chosen.name} (Committee Mentor Email, row " in outcome.why
        assert outcome.mentor != override.email
        had = unconstrained.pairs[outcome.mentee.email][1]
        assert outcome.mentor is None or (outcome.score or 0) < had, outcome.why


def test_an_override_that_swaps_a_mentee_between_equal_mentors_displaces_nobody(settings):
    ana = mentee("ana@m.org", name="Ana Silva")
    bo = mentee("bo@b.org", name="Bo Chen")
    tom = mentor("tom@t.org", name="Tom Wong")
    uma = mentor("uma@u.org", name="Uma Patel")
    sheet = program_memory(settings, [ana, bo], [tom, uma])
    match(sheet, settings)
    # Everyone scores 50 with everyone: Ana has Tom and Bo Uma, by email order.
    assert committee_by_email(sheet, settings)["ana@m.org"]["Suggested Mentor Email"] == "tom@t.org"
    set_committee_cells(sheet, settings, {"bo@b.org": {"Committee Mentor Email": "tom@t.org"}})
    report = match(sheet, settings)
    ana_row = committee_by_email(sheet, settings)["ana@m.org"]
    assert (ana_row["Suggested Mentor Email"], ana_row["Score"]) == ("uma@u.org", 50)
    assert ana_row["Why"] == "skills: Grant writing; subjects: Chemistry"
    assert report.slate[1] == "committee choices cost nothing against the unconstrained best"


def test_an_override_that_leaves_a_mentee_better_off_does_not_call_them_displaced(settings):
    ana = mentee("ana@m.org", name="Ana Silva", skills="Grant writing", subjects="Chemistry")
    bo = mentee(
        "bo@b.org",
        name="Bo Chen",
        skills="Systematic reviews, Leadership & management",
        subjects="Physics & astronomy",
    )
    cy = mentee("cy@c.org", name="Cy Okafor", skills="Public speaking", subjects="History")
    tom = mentor("tom@t.org", name="Tom Wong", skills="Grant writing", subjects="Engineering")
    val = mentor(
        "val@v.org",
        name="Val Kaur",
        skills="Grant writing, Systematic reviews",
        subjects="Chemistry, Physics & astronomy",
    )
    sheet = program_memory(settings, [ana, bo, cy], [tom, val])
    match(sheet, settings)
    before = committee_by_email(sheet, settings)
    # Ana 30 with Tom and Bo 35 with Val (65) beat Ana 50 with Val (50).
    assert (before["ana@m.org"]["Suggested Mentor Email"], before["ana@m.org"]["Score"]) == (
        "tom@t.org",
        30,
    )
    set_committee_cells(sheet, settings, {"cy@c.org": {"Committee Mentor Email": "tom@t.org"}})
    match(sheet, settings)
    ana_row = committee_by_email(sheet, settings)["ana@m.org"]
    # Cy takes Tom's place, and Ana moves to Val, who suits her better: she lost nothing.
    assert (ana_row["Suggested Mentor Email"], ana_row["Score"]) == ("val@v.org", 50)
    assert "the committee gave the place to" not in ana_row["Why"]


def outcome(group: str, score: int | None, number: int) -> Outcome:
    who = Applicant(f"p{number}@x.org", f"P{number}", "x", None, "t", 2, {"stage": group})
    return Outcome(who, None if score is None else "t@y.org", score, False)


def fairness_lines(outcomes) -> list[str]:
    lines = slate_summary(outcomes, [], "stage", 35, "optimal")
    return [line for line in lines if line.startswith("fairness:")]


def test_a_group_clearly_below_the_rest_gets_a_fairness_line():
    students = [outcome("Student", 50, n) for n in range(5)] + [outcome("Student", None, 5)]
    others = [outcome("Mid-career", 60, n) for n in range(10, 14)]
    others += [outcome("Retired", 60, 20), outcome("(no answer)", 60, 21)]
    assert fairness_lines(students + others) == [
        "fairness: Student (stage) fares clearly worse: a mean score of 50 against 60 for the"
        " others, and 1 of 6 unmatched; look at what its members ask for that the mentors do"
        " not offer"
    ]


@pytest.mark.parametrize(
    ("student_scores", "why"),
    [
        ([51] * 5, "9 points below, not 10"),
        ([40] * 4, "4 matched, not 5"),
        ([60] * 5, "no difference"),
    ],
)
def test_no_fairness_line_without_a_clear_gap(student_scores, why):
    students = [outcome("Student", score, n) for n, score in enumerate(student_scores)]
    others = [outcome("Mid-career", 60, n) for n in range(10, 16)]
    assert fairness_lines(students + others) == [], why


def test_the_unanswered_are_not_named_as_a_group():
    blank = [outcome("(no answer)", 20, n) for n in range(6)]
    others = [outcome("Mid-career", 60, n) for n in range(10, 16)]
    assert fairness_lines(blank + others) == []


def test_match_prints_the_fairness_line_for_a_program_where_one_group_fares_worse(settings):
    # Students want Systematic reviews, which no mentor offers: they share the subject only.
    students = [
        mentee(f"s{n}@s{n}.org", career_stage="Student", skills="Systematic reviews")
        for n in range(5)
    ]
    seniors = [mentee(f"r{n}@r{n}.org", career_stage="Senior") for n in range(5)]
    mentors = [mentor(f"t{n}@t{n}.org", capacity="2") for n in range(5)]
    report = match(program_memory(settings, students + seniors, mentors), settings)
    assert (
        "fairness: Student (career stage) fares clearly worse: a mean score of 20 against 50"
        " for the others, and 0 of 5 unmatched; look at what its members ask for that the"
        " mentors do not offer" in report.slate
    )
    even = match(program_memory(settings, seniors, mentors), settings)
    assert not any(re.match("fairness:", line) for line in even.slate)
