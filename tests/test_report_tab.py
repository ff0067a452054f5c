"""The Program Report tab and the choice of cohort, as pure functions: one cohort's rows
rewritten where they were, the others' kept; the cohort a report is about; and when the
report's time in [schedule] last came."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from mentoring.errors import ConfigError
from mentoring.program_report import (
    REPORT_COLUMNS,
    Figure,
    Year,
    default_cohort,
    earlier_reports,
    report_tab,
)
from mentoring.report_charts import sections
from mentoring.sheet import TabShapeError, apply_edits, table_from_cells
from mentoring.timetable import parse_when

TAB = "Program Report"


def tab(*rows):
    cells = {
        (r, c): v for r, row in enumerate([REPORT_COLUMNS, *rows], 1) for c, v in enumerate(row, 1)
    }
    return table_from_cells(TAB, cells)


def values(table):
    return [list(row.cells) for row in table.rows]


FIGURES = (Figure("slate", "mentees matched", "", 40), Figure("slate", "mean score", "", 61.5))


def test_a_new_tab_holds_the_header_and_the_cohorts_figures():
    written = apply_edits(None, report_tab(None, TAB, "2026", FIGURES))
    assert written.header == REPORT_COLUMNS
    assert values(written) == [
        ["2026", "slate", "mentees matched", None, 40],
        ["2026", "slate", "mean score", None, 61.5],
    ]


def test_a_cohorts_rows_are_rewritten_where_they_were_and_the_others_kept():
    existing = tab(
        ["2025", "slate", "mentees matched", None, 30],
        [2026, "slate", "mentees matched", None, 1],  # typed as a number
        ["2026", "slate", "old figure", None, 2],
        ["2027", "slate", "mentees matched", None, 3],
    )
    written = apply_edits(existing, report_tab(existing, TAB, "2026", FIGURES))
    assert values(written) == [
        ["2025", "slate", "mentees matched", None, 30],
        ["2026", "slate", "mentees matched", None, 40],
        ["2026", "slate", "mean score", None, 61.5],
        ["2027", "slate", "mentees matched", None, 3],
    ]
    assert not report_tab(written, TAB, "2026", FIGURES)  # the same again: no edits


def test_a_tab_whose_header_moved_down_or_lost_a_column_is_refused():
    moved = table_from_cells(
        TAB, {(3, c): v for c, v in enumerate(REPORT_COLUMNS, 1)} | {(1, 1): "note"}
    )
    with pytest.raises(TabShapeError, match="has its header in row 3"):
        report_tab(moved, TAB, "2026", FIGURES)
    renamed = table_from_cells(
        TAB,
        {(1, c): v for c, v in enumerate(("Cohort", "Section", "Figure", "Groups", "Value"), 1)},
    )
    with pytest.raises(ConfigError, match=r"no column 'Group' .* did you mean 'Groups'"):
        report_tab(renamed, TAB, "2026", FIGURES)


def test_a_tab_of_the_committees_own_by_that_name_is_refused_as_not_the_tools():
    own = table_from_cells(
        TAB, {(1, 1): "Item", (1, 2): "Owner", (1, 3): "Notes", (2, 1): "Poster", (2, 2): "Ana"}
    )
    said = (
        "tab 'Program Report' is a tab of your own, not the Program Report mentor-sync writes"
        " (its row 1 is not Cohort, Section, Figure, Group, Value); rename your tab, or set"
        " tabs.program_report in the settings to a name no tab has. Nothing was written or sent"
    )
    with pytest.raises(ConfigError) as refused:
        report_tab(own, TAB, "2026", FIGURES)
    assert str(refused.value) == said
    with pytest.raises(ConfigError, match="is a tab of your own"):
        earlier_reports(own, "2026")


def test_earlier_reports_are_the_other_cohorts_numbers():
    existing = tab(
        ["2025", "slate", "mentees matched", None, 30],
        ["2025", "slate", "mean score", None, "n/a"],
        ["2026", "slate", "mentees matched", None, 40],
    )
    assert earlier_reports(existing, "2026") == {"2025": {("slate", "mentees matched", ""): 30.0}}


@pytest.mark.parametrize(
    "applied, closed, expected",
    [
        ([datetime(2026, 9, 1), datetime(2027, 1, 5)], {}, "2026"),  # the first application's
        ([], {}, "2031"),  # none yet: this year
        ([datetime(2026, 9, 1)], {"2026": date(2027, 8, 1)}, "2031"),  # all before the close
        ([datetime(2026, 9, 1), datetime(2027, 9, 3)], {"2026": date(2027, 8, 1)}, "2027"),
        ([datetime(2026, 12, 28)], {"2026": date(2026, 12, 20)}, "2027"),  # 2026 is taken
    ],
)
def test_the_cohort_is_the_year_of_the_first_application_since_the_last_close(
    applied, closed, expected
):
    assert default_cohort(applied, closed, date(2031, 3, 1)) == expected


def test_a_chart_with_nothing_to_draw_says_why():
    year = Year("2026", FIGURES, notes={"checkins": "no Email Log yet"}, rounds=("check-in 1",))
    charts = {c.key: c for part in sections(year) for c in part.charts}
    assert charts["checkins"].note == "no Email Log yet"
    assert charts["ratings"].note == "no check-in answers yet"
    assert charts["past"].note.startswith("no past years yet")
    assert charts["slate"].note == ""  # 40 matched
    assert charts["slate"].title == "The slate: none matched"  # no share among the figures


@pytest.mark.parametrize(
    "text, reading, latest",
    [
        ("daily at 07:00", datetime(2026, 3, 2, 9, 30), datetime(2026, 3, 2, 7, 0)),
        ("daily at 07:00", datetime(2026, 3, 2, 6, 59), datetime(2026, 3, 1, 7, 0)),
        ("daily at 07:00", datetime(2026, 3, 2, 7, 0, 30), datetime(2026, 3, 2, 7, 0)),
        ("monday at 08:00", datetime(2026, 3, 4, 12, 0), datetime(2026, 3, 2, 8, 0)),
        ("hourly at :15", datetime(2026, 3, 4, 12, 10), datetime(2026, 3, 4, 11, 15)),
        ("every 15 minutes", datetime(2026, 3, 4, 12, 14), datetime(2026, 3, 4, 12, 0)),
        ("off", datetime(2026, 3, 4, 12, 14), None),
    ],
)
def test_the_latest_time_of_a_schedule_at_or_before_a_reading(text, reading, latest):
    assert parse_when(text, "schedule.report").latest(reading) == latest
