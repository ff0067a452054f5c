"""Spreadsheet contents as plain values: what adapters read and what jobs write.

A `Table` is one tab read by header. `TabEdits` are the cells a job changes in
one tab; adapters apply all of a job's edits in one write, so a failure never
leaves half a tab.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from mentoring.errors import ConfigError, did_you_mean


@dataclass(frozen=True)
class Unknown:
    """A cell whose value cannot be known: a formula the file holds without its last value.

    Excel and Google save a formula's value beside it, but a file saved by openpyxl (as
    the tool saves the workbook) keeps only the formula. Such a cell reads as its formula
    text, and whoever decides on it says so rather than taking it for blank.
    """

    formula: str

    def __str__(self) -> str:
        return self.formula


Cell = str | int | float | bool | datetime | date | Unknown | None
# How a job's refusal over a tab ends (doctor, which writes nothing anyway, leaves it out).
NOTHING_DONE = "Nothing was written or sent"

_SPACES = re.compile(r"\s+")


def header_key(text: object) -> str:
    """Fold a header for comparison: trimmed, inner white space collapsed, case-folded."""
    return _collapsed(str(text or "")).casefold()


def _collapsed(text: str) -> str:
    """`text` trimmed, each run of white space one space. Most texts are that already: a
    printable text has no white space but the space, so it is checked without the regex."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return _SPACES.sub(" ", text).strip()


def is_blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass(frozen=True)
class Row:
    """One row of a tab: its 1-based row number on the sheet and its cells."""

    number: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    """One tab: its header row (row 1) and the non-blank rows below it."""

    name: str
    header: tuple[str, ...]
    rows: tuple[Row, ...]
    last_row: int = 1

    def column(self, header: str) -> int | None:
        """The 0-based index of the first column with this header, or None."""
        wanted = header_key(header)
        for index, text in enumerate(self.header):
            if header_key(text) == wanted:
                return index
        return None

    def require(self, header: str, *, what: str, fix: str) -> int:
        """The 0-based index of `header`, or a ConfigError that suggests the closest one.

        `what` says what the column is for, `fix` what a person should do.
        """
        index = self.column(header)
        if index is None:
            hint = did_you_mean(header, self.header) or "."
            raise ConfigError(f"no column '{header}' ({what}) in tab '{self.name}'{hint} {fix}")
        return index


class TabShapeError(ConfigError):
    """Raised when a tab the tool writes does not have its header in row 1 (a row inserted
    above it, the header cleared): taken as a new tab, it would be rewritten and the
    committee's texts would land on other rows, so the job refuses and writes nothing."""


def is_new_tab(table: Table | None, columns: Sequence[str], what: str) -> bool:
    """Whether `table`, a tab the tool writes with these `columns`, is still to be made
    (absent, or without a single filled cell). A tab whose row 1 has text is not new: its
    header is checked column by column where it is read.

    Raises TabShapeError, naming the tab and the row where its header went, when the tab
    has text but row 1 is blank, or when its header is found in a row below row 1.
    """
    if table is None or (not any(table.header) and not table.rows):
        return True
    if looks_like_header(table.header, columns):
        return False
    below = next((r.number for r in table.rows if looks_like_header(r.cells, columns)), None)
    if below is not None:
        raise TabShapeError(
            f"tab '{table.name}' ({what}) has its header in row {below}, not in row 1 (a row"
            f" was inserted above it, or the rows were moved); delete the rows above the"
            f" header so that it is row 1 again. {NOTHING_DONE}"
        )
    if not any(table.header):
        raise TabShapeError(
            f"row 1 of tab '{table.name}' ({what}) is empty, but the tab is not; put its"
            f" header back in row 1 ({', '.join(columns)}), for example with Undo. {NOTHING_DONE}"
        )
    return False


def looks_like_header(cells: Sequence[Cell], columns: Sequence[str]) -> bool:
    """Whether a row holds at least two of the tab's column names (all, for a smaller tab)."""
    wanted = {header_key(c) for c in columns}
    have = {header_key(v) for v in cells if isinstance(v, str)}
    return len(wanted & have) >= min(2, len(wanted))


def cell(row: Row, index: int | None) -> Cell:
    if index is None or index >= len(row.cells):
        return None
    return row.cells[index]


def cell_text(row: Row, index: int | None) -> str:
    """A cell as one line of text, white space collapsed ("" for a blank or missing cell)."""
    value = cell(row, index)
    return "" if is_blank(value) else _collapsed(str(value))


@dataclass(frozen=True)
class TabEdits:
    """The cells one job sets in one tab; `cells` maps (row, column), both 1-based, to a value.

    `choices` names columns (1-based) whose cells should offer a drop-down list;
    adapters apply it when they create the tab. `clear_from` asks the adapter to
    empty every row from that number down (for tabs the tool rewrites whole).
    `insert_columns` are 1-based positions where an empty column is inserted
    first, moving the columns from there one to the right; `cells` already use
    the new positions.
    """

    tab: str
    cells: Mapping[tuple[int, int], Cell]
    choices: Mapping[int, Sequence[str]] = field(default_factory=dict)
    clear_from: int | None = None
    insert_columns: tuple[int, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.cells) or self.clear_from is not None or bool(self.insert_columns)


def same_value(old: Cell, new: Cell) -> bool:
    """Whether writing `new` over `old` would change what the committee sees."""
    if is_blank(old) and is_blank(new):
        return True
    if isinstance(old, int | float) and isinstance(new, int | float):
        return float(old) == float(new)
    return old == new


def apply_edits(table: Table | None, edits: TabEdits) -> Table:
    """The tab as it reads after `edits`, as every adapter applies them: columns inserted,
    rows from `clear_from` emptied, then the cells set. `table` None is a new tab."""
    grid: dict[tuple[int, int], Cell] = {}
    if table is not None:
        for column, title in enumerate(table.header, start=1):
            grid[1, column] = title
        for row in table.rows:
            for column, value in enumerate(row.cells, start=1):
                grid[row.number, column] = value
    for inserted in edits.insert_columns:
        grid = {(r, c + (c >= inserted)): v for (r, c), v in grid.items()}
    if edits.clear_from is not None:
        grid = {(r, c): v for (r, c), v in grid.items() if r < edits.clear_from}
    grid.update(edits.cells)
    return table_from_cells(table.name if table else edits.tab, grid)


def table_from_cells(name: str, grid: Mapping[tuple[int, int], Cell]) -> Table:
    """A tab from its cells by (row, column), both 1-based; blank rows below the header
    are left out, as when reading a sheet."""
    width = max((c for (_, c), v in grid.items() if not is_blank(v)), default=0)
    height = max((r for (r, _), v in grid.items() if not is_blank(v)), default=1)

    def row(number: int) -> tuple[Cell, ...]:
        return tuple(grid.get((number, c)) for c in range(1, width + 1))

    header = tuple("" if v is None else str(v).strip() for v in row(1))
    rows = tuple(
        Row(number, cells)
        for cells, number in ((row(n), n) for n in range(2, height + 1))
        if not all(is_blank(v) for v in cells)
    )
    return Table(name, header, rows, max(height, 1))
