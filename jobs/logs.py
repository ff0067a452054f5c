"""Where the jobs' lines go: stderr, and the rotating log file the settings name.

Every job run logs one line at INFO: its summary, or why it failed. Warnings
from the adapters (a sender that cannot tell whether an email went out) go to
the same places. --verbose adds DEBUG details on stderr; --quiet leaves stderr
to failures only, so a cron job mails the committee's admin only when one fails.
"""

from __future__ import annotations

import logging
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

from mentoring.settings import Operations

# Our loggers: the jobs' lines and the adapters' warnings. Everything else (Google's
# client libraries) stays at WARNING.
OURS = ("mentor_sync", "jobs", "sync")
log = logging.getLogger("mentor_sync")


class _OneLine(logging.Formatter):
    """The message alone, without a traceback: stderr says what failed in one line."""

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        return self.formatMessage(record)


def configure(verbose: bool, quiet: bool, timestamps: bool = False) -> None:
    """Send our lines to stderr (replacing what an earlier call set up in this process)."""
    root = logging.getLogger()
    close()
    root.setLevel(logging.WARNING)
    for name in OURS:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.INFO)
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(logging.ERROR if quiet else logging.DEBUG)
    layout = "%(asctime)s %(message)s" if timestamps else "%(message)s"
    # --verbose: tracebacks too.
    formatter = logging.Formatter if verbose else _OneLine
    stderr.setFormatter(formatter(layout, "%Y-%m-%d %H:%M:%S"))
    stderr.set_name("mentor-sync stderr")
    root.addHandler(stderr)


def attach_file(operations: Operations) -> None:
    """Also write to the settings' log file (once per process, whatever the job count);
    a log file that cannot be opened is a warning, not a reason to stop the jobs."""
    if not operations.log_file:
        return
    root = logging.getLogger()
    path = str(Path(operations.log_file).resolve())
    for handler in root.handlers:
        if isinstance(handler, RotatingFileHandler) and handler.baseFilename == path:
            return
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(
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
    handler.setLevel(logging.INFO)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S%z")
    )
    root.addHandler(handler)


def close() -> None:
    """Remove and close the handlers `configure` and `attach_file` added."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == "mentor-sync stderr" or isinstance(handler, RotatingFileHandler):
            root.removeHandler(handler)
            handler.close()
