"""The match job: read the responses, merge suggestions into the committee tab, report."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from mentoring.committee import SlateStats, update_committee_tab
from mentoring.errors import ConfigError, did_you_mean
from mentoring.history import past_pairs
from mentoring.intake import read_responses
from mentoring.matching import RuleMatcher
from mentoring.reports import intake_issues_tab
from mentoring.settings import Settings
from mentoring.sheet import Row, Table
from mentoring.summary import slate_summary
from sync.base import Spreadsheet


@dataclass(frozen=True)
class MatchReport:
    stats: SlateStats
    intake_issues: int
    slate: list[str] = field(default_factory=list)

    def summary(self) -> str:
        s = self.stats
        parts = [f"{s.mentees} mentees", f"{s.suggested} suggested"]
        if s.kept:
            parts.append(f"{s.kept} kept as the committee set them")
        parts.append(f"{s.without_mentor} without a mentor")
        if s.withdrawn:
            parts.append(f"{s.withdrawn} withdrawn")
        parts.append(f"{self.intake_issues} intake issues")
        changed = f"{s.cells_changed} cells changed" if s.cells_changed else "no changes"
        return f"match: {', '.join(parts)}; {changed}"

    def lines(self) -> list[str]:
        """The slate summary, then the one-line summary a cron mail ends with."""
        return [*self.slate, self.summary()]


def run_match(sheet: Spreadsheet, settings: Settings, today: date) -> MatchReport:
    """Run intake and matching once and write the committee and intake tabs in one write.

    Raises ConfigError when a response tab or a header is missing. `today` is
    the day the job believes it is; matching does not depend on it yet.
    """
    del today  # the committee tab does not depend on the date; later jobs do
    tabs, matching = settings.tabs, settings.matching
    wanted = [tabs.mentees, tabs.mentors, tabs.committee, tabs.intake_issues]
    if matching.past_pairs_tab:
        wanted.append(matching.past_pairs_tab)
    found = sheet.read(wanted)
    mentees = _response_tab(sheet, found, tabs.mentees, "mentee responses", "tabs.mentees")
    mentors = _response_tab(sheet, found, tabs.mentors, "mentor responses", "tabs.mentors")
    if tabs.committee not in found:
        _refuse_a_renamed_committee_tab(sheet, settings)
    responses = read_responses(mentees, mentors, settings)
    history = []
    if matching.past_pairs_tab in found:
        history.append(found[matching.past_pairs_tab])
    elif matching.past_pairs_tab:
        _refuse_a_misnamed_past_pairs_tab(sheet, settings)
    if matching.past_pairs_file and Path(matching.past_pairs_file).exists():
        history.append(read_csv(Path(matching.past_pairs_file)))
    matcher = RuleMatcher(matching, responses.mentees, responses.mentors, past_pairs(history))
    committee = update_committee_tab(
        found.get(tabs.committee), tabs.committee, responses, matcher, matching.min_score
    )
    issues = intake_issues_tab(found.get(tabs.intake_issues), tabs.intake_issues, responses.issues)
    sheet.write([committee.edits, issues])
    slate = matcher.slate
    if slate is None or slate.exact:
        proof = "optimal"
    elif slate.more_mentees:
        proof = f"not proven optimal: up to {slate.more_mentees} more mentees might be matched"
    else:
        proof = f"not proven optimal: within {slate.gap:.0f} points of the best total score"
    lines = slate_summary(
        committee.outcomes, responses.mentors, matching.summary_group, matching.min_score, proof
    )
    return MatchReport(committee.stats, len(responses.issues), lines)


def read_csv(path: Path) -> Table:
    """A .csv file as a Table, its first row the header; raises ConfigError if unreadable."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(f"cannot read {path} as UTF-8 .csv ({exc})") from exc
    header = tuple(rows[0]) if rows else ()
    body = tuple(Row(n, tuple(r)) for n, r in enumerate(rows[1:], start=2) if any(r))
    return Table(path.name, header, body, len(rows))


def _response_tab(
    sheet: Spreadsheet, found: dict[str, Table], name: str, what: str, key: str
) -> Table:
    table = found.get(name)
    if table is None:
        hint = did_you_mean(name, sheet.tab_names())
        raise ConfigError(
            f"no tab '{name}' ({what}) in the spreadsheet{hint};"
            f" set {key} in the settings to the tab's name"
        )
    return table


def _refuse_a_renamed_committee_tab(sheet: Spreadsheet, settings: Settings) -> None:
    """Starting a fresh committee tab beside a renamed one would ignore every decision in it."""
    tabs = settings.tabs
    others = [
        n for n in sheet.tab_names() if n not in (tabs.mentees, tabs.mentors, tabs.intake_issues)
    ]
    hint = did_you_mean(tabs.committee, others)
    if hint:
        raise ConfigError(
            f"no tab '{tabs.committee}' (the committee's matches){hint} If so, set"
            " tabs.committee in the settings to its name, or rename the tab back; the tool starts"
            " a new committee tab only when no tab has a name close to it"
        )


def _refuse_a_misnamed_past_pairs_tab(sheet: Spreadsheet, settings: Settings) -> None:
    """No past-pairs tab is normal in a first year; one under a slightly different name is not."""
    wanted = settings.matching.past_pairs_tab
    tabs = settings.tabs
    others = [
        n
        for n in sheet.tab_names()
        if n not in (tabs.mentees, tabs.mentors, tabs.committee, tabs.intake_issues)
    ]
    hint = did_you_mean(wanted, others)
    if hint:
        raise ConfigError(
            f"no tab '{wanted}' (previous pairs, never suggested again){hint} If so, set"
            " matching.past_pairs_tab in the settings to its name, or rename the tab"
        )
