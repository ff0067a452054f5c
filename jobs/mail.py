"""The email jobs: introduce new pairs, send the check-ins and reminders that are due,
exactly once each.

One run: read the tabs, settle emails a stopped run left `sending`, render
every due email (a template error stops the run before anything is sent),
mark the batch `sending` in one write, send, then record every outcome, the
Introduced On dates and (for check-ins) the Pair Health tab in one more write.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from jobs.health import assess_pairs
from jobs.match import checkin_answers, past_tables, response_tab
from mentoring.answers import Answers
from mentoring.committee import INTRODUCED, MENTEE_EMAIL
from mentoring.errors import ConfigError
from mentoring.health import PairHealth, health_tab, reminders_due
from mentoring.history import past_pairs
from mentoring.intake import normalise_email, read_responses
from mentoring.ledger import FAILED, SENDING, SENT, SKIPPED, UNCONFIRMED, Ledger, LogEntry
from mentoring.letters import Templates, build_message, context, message_id
from mentoring.outgoing import (
    INTRODUCTION,
    REMINDER,
    Planned,
    Superseded,
    checkins_due,
    introductions,
)
from mentoring.pairs import MENTEE_ROLE, MENTOR_ROLE, Pair, PairsRead, Person, approved_pairs
from mentoring.settings import Checkin, Settings
from mentoring.sheet import TabEdits, Table, cell
from mentoring.summary import count
from sync.base import Spreadsheet
from sync.mail import Sender, SendError

INTRODUCE, CHECKIN = "introduce", "checkin"
# A made-up pair, to render every template before a run sends anything.
SAMPLE_PAIR = Pair(
    Person("mentee@example.org", "Sam Sample", MENTEE_ROLE, "they/them", "Example University"),
    Person("mentor@example.org", "Alex Example", MENTOR_ROLE, "", "Example Institute"),
    row=0,
    introduced_on=None,
    shared=("Research data management", "Chemistry"),
)


@dataclass
class MailReport:
    """What one email job did, in the committee's words."""

    job: str
    dry_run: bool = False
    cap: int = 0
    sent: list[str] = field(default_factory=list)
    would_send: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    unconfirmed: list[str] = field(default_factory=list)
    deferred: int = 0
    skipped: int = 0
    settled: int = 0
    problems: Sequence[str] = ()
    healths: Sequence[PairHealth] = ()  # the checkin job's Pair Health, after sending
    ended: Sequence[str] = ()  # pairs whose Pair Health row says ended
    health_problem: str = ""  # why the Pair Health tab could not be written

    def summary(self) -> str:
        if self.dry_run:
            parts = [f"{len(self.would_send)} would be sent (dry run: nothing sent or logged)"]
        else:
            parts = [f"{len(self.sent)} sent"]
            if self.failed:
                parts.append(f"{len(self.failed)} failed, to try again next run")
        if self.deferred:
            parts.append(f"{self.deferred} wait for the next run (daily cap of {self.cap} reached)")
        if self.unconfirmed:
            parts.append(f"{len(self.unconfirmed)} unconfirmed: check them in the Email Log")
        if self.skipped:
            verb = "would be skipped" if self.dry_run else "skipped"
            parts.append(f"{self.skipped} {verb} as a later check-in was due")
        if self.settled:
            parts.append(f"{self.settled} left 'sending' by a stopped run settled")
        if self.problems:
            parts.append(f"{len(self.problems)} committee rows need a look")
        said = f"{self.job}: {', '.join(parts)}"
        if self.health_problem:
            said += f"; Pair Health not written: {self.health_problem}"
        elif self.healths:
            flagged = sum(1 for health in self.healths if health.flags)
            said += f"; Pair Health: {count(len(self.healths), 'pair')}, {flagged} flagged"
        return said

    def details(self) -> list[str]:
        """Each email, what went wrong, and the committee rows to look at (the summary is
        the job's line, logged apart)."""
        said = [*self.would_send, *self.sent]
        said += [f"  failed: {line}" for line in self.failed]
        said += [f"  unconfirmed: {line}" for line in self.unconfirmed]
        said += [f"  check: {problem}" for problem in self.problems]
        return said


@dataclass(frozen=True)
class _Outgoing:
    planned: Planned
    message_id: str
    subject: str
    message: object


def run_mail(
    job: str | Sequence[str],
    sheet: Spreadsheet,
    settings: Settings,
    templates: Templates,
    sender: Sender,
    now: datetime,
    dry_run: bool = False,
) -> MailReport:
    """Send what `job` ("introduce" or "checkin", or both in one pass) has due at `now`,
    each email once. The check-ins come with the reminders due, and the Pair Health tab
    written in the last write (its pairs' health kept in the report, for the digest).

    Raises ConfigError for a missing tab or column or a template error (before
    anything is sent), SendError when the sender cannot start, SpreadsheetError
    when the log cannot be written.
    """
    check_templates(settings, templates, now)
    tabs = settings.tabs
    jobs = (job,) if isinstance(job, str) else tuple(job)
    wanted = [tabs.mentees, tabs.mentors, tabs.committee, tabs.email_log]
    if settings.matching.past_pairs_tab:
        wanted.append(settings.matching.past_pairs_tab)
    if CHECKIN in jobs:
        wanted += [tabs.checkins, tabs.pair_health]
    found = sheet.read(wanted)
    pairs = read_pairs(sheet, settings, found)
    ledger = Ledger(found.get(tabs.email_log), tabs.email_log)
    label = " and ".join(jobs)
    report = MailReport(label, dry_run, settings.email.daily_cap, problems=pairs.problems)
    stamp = now.replace(tzinfo=None)
    settled = [] if dry_run else _settle(ledger, sender, stamp)
    report.settled = len(settled)
    report.unconfirmed += [e.to for e in settled if e.status == UNCONFIRMED]
    today = stamp.date()
    planned: list[Planned] = []
    superseded: list[Superseded] = []
    if INTRODUCE in jobs:
        planned += introductions(pairs.pairs, today)
    answers = None
    if CHECKIN in jobs:
        due, later = checkins_due(pairs.pairs, settings.checkins, today, ledger.blocks)
        planned, superseded = [*planned, *due], [*superseded, *later]
        past = past_pairs(past_tables(settings, found))
        answers = checkin_answers(sheet, settings, found, pairs.pairs, past)
        healths = assess_pairs(pairs.pairs, answers, ledger, settings, today)
        busy = {(p.pair.label, p.to[0].email) for p in due}
        planned += reminders_due(healths, settings.health, today, ledger.blocks, busy)
    redated = _introduced_from_log(planned, ledger, report, today)
    due = [p for p in planned if not ledger.blocks(p.key)]
    room = max(0, settings.email.daily_cap - ledger.sent_on(today))
    report.deferred = max(0, len(due) - room)
    # Rendered before anything is sent, so a template error stops the run early.
    batch = [_render(p, settings, templates, now) for p in due[:room]]
    skipped = [_skipped(s, stamp) for s in superseded]
    report.skipped = len(skipped)
    if dry_run:
        report.would_send = [f"would send {_describe(o)}" for o in batch]
        return report
    committee = found.get(tabs.committee)
    if not batch:
        logged = ledger.record([*settled, *skipped])
        now_pairs = _dated(pairs.pairs, redated)
        health = _health(report, answers, now_pairs, ledger, found, settings, today)
        sheet.write([logged, _introduced(committee, redated), health])
        return report
    with sender:
        marks = [_entry(o, SENDING, stamp) for o in batch]
        sheet.write([ledger.record([*settled, *skipped, *marks])])
        outcomes = _send_all(batch, sender, stamp, report)
    introduced = redated + [(o.planned.pair, today) for o in outcomes if _is_sent_intro(o)]
    # Sending took a while: read the two tabs again and write by key, not by the row numbers
    # of before, in case the committee sorted a tab meanwhile.
    again = [tabs.committee, tabs.email_log] + ([tabs.pair_health] if answers is not None else [])
    now_found = sheet.read(again, fresh=True)
    ledger = Ledger(now_found.get(tabs.email_log), tabs.email_log)
    committee = now_found.get(tabs.committee)
    introduced = _relocated(committee, introduced)
    logged = ledger.record(o.entry for o in outcomes)
    now_pairs = _dated(pairs.pairs, introduced)
    health = _health(report, answers, now_pairs, ledger, now_found, settings, today)
    sheet.write([logged, _introduced(committee, introduced), health])
    return report


def _dated(pairs: Sequence[Pair], dated: Sequence[tuple[Pair, date]]) -> list[Pair]:
    """The pairs as this run leaves them: those it introduced (or dated from the log) with
    their Introduced On, so that Pair Health has them from today."""
    days = {pair.label: day for pair, day in dated}
    return [replace(pair, introduced_on=days.get(pair.label, pair.introduced_on)) for pair in pairs]


def _health(
    report: MailReport,
    answers: Answers | None,
    pairs: Sequence[Pair],
    ledger: Ledger,
    found: dict[str, Table],
    settings: Settings,
    today: date,
) -> TabEdits:
    """The Pair Health tab as the emails of this run leave it (nothing for a run without
    check-ins); the report keeps the pairs' health for the digest."""
    if answers is None:
        return TabEdits("", {})
    report.healths = assess_pairs(pairs, answers, ledger, settings, today)
    tab = settings.tabs.pair_health
    try:
        written = health_tab(found.get(tab), tab, report.healths)
    except ConfigError as exc:  # after sending: say so, never lose the Email Log's write
        report.health_problem = f"{exc}; the tab is not written until then"
        return TabEdits("", {})
    report.ended = written.ended
    return written.edits


def _relocated(
    committee: Table | None, dated: Sequence[tuple[Pair, date]]
) -> list[tuple[Pair, date]]:
    """Each pair at the committee row that now holds its mentee (a sorted tab moves rows);
    a pair whose row is gone is left out (its date comes back from the log next run)."""
    if committee is None:
        return []
    column = committee.column(MENTEE_EMAIL)
    rows = {normalise_email(cell(row, column)): row.number for row in committee.rows}
    return [
        (replace(pair, row=rows[pair.mentee.email]), day)
        for pair, day in dated
        if pair.mentee.email in rows
    ]


def check_templates(settings: Settings, templates: Templates, now: datetime) -> None:
    """Render every email of the year for a made-up pair: a mistake in the closing email
    stops today's run, with the template named, not the run of day 365."""
    day = now.date()
    samples = [sample_planned(INTRODUCTION, SAMPLE_PAIR, settings, day)]
    samples += [_checkin(c, n, SAMPLE_PAIR, day) for n, c in enumerate(settings.checkins, 1)]
    if settings.health.reminders:
        samples.append(sample_planned(REMINDER, SAMPLE_PAIR, settings, day))
    for planned in samples:
        _render(planned, settings, templates, now)


def sample_planned(template: str, pair: Pair, settings: Settings, day: date) -> Planned:
    """An email of `template` for `pair` on `day`, as the calendar would plan it (a check-in
    template as the first check-in that uses it), to render as a sample."""
    if template == INTRODUCTION:
        return Planned(INTRODUCTION, template, pair, (pair.mentee, pair.mentor), day)
    if template == REMINDER:
        first = settings.checkins[0].name if settings.checkins else "check-in"
        asked = day - timedelta(days=settings.health.answer_within_days)
        return Planned(
            REMINDER, REMINDER, pair, (pair.mentee,), day, reminder_of=first, asked_on=asked
        )
    for number, checkin in enumerate(settings.checkins, start=1):
        if checkin.template == template:
            return _checkin(checkin, number, pair, day)
    return Planned(f"test {template}", template, pair, (pair.mentee,), day, 1, 30)


def _checkin(checkin: Checkin, number: int, pair: Pair, day: date) -> Planned:
    return Planned(checkin.name, checkin.template, pair, (pair.mentee,), day, number, checkin.days)


def read_pairs(sheet: Spreadsheet, settings: Settings, found: dict[str, Table]) -> PairsRead:
    """The approved pairs of the committee tab, with both people's answers from the forms.

    A pair of an earlier year (Past Pairs, when `found` has it) is left out, with a problem
    that says why: the Email Log has that year's emails under the same keys, so a second
    year of the same two people would be taken for the first one.
    """
    tabs = settings.tabs
    mentees = response_tab(sheet, found, tabs.mentees, "mentee responses", "tabs.mentees")
    mentors = response_tab(sheet, found, tabs.mentors, "mentor responses", "tabs.mentors")
    responses = read_responses(mentees, mentors, settings)
    mentor_field = {r.mentee: r.mentor for r in settings.matching.rules if r.kind == "overlap"}
    questions = [(f, mentor_field.get(f, f)) for f in settings.email.shared_interests]
    read = approved_pairs(
        found.get(tabs.committee), responses, questions, settings.intake.date_order
    )
    past = past_pairs(past_tables(settings, found))
    again = [p for p in read.pairs if (p.mentee.email, p.mentor.email) in past]
    if not again:
        return read
    problems = [
        f"{tabs.committee} row {p.row}: {p.mentee.email} and {p.mentor.email} were a pair in"
        " an earlier year (Past Pairs); mentor-sync sends them no emails, as its Email Log"
        " holds that year's: choose another mentor in Committee Mentor Email"
        for p in again
    ]
    kept = tuple(p for p in read.pairs if p not in again)
    return PairsRead(kept, (*read.problems, *problems))


def sender_person(settings: Settings) -> Person:
    email = settings.email.from_address or settings.program.committee_email
    return Person(email=email, name=settings.email.from_name, role="")


def render_message(planned: Planned, settings: Settings, templates: Templates, now: datetime):
    """The finished message for `planned`, with its deterministic Message-ID."""
    return _render(planned, settings, templates, now).message


@dataclass(frozen=True)
class _Outcome:
    outgoing: _Outgoing
    entry: LogEntry

    @property
    def planned(self) -> Planned:
        return self.outgoing.planned


def _send_all(
    batch: Sequence[_Outgoing], sender: Sender, stamp: datetime, report: MailReport
) -> list[_Outcome]:
    outcomes: list[_Outcome] = []
    stopped: SendError | None = None
    for outgoing in batch:
        described = _describe(outgoing)
        if stopped is not None:
            entry = _entry(outgoing, FAILED, None, f"not tried: {stopped}")
            report.failed.append(f"{described} (not tried: {stopped})")
        else:
            try:
                note = sender.send(outgoing.message, outgoing.planned.key)
                entry = _entry(outgoing, SENT, stamp, note or "")
                report.sent.append(f"sent {described}" + (f" ({note})" if note else ""))
            except SendError as exc:
                if exc.maybe_sent:
                    entry = _entry(outgoing, UNCONFIRMED, stamp, f"{exc}; {_CHECK}")
                    report.unconfirmed.append(f"{described} ({exc})")
                else:
                    entry = _entry(outgoing, FAILED, None, str(exc))
                    report.failed.append(f"{described} ({exc})")
                if exc.fatal:
                    stopped = exc
        outcomes.append(_Outcome(outgoing, entry))
    return outcomes


_CHECK = (
    "it may have gone out: check the sent mail, then write sent in Status,"
    " or delete this row to send it again"
)


def _settle(ledger: Ledger, sender: Sender, stamp: datetime) -> list[LogEntry]:
    """Settle the emails a stopped run left `sending`: sent, to send again, or unconfirmed."""
    settled = []
    pending = ledger.pending()
    if not pending:
        return settled
    # Rows that share a Message Id are one email (an alert about several problems): it is
    # looked up once, by the first of their keys, as it was sent.
    emails: dict[str, LogEntry] = {}
    for entry in sorted(pending, key=lambda e: e.key):
        emails.setdefault(entry.message_id or entry.key, entry)
    with sender:  # a sender that can look messages up (Gmail) signs in to do so
        found = {shared: sender.confirm(e.key, e.message_id) for shared, e in emails.items()}
    answers = [(e, found[e.message_id or e.key]) for e in pending]
    for entry, went_out in answers:
        if went_out is True:
            settled.append(replace(entry, status=SENT, error=""))
        elif went_out is False:
            note = "a run stopped before sending this; it is sent again"
            settled.append(replace(entry, status=FAILED, sent_at=None, error=note))
        else:
            note = f"a run stopped while sending this and the {sender.name} sender cannot tell"
            settled.append(replace(entry, status=UNCONFIRMED, error=f"{note}; {_CHECK}"))
    ledger.note(settled)  # so this run plans with what is now known
    return settled


def _introduced_from_log(
    planned: Sequence[Planned], ledger: Ledger, report: MailReport, today: date
) -> list[tuple[Pair, date]]:
    """Introductions the log has as sent whose Introduced On is empty: date them from the log."""
    dated = []
    for p in planned:
        if p.kind != INTRODUCTION:
            continue
        entry = ledger.get(p.key)
        if entry is None or not ledger.blocks(p.key):
            continue
        if entry.status.strip().casefold() == SENT:
            dated.append((p.pair, entry.sent_at.date() if entry.sent_at else today))
        elif entry.status.strip().casefold() not in (SENDING, SKIPPED):
            report.problems = [
                *report.problems,
                f"the introduction of {p.pair.label} is '{entry.status}' in the Email Log;"
                " once you know it went out, write sent there (or a date in Introduced On)",
            ]
    return dated


def _introduced(committee: Table | None, dated: Sequence[tuple[Pair, date]]) -> TabEdits:
    if committee is None or not dated:
        return TabEdits("", {})
    column = committee.require(INTRODUCED, what="the date of the introduction", fix="")
    return TabEdits(committee.name, {(pair.row, column + 1): day for pair, day in dated})


def _render(planned: Planned, settings: Settings, templates: Templates, now: datetime) -> _Outgoing:
    letter = templates.render(planned.template, context(planned, settings, now.date()))
    sender = sender_person(settings)
    msgid = message_id(planned.key, settings.program.name, sender.email.rpartition("@")[2])
    cc = ()
    if planned.kind == "introduction" and settings.email.cc_committee:
        cc = tuple(e for e in [settings.program.committee_email] if e)
    message = build_message(letter, sender=sender, to=planned.to, cc=cc, msgid=msgid, when=now)
    return _Outgoing(planned, msgid, letter.subject, message)


def _entry(outgoing: _Outgoing, status: str, stamp: datetime | None, error: str = "") -> LogEntry:
    p = outgoing.planned
    return LogEntry(
        key=p.key,
        kind=p.kind,
        to=", ".join(person.email for person in p.to),
        subject=outgoing.subject,
        status=status,
        sent_at=stamp,
        message_id=outgoing.message_id,
        error=error,
    )


def _skipped(superseded: Superseded, stamp: datetime) -> LogEntry:
    p = superseded.planned
    return LogEntry(
        key=p.key,
        kind=p.kind,
        to=p.to[0].email,
        status=SKIPPED,
        error=f"not sent: '{superseded.by.kind}' was due as well on {stamp:%Y-%m-%d}",
    )


def _is_sent_intro(outcome: _Outcome) -> bool:
    return outcome.planned.kind == "introduction" and outcome.entry.status == SENT


def _describe(outgoing: _Outgoing) -> str:
    p = outgoing.planned
    to = ", ".join(person.email for person in p.to)
    return f"{p.kind} to {to}: {outgoing.subject}"
