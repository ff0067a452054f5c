"""Each job loads the workbook once and saves it at most twice: once, or twice where the
emails' `sending` marks must be saved before the emails go. The alerts, the digest and
Pair Health ride in the job's own saves, and `run` loads once for its jobs."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

import openpyxl
import pytest

from jobs import runner
from jobs.backends import open_journal
from jobs.mail import CHECKIN, INTRODUCE
from jobs.settings_file import load_settings
from mentoring.tool_tabs import tool_tabs
from sync.workbook import WorkbookSpreadsheet
from tests.conftest import set_committee_cells
from tests.fakes.checkin_year import DAY0, answer, link_the_checkin_form, on


class CountingWorkbook(WorkbookSpreadsheet):
    """The workbook adapter, counting how often it loads the file and saves it."""

    def __init__(self, path, roles):
        super().__init__(path, roles)
        self.loads = self.saves = 0

    def _load(self):
        self.loads += self._book is None
        return super()._load()

    def flush(self):
        self.saves += self._pending
        super().flush()


def session_on(settings_path: Path, day) -> tuple[runner.Session, CountingWorkbook]:
    settings = load_settings(settings_path)
    now = datetime.combine(day, time(9)).astimezone()
    session = runner.Session(settings, now)
    roles = {name: tab.role for name, tab in tool_tabs(settings).items()}
    sheet = CountingWorkbook(Path(settings.spreadsheet.path), roles)
    session._sheet = sheet
    return session, sheet


def job(work, settings_path: Path, day) -> tuple[runner.JobResult, int, int]:
    session, sheet = session_on(settings_path, day)
    try:
        result = work(session)
    finally:
        session.close()
    return result, sheet.loads, sheet.saves


@pytest.fixture
def year(program, settings_file):
    """Both pairs approved, not introduced yet, the check-in form linked."""
    path, settings = program
    set_committee_cells(
        path, settings, {e: {"Status": "Approved"} for e in ("ana@m.org", "bo@m.org")}
    )
    link_the_checkin_form(path)
    return settings_file, path


def test_match_with_an_alert_loads_once_and_saves_once(year):
    settings_file, path = year
    book = openpyxl.load_workbook(path)
    book["Form Responses 1"].append([datetime(2026, 9, 2, 9), "", "Nameless Applicant"])
    book.save(path)
    result, loads, saves = job(runner.match(), settings_file, DAY0)
    assert [line.split(":")[0] for line in result.lines] == ["match", "alert"]
    assert (loads, saves) == (1, 1)


def test_run_loads_once_and_saves_twice_for_its_three_jobs(year):
    settings_file, path = year
    set_committee_cells(path, load_settings(settings_file), {"bo@m.org": {"Notes": "x"}})
    result, loads, saves = job(runner.run_all(), settings_file, DAY0)
    assert result.lines[-1].startswith("introduce and checkin: 2 sent;")
    assert (loads, saves) == (1, 2)


def test_checkin_with_a_contact_alert_and_a_digest_loads_once_and_saves_twice(year):
    settings_file, path = year
    job(runner.mail(INTRODUCE), settings_file, DAY0)
    job(runner.mail(CHECKIN), settings_file, on(30))  # check-in 1
    answer(path, 32, "ana@m.org", "tom@t.org", rating=2, met="No", contact="Yes")
    result, loads, saves = job(runner.mail(CHECKIN), settings_file, on(61))
    kinds = [line.split(":")[0] for line in result.lines]
    assert kinds == ["checkin", "alert", "digest"], result.lines
    assert (loads, saves) == (1, 2)
    journal = open_journal(load_settings(settings_file), create=False)
    with journal:
        told = [e for e in journal.entries().values() if e.kind in ("alert", "digest")]
    rows = openpyxl.load_workbook(path)["Email Log"]
    logged = {row[0].value for row in rows.iter_rows(min_row=2)}
    assert told and {e.key for e in told} <= logged


def test_a_checkin_run_with_nothing_to_send_saves_once(year):
    settings_file, _ = year
    job(runner.mail(INTRODUCE), settings_file, DAY0)
    result, loads, saves = job(runner.mail(CHECKIN), settings_file, DAY0 + timedelta(days=5))
    assert result.lines[0].startswith("checkin: 0 sent;")
    assert (loads, saves) == (1, 1)
