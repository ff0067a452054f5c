"""Running unattended: the times in the committee's words, and cron and systemd lines that
agree with the scheduler, whatever the clocks do."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import pytz
import time_machine

from jobs.settings_file import load_settings
from mentoring.errors import ConfigError
from mentoring.settings import Schedule
from mentoring.timetable import parse_when
from tests.conftest import add_settings
from tests.fakes.commands import invoke
from tests.test_scheduler import UTC, simulate

NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "dayly at 7",
            "setting 'schedule.match' is 'dayly at 7'; write one of: daily at HH:MM, hourly,"
            " hourly at :MM, every N minutes, every N hours, monday at HH:MM (any weekday), off",
        ),
        (
            "every 7 minutes",
            "setting 'schedule.match' is 'every 7 minutes'; every N minutes needs an N that"
            " divides 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30), so that every day runs at the"
            " same times",
        ),
        ("daily at 24:00", "setting 'schedule.match' is 'daily at 24:00'; write one of:"),
    ],
)
def test_a_time_that_cannot_be_read_says_how_to_write_it(text, message):
    with pytest.raises(ConfigError) as raised:
        parse_when(text, "schedule.match")
    assert str(raised.value).startswith(message)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            '[program]\ntime_zone = "America/New_Yrok"\n',
            "setting 'program.time_zone' is 'America/New_Yrok', which is not a time zone name;"
            " did you mean 'America/New_York'?; use a name such as America/New_York or"
            ' Europe/London, or "" for this machine\'s time zone',
        ),
        (
            '[alerts]\nto = "committee"\n',
            "setting 'alerts.to' is 'committee', not a usable email address (an email address must have an @-sign)",
        ),
        (
            '[operations]\nlock_file = ""\n',
            "setting 'operations.lock_file' cannot be empty; name a file",
        ),
    ],
)
def test_settings_for_running_unattended_are_checked(settings_file, setting, message):
    add_settings(settings_file, setting)
    with pytest.raises(ConfigError) as raised:
        load_settings(settings_file)
    assert str(raised.value) == message


def cron_fires(fields: str, moment: datetime) -> bool:
    """Whether a crontab line's five time fields fire at `moment` (the forms we print)."""
    minute, hour, _, _, weekday = fields.split()
    values = (moment.minute, moment.hour, moment.isoweekday() % 7)
    return all(
        spec == "*"
        or (spec.startswith("*/") and value % int(spec[2:]) == 0)
        or (spec.isdigit() and value == int(spec))
        for spec, value in zip((minute, hour, weekday), values, strict=True)
    )


@pytest.mark.parametrize(
    "text",
    [
        "daily at 07:00",
        "hourly",
        "hourly at :45",
        "every 15 minutes",
        "every 3 hours",
        "wednesday at 18:30",
        "every sunday at 00:05",
    ],
)
def test_cron_lines_fire_exactly_when_the_scheduler_runs(text):
    when = parse_when(text, "schedule.introduce")
    off = parse_when("off", "x")
    ran: list[datetime] = []
    start = datetime(2026, 6, 1, 0, 0, 30, tzinfo=NEW_YORK)
    end = start + timedelta(days=8)
    simulate(
        Schedule(off, when, off),
        "America/New_York",
        lambda job: ran.append(datetime.now(NEW_YORK).replace(second=0, microsecond=0)),
        start,
        end,
    )
    minutes = (start.replace(second=0) + timedelta(minutes=n) for n in range(1, 8 * 24 * 60 + 1))
    assert ran == [m for m in minutes if cron_fires(when.cron(), m)]


# A week in which the clocks change, for each form a time can take: forward over the time
# (its timer needs a line for that day), forward elsewhere, and back over it.
DST_WEEKS = [
    ("daily at 02:30", "America/New_York", "2027-03-10"),
    ("daily at 01:30", "Europe/London", "2027-03-25"),
    ("daily at 00:30", "America/Santiago", "2027-09-02"),
    ("daily at 23:30", "America/Nuuk", "2027-03-24"),
    ("sunday at 02:30", "America/New_York", "2027-03-10"),
    ("every 2 hours", "America/New_York", "2027-03-10"),
    ("every 3 hours", "America/Santiago", "2027-09-02"),
    ("hourly at :15", "Australia/Lord_Howe", "2027-09-30"),
    ("every 20 minutes", "Australia/Lord_Howe", "2027-09-30"),
    ("every 15 minutes", "America/New_York", "2027-03-10"),
    ("daily at 07:00", "America/New_York", "2027-03-10"),
    ("daily at 01:30", "America/New_York", "2027-11-04"),
    ("every 15 minutes", "America/New_York", "2027-11-04"),
]


def introduce_timer(settings_file: Path, text: str, zone: str, day: str) -> list[str]:
    """The OnCalendar= values of the introduce timer `cron --systemd` prints on `day` when
    introduce runs at `text` in `zone`."""
    add_settings(
        settings_file,
        f'[program]\ntime_zone = "{zone}"\n'
        f'[schedule]\nmatch = "off"\nintroduce = "{text}"\ncheckin = "off"\n',
    )
    result = invoke(settings_file, "--as-of", day, "cron", "--systemd")
    assert result.exit_code == 0, result.output
    timer = result.stdout.split("# ---- mentor-sync-introduce.timer\n")[1]
    return re.findall(r"^OnCalendar=(.*)$", timer, re.MULTILINE)


def scheduler_runs(
    text: str, zone: str, start: datetime, end: datetime, machine: ZoneInfo = UTC
) -> list[datetime]:
    """When the scheduler runs a job at `text` in `zone` from `start` to `end` (in UTC), on a
    machine that keeps the time of `machine`."""
    when, off = parse_when(text, "schedule.introduce"), parse_when("off", "x")
    ran: list[datetime] = []
    record = lambda job: ran.append(datetime.now(UTC))  # noqa: E731
    simulate(Schedule(off, when, off), zone, record, start, end, machine=machine)
    return ran


def calendar_fires(expression: str, reading: datetime) -> bool:
    """Whether an OnCalendar= expression of the forms we print, without its zone, matches the
    wall clock reading `reading`."""
    *weekday, day, clock = expression.split()
    if weekday and weekday != [f"{reading:%a}"]:
        return False
    if day != "*-*-*" and day != f"{reading:%Y-%m-%d}":
        return False
    values = (reading.hour, reading.minute, reading.second)
    return all(
        any(item_fires(item, value) for item in spec.split(","))
        for spec, value in zip(clock.split(":"), values, strict=True)
    )


def item_fires(item: str, value: int) -> bool:
    """Whether one item of a time field ("*", "07", "00/15") matches `value`."""
    first, _, step = item.partition("/")
    if first == "*":
        return True
    if not step:
        return value == int(first)
    return value >= int(first) and (value - int(first)) % int(step) == 0


def systemd_fires(expressions: list[str], zone: str, start: datetime, end: datetime):
    """When systemd starts a timer with these OnCalendar= values from `start` to `end` (in
    UTC): minute by minute as the wall clock of `zone` reads, a reading the clocks repeat the
    first time only, one they skip never (as `systemd-analyze calendar` shows it does)."""
    clock, seen, fired = pytz.timezone(zone), set(), []
    minute = start.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while minute < end:
        reading = minute.astimezone(clock).replace(tzinfo=None)
        if reading not in seen and any(
            calendar_fires(e.removesuffix(f" {zone}"), reading) for e in expressions
        ):
            fired.append(minute)
        seen.add(reading)
        minute += timedelta(minutes=1)
    return fired


def dst_week(zone: str, day: str) -> tuple[datetime, datetime]:
    start = datetime.fromisoformat(day).replace(second=30, tzinfo=ZoneInfo(zone))
    return start.astimezone(UTC), (start + timedelta(days=8)).astimezone(UTC)


@pytest.mark.parametrize(("text", "zone", "day"), DST_WEEKS)
def test_systemd_timers_run_when_the_scheduler_runs_in_a_week_the_clocks_change(
    settings_file, text, zone, day
):
    start, end = dst_week(zone, day)
    expressions = introduce_timer(settings_file, text, zone, day)
    assert systemd_fires(expressions, zone, start, end) == scheduler_runs(text, zone, start, end)


def test_a_timer_lists_the_days_the_clocks_skip_its_time_for_five_years(settings_file):
    expressions = introduce_timer(settings_file, "daily at 02:30", "America/New_York", "2027-01-20")
    assert expressions == [
        "*-*-* 02:30:00 America/New_York",
        "2027-03-14 03:30:00 America/New_York",
        "2028-03-12 03:30:00 America/New_York",
        "2029-03-11 03:30:00 America/New_York",
        "2030-03-10 03:30:00 America/New_York",
        "2031-03-09 03:30:00 America/New_York",
        "2032-03-14 03:30:00 America/New_York",
    ]
    text = invoke(settings_file, "--as-of", "2027-01-20", "cron", "--systemd").stdout
    assert (
        "# The clocks go forward over 02:30 on the days below; `mentor-sync schedule`\n"
        "# runs it at 03:30 then, and so do these lines. Listed to the end of 2032:\n"
        "# run `mentor-sync cron --systemd` again before then.\n"
    ) in text


def test_in_the_machines_own_time_zone_the_timer_runs_when_the_scheduler_runs(settings_file):
    start, end = dst_week("America/New_York", "2027-03-10")
    # The settings name no zone, and the machine keeps New York's time.
    with time_machine.travel(start.astimezone(NEW_YORK), tick=False):
        expressions = introduce_timer(settings_file, "daily at 02:30", "", "2027-03-10")
    assert expressions[:2] == ["*-*-* 02:30:00", "2027-03-14 03:30:00"]
    runs = scheduler_runs("daily at 02:30", "", start, end, machine=NEW_YORK)
    assert systemd_fires(expressions, "America/New_York", start, end) == runs


SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


def systemd_elapses(
    expressions: list[str], start: datetime, end: datetime, most: int
) -> list[datetime]:
    """When `systemd-analyze calendar` says a timer with these OnCalendar= values elapses from
    `start` to `end` (in UTC), looking at no more than `most` elapses of each."""
    assert SYSTEMD_ANALYZE is not None
    base = f"--base-time={start:%Y-%m-%d %H:%M:%S} UTC"
    shown = subprocess.run(
        [SYSTEMD_ANALYZE, "calendar", base, f"--iterations={most}", *expressions],
        env={"TZ": "UTC", "SYSTEMD_COLORS": "0"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.findall(r"(?:Next elapse|Iter\. #\d+): \w+ (\S+ \S+) UTC$", shown, re.MULTILINE)
    elapses = sorted({datetime.fromisoformat(f"{moment}+00:00") for moment in found})
    return [moment for moment in elapses if moment < end]


@pytest.mark.skipif(
    SYSTEMD_ANALYZE is None,
    reason="systemd-analyze is not installed: only systemd can say when it starts a timer",
)
@pytest.mark.parametrize(("text", "zone", "day"), DST_WEEKS)
def test_systemd_analyze_shows_the_timers_run_when_the_scheduler_runs(
    settings_file, text, zone, day
):
    start, end = dst_week(zone, day)
    offsets = [start + timedelta(hours=h) for h in range(8 * 24)]
    if any(
        m.astimezone(ZoneInfo(zone)).utcoffset() != m.astimezone(pytz.timezone(zone)).utcoffset()
        for m in offsets
    ):
        pytest.skip(f"this machine's time zone database and pytz's disagree about {zone}")
    expressions = introduce_timer(settings_file, text, zone, day)
    runs = scheduler_runs(text, zone, start, end)
    # One elapse more than the scheduler's runs is enough to see a timer that runs too often.
    assert systemd_elapses(expressions, start, end, len(runs) + 1) == runs


def test_cron_prints_the_crontab_with_absolute_paths(tmp_path, settings_file):
    add_settings(
        settings_file,
        '[program]\ntime_zone = "America/Chicago"\n'
        + '[schedule]\ncheckin = "off"\nintroduce = "every 30 minutes"\n'
        + '[email]\nsender = "smtp"\n',
    )
    result = invoke(settings_file, "cron")
    assert result.exit_code == 0, result.output
    command = f"{Path(sys.executable).absolute()} -m jobs --config {settings_file} --quiet"
    lines = result.stdout.splitlines()
    assert lines[-3:] == [
        f"0 7 * * * {command} match",
        f"*/30 * * * * {command} introduce",
        "# checkin is off (schedule.checkin = 'off')",
    ]
    assert "CRON_TZ=America/Chicago" in lines
    assert (
        "# missed or run twice; `mentor-sync schedule` and `cron --systemd` run it once." in lines
    )
    assert "MENTOR_SYNC_SMTP_USERNAME=... and MENTOR_SYNC_SMTP_PASSWORD=..." in result.stdout


def test_cron_systemd_prints_a_service_and_a_timer_per_job(settings_file):
    add_settings(settings_file, '[program]\ntime_zone = "Europe/London"\n')
    result = invoke(settings_file, "cron", "--systemd")
    assert result.exit_code == 0, result.output
    text = result.stdout
    command = f"{Path(sys.executable).absolute()} -m jobs --config {settings_file} --quiet"
    assert f"ExecStart={command} %i\n" in text
    assert "SuccessExitStatus=75\n" in text
    assert "# ---- mentor-sync-match.timer\n" in text
    assert "OnCalendar=*-*-* 07:00:00 Europe/London\n" in text
    assert "OnCalendar=*-*-* 00/1:00:00 Europe/London\n" in text
    assert "Unit=mentor-sync@checkin.service\n" in text
    assert (
        "systemctl --user daemon-reload && systemctl --user enable --now"
        " mentor-sync-match.timer mentor-sync-introduce.timer mentor-sync-checkin.timer"
    ) in text


def test_cron_asks_for_the_smtp_login_only_when_the_sender_logs_in(settings_file):
    add_settings(settings_file, '[email]\nsender = "smtp"\n')
    systemd = invoke(settings_file, "cron", "--systemd").stdout
    environment = settings_file.parent.resolve() / "mentor-sync.env"
    assert (
        f"# The SMTP login: {environment} holds the lines MENTOR_SYNC_SMTP_USERNAME=... and\n"
        "# MENTOR_SYNC_SMTP_PASSWORD=... (make it yours alone: chmod 600 mentor-sync.env).\n"
        f"EnvironmentFile={environment}\n"
    ) in systemd
    add_settings(settings_file, '[email.smtp]\nusername_env = ""\n')
    for args in (["cron"], ["cron", "--systemd"]):
        printed = invoke(settings_file, *args).stdout
        assert "SMTP" not in printed and "EnvironmentFile" not in printed


def test_systemd_units_escape_percent_signs(settings_file):
    add_settings(settings_file, '[program]\nname = "STS 100% Mentoring"\n')
    text = invoke(settings_file, "cron", "--systemd").stdout
    assert "Description=mentor-sync %i (STS 100%% Mentoring)\n" in text
