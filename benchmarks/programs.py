"""What the benchmark scripts share: their command line, and a generated program written
as a workbook, matched, and its suggestions approved as a committee would."""

from __future__ import annotations

import argparse
import random
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path

from jobs.demo_data import program_tabs
from jobs.match import run_match
from jobs.program import read_pairs
from jobs.settings_file import load_settings
from mentoring.committee import MENTOR_EMAIL, STATUS
from mentoring.ledger import LOG_COLUMNS, SENT
from mentoring.outgoing import checkin_key
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


def checkins_answered(
    workbook: Path, settings: Settings, introduced_on: date, today: date, seed: int = 7
) -> tuple[int, int]:
    """The Email Log and the check-in tab of the approved pairs introduced on
    `introduced_on`, as they stand on `today`: every check-in due by then sent to both
    people, and three people in four answering each, a few days later. Returns (pairs,
    answers)."""
    sheet = WorkbookSpreadsheet(workbook)
    tabs = settings.tabs
    found = sheet.read([tabs.mentees, tabs.mentors, tabs.committee])
    pairs = read_pairs(sheet, settings, found, today).pairs
    rng = random.Random(seed)
    log = [list(LOG_COLUMNS)]
    form = settings.checkin_form.questions
    answers = [list(form.values())]
    due = [c for c in settings.checkins if introduced_on + timedelta(c.days) <= today]
    for pair in pairs:
        for person in (pair.mentee, pair.mentor):
            partner = pair.partner_of(person)
            for checkin in due:
                sent = datetime.combine(
                    introduced_on + timedelta(checkin.days), datetime.min.time()
                )
                key = checkin_key(checkin.name, pair, person)
                log.append([key, checkin.name, person.email, "", SENT, sent, "", ""])
                if rng.random() < 0.75:
                    when = sent + timedelta(days=rng.randint(0, 10), hours=rng.randint(8, 20))
                    # Most pairs do well: one answer in ten says they have not met or rates
                    # 2, one in twenty asks the committee to get in touch.
                    met = rng.choice(("Yes",) * 9 + ("No",))
                    contact = rng.choice(("No",) * 19 + ("Yes",))
                    rating = rng.choice((2, 3, 4, 4, 4, 5, 5, 5, 5, 5))
                    row = [when, person.email, person.role, partner.email, rating, met, "", contact]
                    answers.append(row)
    WorkbookSpreadsheet(workbook).write(
        [
            TabEdits(
                name, {(r, c): v for r, row in enumerate(rows, 1) for c, v in enumerate(row, 1)}
            )
            for name, rows in ((tabs.email_log, log), (tabs.checkins, answers))
        ]
    )
    return len(pairs), len(answers) - 1
