"""`mentor-sync status`: read the tabs and the state file, print the program at a glance.

It reads and never writes, and takes no lock, so it works while a job runs. When
the spreadsheet cannot be read it says why and still shows the last runs.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from jobs.program import read_pairs, response_tab
from mentoring import glance
from mentoring.errors import MentorSyncError
from mentoring.intake import read_responses
from mentoring.ledger import Ledger
from mentoring.settings import Settings
from sync.journal import Journal
from sync.spreadsheet import Spreadsheet
from sync.state import load_history


def status_lines(
    sheet: Spreadsheet | None,
    settings: Settings,
    now: datetime,
    journal: Journal | None = None,
) -> list[str]:
    zone = settings.program.time_zone or "this machine's time zone"
    lines = [f"{settings.program.name}, {now:%Y-%m-%d %H:%M} ({zone})"]
    try:
        if sheet is None:
            raise MentorSyncError("no spreadsheet")
        lines += _program(sheet, settings, now, journal)
    except MentorSyncError as exc:
        lines.append(f"spreadsheet: cannot read it: {exc}")
    history = load_history(Path(settings.operations.state_file), now)
    lines += glance.runs_lines(history, settings.schedule.jobs(), now)
    if not history.jobs:
        lines.append(f"  (no runs recorded in {settings.operations.state_file} yet)")
    lines.append(glance.report_line(history, now, settings.schedule.report))
    return lines


def _program(
    sheet: Spreadsheet, settings: Settings, now: datetime, journal: Journal | None
) -> list[str]:
    tabs = settings.tabs
    wanted = [tabs.mentees, tabs.mentors, tabs.committee, tabs.intake_issues, tabs.email_log]
    past = [settings.matching.past_pairs_tab] if settings.matching.past_pairs_tab else []
    found = sheet.read([*wanted, tabs.pair_health, *past])
    mentees = response_tab(sheet, found, tabs.mentees, "mentee responses", "tabs.mentees")
    mentors = response_tab(sheet, found, tabs.mentors, "mentor responses", "tabs.mentors")
    responses = read_responses(mentees, mentors, settings)
    sent = journal.entries() if journal is not None else None
    ledger = Ledger(found.get(tabs.email_log), tabs.email_log, sent)
    known = journal.pairs() if journal is not None else ()
    pairs = read_pairs(sheet, settings, found, now.date(), ledger, known, responses)
    lines = [
        glance.applicants_line(responses, found.get(tabs.intake_issues)),
        glance.pairs_line(found.get(tabs.committee), pairs),
        glance.health_line(found.get(tabs.pair_health)),
        *glance.email_lines(ledger, pairs, settings.checkins, now.date()),
        glance.records_line(ledger, settings.operations.journal_file),
    ]
    lines += [f"  check: {problem}" for problem in pairs.problems]
    return lines
