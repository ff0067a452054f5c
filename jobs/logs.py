"""Where the jobs' lines go: stderr, and the rotating log file the settings name.

Every job run logs one line at INFO: its summary, or why it failed. Warnings
from the adapters (a sender that cannot tell whether an email went out) go to
the same places. --verbose adds DEBUG details on stderr; --quiet leaves stderr
to failures only, so a cron job mails the committee's admin only when one fails.

The log file is its owner's alone (mode 0600). A log file that cannot be written
(a full disk, a file made read-only) is said once on stderr, in one line, and
the jobs go on without it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from datetime import datetime, tzinfo
from logging.handlers import RotatingFileHandler
from pathlib import Path

from mentoring.settings import Operations
from sync.files import keep_private, private_file

# Our loggers: the jobs' lines and the adapters' warnings.
OURS = ("mentor_sync", "jobs", "sync")
# The libraries under the Google adapters, which would say their own things on stderr (a
# connection tried again, a Python version they will stop supporting) in lines of their
# own: a failure is said once, in our words. --verbose lets them speak.
LIBRARIES = ("urllib3", "google", "googleapiclient", "google_auth_httplib2", "httplib2", "gspread")
log = logging.getLogger("mentor_sync")


class _InZone(logging.Formatter):
    """Stamps each line with its time in `zone` (None: this machine's), the zone the jobs and
    the scheduler's times are in, whatever the machine's."""

    def __init__(self, layout: str, stamp: str, zone: tzinfo | None = None):
        super().__init__(layout, stamp)
        self.zone = zone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        created = datetime.fromtimestamp(record.created, self.zone)
        moment = created if self.zone else created.astimezone()
        return moment.strftime(datefmt or "%Y-%m-%d %H:%M:%S")


class _OneLine(_InZone):
    """The message alone, without a traceback: stderr says what failed in one line."""

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        return self.formatMessage(record)


class _LogFile(RotatingFileHandler):
    """The settings' log file, readable by its owner alone, that says in one line, once,
    when it cannot be written (instead of logging's traceback for every line)."""

    complained = False

    def _open(self):  # at the start, and after each rotation
        # A log file that others could read (an older mentor-sync made it 0644) is tightened.
        private_file(Path(self.baseFilename))
        return super()._open()

    def handleError(self, record: logging.LogRecord) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            super().handleError(record)  # a mistake in a log call: its traceback helps
            return
        # Let go of the stream and what it could not write; the next line opens the file
        # afresh, so the log resumes once there is room again.
        stream, self.stream = self.stream, None
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
        if not self.complained:
            self.complained = True
            _say_on_stderr(
                f"mentor-sync: cannot write the log file {self.baseFilename}"
                f" ({error.strerror or error}); check operations.log_file, the free space on"
                " its disk and the file's permissions. The jobs go on without it."
            )

    def close(self) -> None:
        with contextlib.suppress(OSError):  # lines it could not write before: already said
            super().close()


def _say_on_stderr(line: str) -> None:
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # no stderr to say it on
        pass


def configure(
    verbose: bool, quiet: bool, timestamps: bool = False, zone: tzinfo | None = None
) -> None:
    """Send our lines to stderr (replacing what an earlier call set up in this process), each
    stamped with its time in `zone` (None: this machine's) when `timestamps`."""
    root = logging.getLogger()
    close()
    root.setLevel(logging.WARNING)
    for name in OURS:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.INFO)
    for name in LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING if verbose else logging.ERROR)
    if not verbose:
        warnings.filterwarnings("ignore", module=rf"({'|'.join(LIBRARIES)})(\.|$)")
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(logging.ERROR if quiet else logging.DEBUG)
    layout = "%(asctime)s %(message)s" if timestamps else "%(message)s"
    # --verbose: tracebacks too.
    formatter = _InZone if verbose else _OneLine
    stderr.setFormatter(formatter(layout, "%Y-%m-%d %H:%M:%S", zone))
    stderr.set_name("mentor-sync stderr")
    root.addHandler(stderr)


def attach_file(operations: Operations, zone: tzinfo | None = None) -> None:
    """Also write to the settings' log file (once per process, whatever the job count), each
    line stamped with its time and offset in `zone` (None: this machine's); a log file that
    cannot be opened is a warning, not a reason to stop the jobs."""
    if not operations.log_file:
        return
    root = logging.getLogger()
    path = str(Path(operations.log_file).resolve())
    for handler in root.handlers:
        if isinstance(handler, RotatingFileHandler) and handler.baseFilename == path:
            return
    try:
        handler = _LogFile(
            path,
            maxBytes=operations.log_max_kb * 1024,
            backupCount=operations.log_backups,
            encoding="utf-8",
        )
    except OSError as exc:
        log.error(
            "mentor-sync: cannot write the log file %s (%s); check operations.log_file", path, exc
        )
        return
    # Its old files, which an older mentor-sync left readable by others, may hold what it
    # should not have logged; a file of another user's is not ours to change.
    for number in range(1, operations.log_backups + 1):
        with contextlib.suppress(OSError):
            keep_private(Path(f"{path}.{number}"))
    handler.setLevel(logging.INFO)
    handler.setFormatter(
        _InZone("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S%z", zone)
    )
    root.addHandler(handler)


def close() -> None:
    """Remove and close the handlers `configure` and `attach_file` added."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == "mentor-sync stderr" or isinstance(handler, RotatingFileHandler):
            root.removeHandler(handler)
            handler.close()


def reader_gone() -> None:
    """The reader of standard output went away (as `| head` does): send the rest of what
    would be printed nowhere, so that neither the job nor Python's exit fails on it."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
