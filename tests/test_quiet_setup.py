"""Setting up is quiet for the committee: a failure counts toward "A job keeps failing" only
in a scheduled run (cron, systemd, `mentor-sync schedule`: no terminal), after the first
scheduled run that worked, and never for a mistake in the settings themselves
(tests/test_alerts.py). The spreadsheet or the send journal going wrong after set-up does
count: the jobs stop as surely as without a network."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from jobs.runner import at_a_terminal
from mentoring.runs import FAILED, OK, History, Run
from tests.conftest import set_committee_cells
from tests.test_alerts import alerts_in, invoke

REPO = Path(__file__).resolve().parent.parent
DAY = "2026-03-02"


def state(folder: Path) -> dict:
    return json.loads((folder / "mentor-sync-state.json").read_text())["jobs"]


def test_failures_before_the_first_scheduled_run_that_worked_never_tell_the_committee(
    program, tmp_path
):
    workbook, _ = program
    settings_path = tmp_path / "settings.toml"
    good = workbook.read_bytes()
    workbook.write_text("not a spreadsheet")  # a wrong file, while setting up
    results = [invoke(settings_path, "match") for _ in range(4)]
    assert [r.exit_code for r in results] == [1] * 4
    assert alerts_in(tmp_path / "outbox") == []
    assert (state(tmp_path)["match"]["failures"], state(tmp_path)["match"]["counted"]) == (4, 0)
    # Set up: from now on a job that keeps failing is told, once.
    workbook.write_bytes(good)
    assert invoke(settings_path, "match").exit_code == 0
    workbook.write_text("broken again")
    said = [invoke(settings_path, "match").stderr for _ in range(2)]
    assert "alert:" not in said[0] and "alert: told " in said[1]
    assert len(alerts_in(tmp_path / "outbox")) == 1


def _in_the_workbook(workbook: Path, change) -> None:
    """Change the workbook as someone with it open in Excel would, and save it."""
    book = openpyxl.load_workbook(workbook)
    change(book)
    book.save(workbook)


def _journal_damaged(workbook: Path, settings) -> None:
    journal = workbook.parent / settings.operations.journal_file
    assert journal.exists()
    journal.write_bytes(b"this is not a database" * 100)  # a disk that failed


def _a_column_renamed(workbook: Path, settings) -> None:
    def rename(book):
        for cell in book[settings.tabs.committee][1]:
            if cell.value == "Status":
                cell.value = "Decision"

    _in_the_workbook(workbook, rename)


def _a_row_above_a_header(workbook: Path, settings) -> None:
    _in_the_workbook(workbook, lambda book: book[settings.tabs.committee].insert_rows(1))


def _two_tabs_of_one_name(workbook: Path, settings) -> None:
    named_alike = settings.mentee_form.tab.replace(" ", "  ")  # one more space
    _in_the_workbook(workbook, lambda book: book.create_sheet(named_alike))


def _a_question_retitled(workbook: Path, settings) -> None:
    asked = settings.mentee_form.questions["email"]

    def retitle(book):
        for cell in book[settings.mentee_form.tab][1]:
            if cell.value == asked:
                cell.value = f"{asked} (work)"

    _in_the_workbook(workbook, retitle)


def _the_workbook_gone(workbook: Path, settings) -> None:
    workbook.unlink()


def _a_row_above_the_reports_header(workbook: Path, settings) -> None:
    """The Program Report tab made (as `run` refreshes it too), then a row inserted above it."""
    assert invoke(workbook.parent / "settings.toml", "report").exit_code == 0
    _in_the_workbook(workbook, lambda book: book[settings.tabs.program_report].insert_rows(1))


@pytest.mark.parametrize(
    ("goes_wrong", "job", "said"),
    [
        pytest.param(_journal_damaged, "introduce", "cannot open the send journal", id="journal"),
        pytest.param(_a_column_renamed, "introduce", "no column 'Status'", id="column renamed"),
        pytest.param(_a_row_above_a_header, "match", "row 2", id="row above a header"),
        pytest.param(_two_tabs_of_one_name, "match", "tabs named like", id="two tabs alike"),
        pytest.param(_a_question_retitled, "match", "(work)", id="question retitled"),
        pytest.param(_the_workbook_gone, "match", "no workbook at ", id="workbook gone"),
        pytest.param(_a_row_above_the_reports_header, "report", "row 2", id="report tab"),
    ],
)
def test_the_spreadsheet_or_the_journal_going_wrong_after_set_up_tells_the_committee(
    program, tmp_path, goes_wrong, job, said
):
    workbook, settings = program
    settings_path = tmp_path / "settings.toml"
    set_committee_cells(workbook, settings, {"ana@m.org": {"Status": "Approved"}})
    assert invoke(settings_path, "match").exit_code == 0  # set up, as cron runs it
    goes_wrong(workbook, settings)
    first, second = invoke(settings_path, job), invoke(settings_path, job)
    assert (first.exit_code, second.exit_code) == (2, 2)  # what to fix, said where it runs
    assert said in first.stderr and "alert:" not in first.stderr
    assert "alert: told " in second.stderr
    [alert] = alerts_in(tmp_path / "outbox")
    text = alert.get_body(("plain",)).get_content()
    assert f"mentor-sync {job} failed 2 times in a row" in text
    assert (state(tmp_path)[job]["failures"], state(tmp_path)[job]["counted"]) == (2, 2)


def at_the_terminal(settings_path: Path, *args: str) -> str:
    """Run mentor-sync as a person does, its stdin and stdout a terminal (a pseudo-terminal,
    as ssh and terminal windows give); what it said on stderr."""
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "jobs", "--config", str(settings_path), "--as-of", DAY, *args],
            stdin=follower,
            stdout=follower,
            stderr=subprocess.PIPE,
            cwd=REPO,
            timeout=120,
            check=False,
        )
    finally:
        os.close(follower)
        os.close(leader)
    return done.stderr.decode()


def test_runs_from_a_terminal_do_not_count_toward_the_alert(program, tmp_path):
    workbook, _ = program
    settings_path = tmp_path / "settings.toml"
    assert invoke(settings_path, "match").exit_code == 0  # set up, as cron would run it
    workbook.write_text("not a spreadsheet")
    for _ in range(3):  # someone trying things at the terminal
        assert "match failed: cannot read" in at_the_terminal(settings_path, "match")
    match = state(tmp_path)["match"]
    assert (match["failures"], match["counted"], match["last"]["scheduled"]) == (3, 0, False)
    assert alerts_in(tmp_path / "outbox") == []
    # Cron's runs count: the second of them in a row tells the committee.
    assert "alert:" not in invoke(settings_path, "match").stderr
    assert "alert: told " in invoke(settings_path, "match").stderr
    [alert] = alerts_in(tmp_path / "outbox")
    assert "mentor-sync match failed 5 times in a row" in alert.get_body(("plain",)).get_content()


def test_a_terminal_is_told_from_a_pipe_or_a_file():
    leader, follower = pty.openpty()
    read_end, write_end = os.pipe()
    try:
        with (
            open(follower, closefd=False) as terminal,
            open(read_end, closefd=False) as pipe,
            open(os.devnull) as nothing,
        ):
            assert at_a_terminal(pipe, terminal)
            assert not at_a_terminal(pipe, nothing)  # cron: no terminal at all
            assert not at_a_terminal(None, pipe)
    finally:
        for fd in (leader, follower, read_end, write_end):
            os.close(fd)


def run(outcome: str, hour: int, scheduled: bool = True, config_error: bool = False) -> Run:
    started = datetime(2026, 3, 2, hour, tzinfo=UTC)
    return Run("match", started, 1.0, outcome, "said", scheduled, config_error)


def test_a_failure_counts_only_when_scheduled_after_set_up_and_not_on_the_settings():
    history = History().record(run(OK, 1, scheduled=False))  # by hand: not yet set up
    assert history.set_up is None and not history.counts(run(FAILED, 2))
    history = history.record(run(OK, 3))
    assert history.set_up == datetime(2026, 3, 2, 3, tzinfo=UTC)
    assert history.counts(run(FAILED, 4))
    assert not history.counts(run(FAILED, 4, scheduled=False))
    assert not history.counts(run(FAILED, 4, config_error=True))
    for failure in [run(FAILED, 4), run(FAILED, 5, config_error=True), run(FAILED, 6)]:
        history = history.record(failure)
    assert (history.jobs["match"].failures, history.jobs["match"].counted) == (3, 2)
    assert list(history.to_alert(2)) == ["match"] and history.to_alert(3) == {}
    again = History.from_data(json.loads(json.dumps(history.as_data())))
    assert (again.set_up, again.jobs["match"].counted) == (history.set_up, 2)


def test_a_state_file_from_before_is_set_up_when_a_job_worked_and_counts_every_failure():
    older = {
        "version": 1,
        "jobs": {
            "match": {
                "last": {
                    "started": "2026-03-02T07:00:00+00:00",
                    "seconds": 1.0,
                    "outcome": "failed",
                    "line": "cannot read",
                },
                "failures": 2,
                "failing_since": "2026-03-01T07:00:00+00:00",
                "last_ok": "2026-02-28T07:00:00+00:00",
                "told": False,
            }
        },
    }
    history = History.from_data(older)
    assert history.set_up == datetime(2026, 2, 28, 7, tzinfo=UTC)
    assert list(history.to_alert(2)) == ["match"]
