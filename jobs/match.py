"""The match job: read the responses, merge suggestions into the committee tab, report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from jobs.program import (
    check_tabs,
    checkin_answers,
    email_log,
    past_tables,
    read_pairs,
    refuse_a_near_miss,
    response_tab,
)
from mentoring.committee import Outcome, SlateStats, update_committee_tab
from mentoring.intake import IntakeIssue, read_responses
from mentoring.matching import RuleMatcher
from mentoring.past_pairs import past_pairs, returning
from mentoring.reports import intake_issues_tab
from mentoring.settings import Settings
from mentoring.summary import proposed_pairs, slate_summary
from sync.journal import Journal
from sync.spreadsheet import Spreadsheet


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
    sheet: Spreadsheet,
    settings: Settings,
    today: date,
    dry_run: bool = False,
    journal: Journal | None = None,
    later: bool = False,
) -> MatchReport:
    """Run intake and matching once and write the committee and intake tabs in one write.

    Raises ConfigError when a response tab or a header is missing, or a tab the tool
    writes is not as it left it. `today` is the day the job believes it is. A dry run
    computes everything and writes nothing, and its lines begin with the pairs it would
    propose; with `later`, the adapter may keep the write for
    the job's next one (the runner then saves it).
    """
    tabs, matching = settings.tabs, settings.matching
    # The Email Log too, in the same read: an alert about what this run finds looks there.
    wanted = [tabs.mentees, tabs.mentors, tabs.committee, tabs.intake_issues, tabs.email_log]
    wanted.append(tabs.checkins)  # its answers from people of no pair are intake issues too
    wanted.append(tabs.pair_health)  # not used here; in the same read, `run` reads it once
    if matching.past_pairs_tab:
        wanted.append(matching.past_pairs_tab)
    found = sheet.read(wanted)
    check_tabs(sheet, found, settings, [tabs.committee, tabs.intake_issues])
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
    ledger = email_log(found.get(tabs.email_log), settings, journal)
    known = journal.pairs() if journal is not None else ()
    read = read_pairs(sheet, settings, found, today, ledger, known, responses)
    pairs = read.pairs
    answers = checkin_answers(sheet, settings, found, pairs, previous, read.held_people)
    # What the email jobs cannot do with a committee row is the committee's to fix too.
    rows = [IntakeIssue(p.tab, p.row, p.person, p.text) for p in read.problems]
    all_issues = (*responses.issues, *answers.issues, *rows)
    issues = intake_issues_tab(found.get(tabs.intake_issues), tabs.intake_issues, all_issues)
    if not dry_run:
        # `later`: saved with the job's (or the next job's) write, once; lost with a crash,
        # the next run makes the same suggestions again.
        sheet.write([committee.edits, issues], later=later)
    slate = matcher.slate
    if slate is None or slate.exact:
        proof = "optimal"
    else:  # the matched count is always the most possible
        matched = max(1, int((slate.mentor_of >= 0).sum()))
        proof = (
            f"the most mentees matched, but not proven optimal: the total score could be up"
            f" to {slate.gap:.0f} points higher ({slate.gap / matched:.1g} a matched mentee);"
            " nothing needs doing, the suggestions can be approved as they are"
        )
    lines = slate_summary(
        committee.outcomes,
        responses.mentors,
        matching.summary_group,
        matching.min_score,
        proof,
        committee.cost,
    )
    if dry_run:
        lines = [*proposed_pairs(committee.outcomes), *lines]
    return MatchReport(
        committee.stats, len(all_issues), lines, dry_run, all_issues, committee.outcomes
    )
