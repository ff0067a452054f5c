"""The year's report: its figures, and the Program Report tab that holds them.

`mentor-sync report` counts (jobs/report.py, with pandas), chooses its charts
(mentoring/report_charts.py) and draws them (sync/charts.py). What each figure is called,
how the tab keeps one cohort's figures beside the earlier cohorts', and which cohort a
report is about are decided here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from mentoring.errors import ConfigError
from mentoring.health import CONTACT, LOW, NOT_MET, QUIET
from mentoring.reports import rewrite_tab
from mentoring.sheet import (
    NOTHING_DONE,
    Cell,
    TabEdits,
    Table,
    cell,
    header_key,
    is_blank,
    is_new_tab,
    looks_like_header,
)

COHORT, SECTION, FIGURE, GROUP, VALUE = "Cohort", "Section", "Figure", "Group", "Value"
REPORT_COLUMNS = (COHORT, SECTION, FIGURE, GROUP, VALUE)

# The sections of the tab, and the names of their figures.
APPLICATIONS, APPLIED, SLATE, FAIRNESS = "applications", "who applied", "slate", "fairness"
LOAD, DECISIONS, CHECKINS, PAIRS = "mentor load", "committee", "check-ins", "pairs"
PAST = "past years"
MENTEE_APPLICATIONS, MENTOR_APPLICATIONS = "mentee applications", "mentor applications"
MENTEE_APPLICANTS, MENTOR_APPLICANTS = "mentee applicants", "mentor applicants"
MENTEE_WEEKS, MENTOR_WEEKS = "mentee applications by week", "mentor applications by week"
IN_SLATE, MATCHED, UNMATCHED = (
    "mentees in the committee tab",
    "mentees matched",
    "mentees unmatched",
)
SHARE_MATCHED, MEAN_SCORE, MEDIAN_SCORE, SCORES = (
    "share matched (%)",
    "mean score",
    "median score",
    "scores",
)
MENTORS, PLACES, FILLED, OVER = (
    "mentors",
    "places offered",
    "places filled",
    "mentors over capacity",
)
WITH_MENTEES, OFFERING = "mentors with this many mentees", "mentors offering this many places"
DECIDED = "decisions"
APPROVED, HELD, REJECTED, OVERRIDDEN, WAITING = (
    "approved",
    "held",
    "rejected",
    "overridden",
    "waiting",
)
SENT, ANSWERED, ANSWERED_SHARE = "sent", "answered", "answered (%)"
MEAN_RATING, MEAN_RATING_ALL = "mean rating", "mean rating, all rounds"
RATINGS = tuple(f"rated {n}" for n in range(1, 6))
MET_YES, MET_NO = "met: yes", "met: no"
BY_STATE, INTRODUCED, FLAGGED = "pairs", "pairs introduced", "flagged now"
ACTIVE, YEAR_OVER, ENDED_EARLY = "active", "year over", "ended early"
RAISED, CLEARED = "flags raised", "flags cleared"
CLOSED = "pairs closed"
FLAG_NAMES = {
    QUIET: "no answer",
    LOW: "low rating",
    NOT_MET: "not met",
    CONTACT: "asked for contact",
}
SCORE_BINS = (*(f"{low}-{low + 9}" for low in range(0, 90, 10)), "90-100")

# The figures the year is compared on with earlier years ((section, figure, group): how the
# page names it).
HEADLINES = {
    (APPLICATIONS, MENTEE_APPLICANTS, ""): "mentee applicants",
    (APPLICATIONS, MENTOR_APPLICANTS, ""): "mentor applicants",
    (SLATE, MATCHED, ""): "mentees matched",
    (SLATE, SHARE_MATCHED, ""): "share matched (%)",
    (SLATE, MEAN_SCORE, ""): "mean score",
    (PAIRS, INTRODUCED, ""): "pairs introduced",
    (CHECKINS, ANSWERED_SHARE, ""): "check-ins answered (%)",
    (CHECKINS, MEAN_RATING_ALL, ""): "mean rating",
    (PAIRS, BY_STATE, ENDED_EARLY): "pairs ended early",
}

Value = int | float | None


@dataclass(frozen=True)
class Figure:
    """One row of the Program Report tab: a number, what it counts, and of which group."""

    section: str
    name: str
    group: str = ""
    value: Value = None

    @property
    def key(self) -> tuple[str, str, str]:
        return self.section, self.name, self.group


def score_bin(score: float) -> str:
    """The bin of SCORE_BINS a score of 0 to 100 falls in."""
    return SCORE_BINS[min(int(score // 10), len(SCORE_BINS) - 1)]


def group_label(field: str) -> str:
    """A form field as a figure names it: "career stage"."""
    return field.replace("_", " ")


def share(part: int, whole: int) -> float | None:
    """`part` of `whole` in percent, to one decimal (None of nothing)."""
    return round(100 * part / whole, 1) if whole else None


# The Program Report tab.


def report_tab(
    existing: Table | None, tab: str, cohort: str, figures: Sequence[Figure]
) -> TabEdits:
    """The edits that make `tab` hold `figures` as the rows of `cohort`, where its rows were
    (at the end for a new cohort), and the rows of every other cohort as they are.

    Raises TabShapeError when the tab's header is not in row 1, ConfigError when one of its
    columns was renamed."""
    rows = [[cohort, f.section, f.name, f.group, f.value] for f in figures]
    if is_new_tab(existing, REPORT_COLUMNS, "the Program Report") or existing is None:
        return rewrite_tab(existing, tab, REPORT_COLUMNS, rows)
    columns = _columns(existing)
    before: list[list[Cell]] = []
    after: list[list[Cell]] = []
    seen = False
    for row in existing.rows:
        values = [cell(row, columns[name]) for name in REPORT_COLUMNS]
        if cohort_name(values[0]) == header_key(cohort):
            seen = True
        elif seen:
            after.append(values)
        else:
            before.append(values)
    return rewrite_tab(existing, tab, REPORT_COLUMNS, [*before, *rows, *after])


def earlier_reports(existing: Table | None, cohort: str) -> dict[str, dict[tuple[str, ...], float]]:
    """The figures the tab holds for the cohorts other than `cohort`, by cohort (in the tab's
    order) and (section, figure, group); a value that is not a number is left out."""
    if existing is None or is_new_tab(existing, REPORT_COLUMNS, "the Program Report"):
        return {}
    columns = _columns(existing)
    found: dict[str, dict[tuple[str, ...], float]] = {}
    for row in existing.rows:
        name = _text(cell(row, columns[COHORT]))
        value = cell(row, columns[VALUE])
        if not name or cohort_name(name) == cohort_name(cohort):
            continue
        figures = found.setdefault(name, {})
        if isinstance(value, int | float) and not isinstance(value, bool):
            key = tuple(_text(cell(row, columns[c])) for c in (SECTION, FIGURE, GROUP))
            figures[key] = float(value)
    return found


def cohort_name(value: Cell) -> str:
    """A Cohort cell as compared: 2026 whether typed as text or as a number."""
    return header_key(_text(value))


def _text(value: Cell) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if is_blank(value) else " ".join(str(value).split())


def _columns(table: Table) -> dict[str, int]:
    """The report's columns in `table`. Raises ConfigError for a tab of the committee's own
    of that name (a row 1 that is not the report's header), or a column renamed."""
    if not looks_like_header(table.header, REPORT_COLUMNS):
        raise ConfigError(
            f"tab '{table.name}' is a tab of your own, not the Program Report mentor-sync"
            f" writes (its row 1 is not {', '.join(REPORT_COLUMNS)}); rename your tab, or set"
            f" tabs.program_report in the settings to a name no tab has. {NOTHING_DONE}"
        )
    fix = "Rename it back; mentor-sync finds the figures by it."
    return {
        name: table.require(name, what="a column of the Program Report", fix=fix)
        for name in REPORT_COLUMNS
    }


def default_cohort(
    applied: Iterable[datetime | None],
    closed: Mapping[str, date | None],
    today: date,
) -> str:
    """The cohort a report is about when none is named: the year of the first application
    sent after the last year was closed (`closed`: each cohort of Past Pairs, with the day
    it was closed), or this year when there is none; a year already closed counts on."""
    last = max((day for day in closed.values() if day is not None), default=None)
    days = [a.date() for a in applied if a is not None and (last is None or a.date() > last)]
    year = min(days).year if days else today.year
    names = {header_key(name) for name in closed}
    while str(year) in names:
        year += 1
    return str(year)


# The year, as the report tells it.


@dataclass(frozen=True)
class Year:
    """What the report says of one cohort: its figures (the tab's rows), a sentence for each
    chart with nothing to draw yet, and the figures of earlier reports by cohort."""

    cohort: str
    figures: tuple[Figure, ...]
    notes: Mapping[str, str] = field(default_factory=dict)  # by chart key
    earlier: Mapping[str, Mapping[tuple[str, ...], float]] = field(default_factory=dict)
    groups: tuple[str, ...] = ()  # the mentee questions people are grouped by
    rounds: tuple[str, ...] = ()  # the check-ins of the calendar, in order

    def series(self, section: str, name: str) -> dict[str, Value]:
        """The figures `name` of `section`, by group, in the order they were counted."""
        return {f.group: f.value for f in self.figures if (f.section, f.name) == (section, name)}

    def value(self, section: str, name: str, group: str = "") -> Value:
        return self.series(section, name).get(group)
