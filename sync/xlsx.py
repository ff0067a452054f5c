"""Saving a workbook as openpyxl does, in less time: the XML of a tab a job saved before
and has not changed since is used again, and the rows of a tab of plain cells are written
straight as text. What is saved is what openpyxl's own save writes."""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from datetime import UTC, date, datetime

# As openpyxl's writer; private helpers, which typeshed does not declare.
from xml.etree.ElementTree import _escape_attrib, _escape_cdata  # type: ignore[attr-defined]

from openpyxl.cell._writer import _set_attributes
from openpyxl.cell.rich_text import CellRichText
from openpyxl.compat import safe_string
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.packaging.relationship import RelationshipList
from openpyxl.styles import Font
from openpyxl.workbook import Workbook
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

# A tab's XML as a save wrote it, by the tab's title: the tab it was made of, and the XML.
SheetsXml = dict[str, tuple[Worksheet, bytes]]


def save_workbook(book: Workbook, file: io.BytesIO, kept: SheetsXml) -> SheetsXml:
    """What openpyxl's Workbook.save does, tab by tab as _Writer says; returns the XML of
    each plain tab written, to keep for the next save."""
    archive = zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    book.properties.modified = datetime.now(tz=UTC).replace(tzinfo=None)
    writer = _Writer(book, archive, kept)
    writer.save()
    return writer.written


class _Writer(ExcelWriter):
    """openpyxl's writer of a workbook, but for its tabs: one in `kept` is written with the
    XML kept (a save of this job wrote it, and the tab has not changed since), and the others
    are written in memory, their XML kept in `written` when the tab is plain: no links,
    comments, drawings, tables or pivot tables, which have parts of their own beside it."""

    def __init__(self, book: Workbook, archive: zipfile.ZipFile, kept: SheetsXml):
        super().__init__(book, archive)
        self.kept = kept
        self.written: SheetsXml = {}

    def write_worksheet(self, ws: Worksheet) -> None:
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        kept = self.kept.get(ws.title)
        if kept is not None and kept[0] is ws:
            xml, rels = kept[1], RelationshipList()
        else:
            writer = (_SheetWriter if _rows_as_openpyxl() else WorksheetWriter)(ws, io.BytesIO())
            writer.write()
            xml, rels = writer.read(), writer._rels
        ws._rels = rels
        self._archive.writestr(ws.path[1:], xml)
        self.manifest.append(ws)
        if not rels and not ws._comments and not ws._pivots and not ws._drawing:
            self.written[ws.title] = (ws, xml)


_MARK = "mentor-sync: the rows go here"


class _SheetWriter(WorksheetWriter):
    """openpyxl's writer of a tab, its rows written as text when every cell is plain (see
    _rows); otherwise openpyxl writes them, cell by cell."""

    text: str | None = None  # the rows, when written as text

    def write_rows(self) -> None:
        self.text = _rows(self.ws)
        if self.text is None:
            super().write_rows()
            return
        xf = self.xf.send(True)
        with xf.element("sheetData"):
            xf.write(_MARK)
        self.xf.send(None)

    def read(self) -> bytes:
        xml = super().read()
        if self.text is None:
            return xml
        mark = f"<sheetData>{_MARK}</sheetData>".encode()
        return xml.replace(mark, f"<sheetData>{self.text}</sheetData>".encode(), 1)


def _rows(ws: Worksheet) -> str | None:
    """The <row> elements of the tab, each as openpyxl's writer makes it; None when a cell
    is more than a value with a style (a formula, rich text, a comment or a link)."""
    rows: dict[int, list] = defaultdict(list)
    for (row, _), cell in sorted(ws._cells.items()):
        rows[row].append(cell)
    for row in ws.row_dimensions.keys() - rows.keys():
        rows[row] = []
    dimensions = ws.row_dimensions
    parts = []
    for number, cells in sorted(rows.items()):
        attributes = {"r": f"{number}"}
        attributes.update(dimensions.get(number, {}))
        parts.append(f"<row{_attributes(attributes)}>")
        for cell in cells:
            if cell._comment is not None or cell.hyperlink is not None:
                return None
            styled = cell.has_style
            if cell._value is None and not styled:
                continue
            if cell.data_type == "f" or isinstance(cell._value, CellRichText):
                return None
            if cell.data_type == "d":  # a date, written as a number (or an ISO text)
                value, attributes = _set_attributes(cell, styled)
                start = f"<c{_attributes(attributes)}"
            else:  # as _set_attributes makes them, for a cell with no formula and no link
                value = cell._value
                style = f' s="{cell.style_id}"' if styled else ""
                kind = "inlineStr" if cell.data_type == "s" else _escape_attrib(cell.data_type)
                start = f'<c r="{cell.coordinate}"{style} t="{kind}"'
            if value is None or value == "":
                parts.append(f"{start} />")
            elif cell.data_type == "s":
                stripped = value.strip()
                space = ' xml:space="preserve"' if stripped and value != stripped else ""
                parts.append(f"{start}><is><t{space}>{_escape_cdata(value)}</t></is></c>")
            else:
                text = safe_string(value)  # "" for NaN and infinity: an empty <v />
                parts.append(
                    f"{start}><v>{_escape_cdata(text)}</v></c>" if text else f"{start}><v /></c>"
                )
        parts.append("</row>")
    return "".join(parts)


def _attributes(attributes: dict[str, str]) -> str:
    return "".join(f' {name}="{_escape_attrib(value)}"' for name, value in attributes.items())


_SAME: list[bool] = []


def _rows_as_openpyxl() -> bool:
    """Whether _rows writes a sample tab's rows exactly as openpyxl's writer (another
    version of openpyxl, or lxml installed, may write them otherwise: openpyxl writes them
    then). Found once."""
    if not _SAME:
        book = Workbook()
        sheet = book.active
        values: list[str | int | float | bool | datetime | date | None]
        values = ["text", " spaced ", "a & <b> > c", "", "  ", "=1+1 as text", "é\u2003x\n"]
        values += [0, -12, 3.25, 1e-20, 10**17, True, False]
        values += [datetime(2026, 11, 29, 8, 30), date(2026, 1, 2), None]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=2, column=column, value=value)
            cell.data_type = "s" if isinstance(value, str) else cell.data_type
            cell.quotePrefix = isinstance(value, str) and value.startswith("=")
        sheet.cell(row=1, column=1, value="Header").font = Font(bold=True)
        sheet.cell(row=4, column=2).font = Font(italic=True)  # a styled cell with no value
        sheet.row_dimensions[6].height = 30  # a row with a height and no cells
        sheet.cell(row=5, column=3, value=datetime(2026, 1, 1)).number_format = "yyyy-mm-dd"
        written = []
        for writer in (WorksheetWriter, WorksheetWriter, _SheetWriter):
            # (openpyxl's first write of a tab sets its outlineLevelCol, which the next write
            # writes: the second is compared)
            written.append(writer(sheet, io.BytesIO()))
            written[-1].write()
        _SAME.append(written[1].read() == written[2].read() and written[2].text is not None)
    return _SAME[0]
