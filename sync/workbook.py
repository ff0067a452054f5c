"""The embedded default backend: a local .xlsx workbook read and written with openpyxl."""

from __future__ import annotations

import os
import stat
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from mentoring.errors import ConfigError
from mentoring.sheet import Cell, Row, TabEdits, Table, is_blank
from sync.base import SpreadsheetError

# Text starting with one of these is a formula to a spreadsheet program that
# re-reads the cell; it is stored as text and marked so that it stays text.
FORMULA_STARTS = ("=", "+", "-", "@")
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
DAY_FORMAT = "yyyy-mm-dd"
_VALIDATED_ROWS = 5000


class WorkbookSpreadsheet:
    """A local .xlsx file. Reads load it once; a write saves a new file and swaps it in."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._book: Workbook | None = None
        self._stamp: tuple[int, int] | None = None

    def read(self, tabs: Sequence[str], fresh: bool = False) -> dict[str, Table]:
        if fresh:
            self._book = None  # the change stamp stays: a save in between is still refused
        book = self._load()
        cached: Workbook | None = None
        tables = {}
        for name in tabs:
            if name not in book.sheetnames:
                continue
            table = _table(book[name])
            formulas = _formula_cells(book[name], table)
            if formulas:
                # A formula's answer is its last computed value, which Excel and
                # Google save beside it; the formula itself stays for writing.
                cached = cached or open_workbook(self.path, values_only=True)
                table = _with_values(table, formulas, cached[name])
            tables[name] = table
        return tables

    def tab_names(self) -> list[str]:
        return list(self._load().sheetnames)

    def write(self, edits: Sequence[TabEdits]) -> None:
        edits = [e for e in edits if e]
        if not edits:
            return
        book = self._load()
        if self._stamp != _stamp(self.path):
            raise SpreadsheetError(
                f"{self.path} changed while mentor-sync was running (did someone save it?);"
                " nothing was written: run the job again"
            )
        for tab_edits in edits:
            _check_not_merged(book, tab_edits)
        try:
            for tab_edits in edits:
                _apply(book, tab_edits)
            save_atomically(book, self.path)
        finally:
            self._book = None  # after a failure, never save half-applied edits later
        self._stamp = _stamp(self.path)

    def _load(self) -> Workbook:
        if self._book is None:
            if self._stamp is None:
                # The file as this run first saw it (or as its last write left it):
                # a reload after a write must not hide a save made in between.
                self._stamp = _stamp(self.path)
            self._book = open_workbook(self.path)
        return self._book


def open_workbook(path: Path, values_only: bool = False) -> Workbook:
    """Load `path`; raises ConfigError if it is missing, SpreadsheetError if unreadable.

    With `values_only`, formula cells hold their last computed value instead.
    """
    if not path.exists():
        raise ConfigError(
            f"no workbook at {path}; check the path ([spreadsheet] path in the settings, or"
            " --workbook), or run 'mentor-sync demo' to try the tool on sample data"
        )
    try:
        return openpyxl.load_workbook(path, data_only=values_only)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise SpreadsheetError(
            f"cannot read {path} as an .xlsx workbook ({exc}); save it as Excel .xlsx"
            " (in Google Sheets: File > Download > Microsoft Excel)"
        ) from exc


def create_workbook(path: Path, tabs: Mapping[str, Sequence[Sequence[Cell]]]) -> None:
    """Write a new workbook whose tabs hold the given rows, the first row being the header."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in tabs.items():
        sheet = book.create_sheet(name)
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values, start=1):
                set_cell(sheet, r, c, value)
        if rows:
            _style_header(sheet, len(rows[0]))
    save_atomically(book, path)


def set_cell(sheet: Worksheet, row: int, column: int, value: Cell) -> None:
    """Set a cell so that text is always text, never a live formula."""
    target = sheet.cell(row=row, column=column)
    target.value = value
    if isinstance(value, str):
        target.data_type = "s"
        target.quotePrefix = value.startswith(FORMULA_STARTS)
    elif isinstance(value, datetime):
        target.number_format = DATE_FORMAT
    elif isinstance(value, date):
        target.number_format = DAY_FORMAT


def save_atomically(book: Workbook, path: Path) -> None:
    """Save beside `path`, then swap the new file in: a crash never leaves half a file.

    The file keeps its permissions, and a link is followed so the file it points to is replaced.
    """
    target = path.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=".mentor-sync-", suffix=".xlsx", dir=target.parent
        )
        os.close(handle)
        book.save(temporary)
        os.chmod(temporary, _mode_for(target))
        os.replace(temporary, target)
    except OSError as exc:
        hint = " if it is open in Excel, close it and" if isinstance(exc, PermissionError) else ""
        raise SpreadsheetError(f"cannot save {path} ({exc});{hint} run again") from exc
    finally:
        if temporary and os.path.exists(temporary):
            os.unlink(temporary)


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _table(sheet: Worksheet) -> Table:
    rows = sheet.iter_rows(values_only=True)
    first = next(rows, ())
    header = tuple("" if v is None else str(v).strip() for v in first)
    kept, last = [], 1
    for number, values in enumerate(rows, start=2):
        if all(is_blank(v) for v in values):
            continue
        kept.append(Row(number, tuple(values)))
        last = number
    return Table(sheet.title, header, tuple(kept), last)


def _formula_cells(sheet: Worksheet, table: Table) -> list[tuple[int, int]]:
    """(row, column) of the formula cells among the table's cells, both 1-based."""
    return [
        (number, column)
        for number, cells in ((1, table.header), *((r.number, r.cells) for r in table.rows))
        for column, value in enumerate(cells, start=1)
        if isinstance(value, str)
        and value.startswith("=")
        and sheet.cell(row=number, column=column).data_type == "f"
    ]


def _with_values(table: Table, formulas: Sequence[tuple[int, int]], values: Worksheet) -> Table:
    replace = {(r, c): values.cell(row=r, column=c).value for r, c in formulas}

    def cells(number: int, row: Sequence[Cell]) -> tuple[Cell, ...]:
        return tuple(replace.get((number, c), v) for c, v in enumerate(row, start=1))

    rows = tuple(Row(r.number, cells(r.number, r.cells)) for r in table.rows)
    header = tuple("" if v is None else str(v).strip() for v in cells(1, table.header))
    return Table(table.name, header, rows, table.last_row)


def _check_not_merged(book: Workbook, edits: TabEdits) -> None:
    if edits.tab not in book.sheetnames:
        return
    sheet = book[edits.tab]
    if edits.insert_columns and sheet.merged_cells.ranges:
        raise SpreadsheetError(
            f"tab '{edits.tab}' has merged cells, and the tool needs to add a column to it;"
            " unmerge them and run again (nothing was written)"
        )
    for row, column in edits.cells:
        target = sheet.cell(row=row, column=column)
        if isinstance(target, MergedCell):
            raise SpreadsheetError(
                f"cell {target.coordinate} of tab '{edits.tab}' is part of merged cells, which"
                " the tool cannot write; unmerge them and run again (nothing was written)"
            )


def _apply(book: Workbook, edits: TabEdits) -> None:
    created = edits.tab not in book.sheetnames
    sheet = book.create_sheet(edits.tab) if created else book[edits.tab]
    for column in edits.insert_columns:
        _insert_column(sheet, column)
    if edits.clear_from is not None and sheet.max_row >= edits.clear_from:
        sheet.delete_rows(edits.clear_from, sheet.max_row - edits.clear_from + 1)
    for (row, column), value in sorted(edits.cells.items()):
        set_cell(sheet, row, column, value)
    if created:
        _style_header(sheet, sheet.max_column)
        for column, options in edits.choices.items():
            letter = get_column_letter(column)
            rule = DataValidation(
                type="list", formula1='"' + ",".join(options) + '"', allow_blank=True
            )
            rule.add(f"{letter}2:{letter}{_VALIDATED_ROWS}")
            sheet.add_data_validation(rule)


def _insert_column(sheet: Worksheet, column: int) -> None:
    """Insert an empty column, moving drop-down lists along with the columns they belong to."""
    sheet.insert_cols(column)
    for rule in sheet.data_validations.dataValidation:
        for area in rule.sqref.ranges:
            if area.min_col >= column:
                area.shift(col_shift=1)
            elif area.max_col >= column:
                area.expand(right=1)


def _style_header(sheet: Worksheet, width: int) -> None:
    sheet.freeze_panes = "A2"
    for column in range(1, width + 1):
        sheet.cell(row=1, column=column).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column)].width = 24


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_mtime_ns, info.st_size
