"""`mentor-sync demo`: a folder with settings and a workbook of sample responses."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from jobs.demo_data import program_tabs
from jobs.settings_file import load_settings
from mentoring.committee import INTRODUCED, MENTEE_EMAIL, MENTOR_EMAIL, STATUS, WHY
from mentoring.reports import rewrite_tab
from mentoring.settings import Settings
from mentoring.sheet import Cell, TabEdits, cell, is_blank
from sync.workbook import WorkbookSpreadsheet, create_workbook

# How many suggested pairs the demo approves, and how long ago (in days) it says
# the first few were introduced, so that check-ins are due.
DEMO_APPROVALS = 6
DEMO_INTRODUCED_DAYS_AGO = (250, 130, 35)
# The days (so many days ago) on which the demo runs the check-in job as it would have run
# during the year, so that the Email Log has the year's check-ins and reminders.
DEMO_REPLAY_DAYS_AGO = (220, 200, 130, 100, 85)

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


def approve_as_a_committee_would(
    settings_path: Path, today: date
) -> tuple[list[str], list[tuple[str, str]]]:
    """Approve the first few good suggestions in the committee tab, and date the first
    introductions back in the year, so the demo has emails to send. Returns what it did and
    the pairs it dated back (mentee email, mentor email), the earliest first."""
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
    mentee = table.require(MENTEE_EMAIL, what="a committee column", fix="")
    cells: dict[tuple[int, int], Cell] = {}
    dated = []
    for index, row in enumerate(good):
        cells[row.number, status + 1] = "Approved"
        if index < len(DEMO_INTRODUCED_DAYS_AGO):
            day = today - timedelta(days=DEMO_INTRODUCED_DAYS_AGO[index])
            cells[row.number, introduced + 1] = day
            dated.append((str(cell(row, mentee)).strip(), str(cell(row, mentor)).strip()))
    sheet.write([TabEdits(settings.tabs.committee, cells)])
    ago = ", ".join(str(days) for days in DEMO_INTRODUCED_DAYS_AGO)
    said = [
        f"\nAs a committee would, the demo set Status to Approved on {len(good)} rows of"
        f" '{settings.tabs.committee}', and dated three introductions {ago} days back"
        " (as if introduced by hand earlier in the year), so check-ins are due.",
    ]
    return said, dated


def committee_as_of(
    settings: Settings, pairs: list[tuple[str, str]], today: date, day: date
) -> None:
    """The committee tab as it stood on `day` of the replayed year: a dated pair whose
    introduction came later is on Hold then (as the committee had it, waiting), Approved
    from its day on."""
    sheet = WorkbookSpreadsheet(Path(settings.spreadsheet.path))
    tab = settings.tabs.committee
    table = sheet.read([tab])[tab]
    status = table.require(STATUS, what="a committee column", fix="")
    mentee = table.require(MENTEE_EMAIL, what="a committee column", fix="")
    began = {
        email: today - timedelta(days=ago)
        for (email, _), ago in zip(pairs, DEMO_INTRODUCED_DAYS_AGO, strict=False)
    }
    cells = {
        (row.number, status + 1): "Approved" if began[email] <= day else "Hold"
        for row in table.rows
        if (email := str(cell(row, mentee)).strip()) in began
    }
    sheet.write([TabEdits(tab, cells)])


# The check-in form's questions, in the order of its tab.
CHECKIN_FIELDS = ("timestamp", "email", "role", "partner", "rating", "met", "progress", "contact")


def write_demo_answers(
    settings: Settings, pairs: list[tuple[str, str]], today: date, until: date
) -> None:
    """Write the check-in form's tab as it stood on `until`: the answers of the demo's first
    pairs, given so that the Pair Health tab shows each kind of flag, and two answers that
    belong to no pair (a mistyped partner, and someone not in the program)."""
    (a_mentee, a_mentor), (b_mentee, b_mentor) = pairs[0], pairs[1]

    def answer(days_ago, email, role, partner, rating, met, progress, contact):
        when = datetime.combine(today - timedelta(days=days_ago), datetime.min.time())
        when += timedelta(hours=10, minutes=days_ago % 50)
        values = [when, email, role, partner, rating, met, progress, contact]
        return when, dict(zip(CHECKIN_FIELDS, values, strict=True))

    typo = b_mentee.replace("@", "@mail.", 1)
    answers = [
        answer(215, a_mentee, "Mentee", a_mentor, 4, "Yes", "We set three goals.", "No"),
        answer(126, a_mentee, "Mentee", a_mentor, 2, "No", "Hard to find a time.", "No"),
        answer(97, b_mentee, "Mentee", b_mentor, 4, "Yes", "", "Yes"),
        answer(83, b_mentor, "Mentor", b_mentee, 5, "Yes", "Going well.", "No"),
        answer(12, b_mentor, "Mentor", typo, 5, "Yes", "Still going well.", "No"),
        answer(20, "pat.lee@example.org", "Mentee", a_mentor, 3, "Yes", "", "No"),
    ]
    form = settings.checkin_form
    header = [form.questions[field] for field in CHECKIN_FIELDS if field in form.questions]
    rows = [
        [values[field] for field in CHECKIN_FIELDS if field in form.questions]
        for when, values in sorted(answers, key=lambda item: item[0])
        if when.date() <= until
    ]
    tab = settings.tabs.checkins
    sheet = WorkbookSpreadsheet(Path(settings.spreadsheet.path))
    sheet.write([rewrite_tab(sheet.read([tab]).get(tab), tab, header, rows)])
