"""A spreadsheet in memory, for tests of the core and the jobs that are not about the
workbook or Google: tabs as tables, changed by the same edits every adapter applies
(mentoring.sheet.apply_edits), and found by name as the adapters find them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime

from mentoring.sheet import Cell, TabEdits, Table, apply_edits, table_from_cells
from sync.spreadsheet import tab_title


class MemorySpreadsheet:
    """The Spreadsheet protocol (sync/spreadsheet.py) over a dict of tables; counts reads and writes."""

    def __init__(self, tabs: Mapping[str, Sequence[Sequence[Cell]]] | None = None):
        self.tables: dict[str, Table] = {
            name: table_from_cells(
                name,
                {
                    (r, c): value
                    for r, row in enumerate(rows, start=1)
                    for c, value in enumerate(row, start=1)
                },
            )
            for name, rows in (tabs or {}).items()
        }
        self.kept: list[TabEdits] = []  # written `later`, saved with the next write or flush
        self.reads = self.writes = 0

    def read(self, tabs: Sequence[str], fresh: bool = False) -> dict[str, Table]:
        self.reads += 1
        tables = self._with(self.kept)
        found = {}
        for name in tabs:
            title = tab_title(name, list(tables), lambda: None, (), set())
            if title is not None:
                found[name] = tables[title]
        return found

    def tab_names(self) -> list[str]:
        return list(self._with(self.kept))

    def write(self, edits: Sequence[TabEdits], later: bool = False) -> None:
        if not any(edits):
            return  # as the adapters do: nothing to write saves nothing (flush does)
        edits = [replace(e, cells={k: _as_stored(v) for k, v in e.cells.items()}) for e in edits]
        if later:
            self._with([*self.kept, *edits])  # fails now, as the adapters do, if it would fail
            self.kept.extend(edits)
            return
        self._save(edits)

    def flush(self) -> None:
        if self.kept:
            self._save([])

    def _save(self, edits: Sequence[TabEdits]) -> None:
        self.tables = self._with([*self.kept, *edits])  # all or nothing
        self.kept = []
        self.writes += 1

    def rows(self, tab: str) -> list[dict[str, Cell]]:
        """A tab's rows as dictionaries by header."""
        table = self.tables[tab]
        return [dict(zip(table.header, row.cells, strict=False)) for row in table.rows]

    def _with(self, edits: Sequence[TabEdits]) -> dict[str, Table]:
        tables = dict(self.tables)
        for tab_edits in edits:
            title = tab_title(tab_edits.tab, list(tables), lambda: None, (), set())
            name = title or tab_edits.tab
            tables[name] = apply_edits(tables.get(name), tab_edits)
        return tables


def _as_stored(value: Cell) -> Cell:
    """A value as a spreadsheet keeps it: a cell has no date-only type, so a date is read
    back as midnight of that day, as from .xlsx."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value
