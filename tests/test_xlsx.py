"""Saving a workbook in less time than openpyxl, with what openpyxl's save would write: the
rows of plain tabs written as text, and the tabs a job has not touched since its last
save written with the XML of that save."""

import io
import zipfile
from datetime import date, datetime, time, timedelta

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.worksheet._writer import WorksheetWriter

import sync.xlsx
from mentoring.sheet import TabEdits
from sync.workbook import WorkbookSpreadsheet, create_workbook, set_cell
from sync.xlsx import _rows_as_openpyxl, _SheetWriter


def written(sheet, writer) -> tuple[bytes, str | None]:
    made = writer(sheet, io.BytesIO())
    made.write()
    return made.read(), getattr(made, "text", None)


def as_openpyxl_writes(sheet) -> tuple[bytes, bytes, bool]:
    """The tab as openpyxl writes it and as _SheetWriter does, and whether its rows were
    written as text (after a first write by openpyxl, which sets outlineLevelCol)."""
    written(sheet, WorksheetWriter)
    theirs, _ = written(sheet, WorksheetWriter)
    ours, text = written(sheet, _SheetWriter)
    return theirs, ours, text is not None


def test_plain_rows_are_written_as_text_exactly_as_openpyxl_writes_them():
    assert _rows_as_openpyxl()
    book = openpyxl.Workbook()
    sheet = book.active
    values = [
        "plain",
        " spaced ",
        "  ",
        "",
        "a & <b> > c \"q\" 'q'",
        "tab\tline\nbreak\r",
        "\xa0é😀",
    ]
    values += ["=SUM(A1) as text", "+44 20", 0, -7, 2.5, 1 / 3, 10**20, float("nan"), True, False]
    values += [datetime(2026, 11, 29, 8, 30, 15, 123456), date(1900, 2, 28), time(8, 30)]
    values += [timedelta(days=1, hours=2), None]
    for row in (2, 5):
        for column, value in enumerate(values, start=1):
            set_cell(sheet, row, column, value)
    sheet.cell(row=1, column=1, value="Header").font = Font(bold=True)
    sheet.cell(row=3, column=4).font = Font(italic=True)  # styled, no value
    sheet.row_dimensions[7].height = 30  # a row with a height and no cells
    sheet.merge_cells("A9:C10")
    theirs, ours, as_text = as_openpyxl_writes(sheet)
    assert as_text and ours == theirs


def test_a_tab_with_a_formula_a_comment_or_a_link_is_written_by_openpyxl():
    for extra in ("formula", "comment", "link"):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet["A1"], sheet["B2"] = "Name", 3
        if extra == "formula":
            sheet["C3"] = "=B2*2"
        elif extra == "comment":
            sheet["A1"].comment = Comment("a note", "committee")
        else:
            sheet["A1"].hyperlink = "https://example.org"
        theirs, ours, as_text = as_openpyxl_writes(sheet)
        assert not as_text and ours == theirs


def test_a_second_save_writes_an_untouched_tab_with_the_xml_of_the_first(tmp_path, monkeypatch):
    path = tmp_path / "book.xlsx"
    rows = [["Email", "Note"], *([f"p{n}@example.org", n] for n in range(50))]
    create_workbook(path, {"Responses": rows, "Log": [["Key", "Status"]], "Other": [["A"]]})
    kept_by_save = []
    save = sync.xlsx.save_workbook

    def spy(book, file, kept):
        kept_by_save.append(sorted(kept))
        return save(book, file, kept)

    monkeypatch.setattr("sync.workbook.save_workbook", spy)
    sheet = WorkbookSpreadsheet(path)
    sheet.read(["Responses", "Log"])
    sheet.write([TabEdits("Log", {(2, 1): "k1", (2, 2): "sending"})])
    sheet.read(["Other"])  # read after the first save: written anew by the second
    sheet.write([TabEdits("Log", {(2, 2): "sent"})])
    assert kept_by_save == [[], ["Responses"]]
    saved = openpyxl.load_workbook(path)
    assert [c.value for c in saved["Log"][2]] == ["k1", "sent"]
    assert saved["Responses"].cell(row=51, column=1).value == "p49@example.org"

    # Every part as openpyxl's own save of the same workbook writes it, but for the default
    # outlineLevelCol="0" openpyxl adds when it writes a tab a second time.
    def usual(xml: bytes) -> bytes:
        return xml.replace(b' outlineLevelCol="0"', b"")

    theirs = io.BytesIO()
    sheet._book.save(theirs)
    ours, theirs = zipfile.ZipFile(path), zipfile.ZipFile(theirs)
    assert sorted(ours.namelist()) == sorted(theirs.namelist())
    for name in ours.namelist():
        if name != "docProps/core.xml":  # the time of the save
            assert usual(ours.read(name)) == usual(theirs.read(name)), name


def test_without_the_fast_writer_the_workbook_is_saved_by_openpyxl(tmp_path):
    # An openpyxl without the internals sync/xlsx.py uses: the import fails, the save stays.
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['sync.xlsx'] = None\n"
        "from pathlib import Path\n"
        "from mentoring.sheet import TabEdits\n"
        "from sync.workbook import WorkbookSpreadsheet, create_workbook\n"
        f"path = Path({str(tmp_path / 'w.xlsx')!r})\n"
        "create_workbook(path, {'Tab': [['Header'], ['a']]})\n"
        "sheet = WorkbookSpreadsheet(path)\n"
        "sheet.write([TabEdits('Tab', {(3, 1): '=1+1'})])\n"
        "print(WorkbookSpreadsheet(path).read(['Tab'])['Tab'].rows[-1].cells)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "('=1+1',)"  # a form answer stays text, never a formula
    book = openpyxl.load_workbook(tmp_path / "w.xlsx")
    assert book["Tab"]["A3"].data_type == "s"
