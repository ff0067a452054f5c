"""What people do to the workbook between runs, done with openpyxl as Excel would do it, and
a count of what a real SMTP server received, for the tests of "never twice, never lost"."""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import openpyxl
from openpyxl.workbook.defined_name import DefinedName

from mentoring.sheet import Cell
from tests.fakes.commands import invoke_on
from tests.fakes.smtp_server import Inbox

invoke = invoke_on  # the command line, in this process, on a day


def deliveries(inbox: Inbox) -> Counter:
    """How many times the server took each email, by Message-ID."""
    return Counter(str(message["Message-ID"]) for _, message in inbox.received)


def insert_row_above(path: Path, tab: str) -> None:
    book = openpyxl.load_workbook(path)
    book[tab].insert_rows(1)
    book.save(path)


def clear_row_1(path: Path, tab: str) -> None:
    book = openpyxl.load_workbook(path)
    for cell in book[tab][1]:
        cell.value = None
    book.save(path)


def _rename(book: openpyxl.Workbook, old: str, new: str) -> None:
    # openpyxl takes a new title that differs only in case for a clash with the old one.
    book[old].title = ".renaming"
    book[".renaming"].title = new


def rename_as_excel_does(path: Path, old: str, new: str) -> None:
    """Rename a tab as Excel and LibreOffice do: the workbook's defined names that point at
    it follow it."""
    book = openpyxl.load_workbook(path)
    _rename(book, old, new)
    for name, defined in list(book.defined_names.items()):
        if f"'{old}'!" in defined.attr_text or f"{old}!" in defined.attr_text:
            text = defined.attr_text.replace(f"'{old}'!", f"'{new}'!")
            book.defined_names[name] = DefinedName(name, attr_text=text)
    book.save(path)


def rename_leaving_markers(path: Path, old: str, new: str) -> None:
    """Rename a tab with a tool that does not update the defined names."""
    book = openpyxl.load_workbook(path)
    _rename(book, old, new)
    book.save(path)


def set_cells(path: Path, tab: str, key_column: str, edits: Mapping[str, Mapping[str, Cell]]):
    """Edit a tab by the value in `key_column` and by header, as a committee member would."""
    book = openpyxl.load_workbook(path)
    sheet = book[tab]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        for column, value in edits.get(row[header.index(key_column)].value, {}).items():
            row[header.index(column)].value = value
    book.save(path)


def formula_as_excel_saves_it(
    path: Path, tab: str, key: tuple[str, str], column: str, formula: str, value: str
):
    """Type `formula` into `column` of the row whose `key` column holds `key[1]`, and save
    it with its value beside it, as Excel and LibreOffice do (openpyxl writes no value)."""
    set_cells(path, tab, key[0], {key[1]: {column: formula}})
    book = openpyxl.load_workbook(path)
    sheet = book[tab]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index(key[0])].value == key[1])
    ref = row[header.index(column)].coordinate
    index = book.sheetnames.index(tab)
    with zipfile.ZipFile(path) as original:
        files = {name: original.read(name) for name in original.namelist()}
    name = f"xl/worksheets/sheet{index + 1}.xml"
    xml = files[name].decode()
    cell = re.search(rf'<c r="{ref}"[^>]*>(.*?)</c>', xml)
    assert cell is not None, f"no {ref} in {name}"
    escaped = (
        formula.removeprefix("=").replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    )
    saved = f'<c r="{ref}" t="str"><f>{escaped}</f><v>{value}</v></c>'
    files[name] = (xml[: cell.start()] + saved + xml[cell.end() :]).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as rewritten:
        for file, data in files.items():
            rewritten.writestr(file, data)


def apply_again(path: Path, tab: str, email: str, new_email: str) -> None:
    """The person of `email` answers the form again, the same, from `new_email` (a new row
    below the others, as Google Forms appends it)."""
    book = openpyxl.load_workbook(path)
    sheet = book[tab]
    header = [c.value for c in sheet[1]]
    column = header.index("Email Address")
    row = next(r for r in sheet.iter_rows(min_row=2) if r[column].value == email)
    sheet.append([c.value for c in row])
    sheet.cell(sheet.max_row, column + 1).value = new_email
    book.save(path)


def rows_of(path: Path, tab: str, key_column: str) -> dict[str, dict[str, Cell]]:
    sheet = openpyxl.load_workbook(path)[tab]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    found = [dict(zip(header, row, strict=False)) for row in rows[1:] if any(row)]
    return {row[key_column]: row for row in found}
