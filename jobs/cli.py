"""The `mentor-sync` command line.

Exit codes: 0 success, 1 a job failed, 2 a usage or configuration error, 75
another run was in progress (nothing was done; try again later). Each job logs
one line, its summary or why it failed, on stderr and in the log file;
--verbose adds details and tracebacks, --quiet keeps stderr for failures.

A heavy library loads only in the command that uses it (tests/test_startup.py): the
demo and `auth` import their modules when they run, and the adapters, the matching
engine and the email templates import theirs when used, so `--help` starts at once.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import click
from click.core import ParameterSource

from jobs import logs, runner, scheduler
from jobs.backends import make_sender, open_journal, open_spreadsheet
from jobs.calendar import calendar_lines, send_test_email
from jobs.clock import program_now, program_zone
from jobs.cron import crontab_lines, program_command, systemd_units
from jobs.doctor import FIX, doctor, summary
from jobs.init import Conversation, InitRequest, google_refusal, init_settings, refusal
from jobs.mail import CHECKIN, INTRODUCE
from jobs.program import committee_email
from jobs.runner import EXIT_FAILED, EXIT_USAGE, Call, at_a_terminal, run_job
from jobs.settings_file import DEFAULT_CONFIG, default_config, load_settings, load_templates
from jobs.status import status_lines
from mentoring.errors import ConfigError, MentorSyncError
from mentoring.settings import Settings
from sync.spreadsheet import Spreadsheet

# --as-of outside these days is a usage error: the calendar's dates must stay computable.
EARLIEST_DAY, LATEST_DAY = date(1970, 1, 1), date(2999, 12, 31)


@dataclass
class Options:
    config: Path
    workbook: Path | None
    as_of: date | None
    verbose: bool
    quiet: bool = False

    def now(self, settings: Settings | None = None) -> datetime:
        """The moment the jobs believe it is: now in the program's time zone, on --as-of's
        day when given (the machine's zone when there are no settings to say)."""
        if settings is not None:
            return program_now(settings, self.as_of)
        now = datetime.now().astimezone()
        return datetime.combine(self.as_of or now.date(), now.timetz())

    def call(self, settings_path: Path | None = None, record: bool = True) -> Call:
        echo = (lambda line: None) if self.quiet else click.echo
        path = settings_path or self.config
        scheduled = not at_a_terminal(sys.stdin, sys.stdout)  # cron and systemd give none
        return Call(
            path, self.workbook, self.as_of, self.verbose, echo, record, scheduled=scheduled
        )


class _OneLineErrors(click.Group):
    """A command group whose usage errors are one line on stderr, like every other failure."""

    def main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help() if exc.ctx else exc.format_message())
            sys.exit(0)
        except click.UsageError as exc:
            message = exc.format_message().replace("\n", " ")
            click.echo(f"mentor-sync: usage error: {message} (see mentor-sync --help)", err=True)
            sys.exit(EXIT_USAGE)
        except click.Abort:
            click.echo("mentor-sync: stopped", err=True)
            sys.exit(EXIT_FAILED)
        sys.exit(code if isinstance(code, int) else 0)


class Day(click.ParamType):
    """A day typed as YYYY-MM-DD, from EARLIEST_DAY to LATEST_DAY, for any date option."""

    name = "date"

    def convert(self, value, param, ctx) -> date:
        if isinstance(value, date):
            return value
        try:
            day = datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            shown = value or "''"
            self.fail(f"{shown} is not a date (YYYY-MM-DD)", param, ctx)
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            self.fail(
                f"{day.isoformat()} is not a day a program runs on; give a day from"
                f" {EARLIEST_DAY:%Y-%m-%d} to {LATEST_DAY:%Y-%m-%d}",
                param,
                ctx,
            )
        return day


# The options of every command, taken before the command's name or after it.
EVERY_COMMAND: tuple[tuple[tuple[str, ...], dict], ...] = (
    (
        ("--config",),
        {
            "type": click.Path(path_type=Path),
            "default": DEFAULT_CONFIG,
            "show_default": True,
            "help": "The settings file.",
        },
    ),
    (
        ("--workbook",),
        {
            "type": click.Path(path_type=Path),
            "help": "Run against this local .xlsx instead of the configured spreadsheet.",
        },
    ),
    (
        ("--as-of",),
        {"type": Day(), "help": "The day the jobs believe it is (YYYY-MM-DD); default today."},
    ),
    (
        ("--verbose", "-v"),
        {"is_flag": True, "help": "Show details, and tracebacks on errors."},
    ),
    (
        ("--quiet", "-q"),
        {"is_flag": True, "help": "Say nothing unless something fails (for cron)."},
    ),
)


class _Program(_OneLineErrors):
    """The command group: each command also takes the options of every command after its
    name (`mentor-sync checkin --as-of 2026-12-01`), as if they came before it."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        taken = {opt for param in cmd.params for opt in param.opts}
        for names, attrs in EVERY_COMMAND:
            if taken.isdisjoint(names):  # a command's own option of that name wins
                after = {k: v for k, v in attrs.items() if k not in ("default", "show_default")}
                cmd.params.append(
                    click.Option(names, expose_value=False, callback=_given_after, **after)
                )
        super().add_command(cmd, name)


def _given_after(ctx: click.Context, param: click.Parameter, value) -> None:
    """Take an option of every command given after the command's name; refuse one given
    before it too with another value."""
    name = param.name
    if name is None or ctx.get_parameter_source(name) is not ParameterSource.COMMANDLINE:
        return
    options, top = ctx.find_object(Options), ctx.find_root()
    before = top.params.get(name)
    if top.get_parameter_source(name) is ParameterSource.COMMANDLINE and before != value:
        raise click.UsageError(
            f"{param.opts[0]} is given twice: {_shown(before)} before '{ctx.info_name}'"
            f" and {_shown(value)} after it; give it once",
            ctx,
        )
    assert options is not None  # the group's callback made it before the command's options
    setattr(options, name, value)
    if name in ("verbose", "quiet"):
        logs.configure(options.verbose, options.quiet)


def _shown(value) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


@click.group(cls=_Program, params=[click.Option(names, **attrs) for names, attrs in EVERY_COMMAND])
@click.pass_context
def cli(
    ctx: click.Context,
    config: Path,
    workbook: Path | None,
    as_of: date | None,
    verbose: bool,
    quiet: bool,
) -> None:
    """mentor-sync: run a mentoring program from Google Forms and a spreadsheet.

    The options below are taken after a command's name too."""
    logs.configure(verbose, quiet)
    ctx.call_on_close(logs.close)
    if ctx.get_parameter_source("config") is not ParameterSource.COMMANDLINE:
        config = default_config()
    ctx.obj = Options(config, workbook, as_of, verbose, quiet)


@cli.command()
@click.option(
    "--dir",
    "folder",
    type=click.Path(path_type=Path),
    default=Path("mentor-sync-demo"),
    show_default=True,
    help="Where to put the demo settings and workbook.",
)
@click.pass_obj
def demo(options: Options, folder: Path) -> None:
    """Make a demo program (settings and a workbook of sample responses), match it, approve
    a few pairs as a committee would, replay their year so far with check-in answers, and
    send their emails into an outbox folder."""
    # The demo's workbook is written with openpyxl, which only the demo and the workbook
    # backend load.
    from jobs.demo import approve_as_a_committee_would, prepare_demo, write_demo_answers

    def job() -> int:
        settings_path, said, fresh = prepare_demo(folder)
        _say(options, said)
        call = options.call(settings_path)
        code = run_job("match", runner.match(), call)
        if code:
            return code
        settings = load_settings(settings_path)
        today = options.now(settings).date()
        if fresh:
            said, dated = approve_as_a_committee_would(settings_path, today)
            _say(options, said)
            code = _replay_the_year(options, settings, call, dated, today)
            if code:
                return code
            write_demo_answers(settings, dated, today, today)
            _say(
                options,
                [
                    "\nAnd today, with the check-in answers in "
                    f"'{settings.tabs.checkins}': matching again (an answer from someone"
                    " of no pair is an intake issue), then today's emails."
                ],
            )
            code = run_job("match", runner.match(), call)
        code = max(code, run_job("introduce", runner.mail(INTRODUCE), call))
        code = max(code, run_job("checkin", runner.mail(CHECKIN), call))
        config = f"{_program()} --config {settings_path}"
        _say(
            options,
            [
                f"\nOpen {settings.spreadsheet.path} and look at the tabs 'Committee Matches'"
                " (the suggestions; set Status to Approved, Rejected or Hold, or name a mentor"
                " in Committee Mentor Email), 'Pair Health' (each introduced pair: check-ins"
                " answered, ratings, and a Flag when a pair needs a look), 'Intake Issues'"
                " (rows the tool could not use) and 'Email Log' (every email sent). The emails"
                f" are .eml files in {settings.email.outbox}; open one in any mail program."
                " Among them: the check-ins and reminders, the alert the committee gets about"
                " intake issues and weak matches, and the committee's monthly digests."
                f"\nThen run: {config} run"
                f"\nthe program at a glance: {config} status"
                f"\nor see the year's emails: {config} calendar",
            ],
        )
        return code

    _guard(options, job)


DRY_RUN = click.option(
    "--dry-run", is_flag=True, help="List what would be sent, without sending or logging it."
)


@cli.command()
@click.option(
    "--dry-run", is_flag=True, help="Show the pairs it would suggest, without writing them."
)
@click.pass_obj
def match(options: Options, dry_run: bool) -> None:
    """Suggest a mentor for every mentee in the committee tab."""
    work = runner.match(dry_run)
    _guard(options, lambda: run_job("match", work, options.call(record=not dry_run)))


@cli.command()
@DRY_RUN
@click.pass_obj
def introduce(options: Options, dry_run: bool) -> None:
    """Introduce each Approved pair that has no Introduced On date, in one email to both."""
    work = runner.mail(INTRODUCE, dry_run)
    _guard(options, lambda: run_job("introduce", work, options.call(record=not dry_run)))


@cli.command()
@DRY_RUN
@click.pass_obj
def checkin(options: Options, dry_run: bool) -> None:
    """Send the check-ins that are due (and any missed while nothing ran) and the reminders of
    unanswered ones, each once; write the Pair Health tab; send the committee's digest when
    one is due."""
    work = runner.mail(CHECKIN, dry_run)
    _guard(options, lambda: run_job("checkin", work, options.call(record=not dry_run)))


@cli.command()
@DRY_RUN
@click.pass_obj
def run(options: Options, dry_run: bool) -> None:
    """Run every job once: match, then introduce, then check-ins, each doing what is due."""
    _guard(
        options, lambda: run_job("run", runner.run_all(dry_run), options.call(record=not dry_run))
    )


@cli.command("notify-unmatched")
@DRY_RUN
@click.pass_obj
def notify_unmatched(options: Options, dry_run: bool) -> None:
    """The slate is final: send one email to each mentee left without a mentor (not this
    year, and why we keep the application) and one to each mentor left without a mentee
    (you are in the pool), each once; nobody in an Approved or Hold row gets one. The
    --dry-run lists who would get which, and who is not told and why."""
    work = runner.notify(dry_run)
    _guard(options, lambda: run_job("notify-unmatched", work, options.call(record=not dry_run)))


@cli.command()
@click.argument("key")
@click.pass_obj
def resend(options: Options, key: str) -> None:
    """Send the email of Email Log key KEY once more: its Status becomes resend, and the
    next run of its job sends it (with a Message-ID of its own). The same as typing resend
    in its Status."""
    # Not a scheduled job: a mistyped key is said at once, not remembered nor alerted about.
    call = options.call(record=False)
    _guard(options, lambda: run_job("resend", runner.resend(key), call))


@cli.command("close-year")
@click.argument("cohort")
@click.option("--dry-run", is_flag=True, help="Say what would be closed, without writing it.")
@click.pass_obj
def close_year(options: Options, cohort: str, dry_run: bool) -> None:
    """Close the program year COHORT (such as 2026): copy its introduced pairs to the Past
    Pairs tab, which the matcher reads so that nobody is paired with a past partner again,
    and take their rows out of the committee and Pair Health tabs."""
    work = runner.close_year(cohort, dry_run)
    _guard(options, lambda: run_job("close-year", work, options.call(record=not dry_run)))


@cli.command()
@click.argument("cohort", required=False)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The HTML file to write; default report-COHORT.html beside the settings file.",
)
@click.pass_obj
def report(options: Options, cohort: str | None, out: Path | None) -> None:
    """The year's report of COHORT (default: the current one, such as 2026): one HTML file
    of charts that opens offline and prints, and the same figures in the Program Report
    tab. Applications, who applied, the slate and its fairness, the committee's decisions,
    each pair's year, and earlier years."""
    if cohort is not None and not cohort.split():
        raise click.BadParameter(
            "the cohort is empty; give its name, such as 2026, or leave it out for the current one",
            param_hint="'COHORT'",
        )
    work = runner.report(" ".join(cohort.split()) if cohort else None, out, options.config.parent)
    _guard(options, lambda: run_job("report", work, options.call()))


@cli.command()
@click.pass_obj
def schedule(options: Options) -> None:
    """Run the jobs at the times of [schedule] until stopped (SIGTERM or Ctrl-C finish the
    job in progress first). For a server or a laptop that stays on."""

    def job() -> None:
        settings = load_settings(options.config)
        # Its lines are stamped in the program's zone, as its times are.
        in_zone = program_zone(settings.program.time_zone)
        logs.configure(options.verbose, options.quiet, timestamps=True, zone=in_zone)
        logs.attach_file(settings.operations, in_zone)
        works = {"match": runner.match(), "introduce": runner.mail(INTRODUCE)}
        works["checkin"] = runner.mail(CHECKIN)
        works["report"] = runner.report(folder=options.config.parent)
        call = dataclasses.replace(options.call(), known=settings, scheduled=True)
        timetable = scheduler.build(
            settings.schedule,
            settings.program.time_zone,
            lambda name: run_job(name, works[name], call),
        )
        stop = threading.Event()
        zone = settings.program.time_zone or "this machine's time zone"
        times = ", ".join(f"{j} {w.text}" for j, w in settings.schedule.jobs().items())
        upcoming = ", ".join(
            f"{name} {when.astimezone(in_zone):%Y-%m-%d %H:%M}"
            for name, when in scheduler.next_runs(timetable).items()
        )
        # The signals are ours before "started" is said: a SIGTERM after it stops cleanly.
        with scheduler.stopped_by_signals(stop):
            logs.log.info(
                "scheduler: started for %s (%s, in %s); next: %s",
                settings.program.name,
                times,
                zone,
                upcoming,
            )
            scheduler.serve(timetable, stop.wait, stop)
        logs.log.info("scheduler: stopped")

    _guard(options, job)


@cli.command()
@click.option("--systemd", is_flag=True, help="Print systemd timer and service files instead.")
@click.pass_obj
def cron(options: Options, systemd: bool) -> None:
    """Print the crontab lines (or systemd timers) that run the jobs at the times of
    [schedule], with absolute paths, for a machine without `mentor-sync schedule`."""

    def job() -> None:
        settings = load_settings(options.config)
        command = program_command(sys.argv[0] if sys.argv else "")
        if systemd:
            today = options.now(settings).date()
            lines = systemd_units(settings, options.config, command, today)
        else:
            lines = crontab_lines(settings, options.config, command)
        click.echo("\n".join(lines))

    _guard(options, job)


@cli.command()
@click.pass_obj
def status(options: Options) -> None:
    """The program at a glance: applicants, pairs by status, emails sent and due in the next
    30 days, and the last run of each job."""

    def job() -> None:
        settings = load_settings(options.config)
        journal, sheet = None, None
        try:
            journal = open_journal(settings, options.workbook, create=False)
            sheet = open_spreadsheet(settings, options.workbook, journal)
        except MentorSyncError as exc:
            click.echo(f"spreadsheet: cannot open it: {exc}")
        click.echo("\n".join(status_lines(sheet, settings, options.now(settings), journal)))

    _guard(options, job)


@cli.command()
@click.pass_obj
def calendar(options: Options) -> None:
    """List every email of the year for the approved pairs, by date and recipient."""

    def job() -> None:
        settings = load_settings(options.config)
        journal = open_journal(settings, options.workbook, create=False)
        sheet = open_spreadsheet(settings, options.workbook, journal)
        today = options.now(settings).date()
        click.echo("\n".join(calendar_lines(sheet, settings, today, journal)))

    _guard(options, job)


@cli.command("test-email")
@click.argument("template")
@click.option("--to", "to", help="Where to send it; default the committee address.")
@click.pass_obj
def test_email(options: Options, template: str, to: str | None) -> None:
    """Send one sample of TEMPLATE (introduction, checkin, closing, ...) to the committee."""

    def job() -> None:
        settings = load_settings(options.config)
        said = send_test_email(
            template,
            to or committee_email(settings),
            _sheet(options, settings),
            settings,
            load_templates(settings),
            make_sender(settings),
            options.now(settings),
        )
        click.echo(said)

    _guard(options, job)


@cli.command("doctor")
@click.pass_obj
def doctor_command(options: Options) -> None:
    """Check the settings, the spreadsheet and the email sender, and say what to fix."""

    def job() -> int:
        findings = doctor(options.config, options.now())
        for finding in findings:
            click.echo(str(finding))
        click.echo(summary(findings))
        return EXIT_FAILED if any(f.level == FIX for f in findings) else 0

    _guard(options, job)


@cli.command()
@click.option(
    "--workbook",
    "workbook",
    type=click.Path(path_type=Path),
    help="The forms' responses as .xlsx (in Google Sheets: File > Download > Microsoft Excel).",
)
@click.option(
    "--spreadsheet",
    metavar="URL_OR_ID",
    help="The Google spreadsheet the forms are linked to: its address, or the id in it.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Where to write the settings; default settings.toml here, or the --config given.",
)
@click.option("--yes", is_flag=True, help="Ask nothing and take every guess.")
@click.option("--force", is_flag=True, help="Replace the settings file if there is one.")
@click.option("--name", metavar="TEXT", help="The program's name; default the spreadsheet's title.")
@click.option(
    "--committee-email", metavar="ADDR", help="Where the committee reads mail (needed with --yes)."
)
@click.option("--from-address", metavar="ADDR", help="Emails come from; default the committee's.")
@click.option("--from-name", metavar="TEXT", help="Who emails come from; default the program.")
@click.option("--time-zone", metavar="ZONE", help="Such as Europe/London; default this machine's.")
@click.option(
    "--mentee-form", metavar="URL", help="The mentee form's edit address: its options exactly."
)
@click.option(
    "--mentor-form", metavar="URL", help="The mentor form's edit address: its options exactly."
)
@click.option(
    "--checkin-form", metavar="URL", help="The check-in form's edit address: its prefilled link."
)
@click.option("--create-checkin-form", is_flag=True, help="Make the check-in form in Google Forms.")
@click.pass_obj
def init(
    options: Options,
    workbook: Path | None,
    spreadsheet: str | None,
    out: Path | None,
    yes: bool,
    force: bool,
    name: str | None,
    committee_email: str | None,
    from_address: str | None,
    from_name: str | None,
    time_zone: str | None,
    mentee_form: str | None,
    mentor_form: str | None,
    checkin_form: str | None,
    create_checkin_form: bool,
) -> None:
    """Write a settings file for your own program from your forms' responses: which tab is
    which form, which question is which setting (confirm or change each guess), the checkbox
    options from the answers (or exactly from Google Forms, given the forms' edit
    addresses), and the program's name, addresses and time zone. Then run doctor on it."""
    request = InitRequest(
        out=out or (options.config if _given("config") else DEFAULT_CONFIG),
        config=options.config,
        workbook=workbook or options.workbook,
        spreadsheet=spreadsheet or "",
        yes=yes,
        force=force,
        name=name or "",
        committee_email=(committee_email or "").strip(),
        from_address=(from_address or "").strip(),
        from_name=from_name or "",
        time_zone=time_zone,
        forms={
            form: address.strip()
            for form, address in (
                ("mentee_form", mentee_form),
                ("mentor_form", mentor_form),
                ("checkin_form", checkin_form),
            )
            if address and address.strip()
        },
        create_checkin_form=create_checkin_form,
    )
    try:
        problem = refusal(request) or google_refusal(request, os.environ)
    except ConfigError as exc:  # the settings file whose [google] init would keep
        _fail(options, f"configuration error: {exc}", EXIT_USAGE)
    if problem:
        raise click.UsageError(problem)
    say = (lambda line: None) if options.quiet else click.echo
    if yes:
        talk = Conversation(say, lambda question, default: default, lambda question: False, False)
    else:
        talk = Conversation(
            click.echo,
            lambda question, default: click.prompt(
                question, default=default, show_default=bool(default)
            ),
            lambda question: click.confirm(question, default=False),
        )

    def job() -> int:
        try:
            written = init_settings(request, talk)
        except click.Abort:
            click.echo("mentor-sync: init stopped; nothing written", err=True)
            return EXIT_FAILED
        if written is None:
            return EXIT_FAILED
        say(f"\nmentor-sync doctor on {written}:")
        findings = doctor(written, options.now())
        for finding in findings:
            say(str(finding))
        say(summary(findings))
        config = "" if written == DEFAULT_CONFIG else f" --config {written}"
        say(f"next: {_program()}{config} match, then review the tab Committee Matches")
        return EXIT_FAILED if any(f.level == FIX for f in findings) else 0

    _guard(options, job)


@cli.command()
@click.argument("service", type=click.Choice(["gmail", "sheets", "forms"]))
@click.option("--no-browser", is_flag=True, help="Print the sign-in address instead of opening it.")
@click.pass_obj
def auth(options: Options, service: str, no_browser: bool) -> None:
    """Sign in to Google once, for SERVICE (gmail: sending mail; sheets: the spreadsheet as
    yourself; forms: the spreadsheet and Google Forms, for init), and keep the token where
    the settings say (google.gmail_token or google.credentials)."""
    from jobs.auth import sign_in  # Google's sign-in libraries load for this command only

    def job() -> None:
        settings = load_settings(options.config)
        now = options.now(settings)
        click.echo(sign_in(settings, service, now, open_browser=not no_browser))

    _guard(options, job)


def _given(option: str) -> bool:
    """Whether `option`, of every command, was given on the command line, before the
    command's name or after it (not left to its default)."""
    here = click.get_current_context()
    given = (here.find_root().get_parameter_source(option), here.get_parameter_source(option))
    return ParameterSource.COMMANDLINE in given


def _sheet(options: Options, settings: Settings) -> Spreadsheet:
    return open_spreadsheet(settings, options.workbook)


def _replay_the_year(
    options: Options,
    settings: Settings,
    call: Call,
    dated: list[tuple[str, str]],
    today: date,
) -> int:
    """Run the check-in job on the days it would have run earlier in the year, with the
    check-in answers given by then, so that the demo's Email Log and Pair Health tell a
    year's story: check-ins, reminders to the quiet, and the committee's digests."""
    from jobs.demo import DEMO_REPLAY_DAYS_AGO, committee_as_of, write_demo_answers

    days = [today - timedelta(days=ago) for ago in DEMO_REPLAY_DAYS_AGO]
    _say(
        options,
        [
            "\nThe check-in job as it ran earlier in the year, on "
            + ", ".join(f"{day:%Y-%m-%d}" for day in days)
            + ", with the check-in answers given by then:"
        ],
    )
    code = 0
    for day in days:
        committee_as_of(settings, dated, today, day)
        write_demo_answers(settings, dated, today, day)
        code = max(code, run_job("checkin", runner.mail(CHECKIN), replace(call, as_of=day)))
    committee_as_of(settings, dated, today, today)
    return code


def _program() -> str:
    """How the person started this program, so the command we suggest works as typed."""
    invoked = sys.argv[0] if sys.argv else ""
    return invoked if Path(invoked).name == "mentor-sync" else "mentor-sync"


def _say(options: Options, lines: list[str]) -> None:
    if not options.quiet:
        click.echo("\n".join(lines))


def _guard(options: Options, job: Callable[[], int | None]) -> None:
    """Run `job`, turning every error into one line on stderr and the right exit code."""
    try:
        code = job()
    except BrokenPipeError:
        logs.reader_gone()  # nothing left to tell anyone
        sys.exit(EXIT_FAILED)
    except ConfigError as exc:
        _fail(options, f"configuration error: {exc}", EXIT_USAGE)
    except MentorSyncError as exc:
        _fail(options, f"failed: {exc}", EXIT_FAILED)
    except Exception as exc:
        _fail(
            options,
            f"failed unexpectedly: {type(exc).__name__}: {exc} (run with --verbose for details)",
            EXIT_FAILED,
        )
    if isinstance(code, int) and code:
        sys.exit(code)


def _fail(options: Options, message: str, code: int) -> None:
    if options.verbose:
        traceback.print_exc()
    click.echo(f"mentor-sync: {message}", err=True)
    sys.exit(code)


def main() -> None:
    cli(prog_name="mentor-sync")
