"""The workbook adapter: all-or-nothing writes, text that stays text, edits it must not lose."""

import openpyxl
import pytest

from mentoring.sheet import TabEdits
from sync.base import SpreadsheetError
from sync.workbook import WorkbookSpreadsheet, create_workbook


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "book.xlsx"
    create_workbook(path, {"Data": [["Name", "Note"], ["Ana", "=1+1"], [None, None], ["Bo", 3]]})
    return path


def test_reads_by_row_number_skipping_blank_rows(book):
    (table,) = WorkbookSpreadsheet(book).read(["Data", "Missing"]).values()
    assert table.header == ("Name", "Note")
    assert [(r.number, r.cells) for r in table.rows] == [(2, ("Ana", "=1+1")), (4, ("Bo", 3))]
    assert table.last_row == 4


def test_writes_create_tabs_and_keep_other_cells(book):
    sheet = WorkbookSpreadsheet(book)
    sheet.read(["Data"])
    sheet.write(
        [
            TabEdits("Data", {(4, 2): "+44 20 7946 0000"}),
            TabEdits("New", {(1, 1): "Status"}, {1: ("A", "B")}),
        ]
    )
    reloaded = openpyxl.load_workbook(book)
    assert [[c.value for c in row] for row in reloaded["Data"].iter_rows()] == [
        ["Name", "Note"],
        ["Ana", "=1+1"],
        [None, None],
        ["Bo", "+44 20 7946 0000"],
    ]
    assert reloaded["Data"]["B4"].data_type == "s" and reloaded["Data"]["B4"].quotePrefix
    (rule,) = reloaded["New"].data_validations.dataValidation
    assert rule.formula1 == '"A,B"' and str(rule.sqref) == "A2:A5000"


def test_a_change_made_while_the_job_ran_is_not_overwritten(book):
    sheet = WorkbookSpreadsheet(book)
    sheet.read(["Data"])
    other = openpyxl.load_workbook(book)
    other["Data"]["A5"] = "added by a committee member"
    other.save(book)
    with pytest.raises(SpreadsheetError, match="changed while mentor-sync was running"):
        sheet.write([TabEdits("Data", {(2, 1): "Ana Silva"})])
    assert openpyxl.load_workbook(book)["Data"]["A5"].value == "added by a committee member"


def test_a_failed_save_leaves_the_old_file_whole(book, monkeypatch):
    before = book.read_bytes()
    sheet = WorkbookSpreadsheet(book)
    sheet.read(["Data"])

    def broken_save(self, filename):
        with open(filename, "wb") as half:
            half.write(b"PK half a file")
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        sheet.write([TabEdits("Data", {(2, 1): "Ana Silva"})])
    assert book.read_bytes() == before
    assert [p.name for p in book.parent.iterdir()] == ["book.xlsx"]


def test_clearing_rows_below(book):
    sheet = WorkbookSpreadsheet(book)
    sheet.read(["Data"])
    sheet.write([TabEdits("Data", {}, clear_from=3)])
    table = WorkbookSpreadsheet(book).read(["Data"])["Data"]
    assert [r.cells[0] for r in table.rows] == ["Ana"]
