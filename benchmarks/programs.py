"""What the benchmark scripts share: their command line, and a generated program written
as a workbook, matched, and its suggestions approved as a committee would."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from jobs.demo_data import program_tabs
from jobs.match import run_match
from jobs.settings_file import load_settings
from mentoring.committee import MENTOR_EMAIL, STATUS
from mentoring.settings import Settings
from mentoring.sheet import Cell, TabEdits, cell, is_blank
from sync.workbook import WorkbookSpreadsheet, create_workbook


def parser(doc: str, repeat: int = 3) -> argparse.ArgumentParser:
    """The command line every program benchmark takes: --mentees, --mentors, --repeat."""
    options = argparse.ArgumentParser(description=doc.splitlines()[0])
    options.add_argument("--mentees", type=int, default=1000)
    options.add_argument("--mentors", type=int, default=500)
    options.add_argument("--repeat", type=int, default=repeat)
    return options


def sizes(doc: str) -> argparse.Namespace:
    """The command line of a program benchmark, parsed."""
    return parser(doc).parse_args()


def matched_program(
    folder: Path, mentees: int, mentors: int, today: date, settings_text: str = ""
) -> tuple[Settings, Path]:
    """A workbook of generated responses in `folder` (no quirks), matched; the settings
    (with `settings_text` added) and the workbook's path."""
    settings_path = folder / "settings.toml"
    settings_path.write_text('[spreadsheet]\npath = "bench.xlsx"\n' + settings_text)
    settings = load_settings(settings_path)
    workbook = Path(settings.spreadsheet.path)
    create_workbook(
        workbook, program_tabs(settings, mentees=mentees, mentors=mentors, quirks=False)
    )
    run_match(WorkbookSpreadsheet(workbook), settings, today)
    return settings, workbook


def approve_every_suggestion(
    workbook: Path, tab: str, also: Mapping[str, Cell] | None = None
) -> int:
    """Set Status to Approved on every committee row with a suggested mentor, and the
    columns of `also` (by header) to their values too; returns how many rows."""
    sheet = WorkbookSpreadsheet(workbook)
    table = sheet.read([tab])[tab]
    values = {table.column(STATUS): "Approved"}
    values.update({table.column(name): value for name, value in (also or {}).items()})
    mentor = table.column(MENTOR_EMAIL)
    rows = [row.number for row in table.rows if not is_blank(cell(row, mentor))]
    cells = {(number, column + 1): value for number in rows for column, value in values.items()}
    sheet.write([TabEdits(tab, cells)])
    return len(rows)
