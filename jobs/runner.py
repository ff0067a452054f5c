"""One job run as the scheduler, cron and the command line all make it.

One run at a time (a file lock), one line logged for what it did or why it
failed, the run remembered in the state file, and the committee alerted about
problems it has not been told of: a job failing again and again (here, after the run),
new intake issues and new weak matches (by the match job, before its own write).

Setting up is quiet for the committee (mentoring/runs.py, History.counts): a failure
counts toward the alert only in a scheduled run (not one from a terminal), after the
first scheduled run that worked, and not on the settings themselves (a SettingsError; a
tab, a column or the send journal that went wrong after set-up counts).
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from jobs.backends import make_sender, open_journal, open_spreadsheet
from jobs.clock import program_now, program_zone, wall_moment
from jobs.close_year import run_close_year
from jobs.committee_mail import send_alert, tell_the_committee
from jobs.logs import attach_file, reader_gone
from jobs.mail import CHECKIN, INTRODUCE, NOTIFY, run_mail
from jobs.match import run_match
from jobs.report import report_tabs, run_report
from jobs.resend import mark_resend
from jobs.settings_file import load_settings, load_templates
from mentoring import alerts
from mentoring.errors import ConfigError, MentorSyncError, SettingsError
from mentoring.ledger import FAILED, SENT
from mentoring.runs import FAILED as RUN_FAILED
from mentoring.runs import LOCKED, OK, History, Run
from mentoring.settings import Settings
from mentoring.summary import count
from sync.files import remove_leftovers
from sync.journal import Journal
from sync.spreadsheet import Spreadsheet
from sync.state import load_history, save_history

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# sysexits' EX_TEMPFAIL: "try again later". A run that found another in progress.
EXIT_LOCKED = 75
log = logging.getLogger("mentor_sync")


@dataclass(frozen=True)
class OtherRun:
    """A run of another job that a job made on the way: the job, whether it failed, its
    line, and whether it failed on the settings themselves (a SettingsError)."""

    job: str
    failed: bool
    line: str
    on_the_settings: bool = False

    def run(self, started: datetime, scheduled: bool) -> Run:
        outcome = RUN_FAILED if self.failed else OK
        return Run(self.job, started, 0.0, outcome, self.line, scheduled, self.on_the_settings)


@dataclass
class JobResult:
    """What a job did, in parts (`run` has two: match, then the emails): each part's details
    for a person watching and its summary line; whether some emails failed or may not have
    gone out. (New intake issues and weak matches are told by the job itself, `_alert`.)
    `also` are runs of other jobs it made on the way, to remember under their own names
    (`run` refreshing the report)."""

    parts: list[tuple[list[str], str]]
    failed: bool = False
    also: list[OtherRun] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return [line for _, line in self.parts]


class Session:
    """What one job run works with: the settings, its moment, the send journal and the
    spreadsheet (opened on first use and kept for the run, so an alert after the job reads
    nothing twice). A dry run (`record` False) makes no journal where there is none."""

    def __init__(
        self,
        settings: Settings,
        now: datetime,
        workbook: Path | None = None,
        record: bool = True,
    ):
        self.settings, self.now, self._workbook, self.record = settings, now, workbook, record
        self._sheet: Spreadsheet | None = None
        self._journal: Journal | None = None
        self._opened = False

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def journal(self) -> Journal | None:
        if not self._opened:
            self._journal = open_journal(self.settings, self._workbook, create=self.record)
            self._opened = True
        return self._journal

    @property
    def sheet(self) -> Spreadsheet:
        if self._sheet is None:
            self._sheet = open_spreadsheet(self.settings, self._workbook, self.journal)
        return self._sheet

    def close(self) -> None:
        close_sheet = getattr(self._sheet, "close", None)  # the workbook adapter's
        if close_sheet is not None:
            close_sheet()
        if self._journal is not None:
            self._journal.close()
            self._journal, self._opened = None, False

    def remove_leftovers(self) -> None:
        """Delete the half-written files a killed run left beside the workbook, in the
        outbox, and beside the state file and the journal."""
        ops, folders = self.settings.operations, []
        if self._workbook is not None or self.settings.spreadsheet.backend == "workbook":
            folders.append(Path(self._workbook or self.settings.spreadsheet.path).parent)
        folders += [Path(self.settings.email.outbox)]
        folders += [Path(ops.state_file).parent, Path(ops.journal_file).parent]
        removed = sum(remove_leftovers(folder) for folder in dict.fromkeys(folders))
        if removed:
            log.info(
                "mentor-sync: removed %s a stopped run left half-written", count(removed, "file")
            )


Work = Callable[[Session], JobResult]


@dataclass(frozen=True)
class Call:
    """How the job was asked for: the settings file, --workbook, --as-of, and where its
    details go (stdout for the command line)."""

    settings_path: Path
    workbook: Path | None = None
    as_of: date | None = None
    verbose: bool = False
    echo: Callable[[str], None] = lambda line: None
    record: bool = True  # False for a dry run: nothing happened, so nothing is remembered
    # The settings as last read well (the scheduler's, from its start): when the file gets
    # broken meanwhile, the failure is still remembered through them (not alerted about:
    # an error in the settings never is).
    known: Settings | None = None
    # Started by the scheduler, cron or systemd; False for a person at a terminal, whose
    # failures do not count toward the alert (they see them).
    scheduled: bool = True


def at_a_terminal(*streams: object) -> bool:
    """Whether any of `streams` (stdin, stdout) is a terminal: a person started the run."""
    for stream in streams:
        try:
            if getattr(stream, "isatty", lambda: False)():
                return True
        except (OSError, ValueError):  # a closed stream
            continue
    return False


def run_job(job: str, work: Work, call: Call) -> int:
    """Run `work` as job `job` under the lock; returns the exit code (EXIT_*). Never raises
    for a job's failure: it is logged, remembered, and alerted about when it repeats."""
    try:
        settings = load_settings(call.settings_path)
    except ConfigError as exc:
        if call.known is None or not call.record:
            log.error("mentor-sync: configuration error: %s", exc)
            return EXIT_USAGE
        settings, work = call.known, _failing(exc)
    attach_file(settings.operations, program_zone(settings.program.time_zone))
    session = Session(settings, program_now(settings, call.as_of), call.workbook, call.record)
    lock_path = Path(settings.operations.lock_file).resolve()
    lock = FileLock(lock_path, timeout=settings.operations.lock_wait)
    try:
        lock.acquire()
    except Timeout:
        line = (
            f"another run of mentor-sync is in progress (it holds {lock.lock_file}); this"
            f" {job} waited {settings.operations.lock_wait:g} s, then stopped without doing"
            " anything. It runs again at its next time."
        )
        # Not a failure (exit 75): --quiet leaves it to the log file.
        log.warning("mentor-sync: %s", line)
        if call.record:
            # Remembered for status, but no alert: the run in progress owns the spreadsheet.
            run = Run(job, session.now, 0.0, LOCKED, line, call.scheduled)
            _remember(settings, run, session)
        return EXIT_LOCKED
    except OSError as exc:  # (Timeout is one too) a lock file that cannot be made at all
        log.error(
            "mentor-sync: cannot take the lock %s (%s); fix operations.lock_file in the settings",
            lock_path,
            exc,
        )
        return EXIT_FAILED
    try:
        session.remove_leftovers()
        with _collector_paused():
            return _run_locked(job, work, call, session)
    finally:
        session.close()
        lock.release()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused for the job. A loaded workbook is some hundred
    thousand objects that live as long as the job, and every full collection went through
    them all again: half a second of a check-in run of 1,000 mentees. A job makes little
    cyclic garbage (its peak memory is the same without the collector); what it made is
    collected once the collector runs again, after the job (the scheduler's next jobs)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _run_locked(job: str, work: Work, call: Call, session: Session) -> int:
    started = time.monotonic()
    result = JobResult([])
    on_the_settings = False
    try:
        result = work(session)
        code = EXIT_FAILED if result.failed else EXIT_OK
        for details, line in result.parts:
            for detail in details:
                _say(call, detail)
            # Some emails failed or may not have gone out: a failure, even under --quiet.
            log.log(logging.ERROR if result.failed else logging.INFO, "%s", line)
        outcome, said = (RUN_FAILED if result.failed else OK), " | ".join(result.lines)
    except ConfigError as exc:
        code, outcome, said = EXIT_USAGE, RUN_FAILED, f"configuration error: {exc}"
        on_the_settings = isinstance(exc, SettingsError)  # not a tab, a column, the journal
        log.error("mentor-sync: %s", said, exc_info=call.verbose)
    except MentorSyncError as exc:
        code, outcome, said = EXIT_FAILED, RUN_FAILED, str(exc)
        log.error("mentor-sync: %s failed: %s", job, said, exc_info=call.verbose)
    except Exception as exc:
        code, outcome = EXIT_FAILED, RUN_FAILED
        said = f"unexpected error: {type(exc).__name__}: {exc}"
        log.error(
            "mentor-sync: %s failed unexpectedly: %s: %s (run with --verbose for details)",
            job,
            type(exc).__name__,
            exc,
            exc_info=True,
        )
    if call.record:
        seconds = time.monotonic() - started
        run = Run(job, session.now, seconds, outcome, said, call.scheduled, on_the_settings)
        _remember(session.settings, run, session)
        for other in result.also:
            _remember(session.settings, other.run(session.now, call.scheduled), session)
    return code


def _failing(exc: ConfigError) -> Work:
    def work(session: Session) -> JobResult:
        raise exc

    return work


def _remember(settings: Settings, run: Run, session: Session) -> None:
    """Record `run` in the state file, then, when it counts toward it (History.counts),
    alert the committee about a job that keeps failing."""
    path = Path(settings.operations.state_file)
    before = load_history(path, session.now, set_aside=True)
    history = before.record(run)
    _save(path, history)
    if not before.counts(run):
        return
    failing = alerts.failing_jobs(history.to_alert(settings.alerts.failures))
    told = {problem.key for job, problem in failing.items() if history.jobs[job].told}
    wanted = list(failing.values())
    if not [p for p in wanted if p.key not in told]:
        return
    try:
        sheet = _usable_sheet(session)
        result = send_alert(
            wanted,
            told,
            sheet,
            settings,
            load_templates(settings),
            make_sender(settings),
            session.now,
            _usable_journal(session) if sheet is not None else None,
        )
        if sheet is not None:
            sheet.flush()
    except MentorSyncError as exc:
        log.error(
            "mentor-sync: could not alert %s: %s; the next failing run tries again",
            settings.alert_to or "the committee",
            exc,
        )
        return
    if result is None:
        return
    if result.status == FAILED:
        log.error("mentor-sync: %s", result.line)
        return
    log.info("%s", result.line)
    keys = {p.key for p in result.problems}
    jobs = [job for job, problem in failing.items() if problem.key in keys]
    if jobs:
        _save(path, history.told(jobs))


def _usable_sheet(session: Session) -> Spreadsheet | None:
    try:
        return session.sheet
    except MentorSyncError:
        return None


def _usable_journal(session: Session) -> Journal | None:
    try:
        return session.journal
    except MentorSyncError:
        return None


def _save(path: Path, history: History) -> None:
    try:
        save_history(path, history)
    except OSError as exc:
        log.error(
            "mentor-sync: cannot write the state file %s (%s); check operations.state_file",
            path,
            exc,
        )


# The jobs, as work for run_job.


def match(dry_run: bool = False, save: bool = True) -> Work:
    """The match job; its alert about new intake issues and weak matches goes at once, its
    rows riding in the job's one save of the workbook (`save` False: the next job's)."""

    def work(session: Session) -> JobResult:
        settings = session.settings
        journal = session.journal
        report = run_match(session.sheet, settings, session.today, dry_run, journal, later=True)
        result = JobResult([(report.slate, report.summary())])
        if dry_run:
            return result
        problems = []
        if settings.alerts.intake_issues:
            problems += alerts.intake_issues(report.issues)
        if settings.alerts.weak_matches:
            problems += alerts.weak_matches(report.outcomes, settings.matching.min_score)
        _alert(session, problems, result)
        if save:
            session.sheet.flush()
        return result

    return work


def _alert(session: Session, problems: Sequence[alerts.Problem], result: JobResult) -> None:
    """Tell the committee of the job's new problems now; the line joins the job's."""
    if not problems:
        return
    settings = session.settings
    try:
        told = send_alert(
            problems,
            set(),
            session.sheet,
            settings,
            load_templates(settings),
            make_sender(settings),
            session.now,
            session.journal,
        )
    except MentorSyncError as exc:
        result.failed = True
        result.parts.append(
            ([], f"alert: could not tell {settings.alert_to}: {exc}; the next run tries again")
        )
        return
    if told is not None:
        result.failed = result.failed or told.status != SENT
        result.parts.append(([], told.line))


def mail(jobs: str | tuple[str, ...], dry_run: bool = False, after_match: bool = False) -> Work:
    """An email job (or several in one pass); `after_match` for `run`, which matched just
    before: only then do the notices to the unmatched go from notify.unmatched_on."""

    def work(session: Session) -> JobResult:
        settings = session.settings
        templates, sender = load_templates(settings), make_sender(settings)
        journal = session.journal

        def tell(healths, ended, ledger):
            assert journal is not None  # told only when `checking`, which needs the journal
            return tell_the_committee(
                healths, ended, ledger, settings, templates, sender, session.now, journal
            )

        checking = CHECKIN in jobs and journal is not None and not dry_run
        report = run_mail(
            jobs,
            session.sheet,
            settings,
            templates,
            sender,
            session.now,
            dry_run,
            journal,
            tell if checking else None,
            after_match,
        )
        # Emails that failed or may not have gone out need a look: the exit code says so.
        # So does a Pair Health tab that could not be written, and a digest that did not go.
        failed = bool(report.failed or report.unconfirmed or report.health_problem)
        failed = failed or report.told_failed
        told: list[tuple[list[str], str]] = [([], line) for line in report.told]
        result = JobResult([(report.details(), report.summary()), *told], failed)
        if not dry_run:
            session.sheet.flush()
        return result

    return work


def run_all(dry_run: bool = False) -> Work:
    """Match, then the introductions and check-ins in one pass on the same spreadsheet, read
    once: the match's changes are saved with the emails' first write. In the days from
    notify.unmatched_on the notices to the unmatched go in that pass, after the match. Then,
    when the report's time in [schedule] has come since it was last made, the Program
    Report tab."""

    def work(session: Session) -> JobResult:
        due = not dry_run and report_due(session)
        if due:  # every tab the report reads, in the one read match makes (with its own)
            tabs = session.settings.tabs
            session.sheet.read([*report_tabs(session.settings), tabs.intake_issues])
        matched = match(dry_run, save=False)(session)
        try:
            mailed = mail((INTRODUCE, CHECKIN), dry_run, after_match=True)(session)
        except MentorSyncError:
            # The emails could not start (a template, the sender, the sheet): the committee
            # still gets the suggestions, saved as the match alone would have saved them.
            with suppress(MentorSyncError):
                session.sheet.flush()
            raise
        result = JobResult([*matched.parts, *mailed.parts], matched.failed or mailed.failed)
        if due:
            _refresh_report(session, result)
        return result

    return work


def report_due(session: Session) -> bool:
    """Whether the report's time in [schedule] has come since it was last made."""
    settings = session.settings
    zone = program_zone(settings.program.time_zone)
    reading = session.now.astimezone(zone).replace(tzinfo=None)
    latest = settings.schedule.report.latest(reading)
    if latest is None:
        return False
    known = load_history(Path(settings.operations.state_file), session.now).jobs.get(REPORT)
    made = known.last_ok if known is not None else None
    return made is None or made < wall_moment(zone, latest)


def _refresh_report(session: Session, result: JobResult) -> None:
    """The Program Report tab, as `run` refreshes it (no HTML file); a failure is said and
    remembered under the report's name, and never undoes what the run did."""
    try:
        made = run_report(session.sheet, session.settings, session.now)
        session.sheet.flush()
    except MentorSyncError as exc:
        line = f"report: the Program Report tab is not refreshed: {exc}; the next run tries again"
        result.parts.append(([], line))
        result.also.append(OtherRun(REPORT, True, line, isinstance(exc, SettingsError)))
        result.failed = True
        return
    result.parts.append(([], made.summary()))
    result.also.append(OtherRun(REPORT, False, made.summary()))


REPORT = "report"


def report(cohort: str | None = None, out: Path | None = None, folder: Path | None = None) -> Work:
    """The year's report: the HTML file (`out`, or report-COHORT.html in `folder`) and the
    Program Report tab."""

    def work(session: Session) -> JobResult:
        made = run_report(session.sheet, session.settings, session.now, cohort, out, folder)
        return JobResult([(made.details(), made.summary())])

    return work


def notify(dry_run: bool = False) -> Work:
    """The notices to everyone the final slate leaves unmatched, on the committee's word."""
    return mail(NOTIFY, dry_run)


def resend(key: str) -> Work:
    def work(session: Session) -> JobResult:
        line = mark_resend(key, session.sheet, session.settings, session.now, session.journal)
        return JobResult([([], line)])

    return work


def close_year(cohort: str, dry_run: bool = False) -> Work:
    def work(session: Session) -> JobResult:
        report = run_close_year(session.sheet, session.settings, cohort, session.today, dry_run)
        return JobResult([(report.details(), report.summary())])

    return work


def _say(call: Call, line: str) -> None:
    """Print a line of the job's details; a reader that went away (`| head`) ends the
    printing, not the job, which is recorded as it went."""
    try:
        call.echo(line)
    except BrokenPipeError:
        reader_gone()
