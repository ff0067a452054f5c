"""Tabs the tool rewrites whole on every run, such as Intake Issues."""

from __future__ import annotations

from collections.abc import Sequence

from mentoring.intake import IntakeIssue
from mentoring.sheet import Cell, TabEdits, Table, is_blank, is_new_tab, same_value

INTAKE_COLUMNS = ("Tab", "Row", "Person", "Problem")


def rewrite_tab(
    existing: Table | None, tab: str, header: Sequence[str], rows: Sequence[Sequence[Cell]]
) -> TabEdits:
    """The edits that make `tab` hold exactly `header` and `rows`, touching only what differs."""
    wanted: list[list[Cell]] = [list(header), *(list(row) for row in rows)]
    old: dict[tuple[int, int], Cell] = {}
    if existing is not None:
        old.update({(1, c + 1): v for c, v in enumerate(existing.header)})
        for row in existing.rows:
            old.update({(row.number, c + 1): v for c, v in enumerate(row.cells)})
    cells = {
        (r, c): value
        for r, values in enumerate(wanted, start=1)
        for c, value in enumerate(values, start=1)
        if not same_value(old.get((r, c)), value)
    }
    # Cells right of the header in rows that stay, and every row below, are emptied.
    cells.update(
        {
            key: None
            for key, value in old.items()
            if key[0] <= len(wanted) and key[1] > len(header) and not is_blank(value)
        }
    )
    last_row = existing.last_row if existing is not None else 0
    clear_from = len(wanted) + 1 if last_row > len(wanted) else None
    return TabEdits(tab, cells, clear_from=clear_from)


def intake_issues_tab(existing: Table | None, tab: str, issues: Sequence[IntakeIssue]) -> TabEdits:
    is_new_tab(existing, INTAKE_COLUMNS, "Intake Issues")
    ordered = sorted(issues, key=lambda i: (i.tab, i.row, i.problem))
    return rewrite_tab(
        existing, tab, INTAKE_COLUMNS, [(i.tab, i.row, i.person, i.problem) for i in ordered]
    )
