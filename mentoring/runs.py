"""The jobs' recent history: the last run of each, and how many in a row failed.

Plain data in and out: jobs/ reads and writes it as a small JSON file, so
`mentor-sync status` can show it and a job that keeps failing is noticed.
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


@dataclass(frozen=True)
class JobHistory:
    last: Run
    failures: int = 0  # runs in a row that failed
    failing_since: datetime | None = None  # when the first of them started
    last_ok: datetime | None = None
    told: bool = False  # the committee was alerted about this streak of failures


class History:
    """Every job's history; `record` gives the history with one more run."""

    def __init__(self, jobs: Mapping[str, JobHistory] | None = None):
        self.jobs = dict(jobs or {})

    def record(self, run: Run) -> History:
        """With `run` added. A run that found another in progress (locked) did nothing, so it
        neither breaks nor extends a streak of failures."""
        before = self.jobs.get(run.job)
        if run.outcome == LOCKED:
            now = replace(before, last=run) if before else JobHistory(run)
        elif run.outcome == OK:
            now = JobHistory(run, last_ok=run.started)
        else:
            streak = before.failures if before else 0
            since = before.failing_since if before and streak else None
            now = JobHistory(
                run,
                failures=streak + 1,
                failing_since=since or run.started,
                last_ok=before.last_ok if before else None,
                told=bool(before and streak and before.told),
            )
        return History({**self.jobs, run.job: now})

    def told(self, jobs: Iterable[str]) -> History:
        """With the committee told about the current failures of `jobs`."""
        told = {job: replace(self.jobs[job], told=True) for job in jobs if job in self.jobs}
        return History({**self.jobs, **told})

    def failing(self, at_least: int) -> dict[str, JobHistory]:
        """The jobs whose last `at_least` or more runs failed (none when `at_least` is 0)."""
        if at_least < 1:
            return {}
        return {job: h for job, h in self.jobs.items() if h.failures >= at_least}

    def as_data(self) -> dict[str, Any]:
        return {
            "version": 1,
            "jobs": {job: _history_data(h) for job, h in sorted(self.jobs.items())},
        }

    @classmethod
    def from_data(cls, data: Any) -> History:
        """The history in `data` (as `as_data` made it); raises ValueError when it is not."""
        if not isinstance(data, Mapping) or not isinstance(data.get("jobs"), Mapping):
            raise ValueError("not a mentor-sync state file (no 'jobs')")
        jobs = {}
        for job, item in data["jobs"].items():
            last = item["last"]
            started = _moment(last["started"])
            if started is None:
                raise ValueError(f"the last run of {job} has no start time")
            jobs[job] = JobHistory(
                Run(
                    job,
                    started,
                    float(last["seconds"]),
                    str(last["outcome"]),
                    str(last["line"]),
                ),
                failures=int(item.get("failures", 0)),
                failing_since=_moment(item.get("failing_since")),
                last_ok=_moment(item.get("last_ok")),
                told=bool(item.get("told", False)),
            )
        return cls(jobs)


def _history_data(history: JobHistory) -> dict[str, Any]:
    run = history.last
    return {
        "last": {
            "started": run.started.isoformat(),
            "seconds": round(run.seconds, 3),
            "outcome": run.outcome,
            "line": run.line,
        },
        "failures": history.failures,
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
