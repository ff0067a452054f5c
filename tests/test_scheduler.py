"""`mentor-sync schedule` over a simulated year: the clock is moved, never waited for.

`schedule` reads the clock itself, so time-machine moves the process clock; the
scheduler's loop sleeps through a function the tests give it, which moves the
clock by as long as it was asked to sleep.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jobs import logs, runner, scheduler
from jobs.mail import CHECKIN, INTRODUCE
from jobs.runner import Call, run_job
from jobs.settings_file import load_settings
from mentoring.errors import ConfigError
from mentoring.settings import Schedule
from mentoring.timetable import parse_when
from tests.conftest import PEOPLE, add_settings, program_workbook, set_committee_cells, tab_rows

NEW_YORK, UTC = ZoneInfo("America/New_York"), ZoneInfo("UTC")


def simulate(
    timetable: Schedule, zone: str, run, start: datetime, end: datetime, stop=None, machine=UTC
):
    """Run the scheduler from `start` until `end` (aware), the clock moved by each nap, on a
    machine that keeps the time of `machine`."""
    stop = stop or threading.Event()
    with time_machine.travel(start.astimezone(machine), tick=False) as traveller:
        jobs = scheduler.build(timetable, zone, run)

        def sleep(seconds: float) -> None:
            traveller.shift(seconds)
            if datetime.now(UTC) >= end:
                stop.set()

        scheduler.serve(jobs, sleep, stop, max_nap=3600)


def timetable(**times: str) -> Schedule:
    wanted = {"match": "daily at 07:00", "introduce": "hourly", "checkin": "daily at 09:00"}
    wanted.update(times)
    return Schedule(*(parse_when(wanted[job], job) for job in ("match", "introduce", "checkin")))


def test_a_year_runs_every_job_at_its_times_in_the_programs_zone_and_a_failing_job_stops_nothing():
    ran: list[tuple[str, datetime]] = []
    broken_days = {date(2026, 1, 5), date(2026, 7, 4)}

    def run(job: str) -> int:
        now = datetime.now(NEW_YORK)
        ran.append((job, now))
        if job == "match" and now.date() in broken_days:
            raise RuntimeError("the spreadsheet is on fire")
        if job == "introduce" and now.month == 3:
            raise RuntimeError("introductions fail all March")
        return 0

    start, end = datetime(2026, 1, 1, tzinfo=NEW_YORK), datetime(2027, 1, 1, tzinfo=NEW_YORK)
    # The machine keeps UTC, as servers do; the program's times are New York's all year,
    # through both changes of the clocks.
    simulate(timetable(), "America/New_York", run, start, end)

    by_job: dict[str, list[datetime]] = {}
    for job, when in ran:
        by_job.setdefault(job, []).append(when)
    days = [start.date() + timedelta(days=n) for n in range(365)]
    assert [w.date() for w in by_job["match"]] == days  # the day after each failure too
    assert {w.strftime("%H:%M") for w in by_job["match"]} == {"07:00"}
    assert [w.date() for w in by_job["checkin"]] == days
    assert {w.strftime("%H:%M") for w in by_job["checkin"]} == {"09:00"}
    # Every hour on the hour, March's failures and all; the hour that repeats when the
    # clocks go back (1 November, 01:00) runs once.
    hourly = [w.astimezone(UTC) for w in by_job["introduce"]]
    assert {w.astimezone(NEW_YORK).minute for w in hourly} == {0}
    gaps = Counter(b - a for a, b in pairwise(hourly))
    assert gaps == {timedelta(hours=1): 8756, timedelta(hours=2): 1}
    assert sum(1 for w in by_job["introduce"] if w.month == 4) == 30 * 24
    # Jobs due at the same moment run in order: match, then the emails.
    at_nine = [job for job, w in ran if w.date() == date(2026, 6, 1) and w.hour in (7, 9)]
    assert at_nine == ["match", "introduce", "introduce", "checkin"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("every 15 minutes", ["09:00", "09:15", "09:30", "09:45"]),
        ("every 6 hours", ["00:00", "06:00", "12:00", "18:00"]),
        ("hourly at :30", ["09:30"]),
        ("monday at 08:15", ["08:15"]),
    ],
)
def test_the_other_forms_of_a_time_run_when_they_say(text, expected):
    ran = []
    settings = timetable(match="off", checkin="off", introduce=text)
    # 2026-06-01 is a Monday. "every 6 hours" counts from midnight, not from the start.
    start = datetime(2026, 6, 1, 3, 10, tzinfo=NEW_YORK)
    end = datetime(2026, 6, 8, 3, 10, tzinfo=NEW_YORK)
    simulate(
        settings, "America/New_York", lambda job: ran.append(datetime.now(NEW_YORK)), start, end
    )
    if text.startswith("monday"):
        assert [f"{w:%a %H:%M}" for w in ran] == ["Mon 08:15"]
    elif text == "every 6 hours":
        assert [f"{w:%H:%M}" for w in ran if w.date() == date(2026, 6, 2)] == expected
    else:
        assert [f"{w:%H:%M}" for w in ran if w.hour == 9 and w.date() == date(2026, 6, 2)] == (
            expected
        )


@pytest.mark.parametrize(
    ("text", "zone", "start", "expected"),
    [
        # 02:00 becomes 03:00 on 14 March 2027.
        (
            "daily at 02:30",
            "America/New_York",
            datetime(2027, 3, 12),
            ["Fri 02:30 -0500", "Sat 02:30 -0500", "Sun 03:30 -0400", "Mon 02:30 -0400"],
        ),
        (
            "sunday at 02:30",
            "America/New_York",
            datetime(2027, 3, 1),
            ["Sun 02:30 -0500", "Sun 03:30 -0400", "Sun 02:30 -0400"],
        ),
        # 00:00 becomes 01:00 on 5 September 2027.
        (
            "daily at 00:30",
            "America/Santiago",
            datetime(2027, 9, 3),
            ["Fri 00:30 -0400", "Sat 00:30 -0400", "Sun 01:30 -0300", "Mon 00:30 -0300"],
        ),
        # 02:00 becomes 02:30 on 3 October 2027.
        (
            "hourly at :15",
            "Australia/Lord_Howe",
            datetime(2027, 10, 3, 0, 30),
            ["Sun 01:15 +1030", "Sun 02:45 +1100", "Sun 03:15 +1100", "Sun 04:15 +1100"],
        ),
    ],
)
def test_a_time_the_clocks_skip_runs_that_much_later_that_day_and_at_its_time_after(
    text, zone, start, expected
):
    ran: list[datetime] = []
    stop = threading.Event()

    def run(job: str) -> None:
        ran.append(datetime.now(ZoneInfo(zone)))
        # `schedule`'s own arithmetic ran a job over and over here: stop such a loop.
        if len(ran) == len(expected) or len(ran) > 50:
            stop.set()

    begin = start.replace(tzinfo=ZoneInfo(zone))
    off = parse_when("off", "x")
    schedule = Schedule(off, parse_when(text, "schedule.introduce"), off)
    simulate(schedule, zone, run, begin, begin + timedelta(days=30), stop)
    assert [f"{w:%a %H:%M %z}" for w in ran] == expected


def test_times_missed_while_the_machine_slept_run_once_on_waking():
    ran: list[str] = []
    start = datetime(2026, 6, 1, 9, 5, tzinfo=NEW_YORK)
    stop = threading.Event()
    with time_machine.travel(start.astimezone(UTC), tick=False) as traveller:
        jobs = scheduler.build(
            timetable(match="off", introduce="every 15 minutes", checkin="off"),
            "America/New_York",
            lambda job: ran.append(f"{datetime.now(NEW_YORK):%H:%M}"),
        )
        # The laptop's lid is shut at 09:05 and opened at 11:07.
        naps = iter([2 * 3600 + 120.0])

        def sleep(seconds: float) -> None:
            traveller.shift(next(naps, seconds))
            if datetime.now(NEW_YORK).hour == 12:
                stop.set()

        scheduler.serve(jobs, sleep, stop, max_nap=3600)
    # The four times from 09:15 to 11:00 run once, at 11:07; then every time until noon.
    assert ran == ["11:07", "11:15", "11:30", "11:45"]


def test_every_job_off_is_refused():
    with pytest.raises(ConfigError, match=r"every job in \[schedule\] is off"):
        scheduler.build(timetable(match="off", introduce="off", checkin="never"), "", print)


def test_sigterm_lets_the_job_in_progress_finish_then_stops_the_scheduler():
    ran: list[str] = []
    stop = threading.Event()

    def run(job: str) -> int:
        now = datetime.now(NEW_YORK)
        ran.append(f"{now:%H:%M} {job} started")
        if now.hour == 9:
            os.kill(os.getpid(), signal.SIGTERM)  # as `systemctl stop` or `kill` would
        ran.append(f"{now:%H:%M} {job} finished")
        return 0

    before = signal.getsignal(signal.SIGTERM)
    start = datetime(2026, 6, 1, 6, 30, tzinfo=NEW_YORK)
    with scheduler.stopped_by_signals(stop):
        simulate(timetable(), "America/New_York", run, start, start + timedelta(days=30), stop)
    # At 09:00 introduce is in progress when SIGTERM comes: it finishes, and checkin, due at
    # the same moment, does not start.
    assert ran == [
        "07:00 match started",
        "07:00 match finished",
        "07:00 introduce started",
        "07:00 introduce finished",
        "08:00 introduce started",
        "08:00 introduce finished",
        "09:00 introduce started",
        "09:00 introduce finished",
    ]
    assert stop.is_set()
    assert signal.getsignal(signal.SIGTERM) is before


def test_the_scheduler_process_stops_cleanly_on_sigterm(tmp_path, settings_file, settings):
    program_workbook(tmp_path / "program.xlsx", settings, *PEOPLE)
    process = subprocess.Popen(
        [sys.executable, "-m", "jobs", "--config", str(settings_file), "schedule"],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stderr.readline()
        assert " scheduler: started for STS Mentoring Program (match daily at 07:00" in first
        assert "; next: match " in first
        process.send_signal(signal.SIGTERM)
        _, rest = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0
    # Each line starts with its time ("2026-11-29 07:00:02 "), then the message.
    assert [line[20:] for line in rest.splitlines()[-2:]] == [
        "scheduler: SIGTERM received; stopping after the job in progress",
        "scheduler: stopped",
    ]
    log = (tmp_path / "mentor-sync.log").read_text()
    assert "scheduler: started" in log and "scheduler: stopped" in log


def test_the_schedulers_lines_are_stamped_in_the_programs_zone_as_its_next_times_are(
    tmp_path, settings_file, settings
):
    program_workbook(tmp_path / "program.xlsx", settings, *PEOPLE)
    add_settings(settings_file, '[program]\ntime_zone = "Asia/Kathmandu"\n')
    process = subprocess.Popen(
        [sys.executable, "-m", "jobs", "--config", str(settings_file), "schedule"],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TZ": "UTC"},  # a machine whose own zone is 5 h 45 min away
    )
    try:
        first = process.stderr.readline()
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    finally:
        process.kill()
    # "2026-11-29 13:12:02 scheduler: started ...; next: ..., introduce 2026-11-29 14:00, ..."
    stamp = datetime.strptime(first[:19], "%Y-%m-%d %H:%M:%S")
    introduce = datetime.strptime(first.split("introduce ")[-1][:16], "%Y-%m-%d %H:%M")
    assert timedelta(0) < introduce - stamp <= timedelta(hours=1), first  # hourly


@pytest.fixture
def logging_as_the_cli_does():
    logs.configure(verbose=False, quiet=True)
    yield
    logs.close()


def test_the_real_jobs_under_the_scheduler_send_each_email_on_its_day_once(
    tmp_path, settings_file, logging_as_the_cli_does
):
    add_settings(
        settings_file,
        '\n[program]\ntime_zone = "America/New_York"\n'
        + '[schedule]\nintroduce = "daily at 08:00"\n'
        + '[[checkins]]\nname = "check-in 1"\ndays = 2\ntemplate = "checkin"\n'
        + '[[checkins]]\nname = "closing"\ndays = 5\ntemplate = "closing"\n',
    )
    settings = load_settings(settings_file)
    workbook = tmp_path / "program.xlsx"
    program_workbook(workbook, settings, *PEOPLE)
    works = {
        "match": runner.match(),
        "introduce": runner.mail(INTRODUCE),
        "checkin": runner.mail(CHECKIN),
    }
    call = Call(settings_file)
    start = datetime(2026, 3, 2, 6, 0, tzinfo=NEW_YORK)

    def approve_after_the_first_match(job: str) -> int:
        code = run_job(job, works[job], call)
        if job == "match" and datetime.now(NEW_YORK).date() == start.date():
            set_committee_cells(workbook, settings, {"ana@m.org": {"Status": "Approved"}})
        return code

    # Eight days, across the change to summer time on 8 March.
    simulate(
        settings.schedule,
        "America/New_York",
        approve_after_the_first_match,
        start,
        start + timedelta(days=8),
    )
    log = [(r["Key"], r["Status"], str(r["Sent At"])) for r in tab_rows(workbook, "Email Log")]
    assert log == [
        ("introduction | ana@m.org | tom@t.org", "sent", "2026-03-02 08:00:00"),
        ("check-in 1 | ana@m.org | tom@t.org | to ana@m.org", "sent", "2026-03-04 09:00:00"),
        ("check-in 1 | ana@m.org | tom@t.org | to tom@t.org", "sent", "2026-03-04 09:00:00"),
        ("closing | ana@m.org | tom@t.org | to ana@m.org", "sent", "2026-03-07 09:00:00"),
        ("closing | ana@m.org | tom@t.org | to tom@t.org", "sent", "2026-03-07 09:00:00"),
        # With the closing sent, the pair's year is over: the committee's digest says so.
        ("digest | 2026-03", "sent", "2026-03-07 09:00:00"),
        ("digest | closed | ana@m.org | tom@t.org", "sent", "2026-03-07 09:00:00"),
    ]
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 6
    # One line per job run in the log file: 8 days of three jobs, and the one digest.
    lines = (tmp_path / "mentor-sync.log").read_text().splitlines()
    runs = Counter(line.split(" INFO ")[1].split(":")[0] for line in lines if " INFO " in line)
    assert runs == {"match": 8, "introduce": 8, "checkin": 8, "digest": 1}
    assert Path(load_settings(settings_file).operations.state_file).is_file()


def test_settings_broken_while_the_scheduler_runs_are_remembered_but_not_alerted(
    tmp_path, settings_file, logging_as_the_cli_does
):
    add_settings(settings_file, '[schedule]\nintroduce = "off"\ncheckin = "off"\n')
    settings = load_settings(settings_file)
    program_workbook(tmp_path / "program.xlsx", settings, *PEOPLE)
    call = Call(settings_file, known=settings)

    def run(job: str) -> int:
        code = run_job(job, runner.match(), call)
        # A committee member edits the settings on the server and leaves a typo.
        if "failurs" not in settings_file.read_text():
            add_settings(settings_file, "[alerts]\nfailurs = 3\n")
        return code

    start = datetime(2026, 3, 2, 6, 0, tzinfo=NEW_YORK)
    simulate(settings.schedule, "", run, start, start + timedelta(days=3))
    # A configuration error is for whoever edits the settings: the committee is not told.
    assert list((tmp_path / "outbox").glob("alert*.eml")) == []
    log = (tmp_path / "mentor-sync.log").read_text().splitlines()
    assert sum("configuration error: unknown setting 'alerts.failurs'" in line for line in log) == 2
    state = json.loads((tmp_path / "mentor-sync-state.json").read_text())
    match = state["jobs"]["match"]
    assert (match["failures"], match["counted"]) == (2, 0)
    assert match["last"]["line"].startswith("configuration error: unknown setting")
