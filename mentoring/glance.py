"""`mentor-sync status`: the program at a glance, from the tabs and the jobs' history."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from mentoring.alerts import ALERT
from mentoring.committee import MENTEE_EMAIL, MENTOR_EMAIL, OVERRIDE, STATUS, STATUSES, WHY
from mentoring.digest import DIGEST
from mentoring.health import FLAG, STATE
from mentoring.intake import Responses
from mentoring.ledger import SENT, SKIPPED, Ledger
from mentoring.outgoing import INTRODUCTION, checkins_due, introductions, year_calendar
from mentoring.pairs import PairsRead
from mentoring.runs import FAILED, LOCKED, History
from mentoring.settings import Checkin
from mentoring.sheet import Table, cell, is_blank
from mentoring.summary import count
from mentoring.timetable import When

DUE_WITHIN = 30  # days ahead that "due" looks


def applicants_line(responses: Responses, intake_issues: Table | None = None) -> str:
    """Applicants, and the rows of the Intake Issues tab (the response tabs' own problems
    when the match job has not written the tab yet)."""
    issues = len(intake_issues.rows) if intake_issues is not None else len(responses.issues)
    return (
        f"applicants: {len(responses.mentees)} mentees, {len(responses.mentors)} mentors;"
        f" {issues} rows in Intake Issues"
    )


def pairs_line(committee: Table | None, pairs: PairsRead) -> str:
    """The committee tab's rows by Status, with the introduced, weak and unmatched among them."""
    if committee is None or not any(committee.header):
        return "pairs: no committee tab yet (the match job makes it)"
    status_at = committee.column(STATUS)
    mentee_at, mentor_at = committee.column(MENTEE_EMAIL), committee.column(MENTOR_EMAIL)
    override_at, why_at = committee.column(OVERRIDE), committee.column(WHY)
    canonical = {s.casefold(): s for s in STATUSES}
    by_status: Counter[str] = Counter()
    weak = unmatched = 0
    for row in committee.rows:
        if is_blank(cell(row, mentee_at)):
            continue
        status = str(cell(row, status_at) or "").strip()
        status = canonical.get(status.casefold(), status or "(no Status)")
        by_status[status] += 1
        waiting = status in ("Suggested", "(no Status)")
        if waiting and "weak match" in str(cell(row, why_at) or ""):
            weak += 1
        if waiting and is_blank(cell(row, mentor_at)) and is_blank(cell(row, override_at)):
            unmatched += 1
    introduced = sum(1 for pair in pairs.pairs if pair.introduced_on is not None)
    parts = []
    for status in [*STATUSES, *sorted(set(by_status) - set(STATUSES))]:
        if by_status[status]:
            note = ""
            if status == "Approved":
                note = f" ({introduced} introduced)"
            if status == "Suggested":
                note = f" ({weak} weak, {unmatched} without a mentor)"
            parts.append(f"{by_status[status]} {status}{note}")
    return "pairs: " + (", ".join(parts) or "none yet")


def records_line(ledger: Ledger, journal: str) -> str:
    """Which records say what was sent: the Email Log, and the send journal when found."""
    log = count(ledger.logged, "row")
    if not ledger.has_journal:
        return (
            f"records of what was sent: the Email Log ({log}); no send journal at {journal}"
            " yet, so the Email Log alone says what was sent (the next job makes one)"
        )
    return (
        f"records of what was sent: the Email Log ({log}) and the send journal"
        f" ({count(len(ledger.journal), 'entry', 'entries')}, {journal})"
    )


def email_lines(
    ledger: Ledger, pairs: PairsRead, checkins: Sequence[Checkin], today: date
) -> list[str]:
    """Emails sent so far by kind, those needing a look, those due now and in the next 30
    days. An alert or a digest is one email however many rows it has."""
    kinds: Counter[str] = Counter()
    look: Counter[str] = Counter()
    shared: dict[str, set[str]] = {ALERT: set(), DIGEST: set()}
    for entry in ledger.entries():
        status = entry.status.strip().casefold()
        if status == SENT and entry.kind in shared:
            shared[entry.kind].add(entry.message_id or entry.key)
        elif status == SENT:
            kinds[entry.kind or "(no kind)"] += 1
        elif status != SKIPPED:
            look[status or "(no status)"] += 1
    kinds.update({kind: len(emails) for kind, emails in shared.items() if emails})
    sent = sum(kinds.values())
    by_kind = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    lines = [f"emails sent: {sent}" + (f" ({by_kind})" if by_kind else "")]
    if look:
        lines.append(
            "emails to look at in the Email Log: "
            + ", ".join(f"{n} {status}" for status, n in sorted(look.items()))
        )
    now = [p for p in introductions(pairs.pairs, today) if not ledger.blocks(p.key)]
    now += checkins_due(pairs.pairs, checkins, today, ledger.blocks)[0]
    horizon = today + timedelta(days=DUE_WITHIN)
    coming = [
        email
        for email in year_calendar(pairs.pairs, checkins, today)
        if email.kind != INTRODUCTION
        and today < email.due <= horizon
        and not ledger.blocks(email.key)
    ]
    line = f"emails due now (the next run sends them): {len(now)}; by {horizon:%Y-%m-%d}:"
    line += f" {len(coming)} more check-ins"
    if coming:
        first = coming[0]
        line += f", the next on {first.due:%Y-%m-%d} ({first.kind} to {first.to[0].email})"
    return [*lines, line]


def health_line(table: Table | None) -> str:
    """The Pair Health tab in one line: pairs by State, and how many are flagged."""
    if table is None or not any(table.header):
        return "pair health: no Pair Health tab yet (the checkin job makes it)"
    if not table.rows:
        return "pair health: no introduced pairs yet"
    state_at, flag_at = table.column(STATE), table.column(FLAG)
    states = Counter(str(cell(row, state_at) or "").strip() or "(no State)" for row in table.rows)
    flagged = sum(1 for row in table.rows if not is_blank(cell(row, flag_at)))
    by_state = ", ".join(f"{n} {state}" for state, n in sorted(states.items()))
    return f"pair health: {len(table.rows)} pairs ({by_state}), {flagged} flagged"


def runs_lines(history: History, timetable: Mapping[str, When], now: datetime) -> list[str]:
    """The last run of each job, whether it failed, and when it is scheduled."""
    lines = ["last runs:"]
    jobs = [*timetable, *sorted(set(history.jobs) - set(timetable))]
    width = max(len(job) for job in jobs)
    for job in jobs:
        when = timetable.get(job)
        scheduled = f" [{when.text}]" if when is not None else ""
        known = history.jobs.get(job)
        if known is None:
            lines.append(f"  {job:<{width}}  never run{scheduled}")
            continue
        run = known.last
        ago = _ago(now - run.started)
        if run.outcome == FAILED:
            state = f"FAILED ({known.failures} in a row)"
        elif run.outcome == LOCKED:
            state = "skipped: another run was in progress"
        else:
            state = "ok"
        lines.append(
            f"  {job:<{width}}  {run.started:%Y-%m-%d %H:%M} ({ago}) {state}{scheduled}: {run.line}"
        )
    return lines


def report_line(history: History, now: datetime, when: When) -> str:
    """Where the year's report stands: when it was last made, and how to make one."""
    known = history.jobs.get("report")
    made = known.last_ok if known is not None else None
    scheduled = "" if when.off else f", and at its time in [schedule] ({when.text})"
    what = "the HTML file of charts and the Program Report tab"
    if made is None:
        return f"report: none made yet; `mentor-sync report` makes {what}{scheduled}"
    return (
        f"report: last made {made:%Y-%m-%d %H:%M} ({_ago(now - made)});"
        f" `mentor-sync report` makes {what} again{scheduled}"
    )


def _ago(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 120:
        return "just now"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"
