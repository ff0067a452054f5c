"""The charts of the year's report, chosen from its figures: which there are, in which
part of the page, what each shows and what the committee should look for in it, and the
sentence in a chart's place while it has nothing to draw. Drawing them is sync/charts.py's.
A chart is drawn from the figures the Program Report tab holds, so the two never differ.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mentoring.program_report import (
    ACTIVE,
    ANSWERED,
    APPLICATIONS,
    APPLIED,
    APPROVED,
    BY_STATE,
    CHECKINS,
    CLEARED,
    CLOSED,
    DECIDED,
    DECISIONS,
    ENDED_EARLY,
    FAIRNESS,
    FLAG_NAMES,
    HEADLINES,
    HELD,
    INTRODUCED,
    LOAD,
    MATCHED,
    MENTEE_APPLICANTS,
    MENTEE_WEEKS,
    MENTOR_WEEKS,
    MET_NO,
    MET_YES,
    OFFERING,
    OVERRIDDEN,
    PAIRS,
    PAST,
    RAISED,
    RATINGS,
    REJECTED,
    SCORE_BINS,
    SCORES,
    SENT,
    SHARE_MATCHED,
    SLATE,
    UNMATCHED,
    WAITING,
    WITH_MENTEES,
    YEAR_OVER,
    Figure,
    Value,
    Year,
    group_label,
)
from mentoring.sheet import header_key

BARS, STACKED = "bars", "stacked"


@dataclass(frozen=True)
class Chart:
    """One chart of the report: bars (side by side, or stacked) of each series over the
    categories. A chart with a `note` has nothing to draw yet, and the note says why."""

    key: str
    title: str
    about: str  # what it shows, and what the committee should look for in it
    kind: str = BARS
    categories: tuple[str, ...] = ()
    series: tuple[tuple[str, tuple[float | None, ...]], ...] = ()
    note: str = ""
    unit: str = "people"  # what the bars count, for the axis


@dataclass(frozen=True)
class Section:
    """A part of the report: its charts, and the figures of the tab they come from."""

    title: str
    charts: tuple[Chart, ...]
    figures: tuple[Figure, ...] = ()


# Each chart: its title, what the committee should look for in it (docs/report.md says the
# same at more length), and the sentence in its place while there is nothing to draw.
ABOUT = {
    "applications": (
        "Applications by week",
        "Each form's responses in the week (from Monday) they were sent. Look for the weeks"
        " your calls went out: a call that brought no mentors, or mentors long after the"
        " mentees, says when to ask next year.",
        "no applications yet",
    ),
    "applied": (
        "Who applied, by {label}",
        "Mentees who applied in each group, and how many of them the committee tab has"
        " matched and unmatched. Look for a group that applied but is mostly unmatched.",
        "nobody has answered this question yet",
    ),
    "slate": (
        "The slate: {share} matched",
        "Mentees of the committee tab with a mentor (suggested or the committee's own) and"
        " without one. Unmatched mentees usually mean too few places: see mentor load.",
        "no mentees in the committee tab yet (the match job puts them there)",
    ),
    "scores": (
        "Scores of the matched pairs",
        "How many pairs score in each band of 10 (0 to 100). Pairs below matching.min_score"
        " are weak matches; a slate bunched low says the forms' answers rarely meet.",
        "no matched pairs yet",
    ),
    "fairness": (
        "Mean score by {label}",
        "The mean score of the matched mentees of each group. A group clearly below the rest"
        " is matched worse: look at what its members ask for that the mentors do not offer.",
        "no matched pairs yet",
    ),
    "load": (
        "Mentor load against capacity",
        "How many mentors have 0, 1, 2, ... mentees, beside how many offered that many places."
        " Many mentors with none while mentees go unmatched points at the rules, not the"
        " places; every mentor full points at recruiting more.",
        "no mentors yet",
    ),
    "decisions": (
        "The committee's decisions",
        "Rows Approved and on Hold, suggestions rejected (Rejected Mentors), rows the"
        " committee gave a mentor of its own, and suggestions still waiting for a decision.",
        "no decisions yet",
    ),
    "checkins": (
        "Check-ins sent and answered",
        "For each check-in of the calendar, the emails sent (one to each person of a pair)"
        " and how many were answered on the check-in form before the next one. A round"
        " answered far less than the others may need a reminder or a shorter form.",
        "no check-ins sent yet",
    ),
    "ratings": (
        "Ratings through the year",
        "The ratings (1 to 5) given in answer to each check-in. Look for ratings that fall"
        " as the year goes on, and for any 1s and 2s: Pair Health flags those pairs.",
        "no check-in answers yet",
    ),
    "met": (
        '"Have you met since the last check-in?"',
        "Yes and No in answer to each check-in. A No early in the year is normal; a No late"
        " in the year is a pair that needs the committee.",
        "no check-in answers yet",
    ),
    "flags": (
        "Flags raised and cleared",
        "Each kind of Pair Health flag raised this year (told in a digest, or shown now),"
        " and how many of those no longer show. Flags that stay raised are pairs still"
        " waiting for the committee.",
        "no flags raised yet",
    ),
    "pairs": (
        "Pairs by state",
        "Introduced pairs still in their year, those whose calendar ended, and those that"
        " ended early (Pair Health State ended: no longer Approved with that mentor).",
        "no pairs introduced yet",
    ),
    "past": (
        "Against past years",
        "Mentee applicants, mentees matched and pairs of this year beside earlier years"
        " (earlier reports in the Program Report tab, and the pairs of Past Pairs). Look"
        " for a year that grew in applicants but not in pairs.",
        "no past years yet: Past Pairs has no pairs and the Program Report tab no earlier cohort",
    ),
}


def sections(year: Year) -> list[Section]:
    """The report's parts, in order, each chart drawn from the year's figures."""
    rounds = year.rounds
    return [
        Section("Applications", (_applications(year),), _of(year, APPLICATIONS)),
        Section(
            "Who applied",
            tuple(_applied(year, g) for g in year.groups),
            _of(year, APPLIED),
        ),
        Section(
            "The slate",
            (
                _slate(year),
                _chart(year, "scores", SCORE_BINS, [("pairs", year.series(SLATE, SCORES))]),
                *(_fairness(year, g) for g in year.groups),
                _load(year),
            ),
            _of(year, SLATE, FAIRNESS, LOAD),
        ),
        Section("The committee's decisions", (_decisions(year),), _of(year, DECISIONS)),
        Section(
            "The year of each pair",
            (
                _chart(
                    year,
                    "checkins",
                    rounds,
                    [(n, year.series(CHECKINS, n)) for n in (SENT, ANSWERED)],
                    unit="emails",
                ),
                _chart(
                    year,
                    "ratings",
                    rounds,
                    [(n, year.series(CHECKINS, n)) for n in RATINGS],
                    kind=STACKED,
                    unit="answers",
                ),
                _chart(
                    year,
                    "met",
                    rounds,
                    [
                        ("yes", year.series(CHECKINS, MET_YES)),
                        ("no", year.series(CHECKINS, MET_NO)),
                    ],
                    kind=STACKED,
                    unit="answers",
                ),
                _flags(year),
                _chart(
                    year,
                    "pairs",
                    (ACTIVE, YEAR_OVER, ENDED_EARLY),
                    [("pairs", year.series(PAIRS, BY_STATE))],
                    unit="pairs",
                ),
            ),
            _of(year, CHECKINS, PAIRS),
        ),
        Section("Against past years", (_past(year),), _of(year, PAST)),
    ]


def _of(year: Year, *wanted: str) -> tuple[Figure, ...]:
    return tuple(f for f in year.figures if f.section in wanted)


def _chart(
    year: Year,
    key: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Mapping[str, Value]]],
    kind: str = BARS,
    unit: str = "people",
    title: str = "",
    about_key: str = "",
) -> Chart:
    """A chart of `series` (each by category) over `categories`; with a note instead when
    the year has one for `key`, or has no figure for it at all."""
    heading, about, empty = ABOUT[about_key or key]
    heading = title or heading
    note = year.notes.get(key, "")
    values = tuple((name, tuple(_number(by.get(c)) for c in categories)) for name, by in series)
    if not note and not any(v for _, row in values for v in row):
        note = empty
    if note:
        return Chart(key, heading, about, kind, note=note, unit=unit)
    return Chart(key, heading, about, kind, tuple(categories), values, unit=unit)


def _number(value: Value) -> float | None:
    return None if value is None else float(value)


def _applications(year: Year) -> Chart:
    mentees, mentors = (
        year.series(APPLICATIONS, MENTEE_WEEKS),
        year.series(APPLICATIONS, MENTOR_WEEKS),
    )
    weeks = sorted({*mentees, *mentors})
    series = [("mentee form", mentees), ("mentor form", mentors)]
    return _chart(year, "applications", weeks, series, unit="responses")


def _applied(year: Year, group: str) -> Chart:
    label = group_label(group)
    applied = year.series(APPLIED, f"by {label}")
    series = [
        ("applied", applied),
        ("matched", year.series(FAIRNESS, f"matched by {label}")),
        ("unmatched", year.series(FAIRNESS, f"unmatched by {label}")),
    ]
    title = ABOUT["applied"][0].format(label=label)
    key = f"applied:{group}"
    return _chart(year, key, list(applied), series, title=title, about_key="applied")


def _fairness(year: Year, group: str) -> Chart:
    label = group_label(group)
    means = year.series(FAIRNESS, f"mean score by {label}")
    title = ABOUT["fairness"][0].format(label=label)
    key = f"fairness:{group}"
    return _chart(
        year,
        key,
        list(means),
        [("mean score", means)],
        unit="score",
        title=title,
        about_key="fairness",
    )


def _slate(year: Year) -> Chart:
    counts = {"matched": year.value(SLATE, MATCHED), "unmatched": year.value(SLATE, UNMATCHED)}
    matched = year.value(SLATE, SHARE_MATCHED)
    title = ABOUT["slate"][0].format(share=f"{matched:g}%" if matched is not None else "none")
    return _chart(year, "slate", list(counts), [("mentees", counts)], title=title)


def _load(year: Year) -> Chart:
    having, offering = year.series(LOAD, WITH_MENTEES), year.series(LOAD, OFFERING)
    counts = sorted({*having, *offering}, key=lambda text: int(text) if text.isdigit() else 0)
    series = [("mentors with this many mentees", having), ("mentors offering this many", offering)]
    return _chart(year, "load", counts, series, unit="mentors")


def _decisions(year: Year) -> Chart:
    kinds = (APPROVED, HELD, REJECTED, OVERRIDDEN, WAITING)
    return _chart(
        year, "decisions", kinds, [("rows", year.series(DECISIONS, DECIDED))], unit="rows"
    )


def _flags(year: Year) -> Chart:
    series = [("raised", year.series(PAIRS, RAISED)), ("cleared", year.series(PAIRS, CLEARED))]
    return _chart(year, "flags", list(FLAG_NAMES.values()), series, unit="pairs")


def _past(year: Year) -> Chart:
    """This year beside each earlier one: mentee applicants and mentees matched from its
    report, pairs from Past Pairs (this year's: introduced)."""
    closed = year.series(PAST, CLOSED)
    cohorts = [*dict.fromkeys([*year.earlier, *closed])]
    cohorts = [c for c in cohorts if header_key(c) != header_key(year.cohort)]
    if not cohorts:
        return _chart(year, "past", [], [])
    every = [*cohorts, year.cohort]

    def earlier(key: tuple[str, str, str]) -> dict[str, Value]:
        found: dict[str, Value] = {c: year.earlier.get(c, {}).get(key) for c in cohorts}
        return {**found, year.cohort: year.value(*key)}

    series = [
        ("mentee applicants", earlier((APPLICATIONS, MENTEE_APPLICANTS, ""))),
        ("mentees matched", earlier((SLATE, MATCHED, ""))),
        ("pairs", {**closed, year.cohort: year.value(PAIRS, INTRODUCED)}),
    ]
    return _chart(year, "past", every, series)


def headlines(year: Year) -> list[tuple[str, list[Value]]]:
    """The figures the years are compared on: each with its value in every earlier cohort
    (as their reports said) and in this one, for the table under the chart."""
    cohorts = [c for c in year.earlier if header_key(c) != header_key(year.cohort)]
    return [
        (label, [*(year.earlier[c].get(key) for c in cohorts), year.value(*key)])
        for key, label in HEADLINES.items()
    ]


def cohorts_compared(year: Year) -> list[str]:
    """The cohorts of `headlines`, in its order."""
    return [c for c in year.earlier if header_key(c) != header_key(year.cohort)] + [year.cohort]
