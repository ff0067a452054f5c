"""`apply_edits`, with which the Google adapter keeps this run's tabs in step with its own
writes, gives the tab a real workbook reads back after the same write."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.sheet import TabEdits, Table, apply_edits, is_blank
from sync.workbook import WorkbookSpreadsheet, create_workbook

values = st.one_of(st.none(), st.text("ab =", max_size=3), st.integers(0, 9))
grids = st.lists(st.lists(values, min_size=1, max_size=4), min_size=1, max_size=5)
cells = st.dictionaries(st.tuples(st.integers(1, 7), st.integers(1, 5)), values, max_size=8)


def trimmed(table: Table) -> tuple:
    """A table without the trailing empty cells whose count depends on the sheet's width."""

    def trim(row):
        row = [None if is_blank(v) else v for v in row]  # "" and None read alike
        while row and is_blank(row[-1]):
            row.pop()
        return tuple(row)

    return trim(table.header), tuple((r.number, trim(r.cells)) for r in table.rows), table.last_row


@settings(max_examples=40, deadline=None)
@given(
    grid=grids,
    changes=cells,
    clear_from=st.one_of(st.none(), st.integers(2, 6)),
    insert=st.lists(st.integers(1, 4), max_size=2),
)
def test_apply_edits_reads_as_the_workbook_does_after_the_write(
    tmp_path_factory, grid, changes, clear_from, insert
):
    path = tmp_path_factory.mktemp("edits") / "tab.xlsx"
    create_workbook(path, {"Tab": grid})
    before = WorkbookSpreadsheet(path).read(["Tab"])["Tab"]
    edits = TabEdits("Tab", changes, clear_from=clear_from, insert_columns=tuple(insert))
    WorkbookSpreadsheet(path).write([edits])
    after = WorkbookSpreadsheet(path).read(["Tab"])["Tab"]
    assert trimmed(apply_edits(before, edits)) == trimmed(after)


def test_a_new_tab_is_its_cells():
    table = apply_edits(None, TabEdits("New", {(1, 1): "Key", (1, 2): "Status", (3, 1): "k"}))
    assert (table.header, table.rows[0].number, table.rows[0].cells) == (
        ("Key", "Status"),
        3,
        ("k", None),
    )
