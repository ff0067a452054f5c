"""The embedded default backend: a local .xlsx workbook read and written with openpyxl."""

from __future__ import annotations

import gc
import io
import os
import stat
import sys
import traceback
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from functools import partial
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook import Workbook
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from mentoring.errors import ConfigError
from mentoring.sheet import Cell, Row, TabEdits, Table, Unknown, is_blank
from sync.files import replace_file
from sync.spreadsheet import SpreadsheetError, tab_title

try:  # the fast save uses openpyxl's internals; another openpyxl may not have them
    from sync.xlsx import SheetsXml, save_workbook
except ImportError:  # pragma: no cover - only with an openpyxl this code was not made for
    SheetsXml = dict  # type: ignore[misc]  # the alias's fallback: a plain dict

    def save_workbook(book: Workbook, file: io.BytesIO, kept: SheetsXml) -> SheetsXml:
        """openpyxl's own save: every tab written anew, none kept."""
        book.save(file)
        return {}


# Text starting with one of these is a formula to a spreadsheet program that
# re-reads the cell; it is stored as text and marked so that it stays text.
FORMULA_STARTS = ("=", "+", "-", "@")
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
DAY_FORMAT = "yyyy-mm-dd"
_VALIDATED_ROWS = 5000


class WorkbookSpreadsheet:
    """A local .xlsx file, loaded once for a job: its reads come from the loaded workbook,
    and a write applies the edits to it and saves a new file, swapped in. A save someone
    made meanwhile is told by the file's stamp (change time and size): a write then
    refuses, and a fresh read loads the file again.

    `tool_tabs` maps the name of each tab the tool writes to its role. Each such tab
    carries a marker, a defined name of the workbook ("mentor_sync_tab_email_log"), which
    Excel and LibreOffice update when a tab is renamed: a renamed tool tab is found again
    by it, never started anew. Tab names are matched as headers are, ignoring case and
    extra spaces.
    """

    def __init__(self, path: Path, tool_tabs: Mapping[str, str] | None = None):
        self.path = Path(path)
        self.tool_tabs = dict(tool_tabs or {})
        self._book: Workbook | None = None
        self._stamp: tuple[int, int] | None = None
        self._tables: dict[str, Table] = {}  # tabs read since the book was loaded or written
        self._saved = False  # this job saved the file: formula values are only in memory
        self._pending = False  # edits applied to the loaded workbook, not saved yet
        # Tabs edited since the book was loaded: the file's formula values no longer sit at
        # their cells there (a column inserted moves them), so they are not read from it.
        self._edited: set[str] = set()
        self._told: set[str] = set()
        # Formula values as read before this run's own saves (which keep the formulas but
        # not their values): the same formula in the same cell reads the same for the run.
        self._values: dict[tuple[str, int, int, str], Cell] = {}
        # The XML of each tab as this job last saved it, and the tabs touched since (edited,
        # or read: openpyxl's reading adds empty cells), whose XML is made anew.
        self._xml: SheetsXml = {}
        self._touched: set[str] = set()

    def read(self, tabs: Sequence[str], fresh: bool = False) -> dict[str, Table]:
        if fresh and self._book is not None and self._stamp != _stamp(self.path):
            # The tabs as they are now, a save by someone else included: the write that
            # follows goes by key onto what this read saw, and refuses a save after it.
            self._drop()
            self._stamp = None
        book = self._load()
        cached: Workbook | None = None
        tables = {}
        for name in tabs:
            title = self._title(book, name)
            if title is None:
                continue
            if title not in self._tables:
                self._touched.add(title)
                table = _table(book[title])
                formulas = _formula_cells(book[title], table)
                if formulas:
                    # A formula's answer is its last computed value, which Excel and Google
                    # save beside it (and openpyxl, which this job saves with, does not).
                    values = None
                    if not self._saved and title not in self._edited:
                        cached = cached or open_workbook(self.path, values_only=True)
                        values = cached[title]
                    table = _with_values(table, formulas, values, self._values)
                self._tables[title] = table
            tables[name] = self._tables[title]
        return tables

    def tab_names(self) -> list[str]:
        return list(self._load().sheetnames)

    def write(self, edits: Sequence[TabEdits], later: bool = False) -> None:
        edits = [e for e in edits if e]
        if not edits:
            return
        book = self._load()
        self._check_not_saved_meanwhile()
        edits = [replace(e, tab=self._title(book, e.tab) or e.tab) for e in edits]
        self._touched.update(e.tab for e in edits)
        self._edited.update(e.tab for e in edits)
        for tab_edits in edits:
            _check_not_merged(book, tab_edits)
        try:
            for tab_edits in edits:
                _apply(book, tab_edits)
                self._tables.pop(tab_edits.tab, None)
            self._mark(book)
        except BaseException:
            self._drop()  # never save half-applied edits later: the next use loads the file
            raise
        self._pending = True
        if not later:
            self.flush()

    def flush(self) -> None:
        """Save the workbook with every edit applied to it so far (once for a job)."""
        if not self._pending or self._book is None:
            return
        self._check_not_saved_meanwhile()
        book = self._book
        kept = {
            title: xml
            for title, xml in self._xml.items()
            if title not in self._touched and title in book and xml[0] is book[title]
        }
        try:
            self._xml = save_atomically(book, self.path, kept)
        except BaseException:
            self._drop()
            raise
        self._touched = set()
        # The loaded workbook is the file now: the job goes on with it, without loading.
        self._stamp, self._saved, self._pending = _stamp(self.path), True, False

    def close(self) -> None:
        """Let go of the loaded workbook, at the end of a job (edits not saved are dropped).
        Its cells and its tabs refer to each other, so that only a full run of the cycle
        collector would free them (the one at the exit of the command line, over everything
        else too); the cells are let go of here, and freed at once."""
        book = self._book
        self._drop()
        for sheet in book.worksheets if book is not None else ():
            sheet._cells.clear()

    def _check_not_saved_meanwhile(self) -> None:
        if self._stamp != _stamp(self.path):
            self._drop()
            raise SpreadsheetError(
                f"{self.path} changed while mentor-sync was running (did someone save it?);"
                " nothing was written: run the job again"
            )

    def _drop(self) -> None:
        self._book, self._tables, self._saved, self._pending = None, {}, False, False
        self._edited = set()
        self._xml, self._touched = {}, set()

    def _load(self) -> Workbook:
        if self._book is None:
            if self._stamp is None:
                # The file as this run first saw it (or as its last write left it):
                # a reload after a write must not hide a save made in between.
                self._stamp = _stamp(self.path)
            self._book = open_workbook(self.path)
        return self._book

    def _title(self, book: Workbook, name: str) -> str | None:
        again = partial(_marked, book, self.tool_tabs.get(name, ""))
        return tab_title(name, book.sheetnames, again, self.tool_tabs, self._told)

    def _mark(self, book: Workbook) -> None:
        """Give each tool tab its marker, pointing at the tab as it is now called."""
        for name, role in self.tool_tabs.items():
            title = self._title(book, name)
            if title is not None:
                marker = DefinedName(_MARKER + role, attr_text=f"{quote_sheetname(title)}!$A$1")
                book.defined_names[marker.name] = marker


_MARKER = "mentor_sync_tab_"


def _marked(book: Workbook, role: str) -> str | None:
    """The title of the tab whose marker is `role`'s, if the marker points at a tab."""
    marker = book.defined_names.get(_MARKER + role)
    if marker is None:
        return None
    try:
        titles = [title for title, _ in marker.destinations]
    except (ValueError, TypeError, AttributeError):  # a marker someone edited into nonsense
        return None
    return titles[0] if len(titles) == 1 and titles[0] in book.sheetnames else None


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
        with warnings.catch_warnings():
            # openpyxl warns of a date past its range, typed by hand: the jobs say in their
            # own words what in a row they cannot use. Its other warnings (parts of the file
            # it cannot keep) are left to be seen.
            warnings.filterwarnings(
                "ignore", message=r"Cell .* is marked as a date", category=UserWarning
            )
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
    """Set a cell so that text is always text, never a live formula (a formula whose value
    was unknown, moved by the tool, is written as its text)."""
    if isinstance(value, Unknown):
        value = str(value)
    target = sheet.cell(row=row, column=column)
    target.value = value
    if isinstance(value, str):
        target.data_type = "s"
        target.quotePrefix = value.startswith(FORMULA_STARTS)
    elif isinstance(value, datetime):
        target.number_format = DATE_FORMAT
    elif isinstance(value, date):
        target.number_format = DAY_FORMAT


def save_atomically(book: Workbook, path: Path, kept: SheetsXml | None = None) -> SheetsXml:
    """Save beside `path`, synced to disk, then swap the new file in: a crash never leaves
    half a file, and a disk that fills up fails the save cleanly (the workbook is built in
    memory first, so no half-written zip is left to complain when it is collected).

    The file keeps its permissions, and a link is followed so the file it points to is replaced.
    A tab in `kept` (unchanged since the save that wrote its XML) is saved with that XML; the
    XML of every plain tab of this save is returned, to keep for the next.
    """
    target = path.resolve()
    buffer = io.BytesIO()
    try:
        written = save_workbook(book, buffer, kept or {})
        replace_file(target, buffer.getvalue(), _mode_for(target))
    except OSError as exc:
        _let_go(exc)
        hint = " if it is open in Excel, close it and" if isinstance(exc, PermissionError) else ""
        raise SpreadsheetError(f"cannot save {path} ({exc});{hint} run again") from exc
    return written


def _let_go(exc: OSError) -> None:
    """Close what a failed save left open, quietly. openpyxl leaves the writer of the tab
    it was writing suspended in the traceback's frames; closed later by the garbage
    collector, it tries to finish its file on the full disk and Python prints "Exception
    ignored" with a traceback of it, long after the one line that says what happened."""
    traceback.clear_frames(exc.__traceback__)
    hook, sys.unraisablehook = sys.unraisablehook, lambda unraisable: None
    try:
        gc.collect()
    finally:
        sys.unraisablehook = hook


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


def _with_values(
    table: Table,
    formulas: Sequence[tuple[int, int]],
    values: Worksheet | None,
    known: dict[tuple[str, int, int, str], Cell],
) -> Table:
    """The table with each formula cell's saved value (from `values`, the file's, when it
    has them), or the value `known` from earlier in the run; a formula saved without one (as
    openpyxl saves them) becomes Unknown, never a blank. Values found are added to `known`."""
    read = {row.number: row.cells for row in table.rows} | {1: table.header}
    saved = {}
    for r, c in formulas:
        where = (table.name, r, c, str(read[r][c - 1]))
        value = values.cell(row=r, column=c).value if values is not None else None
        if value is None:
            value = known.get(where, Unknown(where[3]))
        else:
            known[where] = value
        saved[r, c] = value

    def cells(number: int, row: Sequence[Cell]) -> tuple[Cell, ...]:
        return tuple(saved.get((number, c), v) for c, v in enumerate(row, start=1))

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
