"""One run at a time: a second run waits briefly, then stops with exit code 75, doing nothing."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from click.testing import CliRunner
from filelock import FileLock

from jobs.cli import cli
from jobs.settings_file import load_settings
from tests.conftest import add_settings, tab_rows
from tests.fakes.commands import invoke

LOCKED_EXIT = 75


def start_run(settings_path):
    return subprocess.Popen(
        [sys.executable, "-m", "jobs", "--config", str(settings_path), "run"],
        cwd=settings_path.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_run_processes_started_together_one_works_the_other_sends_nothing(smtp_program, server):
    inbox, _ = server
    settings_path, workbook, settings = smtp_program
    # Long enough for the run that takes the lock to load the matching engine, match and
    # reach its first email before the other gives up.
    add_settings(settings_path, "[operations]\nlock_wait = 5\n")
    # The server holds the first email it gets until the other process has given up, so the
    # two runs overlap for certain, whichever of them takes the lock.
    inbox.gate = gate = threading.Event()
    processes = [start_run(settings_path), start_run(settings_path)]
    deadline = time.monotonic() + 60
    while all(p.poll() is None for p in processes) and time.monotonic() < deadline:
        time.sleep(0.05)
    [loser] = [p for p in processes if p.poll() is not None]
    [winner] = [p for p in processes if p is not loser]
    assert inbox.arrived.is_set()  # the winner was sending while the loser gave up
    out, err = loser.communicate(timeout=30)
    gate.set()
    _, won_err = winner.communicate(timeout=60)

    assert loser.returncode == LOCKED_EXIT
    assert out == ""
    assert err == (
        "mentor-sync: another run of mentor-sync is in progress (it holds"
        f" {settings_path.parent / 'mentor-sync.lock'}); this run waited 5 s, then stopped"
        " without doing anything. It runs again at its next time.\n"
    )
    assert winner.returncode == 0, won_err
    assert (
        won_err.splitlines()[-1] == "introduce and checkin: 2 sent; Pair Health: 2 pairs, 0 flagged"
    )
    assert len(inbox.received) == 2  # each introduction once: the loser sent nothing
    log = tab_rows(workbook, settings.tabs.email_log)
    assert sorted((r["Key"], r["Status"]) for r in log) == [
        ("introduction | ana@m.org | tom@t.org", "sent"),
        ("introduction | bo@m.org | uma@u.org", "sent"),
    ]


def test_a_run_finding_the_lock_taken_exits_75_and_is_remembered_as_skipped(program, tmp_path):
    workbook, _ = program
    settings_path = tmp_path / "settings.toml"
    add_settings(settings_path, "[operations]\nlock_wait = 0.2\n")
    before = workbook.read_bytes()
    with FileLock(load_settings(settings_path).operations.lock_file):
        result = CliRunner().invoke(cli, ["--config", str(settings_path), "match"])
    assert result.exit_code == LOCKED_EXIT
    assert "another run of mentor-sync is in progress" in result.stderr
    assert workbook.read_bytes() == before
    status = CliRunner().invoke(cli, ["--config", str(settings_path), "status"])
    [line] = [line for line in status.stdout.splitlines() if line.startswith("  match")]
    assert "skipped: another run was in progress" in line
    # Free again: the next run works.
    assert CliRunner().invoke(cli, ["--config", str(settings_path), "match"]).exit_code == 0


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
