"""Shared fixtures: the default settings, real .xlsx workbooks written with openpyxl, and a
real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from aiosmtpd.controller import Controller

from jobs.backends import open_journal
from jobs.match import run_match
from jobs.settings_file import load_settings
from mentoring.settings import Settings
from mentoring.sheet import Cell, TabEdits
from sync.spreadsheet import Spreadsheet
from sync.workbook import WorkbookSpreadsheet, create_workbook
from tests.fakes.memory import MemorySpreadsheet
from tests.fakes.smtp_server import Inbox, free_port

TODAY = datetime(2026, 11, 28).date()
START = datetime(2026, 9, 1, 9, 0)


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text('[spreadsheet]\npath = "program.xlsx"\n', encoding="utf-8")
    return path


def add_settings(path: Path, text: str) -> None:
    """Add `text` (TOML) at the end of the settings file, as a committee's own lines."""
    with path.open("a", encoding="utf-8") as file:
        file.write(text)


@pytest.fixture
def settings(settings_file: Path) -> Settings:
    return load_settings(settings_file)


def mentee(email: str, **answers: Cell) -> dict[str, Cell]:
    """A mentee's answers by field name, with plausible defaults."""
    return {
        "email": email,
        "name": email.split("@")[0].title(),
        "institution": f"{email.split('@')[1]} University",
        "subjects": "Chemistry",
        "skills": "Grant writing",
        **answers,
    }


def mentor(email: str, **answers: Cell) -> dict[str, Cell]:
    return {"capacity": "1", **mentee(email), **answers}


def response_rows(
    header: Sequence[str], fields: Sequence[str], people: Sequence[Mapping[str, Cell]]
) -> list[list[Cell]]:
    rows: list[list[Cell]] = [list(header)]
    for index, person in enumerate(people):
        values = {"timestamp": START + timedelta(hours=index), **person}
        rows.append([values.get(field, "") for field in fields])
    return rows


def program_workbook(
    path: Path,
    settings: Settings,
    mentees: Sequence[Mapping[str, Cell]],
    mentors: Sequence[Mapping[str, Cell]],
    extra_tabs: Mapping[str, Sequence[Sequence[Cell]]] | None = None,
) -> Path:
    """Write a workbook with both response tabs holding these people, in the form's columns."""
    create_workbook(path, program_tabs(settings, mentees, mentors, extra_tabs))
    return path


def program_tabs(
    settings: Settings,
    mentees: Sequence[Mapping[str, Cell]],
    mentors: Sequence[Mapping[str, Cell]],
    extra_tabs: Mapping[str, Sequence[Sequence[Cell]]] | None = None,
) -> dict[str, Sequence[Sequence[Cell]]]:
    """Both response tabs holding these people, in the form's columns, as rows by tab."""
    tabs: dict[str, Sequence[Sequence[Cell]]] = {}
    for form, people in ((settings.mentee_form, mentees), (settings.mentor_form, mentors)):
        fields = list(form.questions)
        tabs[form.tab] = response_rows(list(form.questions.values()), fields, people)
    tabs.update(extra_tabs or {})
    return tabs


def as_a_stopped_run_left_it(settings_path: Path, *keys: str) -> None:
    """Put these emails in the send journal as a run killed while handing them over leaves
    them: `sending` (maybe sent). Tests that set their Email Log rows to `sending` call it,
    so that the journal and the log tell the same story."""
    settings = load_settings(settings_path)
    journal = open_journal(settings)
    with journal:
        known = journal.entries()
        for key in keys:
            journal.handing_over(known[key])


Program = Path | MemorySpreadsheet  # a workbook's path, or a spreadsheet in memory


def program_memory(
    settings: Settings,
    mentees: Sequence[Mapping[str, Cell]],
    mentors: Sequence[Mapping[str, Cell]],
    extra_tabs: Mapping[str, Sequence[Sequence[Cell]]] | None = None,
) -> MemorySpreadsheet:
    """A spreadsheet in memory with both response tabs holding these people."""
    return MemorySpreadsheet(program_tabs(settings, mentees, mentors, extra_tabs))


def spreadsheet(program: Program) -> Spreadsheet:
    return program if isinstance(program, MemorySpreadsheet) else WorkbookSpreadsheet(program)


def match(program: Program, settings: Settings):
    return run_match(spreadsheet(program), settings, TODAY)


def tab_rows(program: Program, tab: str) -> list[dict[str, Cell]]:
    """A tab's rows as dictionaries by header: read back with openpyxl from a workbook."""
    if isinstance(program, MemorySpreadsheet):
        return [row for row in program.rows(tab) if any(v is not None for v in row.values())]
    sheet = openpyxl.load_workbook(program)[tab]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=False)) for row in rows[1:] if any(row)]


def committee_by_email(program: Program, settings: Settings) -> dict[str, dict[str, Cell]]:
    return {row["Mentee Email"]: row for row in tab_rows(program, settings.tabs.committee)}


def set_committee_cells(
    program: Program, settings: Settings, edits: Mapping[str, Mapping[str, Cell]]
) -> None:
    """Edit the committee tab as a committee member would: by mentee email and header."""
    if isinstance(program, MemorySpreadsheet):
        table = program.tables[settings.tabs.committee]
        email = table.header.index("Mentee Email")
        cells = {
            (row.number, table.header.index(column) + 1): value
            for row in table.rows
            for column, value in edits.get(str(row.cells[email]), {}).items()
        }
        program.write([TabEdits(table.name, cells)])
        return
    book = openpyxl.load_workbook(program)
    sheet = book[settings.tabs.committee]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        email = row[header.index("Mentee Email")].value
        for column, value in edits.get(email, {}).items():
            row[header.index(column)].value = value
    book.save(program)


MENTEES_AND_MENTORS = (
    [mentee("ana@m.org"), mentee("bo@m.org", subjects="Engineering")],
    [mentor("tom@t.org"), mentor("uma@u.org", subjects="Engineering")],
)


# Two mentees and two mentors who pair up ana-tom and bo-uma, matched.
PEOPLE = (
    [mentee("ana@m.org", name="Ana Ruiz"), mentee("bo@m.org", subjects="Engineering")],
    [mentor("tom@t.org", name="Tom Ng"), mentor("uma@u.org", subjects="Engineering")],
)


@pytest.fixture
def program(tmp_path, settings_file):
    """A matched program of PEOPLE: (workbook path, settings)."""
    settings = load_settings(settings_file)
    path = program_workbook(tmp_path / "program.xlsx", settings, *PEOPLE)
    match(path, settings)
    return path, settings


@pytest.fixture
def server():
    inbox = Inbox()
    controller = Controller(  # a real SMTP server on loopback
        inbox, hostname="127.0.0.1", port=free_port()
    )
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        if inbox.gate is not None:
            inbox.gate.set()
        controller.stop()


@pytest.fixture
def smtp_program(tmp_path, server):
    """Two approved pairs whose emails go to the loopback server: (settings path, workbook,
    settings)."""
    _, port = server
    return smtp_program_at(tmp_path, port, ("ana@m.org", "bo@m.org"))


def smtp_program_at(tmp_path: Path, port: int, approve: Sequence[str], people=PEOPLE):
    """A matched program of `people` (mentees, mentors) sending through SMTP on loopback
    `port`, with the pairs of the mentees `approve` approved: (settings path, workbook,
    settings)."""
    path = tmp_path / "settings.toml"
    path.write_text(
        '[spreadsheet]\npath = "program.xlsx"\n'
        '[email]\nsender = "smtp"\n'
        f'[email.smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\ntimeout = 5\n',
        encoding="utf-8",
    )
    settings = load_settings(path)
    workbook = program_workbook(tmp_path / "program.xlsx", settings, *people)
    match(workbook, settings)
    set_committee_cells(workbook, settings, {email: {"Status": "Approved"} for email in approve})
    return path, workbook, settings


@pytest.fixture
def year(program, settings_file):
    """Both pairs of the matched program approved and introduced on DAY0: (settings file,
    workbook). Digests are off unless a test turns them on."""
    from tests.fakes.checkin_year import DAY0, link_the_checkin_form  # it uses this module

    path, settings = program
    set_committee_cells(
        path,
        settings,
        {e: {"Status": "Approved", "Introduced On": DAY0} for e in ("ana@m.org", "bo@m.org")},
    )
    add_settings(settings_file, '\n[health]\ndigest = "off"\n')
    link_the_checkin_form(path)
    return settings_file, path


OWN_PROGRAM = {
    "name": "Riverside Library Mentoring",
    "committee_email": "mentoring@riverside-library.org",
    "from_name": "Riverside Mentoring Committee",
}


def own_program(settings_path: Path) -> None:
    """Give the settings a program's own name, committee address and sender's name, where
    they had the demo's sample ones (which doctor asks to change)."""
    text = settings_path.read_text(encoding="utf-8")
    sender = f'from_name = "{OWN_PROGRAM["from_name"]}"\n'
    if "[email]\n" in text:
        text = text.replace("[email]\n", f"[email]\n{sender}", 1)
    else:
        text += f"[email]\n{sender}"
    program = (
        f'[program]\nname = "{OWN_PROGRAM["name"]}"\n'
        f'committee_email = "{OWN_PROGRAM["committee_email"]}"\n'
    )
    settings_path.write_text(program + text, encoding="utf-8")
