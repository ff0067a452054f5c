"""`mentor-sync demo`: a folder with settings and a workbook of sample responses."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from jobs.config import load_settings
from jobs.demo_data import program_tabs
from mentoring.committee import INTRODUCED, MENTOR_EMAIL, STATUS, WHY
from mentoring.sheet import TabEdits, cell, is_blank
from sync.workbook import WorkbookSpreadsheet, create_workbook

# How many suggested pairs the demo approves, and how long ago (in days) it says
# the first few were introduced, so that check-ins are due.
DEMO_APPROVALS = 6
DEMO_INTRODUCED_DAYS_AGO = (35, 128)

DEMO_SETTINGS = """\
# mentor-sync demo settings. Anything not set here takes its default, listed
# and explained in config/settings.toml of mentor-sync.

[program]
name = "STS Mentoring Program (demo)"

[spreadsheet]
backend = "workbook"
path = "mentoring.xlsx"

[email]
# The demo writes every email as a .eml file into this folder; nothing is sent.
sender = "outbox"
outbox = "outbox"

[links]
goals_worksheet = "https://example.org/mentoring/goals-worksheet"
first_meeting_worksheet = "https://example.org/mentoring/first-meeting"
checkin_form = "https://docs.google.com/forms/d/e/EXAMPLE/viewform?usp=pp_url&entry.1=%7Bemail%7D&entry.2=%7Brole%7D&entry.3=%7Bpartner%7D"
"""


def prepare_demo(folder: Path) -> tuple[Path, list[str], bool]:
    """Create the demo folder's settings and workbook where missing; return the settings path,
    a line for each file made or reused, and whether the workbook is new."""
    folder.mkdir(parents=True, exist_ok=True)
    settings_path = folder / "settings.toml"
    said = []
    if settings_path.exists():
        said.append(f"reusing {settings_path}")
    else:
        settings_path.write_text(DEMO_SETTINGS, encoding="utf-8")
        said.append(f"wrote {settings_path}")
    settings = load_settings(settings_path)
    workbook = Path(settings.spreadsheet.path)
    fresh = not workbook.exists()
    if fresh:
        create_workbook(workbook, program_tabs(settings))
        said.append(f"wrote {workbook} with sample responses to the mentee and mentor forms")
    else:
        said.append(f"reusing {workbook}")
    return settings_path, said, fresh


def approve_as_a_committee_would(settings_path: Path, today: date) -> list[str]:
    """Approve the first few good suggestions in the committee tab, and date the first
    introductions back in the year, so the demo has emails to send. Returns what it did."""
    settings = load_settings(settings_path)
    sheet = WorkbookSpreadsheet(Path(settings.spreadsheet.path))
    table = sheet.read([settings.tabs.committee])[settings.tabs.committee]
    status, mentor, why, introduced = (
        table.require(name, what="a committee column", fix="")
        for name in (STATUS, MENTOR_EMAIL, WHY, INTRODUCED)
    )
    good = [
        row
        for row in table.rows
        if not is_blank(cell(row, mentor)) and "weak" not in str(cell(row, why) or "")
    ][:DEMO_APPROVALS]
    cells = {}
    for index, row in enumerate(good):
        cells[row.number, status + 1] = "Approved"
        if index < len(DEMO_INTRODUCED_DAYS_AGO):
            day = today - timedelta(days=DEMO_INTRODUCED_DAYS_AGO[index])
            cells[row.number, introduced + 1] = day
    sheet.write([TabEdits(settings.tabs.committee, cells)])
    ago = " and ".join(str(days) for days in DEMO_INTRODUCED_DAYS_AGO)
    return [
        f"\nAs a committee would, the demo set Status to Approved on {len(good)} rows of"
        f" '{settings.tabs.committee}', and dated two introductions {ago} days back"
        " (as if introduced by hand earlier in the year), so check-ins are due.",
    ]
