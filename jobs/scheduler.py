"""`mentor-sync schedule`: the jobs at their times, all year, until stopped.

Built on the `schedule` package: each job's times ([schedule] in the settings,
in the program's time zone) become `schedule` jobs. A job that fails is logged,
remembered and alerted about by the runner, and the next runs go on. SIGTERM
or Ctrl-C stops the scheduler after the job in progress; a second Ctrl-C
stops at once (the Email Log makes that safe: no email is sent twice).

`schedule` reads the clock itself (datetime.now); the loop here only sleeps,
through `sleep`, so tests move a fake clock instead of waiting.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

import schedule

from mentoring.errors import ConfigError
from mentoring.settings import Schedule

# The longest nap between looks at the clock: a laptop that slept through a job's time runs
# it within a minute of waking (once, however many times it was missed).
MAX_NAP = 60.0
log = logging.getLogger("mentor_sync")


def build(timetable: Schedule, zone: str, run: Callable[[str], object]) -> schedule.Scheduler:
    """A `schedule.Scheduler` that calls `run(job)` at each of the job's times in `zone` (a tz
    database name, or "" for the machine's). Jobs due at the same moment run in the order
    match, introduce, checkin. Raises ConfigError when every job is off."""
    scheduler = schedule.Scheduler()
    for job, when in timetable.jobs().items():
        for period, at in when.slots():
            getattr(scheduler.every(), period).at(at, zone or None).do(_job, job, run).tag(job)
    if not scheduler.jobs:
        raise ConfigError(
            "every job in [schedule] is off, so there is nothing to schedule; give at least"
            ' one job a time (such as match = "daily at 07:00")'
        )
    return scheduler


def _job(job: str, run: Callable[[str], object]) -> None:
    """Run one job; whatever it raises is logged, and the scheduler goes on."""
    try:
        run(job)
    except Exception:
        log.exception("scheduler: %s raised; its next runs go on", job)


def serve(
    scheduler: schedule.Scheduler,
    sleep: Callable[[float], None],
    stop: threading.Event,
    max_nap: float = MAX_NAP,
) -> None:
    """Run the jobs as they fall due until `stop` is set; a job in progress is finished, and
    jobs due at the same moment after it are left for the next start."""
    while not stop.is_set():
        for job in sorted(j for j in scheduler.jobs if j.should_run):
            if stop.is_set():
                break
            job.run()  # as run_pending would, but it would not look at `stop` between jobs
        if stop.is_set():
            break
        idle = scheduler.idle_seconds
        sleep(min(max(idle if idle is not None else max_nap, 0.0), max_nap))


def next_runs(scheduler: schedule.Scheduler) -> dict[str, datetime]:
    """When each job runs next (aware; `schedule` keeps naive times in the machine's zone)."""
    runs: dict[str, datetime] = {}
    for job in scheduler.jobs:
        (name,) = job.tags
        if job.next_run is not None and (name not in runs or job.next_run < runs[name]):
            runs[name] = job.next_run
    return {name: when.astimezone() for name, when in runs.items()}


@contextmanager
def stopped_by_signals(stop: threading.Event) -> Iterator[None]:
    """While inside, SIGTERM and the first Ctrl-C set `stop` (the job in progress finishes);
    a second Ctrl-C stops at once. The previous handlers are put back on leaving."""

    def handle(number: int, frame: object) -> None:
        if stop.is_set() and number == signal.SIGINT:
            raise KeyboardInterrupt
        name = signal.Signals(number).name
        log.info("scheduler: %s received; stopping after the job in progress", name)
        stop.set()

    before = {number: signal.signal(number, handle) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)
