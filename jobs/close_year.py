"""`mentor-sync close-year COHORT`: the year's pairs to Past Pairs, in one write."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from jobs.program import check_tabs, response_tab
from mentoring.errors import ConfigError
from mentoring.intake import Applicant, read_responses
from mentoring.settings import Settings
from mentoring.summary import count
from mentoring.years import close_year
from sync.spreadsheet import Spreadsheet


@dataclass(frozen=True)
class YearReport:
    cohort: str
    copied: int
    already: int
    still_applying: tuple[int, int]  # mentees and mentors of closed pairs still in the forms
    dry_run: bool = False

    def summary(self) -> str:
        if not (self.copied or self.already):
            return (
                f"close-year {self.cohort}: no introduced pairs to close (no Approved row of"
                " the committee tab has an Introduced On date)"
            )
        verb = "would be copied" if self.dry_run else "copied"
        parts = [f"{count(self.copied, 'pair')} {verb} to Past Pairs"]
        if self.already:
            parts.append(f"{self.already} {'was' if self.already == 1 else 'were'} there already")
        said = f"close-year {self.cohort}: {', '.join(parts)}"
        if self.dry_run:
            return said + " (dry run: nothing written)"
        return said + "; their rows are out of Committee Matches and Pair Health"

    def details(self) -> list[str]:
        mentees, mentors = self.still_applying
        if not (mentees or mentors) or self.dry_run:
            return []
        return [
            f"The response tabs still hold the applications of {mentees} mentees and {mentors}"
            f" mentors of {self.cohort}. Before matching next year's applicants, delete those"
            " rows (or link the forms to new tabs): a row left there is matched again next"
            " year, though never with a past partner. Someone who applies again is known by"
            " their email, and their new answers are used."
        ]


def run_close_year(
    sheet: Spreadsheet, settings: Settings, cohort: str, today: date, dry_run: bool = False
) -> YearReport:
    """Copy the introduced pairs (and those Pair Health has as ended) to Past Pairs under
    `cohort`, and take their rows out of the committee and Pair Health tabs, in one write.
    Raises ConfigError when there is no Past Pairs tab to keep them in or no committee tab."""
    cohort = " ".join(cohort.split())
    if not cohort:
        raise ConfigError("close-year needs the cohort's name, such as 2026")
    tabs, past_tab = settings.tabs, settings.matching.past_pairs_tab
    if not past_tab:
        raise ConfigError(
            "matching.past_pairs_tab is empty, so there is no tab to keep past pairs in; set it"
            ' (the default is "Past Pairs") and run close-year again'
        )
    wanted = [tabs.mentees, tabs.mentors, tabs.committee, tabs.pair_health, past_tab]
    found = sheet.read(wanted)
    check_tabs(sheet, found, settings, [past_tab])
    committee = found.get(tabs.committee)
    if committee is None:
        raise ConfigError(
            f"no tab '{tabs.committee}' (the committee's matches), so no pairs to close;"
            " set tabs.committee in the settings to the tab's name"
        )
    closing = close_year(
        cohort,
        committee,
        found.get(tabs.pair_health),
        found.get(past_tab),
        past_tab,
        today,
        settings.intake.date_order,
    )
    if not dry_run:
        sheet.write(list(closing.edits))
    responses = read_responses(
        response_tab(sheet, found, tabs.mentees, "mentee responses", "tabs.mentees"),
        response_tab(sheet, found, tabs.mentors, "mentor responses", "tabs.mentors"),
        settings,
    )
    return YearReport(
        cohort,
        len(closing.copied),
        len(closing.already),
        (
            _this_year(responses.mentees, closing.people),
            _this_year(responses.mentors, closing.people),
        ),
        dry_run,
    )


def _this_year(applicants: Sequence[Applicant], people: Mapping[str, date]) -> int:
    """How many of `applicants` are in a closed pair and applied before it began."""
    return sum(
        1
        for a in applicants
        if a.email in people and (a.submitted is None or a.submitted.date() <= people[a.email])
    )
