"""The jobs' recent history: the last run of each, and how many in a row failed.

Plain data in and out: jobs/ reads and writes it as a small JSON file, so
`mentor-sync status` can show it and a job that keeps failing is noticed.

Setting up is quiet for the committee: a failure counts toward its alert only when the
run was scheduled (by `mentor-sync schedule`, cron or systemd, not a person at a
terminal), came after the first scheduled run that worked (the program is set up), and
failed for another reason than the settings themselves (the settings file, its values,
the templates, the credentials: a SettingsError is for whoever edits them, who sees it
where they run the command and in `doctor`). What goes wrong with the spreadsheet or the
send journal once the program is set up (a column renamed, a row above a tab's header,
a damaged journal) stops the jobs as surely as no network, and counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

OK, FAILED, LOCKED = "ok", "failed", "locked"


@dataclass(frozen=True)
class Run:
    """One run of a job: when it started, how long it took, how it ended, and its line
    (the summary of what it did, or why it failed)."""

    job: str
    started: datetime
    seconds: float
    outcome: str
    line: str
    scheduled: bool = True  # started by the scheduler, cron or systemd; False: at a terminal
    # It failed on the settings themselves (a SettingsError), not on a tab or the journal.
    config_error: bool = False


@dataclass(frozen=True)
class JobHistory:
    last: Run
    failures: int = 0  # runs in a row that failed
    failing_since: datetime | None = None  # when the first of them started
    last_ok: datetime | None = None
    told: bool = False  # the committee was alerted about this streak of failures
    counted: int = 0  # of the failures in a row, those that count toward the alert


class History:
    """Every job's history, and when the program was set up (its first scheduled run that
    worked); `record` gives the history with one more run."""

    def __init__(
        self, jobs: Mapping[str, JobHistory] | None = None, set_up: datetime | None = None
    ):
        self.jobs = dict(jobs or {})
        self.set_up = set_up

    def counts(self, run: Run) -> bool:
        """Whether `run` counts toward the alert about a job that keeps failing: a scheduled
        run that failed, after the program was set up, for another reason than the
        settings themselves."""
        failed = run.outcome not in (OK, LOCKED)
        return failed and run.scheduled and not run.config_error and self.set_up is not None

    def record(self, run: Run) -> History:
        """With `run` added. A run that found another in progress (locked) did nothing, so it
        neither breaks nor extends a streak of failures."""
        before = self.jobs.get(run.job)
        set_up = self.set_up
        if run.outcome == LOCKED:
            now = replace(before, last=run) if before else JobHistory(run)
        elif run.outcome == OK:
            now = JobHistory(run, last_ok=run.started)
            set_up = set_up or (run.started if run.scheduled else None)
        else:
            streak = before.failures if before else 0
            since = before.failing_since if before and streak else None
            now = JobHistory(
                run,
                failures=streak + 1,
                failing_since=since or run.started,
                last_ok=before.last_ok if before else None,
                told=bool(before and streak and before.told),
                counted=(before.counted if before and streak else 0) + int(self.counts(run)),
            )
        return History({**self.jobs, run.job: now}, set_up)

    def told(self, jobs: Iterable[str]) -> History:
        """With the committee told about the current failures of `jobs`."""
        told = {job: replace(self.jobs[job], told=True) for job in jobs if job in self.jobs}
        return History({**self.jobs, **told}, self.set_up)

    def failing(self, at_least: int) -> dict[str, JobHistory]:
        """The jobs whose last `at_least` or more runs failed (none when `at_least` is 0)."""
        if at_least < 1:
            return {}
        return {job: h for job, h in self.jobs.items() if h.failures >= at_least}

    def to_alert(self, at_least: int) -> dict[str, JobHistory]:
        """The jobs with `at_least` or more failures in a row that count toward the alert
        (`counts`); none when `at_least` is 0."""
        if at_least < 1:
            return {}
        return {job: h for job, h in self.jobs.items() if h.counted >= at_least}

    def as_data(self) -> dict[str, Any]:
        return {
            "version": 2,
            "set_up": _text(self.set_up),
            "jobs": {job: _history_data(h) for job, h in sorted(self.jobs.items())},
        }

    @classmethod
    def from_data(cls, data: Any) -> History:
        """The history in `data` (as `as_data` made it); raises ValueError when it is not. A
        file of version 1, written before runs were told apart, came from a program that
        ran: set up when a job ever worked, and every failure counted."""
        if not isinstance(data, Mapping) or not isinstance(data.get("jobs"), Mapping):
            raise ValueError("not a mentor-sync state file (no 'jobs')")
        jobs = {}
        for job, item in data["jobs"].items():
            last = item["last"]
            started = _moment(last["started"])
            if started is None:
                raise ValueError(f"the last run of {job} has no start time")
            failures = int(item.get("failures", 0))
            jobs[job] = JobHistory(
                Run(
                    job,
                    started,
                    float(last["seconds"]),
                    str(last["outcome"]),
                    str(last["line"]),
                    scheduled=bool(last.get("scheduled", True)),
                    config_error=bool(last.get("config_error", False)),
                ),
                failures=failures,
                failing_since=_moment(item.get("failing_since")),
                last_ok=_moment(item.get("last_ok")),
                told=bool(item.get("told", False)),
                counted=int(item.get("counted", failures)),
            )
        if "set_up" in data:
            return cls(jobs, _moment(data["set_up"]))
        worked = [h.last_ok for h in jobs.values() if h.last_ok is not None]
        return cls(jobs, min(worked, default=None))


def _history_data(history: JobHistory) -> dict[str, Any]:
    run = history.last
    return {
        "last": {
            "started": run.started.isoformat(),
            "seconds": round(run.seconds, 3),
            "outcome": run.outcome,
            "line": run.line,
            "scheduled": run.scheduled,
            "config_error": run.config_error,
        },
        "failures": history.failures,
        "counted": history.counted,
        "failing_since": _text(history.failing_since),
        "last_ok": _text(history.last_ok),
        "told": history.told,
    }


def _text(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _moment(text: Any) -> datetime | None:
    if not (isinstance(text, str) and text):
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"the time {text!r} has no time zone")
    return moment
