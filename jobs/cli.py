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
from datetime import date
from pathlib import Path

import click

from jobs.config import DEFAULT_CONFIG, load_settings
from jobs.demo import prepare_demo
from jobs.match import run_match
from mentoring.errors import ConfigError, MentorSyncError
from sync.workbook import WorkbookSpreadsheet

EXIT_FAILED, EXIT_USAGE = 1, 2
log = logging.getLogger("mentor_sync")


@dataclass
class Options:
    config: Path
    workbook: Path | None
    as_of: date
    verbose: bool


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
    """Make a demo program (settings and a workbook of sample responses) and match it."""

    def job() -> None:
        settings_path, said = prepare_demo(folder)
        for line in said:
            click.echo(line)
        sheet = _match(options, settings_path)
        click.echo(
            f"\nOpen {sheet.path} and look at the tabs 'Committee Matches' (the suggestions;"
            " set Status to Approved, Rejected or Hold, or name a mentor in Committee Mentor"
            " Email) and 'Intake Issues' (rows the tool could not use).\n"
            f"Then run: {_program()} --config {settings_path} match"
        )

    _guard(options, job)


@cli.command()
@click.pass_obj
def match(options: Options) -> None:
    """Suggest a mentor for every mentee in the committee tab."""
    _guard(options, lambda: _match(options, options.config))


@cli.command()
@click.pass_obj
def run(options: Options) -> None:
    """Run every job that is due, once (today: match)."""
    _guard(options, lambda: _match(options, options.config))


def _match(options: Options, settings_path: Path) -> WorkbookSpreadsheet:
    """Run the match job on the configured workbook, or on --workbook; print its report."""
    settings = load_settings(settings_path)
    sheet = WorkbookSpreadsheet(options.workbook or Path(settings.spreadsheet.path))
    log.debug("running match on %s", sheet.path)
    click.echo("\n".join(run_match(sheet, settings, options.as_of).lines()))
    return sheet


def _program() -> str:
    """How the person started this program, so the command we suggest works as typed."""
    invoked = sys.argv[0] if sys.argv else ""
    return invoked if Path(invoked).name == "mentor-sync" else "mentor-sync"


def _guard(options: Options, job: Callable[[], None]) -> None:
    """Run `job`, turning every error into one line on stderr and the right exit code."""
    try:
        job()
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


def _fail(options: Options, message: str, code: int) -> None:
    if options.verbose:
        traceback.print_exc()
    click.echo(f"mentor-sync: {message}", err=True)
    sys.exit(code)


def main() -> None:
    cli(prog_name="mentor-sync")
