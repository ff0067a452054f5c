"""The match job: read the responses, merge suggestions into the committee tab, report."""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from mentoring.answers import Answers, assign, read_answers
from mentoring.committee import Outcome, SlateStats, update_committee_tab
from mentoring.errors import ConfigError, did_you_mean
from mentoring.history import past_pairs, returning
from mentoring.intake import IntakeIssue, read_responses
from mentoring.matching import RuleMatcher
from mentoring.pairs import Pair, approved_pairs
from mentoring.reports import intake_issues_tab
from mentoring.settings import Settings
from mentoring.sheet import Table
from mentoring.summary import slate_summary
from sync.base import Spreadsheet
from sync.files import read_csv_table


@dataclass(frozen=True)
class MatchReport:
    stats: SlateStats
    intake_issues: int
    slate: list[str] = field(default_factory=list)
    dry_run: bool = False
    issues: tuple[IntakeIssue, ...] = ()
    outcomes: tuple[Outcome, ...] = ()

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
        if self.dry_run:
            changed = f"{s.cells_changed} cells would change (dry run: nothing written)"
        return f"match: {', '.join(parts)}; {changed}"


def run_match(
    sheet: Spreadsheet, settings: Settings, today: date, dry_run: bool = False
) -> MatchReport:
    """Run intake and matching once and write the committee and intake tabs in one write.

    Raises ConfigError when a response tab or a header is missing. `today` is
    the day the job believes it is; matching does not depend on it yet. A dry
    run computes everything and writes nothing.
    """
    del today  # the committee tab does not depend on the date; later jobs do
    tabs, matching = settings.tabs, settings.matching
    # The Email Log too, in the same read: an alert about what this run finds looks there.
    wanted = [tabs.mentees, tabs.mentors, tabs.committee, tabs.intake_issues, tabs.email_log]
    wanted.append(tabs.checkins)  # its answers from people of no pair are intake issues too
    if matching.past_pairs_tab:
        wanted.append(matching.past_pairs_tab)
    found = sheet.read(wanted)
    mentees = response_tab(sheet, found, tabs.mentees, "mentee responses", "tabs.mentees")
    mentors = response_tab(sheet, found, tabs.mentors, "mentor responses", "tabs.mentors")
    if tabs.committee not in found:
        refuse_a_near_miss(
            sheet, settings, tabs.committee, "the committee's matches", "tabs.committee"
        )
    responses = read_responses(mentees, mentors, settings)
    if matching.past_pairs_tab and matching.past_pairs_tab not in found:
        refuse_a_near_miss(
            sheet,
            settings,
            matching.past_pairs_tab,
            "previous pairs, never suggested again",
            "matching.past_pairs_tab",
        )
    history = past_tables(settings, found)
    previous = past_pairs(history)
    matcher = RuleMatcher(matching, responses.mentees, responses.mentors, previous)
    committee = update_committee_tab(
        found.get(tabs.committee),
        tabs.committee,
        responses,
        matcher,
        matching.min_score,
        returning(history),
    )
    pairs = approved_pairs(found.get(tabs.committee), responses).pairs
    answers = checkin_answers(sheet, settings, found, pairs, previous)
    all_issues = (*responses.issues, *answers.issues)
    issues = intake_issues_tab(found.get(tabs.intake_issues), tabs.intake_issues, all_issues)
    if not dry_run:
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
    return MatchReport(
        committee.stats, len(all_issues), lines, dry_run, all_issues, committee.outcomes
    )


def past_tables(settings: Settings, found: dict[str, Table]) -> list[Table]:
    """The pairs of earlier years: the Past Pairs tab (when read) and the .csv file."""
    matching = settings.matching
    tables = [found[matching.past_pairs_tab]] if matching.past_pairs_tab in found else []
    if matching.past_pairs_file and Path(matching.past_pairs_file).exists():
        tables.append(read_csv_table(Path(matching.past_pairs_file)))
    return tables


def checkin_answers(
    sheet: Spreadsheet,
    settings: Settings,
    found: dict[str, Table],
    pairs: Sequence[Pair],
    past: Set[tuple[str, str]] = frozenset(),
) -> Answers:
    """The check-in tab's answers by pair, and the rows of no pair as intake issues (an
    answer about a `past` pair, of a closed year, is neither). A tab that is not there means
    nobody has answered. A tab that cannot be read (a renamed question, a tab of a near
    name) is one intake issue, and its answers are unknown: the emails still go."""
    tab = settings.tabs.checkins
    try:
        if tab not in found:
            refuse_a_near_miss(
                sheet, settings, tab, "the check-in form's responses", "tabs.checkins"
            )
        rows = read_answers(found.get(tab), settings.checkin_form, settings.intake.date_order)
    except ConfigError as exc:
        problem = (
            f"{str(exc).rstrip('.')}. Until then the check-in answers are not read: Pair"
            " Health counts none, and nobody is reminded or flagged for not answering"
        )
        return Answers({}, (IntakeIssue(tab, 1, "", problem),), known=False)
    return assign(rows, pairs, tab, past)


def response_tab(
    sheet: Spreadsheet, found: dict[str, Table], name: str, what: str, key: str
) -> Table:
    """The form's response tab, or a ConfigError that suggests the closest tab name."""
    table = found.get(name)
    if table is None:
        hint = did_you_mean(name, sheet.tab_names())
        raise ConfigError(
            f"no tab '{name}' ({what}) in the spreadsheet{hint};"
            f" set {key} in the settings to the tab's name"
        )
    return table


def refuse_a_near_miss(
    sheet: Spreadsheet, settings: Settings, wanted: str, what: str, key: str
) -> None:
    """A missing tab the tool may start afresh, unless one with a close name is there:
    that is the committee's tab renamed, and starting a new one would ignore it."""
    ours = {*vars(settings.tabs).values(), settings.matching.past_pairs_tab} - {wanted}
    hint = did_you_mean(wanted, [name for name in sheet.tab_names() if name not in ours])
    if hint:
        raise ConfigError(
            f"no tab '{wanted}' ({what}){hint} If so, set {key} in the settings to its name,"
            " or rename the tab back"
        )
