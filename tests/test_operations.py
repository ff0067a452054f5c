"""Running unattended: the times in the committee's words, cron and systemd lines that agree
with the scheduler, the log file, --quiet, and `mentor-sync status`."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from jobs import logs
from jobs.cli import cli
from jobs.config import load_settings
from jobs.runner import Call, run_job
from mentoring.errors import ConfigError
from mentoring.settings import Schedule
from mentoring.timetable import parse_when
from tests.conftest import add_settings
from tests.test_scheduler import simulate

NEW_YORK = ZoneInfo("America/New_York")


def invoke(settings_path: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(settings_path), *args], prog_name="mentor-sync")


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


def test_each_job_logs_one_line_to_stderr_and_the_log_file_which_rotates(program, tmp_path):
    settings_path = tmp_path / "settings.toml"
    add_settings(settings_path, "[operations]\nlog_max_kb = 1\nlog_backups = 2\n")
    first = invoke(settings_path, "match")
    [line] = first.stderr.splitlines()
    assert line.startswith("match: 2 mentees, ")
    logged = (tmp_path / "mentor-sync.log").read_text().splitlines()
    assert len(logged) == 1 and logged[0].endswith(f" INFO {line}")
    for _ in range(30):
        invoke(settings_path, "match")
    # 1 KB a file, two old ones kept: the oldest lines are gone, the newest are there.
    files = sorted(path.name for path in tmp_path.glob("mentor-sync.log*"))
    assert files == ["mentor-sync.log", "mentor-sync.log.1", "mentor-sync.log.2"]
    assert all(path.stat().st_size <= 1024 for path in tmp_path.glob("mentor-sync.log*"))
    # Each file, the new one after a rotation too, is for its owner's eyes only.
    assert {path.stat().st_mode & 0o777 for path in tmp_path.glob("mentor-sync.log*")} == {0o600}


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full, a full disk")
def test_a_log_file_that_cannot_be_written_is_one_line_once_and_the_jobs_go_on(program, tmp_path):
    settings_path = tmp_path / "settings.toml"

    def run() -> subprocess.CompletedProcess:
        # A process of its own, as cron starts it: once per process means once here.
        return subprocess.run(
            [sys.executable, "-m", "jobs", "--config", str(settings_path), "run"],
            capture_output=True,
            text=True,
            check=False,
        )

    writable = run()
    add_settings(settings_path, '[operations]\nlog_file = "/dev/full"\n')
    full = run()
    assert full.returncode == writable.returncode == 0, full.stderr
    assert full.stdout == writable.stdout
    assert "Traceback" not in full.stderr and "Logging error" not in full.stderr
    complaint = (
        "mentor-sync: cannot write the log file /dev/full (No space left on device); check"
        " operations.log_file, the free space on its disk and the file's permissions. The jobs"
        " go on without it."
    )
    # Each line the jobs log still reaches stderr; the complaint comes once, after the first.
    lines = full.stderr.splitlines()
    assert lines.count(complaint) == 1
    assert [line for line in lines if line != complaint] == writable.stderr.splitlines()
    assert len(lines) == 3


def test_quiet_says_nothing_unless_a_job_fails(program, tmp_path):
    workbook, _ = program
    settings_path = tmp_path / "settings.toml"
    quiet = invoke(settings_path, "--quiet", "match")
    assert (quiet.exit_code, quiet.output) == (0, "")
    assert "match: 2 mentees" in (tmp_path / "mentor-sync.log").read_text()
    workbook.write_text("broken")
    failed = invoke(settings_path, "--quiet", "match")
    assert failed.exit_code == 1
    assert failed.stdout == ""
    assert failed.stderr.startswith("mentor-sync: match failed: cannot read ")


def test_status_shows_the_program_at_a_glance(tmp_path):
    folder = tmp_path / "demo"
    assert CliRunner().invoke(cli, ["demo", "--dir", str(folder)]).exit_code == 0
    settings_path = folder / "settings.toml"
    result = invoke(settings_path, "status")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("STS Mentoring Program (demo), ")
    assert lines[0].endswith(" (this machine's time zone)")
    assert lines[1:6] == [
        "applicants: 57 mentees, 35 mentors; 9 rows in Intake Issues",
        "pairs: 51 Suggested (0 weak, 5 without a mentor), 6 Approved (6 introduced)",
        "pair health: 6 pairs (6 active), 2 flagged",
        lines[4],
        lines[5],
    ]
    # An alert or a digest is one email, whatever the number of its rows in the Email Log.
    sent = re.fullmatch(r"emails sent: (\d+) \((.*)\)", lines[4])
    kinds = dict(reversed(part.split(" ", 1)) for part in sent[2].split(", "))
    assert {k: v for k, v in kinds.items() if k != "digest"} == {
        "alert": "3",
        "check-in 1": "6",
        "check-in 2": "4",
        "check-in 3": "2",
        "introduction": "3",
        "reminder": "3",
    }
    assert int(sent[1]) == 21 + int(kinds["digest"])
    assert lines[5].startswith("emails due now (the next run sends them): 0; by ")
    journal = tmp_path / "demo" / "mentor-sync-journal.sqlite3"
    assert re.fullmatch(
        rf"records of what was sent: the Email Log \((\d+) emails\) and the send journal"
        rf" \(\1 emails, {re.escape(str(journal))}\)",
        lines[6],
    )
    assert lines[7] == "last runs:"
    assert (
        lines[8].startswith("  match      ")
        and " ok [daily at 07:00]: match: 57 mentees" in lines[8]
    )
    assert " ok [hourly]: introduce: 3 sent" in lines[9]
    assert " ok [daily at 09:00]: checkin: 6 sent" in lines[10]


def test_status_still_shows_the_runs_when_the_spreadsheet_cannot_be_read(program, tmp_path):
    workbook, _ = program
    settings_path = tmp_path / "settings.toml"
    workbook.write_text("broken")
    invoke(settings_path, "match")
    invoke(settings_path, "match")
    result = invoke(settings_path, "status")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].startswith("spreadsheet: cannot read it: cannot read ")
    assert lines[2] == "last runs:"
    assert " FAILED (2 in a row) [daily at 07:00]: cannot read " in lines[3]
    assert lines[4].startswith("  introduce  never run [hourly]")


def test_a_job_that_raises_unexpectedly_fails_in_one_line_with_the_traceback_in_the_log(
    program, tmp_path, capsys
):
    def broken(session):
        raise RuntimeError("a bug")

    logs.configure(verbose=False, quiet=False)
    try:
        code = run_job("match", broken, Call(tmp_path / "settings.toml"))
    finally:
        logs.close()
    assert code == 1
    assert capsys.readouterr().err == (
        "mentor-sync: match failed unexpectedly: RuntimeError: a bug (run with --verbose for"
        " details)\n"
    )
    log = (tmp_path / "mentor-sync.log").read_text()
    assert "Traceback (most recent call last):" in log and 'raise RuntimeError("a bug")' in log
    status = invoke(tmp_path / "settings.toml", "status").stdout
    assert "FAILED (1 in a row) [daily at 07:00]: unexpected error: RuntimeError: a bug" in status


def test_doctor_names_the_times_and_a_job_that_keeps_failing(program, tmp_path):
    workbook, _ = program
    settings_path = tmp_path / "settings.toml"
    good = workbook.read_bytes()
    workbook.write_text("broken")
    invoke(settings_path, "match")
    invoke(settings_path, "match")
    workbook.write_bytes(good)
    lines = invoke(settings_path, "doctor").stdout.splitlines()
    assert (
        f"ok: the jobs log to {tmp_path / 'mentor-sync.log'}; times (this machine's time zone):"
        " match daily at 07:00, introduce hourly, checkin daily at 09:00"
    ) in lines
    [note] = [line for line in lines if line.startswith("note: match")]
    assert note.startswith("note: match failed its last 2 runs: cannot read ")
    assert lines[-1] == "doctor: nothing to fix"


def test_quiet_still_says_when_some_emails_failed(smtp_program, server):
    inbox, _ = server
    settings_path, _, _ = smtp_program
    inbox.drop_after = 1  # the server dies after taking the first email
    result = invoke(settings_path, "--quiet", "--as-of", "2026-01-12", "introduce")
    assert result.exit_code == 1
    assert result.stdout == ""
    # (the test server says on stderr that it dropped the connection)
    assert result.stderr.splitlines()[-1].startswith("introduce: 0 sent, 1 failed, to try again")


def test_a_lock_file_that_cannot_be_made_is_one_clear_line(program, tmp_path):
    settings_path = tmp_path / "settings.toml"
    add_settings(settings_path, '[operations]\nlock_file = "settings.toml/x.lock"\n')
    result = invoke(settings_path, "match")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"mentor-sync: cannot take the lock {tmp_path / 'settings.toml' / 'x.lock'} ("
    )
    assert result.stderr.endswith("fix operations.lock_file in the settings\n")
    assert "Traceback" not in result.stderr


def test_systemd_units_escape_percent_signs(settings_file):
    add_settings(settings_file, '[program]\nname = "STS 100% Mentoring"\n')
    text = invoke(settings_file, "cron", "--systemd").stdout
    assert "Description=mentor-sync %i (STS 100%% Mentoring)\n" in text


def test_an_unreadable_state_file_is_set_aside_by_a_job_and_left_alone_by_status(program, tmp_path):
    settings_path = tmp_path / "settings.toml"
    state = tmp_path / "mentor-sync-state.json"
    state.write_text("{not json")
    looked = invoke(settings_path, "status")
    assert looked.exit_code == 0
    assert f"mentor-sync: the state file {state} is not readable (" in looked.stderr
    assert state.read_text() == "{not json"  # status only reads
    assert invoke(settings_path, "match").exit_code == 0
    [aside] = tmp_path.glob("mentor-sync-state.json.unreadable-*")
    assert aside.read_text() == "{not json"
    assert '"match"' in state.read_text()
