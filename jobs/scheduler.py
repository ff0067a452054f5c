"""`mentor-sync schedule`: the jobs at their times, all year, until stopped.

Built on the `schedule` package: each job's times ([schedule] in the settings,
in the program's time zone) become `schedule` jobs. A job that fails is logged,
remembered and alerted about by the runner, and the next runs go on. SIGTERM
or Ctrl-C stops the scheduler after the job in progress; a second Ctrl-C
stops at once (the Email Log makes that safe: no email is sent twice).

`schedule` reads the clock itself (datetime.now); the loop here only sleeps,
through `sleep`, so tests move a fake clock instead of waiting.

When each job runs next is worked out here, not by `schedule` (1.2.2), whose own
arithmetic goes wrong after the clocks go forward over a job's time: a daily
02:30 that ran at 03:30 on the day of the jump runs again at 01:30 the next day,
and where the clocks jump at midnight (America/Santiago) a daily 00:30 runs over
and over from 23:30 on that day until midnight.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import schedule

from jobs.clock import wall_moment
from mentoring.errors import SettingsError
from mentoring.settings import Schedule
from mentoring.timetable import WEEKDAYS

# The longest nap between looks at the clock: a laptop that slept through a job's time runs
# it within a minute of waking (once, however many times it was missed).
MAX_NAP = 60.0
log = logging.getLogger("mentor_sync")
# How far apart the times of one `schedule` job are, by its unit.
PERIODS = {"hours": timedelta(hours=1), "days": timedelta(days=1), "weeks": timedelta(weeks=1)}


def build(timetable: Schedule, zone: str, run: Callable[[str], object]) -> schedule.Scheduler:
    """A `schedule.Scheduler` that calls `run(job)` at each of the job's times in `zone` (a tz
    database name, or "" for the machine's). Jobs due at the same moment run in the order
    match, introduce, checkin; a time the clocks skip runs as long after the jump as it was
    after its start, and one they repeat runs the first time. Raises SettingsError when every
    job is off."""
    scheduler = schedule.Scheduler()
    for job, when in timetable.jobs().items():
        for period, at in when.slots():
            slot = getattr(scheduler.every(), period).at(at, zone or None)
            _keep_to_the_clock(slot.do(_job, job, run).tag(job))
    if not scheduler.jobs:
        raise SettingsError(
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
    sleep: Callable[[float], object],
    stop: threading.Event,
    max_nap: float = MAX_NAP,
) -> None:
    """Run the jobs as they fall due until `stop` is set; a job in progress is finished, and
    jobs due at the same moment after it are left for the next start. A job with several
    times due at once (missed while the machine slept) runs once."""
    while not stop.is_set():
        ran: set[str] = set()
        for slot in sorted(j for j in scheduler.jobs if j.should_run):
            if stop.is_set():
                break
            job = _name(slot)
            if job not in ran:
                slot.run()  # as run_pending would, but it would not look at `stop` between jobs
                ran.add(job)
            _keep_to_the_clock(slot)
        if stop.is_set():
            break
        idle = scheduler.idle_seconds
        sleep(min(max(idle if idle is not None else max_nap, 0.0), max_nap))


def _name(slot: schedule.Job) -> str:
    """The name of the job `slot` runs: its one tag (`build` tags it so)."""
    (name,) = slot.tags
    assert isinstance(name, str)  # `build` tags each slot with its job's name
    return name


def _keep_to_the_clock(slot: schedule.Job) -> None:
    """Set `slot`'s next run to the first moment after now when the wall clock of its zone
    reads one of its times (as `wall_moment` reads the clock)."""
    zone = slot.at_time_zone
    now = datetime.now(zone) if zone else datetime.now().astimezone()
    moments = (wall_moment(zone, reading) for reading in _readings_near(slot, now))
    # `schedule` keeps naive times in the machine's zone.
    slot.next_run = min(m for m in moments if m > now).astimezone().replace(tzinfo=None)


def _readings_near(slot: schedule.Job, now: datetime) -> list[datetime]:
    """The wall-clock readings of `slot`'s times from two periods before `now` to three after
    (naive): whichever a change of the clocks moves, its next run is among them."""
    assert slot.at_time is not None and slot.unit is not None  # every slot has `.at()`
    at, period = slot.at_time, PERIODS[slot.unit]
    reading = now.replace(minute=at.minute, second=at.second, microsecond=0, tzinfo=None)
    if slot.unit != "hours":
        reading = reading.replace(hour=at.hour)
    if slot.start_day:
        reading += timedelta(days=WEEKDAYS.index(slot.start_day) - reading.weekday())
    return [reading + n * period for n in range(-2, 4)]


def next_runs(scheduler: schedule.Scheduler) -> dict[str, datetime]:
    """When each job runs next (aware; `schedule` keeps naive times in the machine's zone)."""
    runs: dict[str, datetime] = {}
    for job in scheduler.jobs:
        name = _name(job)
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
