"""What a job says: one line to stderr and the log file (which rotates), --quiet, and a
traceback only in the log."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytz
import time_machine

from jobs import logs
from jobs.runner import Call, run_job
from tests.conftest import add_settings
from tests.fakes.commands import invoke


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


def test_lines_are_stamped_in_the_programs_zone_whatever_the_machines(program, tmp_path, capsys):
    settings_path = tmp_path / "settings.toml"
    add_settings(settings_path, '[program]\ntime_zone = "Asia/Kathmandu"\n')
    with time_machine.travel(datetime(2026, 3, 1, 12, 0, tzinfo=UTC), tick=False):
        assert invoke(settings_path, "--as-of", "2026-03-01", "match").exit_code == 0
        logs.configure(False, False, timestamps=True, zone=pytz.timezone("Asia/Kathmandu"))
        try:
            logs.log.info("scheduler: a line")
        finally:
            logs.close()
    [logged] = (tmp_path / "mentor-sync.log").read_text().splitlines()
    assert logged.startswith("2026-03-01 17:45:00+0545 INFO match: ")
    assert capsys.readouterr().err == "2026-03-01 17:45:00 scheduler: a line\n"


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


def test_quiet_still_says_when_some_emails_failed(smtp_program, server):
    inbox, _ = server
    settings_path, _, _ = smtp_program
    inbox.drop_after = 1  # the server dies after taking the first email
    result = invoke(settings_path, "--quiet", "--as-of", "2026-01-12", "introduce")
    assert result.exit_code == 1
    assert result.stdout == ""
    # (the test server says on stderr that it dropped the connection)
    assert result.stderr.splitlines()[-1].startswith("introduce: 0 sent, 1 failed, to try again")
