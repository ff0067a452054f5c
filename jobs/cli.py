"""The `mentor-sync` command line.

Exit codes: 0 success, 1 a job failed, 2 a usage or configuration error. Each
failure prints one line on stderr; --verbose adds the traceback.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import click

from jobs.auth import sign_in
from jobs.backends import make_sender, open_spreadsheet
from jobs.calendar import calendar_lines, send_test_email
from jobs.config import DEFAULT_CONFIG, load_settings, load_templates
from jobs.demo import approve_as_a_committee_would, prepare_demo
from jobs.doctor import FIX, doctor, summary
from jobs.mail import CHECKIN, INTRODUCE, run_mail
from jobs.match import run_match
from mentoring.errors import ConfigError, MentorSyncError
from mentoring.settings import Settings
from sync.base import Spreadsheet

EXIT_FAILED, EXIT_USAGE = 1, 2
log = logging.getLogger("mentor_sync")


@dataclass
class Options:
    config: Path
    workbook: Path | None
    as_of: date
    verbose: bool

    def now(self) -> datetime:
        """The moment the jobs believe it is: --as-of's day at the current time of day."""
        return datetime.combine(self.as_of, datetime.now().time()).astimezone()


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


@click.group(cls=_OneLineErrors)
@click.option(
    "--config",
    "config",
    type=click.Path(path_type=Path),
    default=DEFAULT_CONFIG,
    show_default=True,
    help="The settings file.",
)
@click.option(
    "--workbook",
    type=click.Path(path_type=Path),
    help="Run against this local .xlsx instead of the configured spreadsheet.",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day the jobs believe it is (YYYY-MM-DD); default today.",
)
@click.option("--verbose", "-v", is_flag=True, help="Show details, and tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, config: Path, workbook: Path | None, as_of, verbose: bool) -> None:
    """mentor-sync: run a mentoring program from Google Forms and a spreadsheet."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = Options(config, workbook, as_of.date() if as_of else date.today(), verbose)


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
    a few pairs as a committee would, and send their emails into an outbox folder."""

    def job() -> int:
        settings_path, said, fresh = prepare_demo(folder)
        for line in said:
            click.echo(line)
        _match(options, settings_path)
        workbook = load_settings(settings_path).spreadsheet.path
        if fresh:
            for line in approve_as_a_committee_would(settings_path, options.as_of):
                click.echo(line)
        failed = _mail(options, settings_path, INTRODUCE, dry_run=False)
        failed |= _mail(options, settings_path, CHECKIN, dry_run=False)
        outbox = Path(load_settings(settings_path).email.outbox)
        click.echo(
            f"\nOpen {workbook} and look at the tabs 'Committee Matches' (the suggestions;"
            " set Status to Approved, Rejected or Hold, or name a mentor in Committee Mentor"
            " Email), 'Intake Issues' (rows the tool could not use) and 'Email Log' (every"
            f" email sent). The emails are .eml files in {outbox}; open one in any mail"
            f" program.\nThen run: {_program()} --config {settings_path} run"
            f"\nor see the year's emails: {_program()} --config {settings_path} calendar"
        )
        return failed

    _guard(options, job)


DRY_RUN = click.option(
    "--dry-run", is_flag=True, help="List what would be sent, without sending or logging it."
)


@cli.command()
@click.pass_obj
def match(options: Options) -> None:
    """Suggest a mentor for every mentee in the committee tab."""
    _guard(options, lambda: _match(options, options.config))


@cli.command()
@DRY_RUN
@click.pass_obj
def introduce(options: Options, dry_run: bool) -> None:
    """Introduce each Approved pair that has no Introduced On date, in one email to both."""
    _guard(options, lambda: _mail(options, options.config, INTRODUCE, dry_run))


@cli.command()
@DRY_RUN
@click.pass_obj
def checkin(options: Options, dry_run: bool) -> None:
    """Send the check-ins that are due (and any missed while nothing ran), each once."""
    _guard(options, lambda: _mail(options, options.config, CHECKIN, dry_run))


@cli.command()
@DRY_RUN
@click.pass_obj
def run(options: Options, dry_run: bool) -> None:
    """Run every job once: match, then introduce, then check-ins, each doing what is due."""

    def job() -> int:
        # One spreadsheet for the three jobs: on Google it is read once, and the
        # introductions and check-ins go out in one pass (one pair of log writes).
        sheet = _match(options, options.config, dry_run)
        return _mail(options, options.config, (INTRODUCE, CHECKIN), dry_run, sheet)

    _guard(options, job)


@cli.command()
@click.pass_obj
def calendar(options: Options) -> None:
    """List every email of the year for the approved pairs, by date and recipient."""

    def job() -> None:
        settings = load_settings(options.config)
        sheet = _sheet(options, settings)
        click.echo("\n".join(calendar_lines(sheet, settings, options.as_of)))

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
            to or settings.program.committee_email,
            _sheet(options, settings),
            settings,
            load_templates(settings),
            make_sender(settings),
            options.now(),
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
@click.argument("service", type=click.Choice(["gmail", "sheets"]))
@click.option("--no-browser", is_flag=True, help="Print the sign-in address instead of opening it.")
@click.pass_obj
def auth(options: Options, service: str, no_browser: bool) -> None:
    """Sign in to Google once, for SERVICE (gmail: sending mail; sheets: the spreadsheet as
    yourself), and keep the token where the settings say (google.gmail_token or
    google.credentials)."""

    def job() -> None:
        settings = load_settings(options.config)
        click.echo(sign_in(settings, service, options.now(), open_browser=not no_browser))

    _guard(options, job)


def _sheet(options: Options, settings: Settings) -> Spreadsheet:
    return open_spreadsheet(settings, options.workbook)


def _match(
    options: Options, settings_path: Path, dry_run: bool = False, sheet: Spreadsheet | None = None
) -> Spreadsheet:
    """Run the match job on the configured spreadsheet, or on --workbook; print its report."""
    settings = load_settings(settings_path)
    sheet = sheet or _sheet(options, settings)
    click.echo("\n".join(run_match(sheet, settings, options.as_of, dry_run).lines()))
    return sheet


def _mail(
    options: Options,
    settings_path: Path,
    job: str | tuple[str, ...],
    dry_run: bool,
    sheet: Spreadsheet | None = None,
) -> int:
    """Run an email job and print its report; EXIT_FAILED when emails failed or may not
    have gone out (they need a look), else 0."""
    settings = load_settings(settings_path)
    sheet = sheet or _sheet(options, settings)
    report = run_mail(
        job,
        sheet,
        settings,
        load_templates(settings),
        make_sender(settings),
        options.now(),
        dry_run,
    )
    click.echo("\n".join(report.lines()))
    # Emails that failed or may not have gone out need a look: a cron job's exit code says so.
    return EXIT_FAILED if report.failed or report.unconfirmed else 0


def _program() -> str:
    """How the person started this program, so the command we suggest works as typed."""
    invoked = sys.argv[0] if sys.argv else ""
    return invoked if Path(invoked).name == "mentor-sync" else "mentor-sync"


def _guard(options: Options, job: Callable[[], int | None]) -> None:
    """Run `job`, turning every error into one line on stderr and the right exit code."""
    try:
        code = job()
    except BrokenPipeError:
        # The reader went away (as `| head` does); nothing left to tell anyone.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
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
