"""The email jobs: introduce new pairs, send the check-ins and reminders that are due, and
tell the people the final slate leaves unmatched, exactly once each.

One run, in three steps:
- plan: read the tabs and the send journal, settle emails a stopped run left `sending`,
  and decide in the core what is due (mentoring/sending.py); render every due email (a
  template error stops the run before anything is sent; an address no message can carry
  fails that email alone);
- send (jobs/delivery.py): mark the batch in the journal (synced) and in the Email Log
  (one write), then hand each email over, the journal marking it just before and
  recording it just after;
- record: read the committee tab and the Email Log again (someone may have sorted them,
  or saved an older copy over the workbook meanwhile) and write every outcome, the
  Introduced On dates and (for check-ins) the Pair Health tab in one more write.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from jobs.compose import render
from jobs.delivery import (
    MailReport,
    Outgoing,
    SendOutcome,
    describe,
    hand_over_batch,
    log_entry,
    settle,
)
from jobs.program import (
    check_tabs,
    checkin_answers,
    email_log,
    past_tables,
    read_applications,
    read_pairs,
    refuse_a_near_miss,
)
from mentoring.answers import Answers
from mentoring.errors import ConfigError, MentorSyncError
from mentoring.health import PairHealth, assess_pairs, health_tab
from mentoring.identity import remembered
from mentoring.intake import Responses
from mentoring.ledger import (
    FAILED,
    SENT,
    SKIPPED,
    UNCONFIRMED,
    Ledger,
    LogEntry,
)
from mentoring.letters import Templates
from mentoring.notices import (
    TEMPLATES,
    Email,
    NoticePlan,
    Unmatched,
    introduced_lately,
    left_unmatched,
    no_slate,
    notice_day,
    plan_notices,
    sample_notice,
)
from mentoring.outgoing import (
    INTRODUCTION,
    REMINDER,
    SAMPLE_PAIR,
    Planned,
    Superseded,
    checkin_planned,
    sample_planned,
)
from mentoring.pairs import Pair, PairsRead
from mentoring.past_pairs import past_pairs
from mentoring.sending import Plan, introduced_on, plan_emails, relocated, with_dates
from mentoring.settings import Settings
from mentoring.sheet import TabEdits, Table
from mentoring.summary import count
from sync.journal import Journal
from sync.sender import Sender
from sync.spreadsheet import Spreadsheet, SpreadsheetError

INTRODUCE, CHECKIN = "introduce", "checkin"
# The notices to the people the final slate leaves unmatched, on the committee's word;
# `run` sends them too, after its match, from the day notify.unmatched_on
# (mentoring/notices.py). `introduce` and `checkin` alone never do: the schedule runs them
# apart from the match, and a notice sent before the match would tell "not this year" to
# someone the match then pairs.
NOTIFY = "notify-unmatched"
_NO_PAIR_EMAILS = Plan((), 0, (), (), ())


@dataclass(frozen=True)
class _Read:
    """What a run read: the tabs, the pairs, what was sent, (for check-ins) the answers,
    and (when the notices are due) who the slate leaves unmatched."""

    found: dict[str, Table]
    pairs: PairsRead
    ledger: Ledger
    answers: Answers | None
    unmatched: Unmatched | None = None


def run_mail(
    job: str | Sequence[str],
    sheet: Spreadsheet,
    settings: Settings,
    templates: Templates,
    sender: Sender,
    now: datetime,
    dry_run: bool = False,
    journal: Journal | None = None,
    tell: Tell | None = None,
    after_match: bool = False,
) -> MailReport:
    """Send what `job` ("introduce", "checkin" or "notify-unmatched", or several in one
    pass) has due at `now`, each email once. The check-ins come with the reminders due, and
    the Pair Health tab written in the last write (its pairs' health kept in the report, for
    the digest). The notices to the unmatched come after the pairs' emails, within the same
    daily cap: with "notify-unmatched", and, when `after_match` (`run`, which matched just
    before), in the days from notify.unmatched_on. `journal` is the send journal (None: the
    Email Log alone says what was sent). `tell`, when given, sends the committee's emails
    due after the pairs' (the digest, a contact alert) before the last write, which carries
    their rows.

    Raises ConfigError for a missing tab or column, a tool tab not as the tool left it, a
    template error (before anything is sent), or, for "notify-unmatched", no slate yet;
    SendError when the sender cannot start, SpreadsheetError when the log cannot be written.
    """
    check_templates(settings, templates, now)
    jobs = (job,) if isinstance(job, str) else tuple(job)
    today, stamp = now.date(), now.replace(tzinfo=None)
    read = _read(jobs, sheet, settings, today, journal, after_match)
    report = MailReport(" and ".join(jobs), dry_run, settings.email.daily_cap)
    settled = [] if dry_run else settle(read.ledger, sender, stamp, journal)
    report.settled = len(settled)
    report.unconfirmed += [e.to for e in settled if e.status == UNCONFIRMED]
    plan = _NO_PAIR_EMAILS
    if _for_pairs(jobs):
        plan = plan_emails(
            read.pairs.pairs,
            read.ledger,
            settings,
            today,
            introduce=INTRODUCE in jobs,
            checkin=CHECKIN in jobs,
            healths=_healths(read, settings, today),
        )
    notices = _notices(read, today, settings.email.daily_cap - len(plan.batch))
    # The committee rows to look at, whichever emails this run sends: a row the pairs'
    # emails cannot use may be why someone is, or is not, told they are unmatched.
    report.problems = (*map(str, read.pairs.problems), *plan.problems, *notices.problems)
    report.deferred = plan.deferred + notices.deferred
    report.not_told, report.told_already = notices.not_told, notices.told_already
    # Rendered before anything is sent, so a template error stops the run early.
    emails: list[Email] = [*plan.batch, *notices.batch]
    batch = [render(p, settings, templates, now) for p in emails]
    skipped = [_skipped(s, stamp) for s in plan.superseded]
    report.skipped = len(skipped)
    if dry_run:
        report.would_send = [f"would send {describe(o)}" for o in batch]
        return report
    unusable = [_unusable(o, report) for o in batch if o.problem]
    batch = [o for o in batch if not o.problem]
    early = [*settled, *skipped, *unusable]
    if journal is not None:
        journal.record(early)
    redated = [*plan.redated, *read.pairs.dated] if _for_pairs(jobs) else []
    if not batch:
        report.restored = read.ledger.to_restore(e.key for e in early)
        dated = redated
        health = _health(report, read, with_dates(read.pairs.pairs, dated), settings, today)
        told = _tell(tell, report, read.ledger)
        logged = read.ledger.record([*early, *told])
        sheet.write([logged, introduced_on(read.found.get(settings.tabs.committee), dated), health])
        _remember(journal, with_dates(read.pairs.pairs, dated))
        return report
    outcomes = hand_over_batch(batch, early, read.ledger, sheet, sender, stamp, report, journal)
    _record(outcomes, redated, read, sheet, settings, today, report, journal, tell)
    return report


# Sends the committee's emails of a check-in run; their Email Log rows, lines, and whether
# one did not go (jobs/committee_mail.py tell_the_committee).
ToldCommittee = tuple[list[LogEntry], list[str], bool]
Tell = Callable[[Sequence[PairHealth], Sequence[str], Ledger], ToldCommittee]


def _tell(tell: Tell | None, report: MailReport, ledger: Ledger) -> list[LogEntry]:
    """The committee's emails, sent after the pairs' Pair Health is known: their rows, for
    the job's last write. One that cannot go fails the job, never the pairs' record."""
    if tell is None or (not report.healths and not report.ended):
        return []
    try:
        rows, lines, failed = tell(report.healths, report.ended, ledger)
    except MentorSyncError as exc:
        report.told.append(f"digest: not sent: {exc}; the next check-in run tries again")
        report.told_failed = True
        return []
    report.told += lines
    report.told_failed = report.told_failed or failed
    return rows


def _read(
    jobs: Sequence[str],
    sheet: Spreadsheet,
    settings: Settings,
    today: date,
    journal: Journal | None,
    after_match: bool,
) -> _Read:
    tabs = settings.tabs
    wanted = [tabs.mentees, tabs.mentors, tabs.committee, tabs.email_log]
    if settings.matching.past_pairs_tab:
        wanted.append(settings.matching.past_pairs_tab)
    if CHECKIN in jobs:
        wanted += [tabs.checkins, tabs.pair_health]
    found = sheet.read(wanted)
    check_tabs(sheet, found, settings, _makes(settings, jobs))
    ledger = email_log(found.get(tabs.email_log), settings, journal)
    known = journal.pairs() if journal is not None else ()
    responses = read_applications(sheet, settings, found)
    pairs = read_pairs(sheet, settings, found, today, ledger, known, responses)
    answers = None
    if CHECKIN in jobs:
        past = past_pairs(past_tables(settings, found))
        answers = checkin_answers(sheet, settings, found, pairs.pairs, past, pairs.held_people)
    unmatched = None
    if final := _slate_final_on(jobs, settings, today, after_match):
        unmatched = _left_unmatched(sheet, settings, found, responses, ledger, today, final, jobs)
    return _Read(found, pairs, ledger, answers, unmatched)


def _left_unmatched(
    sheet: Spreadsheet,
    settings: Settings,
    found: dict[str, Table],
    responses: Responses,
    ledger: Ledger,
    today: date,
    final: date,
    jobs: Sequence[str],
) -> Unmatched:
    """Who the slate made final on `final` leaves unmatched. The committee tab is found as
    the match finds it: a renamed one is refused with the same message, never read as no
    slate. Without a slate, notify-unmatched refuses (ConfigError); `run` says so in a
    line, and its pairs' emails go on."""
    tabs = settings.tabs
    committee = found.get(tabs.committee)
    if committee is None:
        check_tabs(sheet, found, settings, [tabs.committee])
        refuse_a_near_miss(
            sheet, settings, tabs.committee, "the committee's matches", "tabs.committee"
        )
    missing = no_slate(committee, tabs.committee)
    if missing and NOTIFY not in jobs:
        said = f"{missing}, so nobody is known to be paired or left out"
        return Unmatched((), (f"anyone left unmatched: {said}",))
    past = past_pairs(past_tables(settings, found))
    introduced = introduced_lately(ledger, past, today)
    return left_unmatched(committee, responses, settings, str(final.year), introduced)


def _for_pairs(jobs: Sequence[str]) -> bool:
    """Whether the run sends the pairs' emails (a notify-unmatched run sends only notices)."""
    return INTRODUCE in jobs or CHECKIN in jobs


def _slate_final_on(
    jobs: Sequence[str], settings: Settings, today: date, after_match: bool
) -> date | None:
    """The day the committee made the slate final, when this run sends the notices to the
    unmatched: today for notify-unmatched; notify.unmatched_on for a run just after a match
    (`run`) in the days after it; None when it sends none."""
    if NOTIFY in jobs:
        return today
    if after_match:
        return notice_day(settings.notify.unmatched_on, today)
    return None


def _notices(read: _Read, today: date, cap: int) -> NoticePlan:
    """The notices this run sends, in the room the daily cap (`cap` less the pairs' emails
    of this run) leaves."""
    if read.unmatched is None:
        return NoticePlan((), 0, (), ())
    room = max(0, cap - read.ledger.sent_on(today))
    return plan_notices(read.unmatched, read.ledger, today, room)


def _makes(settings: Settings, jobs: Sequence[str]) -> list[str]:
    """The tool tabs an email run makes when they are missing."""
    tabs = settings.tabs
    return [tabs.email_log, *([tabs.pair_health] if CHECKIN in jobs else [])]


def _healths(read: _Read, settings: Settings, today: date) -> list[PairHealth]:
    if read.answers is None:
        return []
    return assess_pairs(read.pairs.pairs, read.answers, read.ledger, settings, today)


def _record(
    outcomes: Sequence[SendOutcome],
    redated: Sequence[tuple[Pair, date]],
    read: _Read,
    sheet: Spreadsheet,
    settings: Settings,
    today: date,
    report: MailReport,
    journal: Journal | None,
    tell: Tell | None,
) -> None:
    """Write the outcomes, the Introduced On dates, Pair Health and the committee's emails
    (sent by `tell`), by key and by mentee."""
    tabs = settings.tabs
    sent_intros = [(pair, today) for o in outcomes if (pair := _sent_intro(o)) is not None]
    # Sending took a while: read the two tabs again and write by key, not by the row numbers
    # of before, in case the committee sorted a tab (or saved an older copy) meanwhile.
    again = [tabs.committee, tabs.email_log]
    again += [tabs.pair_health] if read.answers is not None else []
    try:
        now_found = sheet.read(again, fresh=True)
        checking = (CHECKIN,) if read.answers is not None else ()
        check_tabs(sheet, now_found, settings, _makes(settings, checking))
        ledger = email_log(now_found.get(tabs.email_log), settings, journal)
        report.restored = ledger.to_restore(o.entry.key for o in outcomes)
        committee = now_found.get(tabs.committee)
        dated = relocated(committee, [*redated, *sent_intros])
        now_pairs = with_dates(read.pairs.pairs, dated)
        now_read = replace(read, found={**read.found, **now_found}, ledger=ledger)
        health = _health(report, now_read, now_pairs, settings, today)
        told = _tell(tell, report, ledger)
        logged = ledger.record([*(o.entry for o in outcomes), *told])
        sheet.write([logged, introduced_on(committee, dated), health])
    except (ConfigError, SpreadsheetError) as exc:
        raise SpreadsheetError(_not_recorded(outcomes, exc, journal is not None)) from exc
    _remember(journal, now_pairs)


def _not_recorded(outcomes: Sequence[SendOutcome], exc: Exception, journal: bool) -> str:
    went = sum(1 for o in outcomes if o.entry.status in (SENT, UNCONFIRMED))
    emails = count(went, "email")
    if journal:
        return (
            f"{emails} went out, but the Email Log could not be written ({exc}); the send"
            " journal has them, so the next run writes them there and sends none again"
        )
    return (
        f"{emails} went out, but the Email Log could not be written ({exc}); it has them as"
        " 'sending', so the next run sends none of them again, and settles them"
    )


def _remember(journal: Journal | None, pairs: Sequence[Pair]) -> None:
    if journal is not None:
        journal.remember_pairs(remembered(pairs))


def _health(
    report: MailReport,
    read: _Read,
    pairs: Sequence[Pair],
    settings: Settings,
    today: date,
) -> TabEdits:
    """The Pair Health tab as the emails of this run leave it (nothing for a run without
    check-ins); the report keeps the pairs' health for the digest."""
    if read.answers is None:
        return TabEdits("", {})
    report.healths = assess_pairs(pairs, read.answers, read.ledger, settings, today)
    tab = settings.tabs.pair_health
    try:
        written = health_tab(read.found.get(tab), tab, report.healths, read.pairs.held)
    except ConfigError as exc:  # after sending: say so, never lose the Email Log's write
        report.health_problem = f"{exc}; the tab is not written until then"
        return TabEdits("", {})
    report.ended = written.ended
    return written.edits


def check_templates(settings: Settings, templates: Templates, now: datetime) -> None:
    """Render every email of the year for a made-up pair, and the notices to the unmatched
    for its people: a mistake in the closing email stops today's run, with the template
    named, not the run of day 365."""
    day = now.date()
    samples: list[Email] = [sample_planned(INTRODUCTION, SAMPLE_PAIR, settings, day)]
    samples += [checkin_planned(c, n, SAMPLE_PAIR, day) for n, c in enumerate(settings.checkins, 1)]
    if settings.health.reminders:
        samples.append(sample_planned(REMINDER, SAMPLE_PAIR, settings, day))
    samples += [sample_notice(kind, SAMPLE_PAIR, str(day.year)) for kind in TEMPLATES]
    for planned in samples:
        outgoing = render(planned, settings, templates, now)
        if outgoing.problem:
            raise ConfigError(outgoing.problem)


def _unusable(outgoing: Outgoing, report: MailReport) -> LogEntry:
    report.failed.append(outgoing.problem)
    return log_entry(outgoing, FAILED, None, outgoing.problem)


def _skipped(superseded: Superseded, stamp: datetime) -> LogEntry:
    p = superseded.planned
    return LogEntry(
        key=p.key,
        kind=p.kind,
        to=p.to[0].email,
        status=SKIPPED,
        error=f"not sent: '{superseded.by.kind}' was due as well on {stamp:%Y-%m-%d}",
    )


def _sent_intro(outcome: SendOutcome) -> Pair | None:
    """The pair of an introduction this run sent for the first time (one sent again dates
    nothing); None for any other email."""
    planned = outcome.planned
    if not isinstance(planned, Planned) or planned.kind != INTRODUCTION:
        return None
    return planned.pair if not planned.resend and outcome.entry.status == SENT else None
