"""The Google backend: the spreadsheet the forms write to, through the Sheets API (gspread).

Every job costs a fixed number of requests, whatever the number of rows: the
spreadsheet's tab list once (spreadsheets.get), every tab a run needs in one
values:batchGet, and each write of a job in one request. A write that only
sets cells is one values:batchUpdate with RAW input, so form text starting
with "=" stays text. A write that must also add a tab, a column or rows to
the grid is one spreadsheets:batchUpdate carrying both the structure and the
cells (typed values, so again never a formula); Google applies it whole or
not at all. Dates are written as text (2026-11-29), which sorts by date and
reads back the same; dates typed by the committee are read as serial numbers,
which the core understands.

Tabs read once are kept for the rest of the run, with this run's own writes
applied, so that `run` reads the spreadsheet once for its three jobs.

Tab names are matched as headers are, ignoring case and extra spaces. The sheetId of
each tab the tool writes is remembered (in the send journal), so a tab renamed in
Google Sheets is found again by it, never made anew.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any, Protocol

import gspread
import requests
from google.auth.transport.requests import AuthorizedSession
from gspread.http_client import ParamsType
from gspread.utils import rowcol_to_a1

from mentoring.settings import Google
from mentoring.sheet import Cell, TabEdits, Table, Unknown, apply_edits, table_from_cells
from sync.google import Credentials, GoogleError, NoAnswerError, Retry, TimedRequest, identity
from sync.spreadsheet import SpreadsheetError, tab_title

GOOGLE_SHEETS = "https://sheets.googleapis.com"
# Read values as stored: numbers as numbers, dates as serial day numbers.
READ_PARAMS: ParamsType = {
    "valueRenderOption": "UNFORMATTED_VALUE",
    "dateTimeRenderOption": "SERIAL_NUMBER",
    "majorDimension": "ROWS",
}
METADATA_FIELDS = "spreadsheetId,properties(title,timeZone,locale),sheets(properties)"
_VALIDATED_ROWS = 5000


class TabMemory(Protocol):
    """Where the sheetIds of the tool's tabs are remembered between runs (the journal)."""

    def sheet_id(self, role: str) -> int | None: ...

    def remember_sheet_id(self, role: str, sheet_id: int) -> None: ...


class Rebase(requests.adapters.HTTPAdapter):
    """Sends requests for `origin` to `endpoint` instead (settings google.*_endpoint)."""

    def __init__(self, origin: str, endpoint: str):
        super().__init__()
        self.origin, self.endpoint = origin.rstrip("/"), endpoint.rstrip("/")

    def send(self, request, *args, **kwargs):
        request.url = self.endpoint + request.url[len(self.origin) :]
        return super().send(request, *args, **kwargs)


def sheets_session(creds: Credentials, google: Google) -> requests.Session:
    """An authorised session for the Sheets API, pointed at google.sheets_endpoint. Its
    sign-ins go through a plain request of ours: google-auth's own would try each three
    times more (and log each try), under our tries."""
    signing_in = TimedRequest(google.timeout)
    session = AuthorizedSession(creds, refresh_timeout=google.timeout, auth_request=signing_in)
    if google.sheets_endpoint.rstrip("/") != GOOGLE_SHEETS:
        session.mount(GOOGLE_SHEETS, Rebase(GOOGLE_SHEETS, google.sheets_endpoint))
    return session


class GoogleSpreadsheet:
    """A Google spreadsheet, read and written through gspread's HTTP client."""

    def __init__(
        self,
        spreadsheet_id: str,
        session: requests.Session,
        *,
        timeout: float,
        retry: Retry,
        account: str = "the account mentor-sync uses",
        tool_tabs: Mapping[str, str] | None = None,
        memory: TabMemory | None = None,
    ):
        self.id = spreadsheet_id
        self.tool_tabs = dict(tool_tabs or {})  # tab name: its role, for `memory`
        self.memory = memory
        self._told: set[str] = set()
        # The authorised session carries the credentials; gspread's stubs want them anyway.
        self.http = gspread.Client(auth=None, session=session).http_client  # type: ignore[arg-type]
        self.http.set_timeout(timeout)
        self.retry = retry
        self.account = account
        self._meta: dict[str, dict[str, Any]] | None = None  # tab title -> properties
        self._title = ""
        self._tables: dict[str, Table | None] = {}  # None: the tab is not there

    @classmethod
    def from_settings(
        cls,
        spreadsheet_id: str,
        creds: Credentials,
        google: Google,
        tool_tabs: Mapping[str, str] | None = None,
        memory: TabMemory | None = None,
    ):
        return cls(
            spreadsheet_id,
            sheets_session(creds, google),
            timeout=google.timeout,
            retry=Retry.from_settings(google),
            account=identity(creds),
            tool_tabs=tool_tabs,
            memory=memory,
        )

    @property
    def title(self) -> str:
        self._tabs()
        return self._title

    # --- the Spreadsheet interface -------------------------------------------------

    def read(self, tabs: Sequence[str], fresh: bool = False) -> dict[str, Table]:
        titles = {name: self._tab_title(name) or name for name in tabs}
        if fresh:
            for title in titles.values():
                self._tables.pop(title, None)
        meta = self._tabs()
        missing = [t for t in dict.fromkeys(titles.values()) if t not in self._tables]
        present = [t for t in missing if t in meta]
        for title in missing:
            self._tables[title] = None
        if present:
            ranges = [_quote(title) for title in present]
            answer = self._call(
                "reading the spreadsheet",
                lambda: self.http.values_batch_get(self.id, ranges, params=READ_PARAMS),
            )
            for title, found in zip(present, answer.get("valueRanges", []), strict=True):
                self._tables[title] = _table(title, found.get("values", []))
        return {
            name: table for name in tabs if (table := self._tables.get(titles[name])) is not None
        }

    def tab_names(self) -> list[str]:
        return list(self._tabs())

    def flush(self) -> None:
        """Nothing is kept for later on Google: each write is one request at once."""

    def write(self, edits: Sequence[TabEdits], later: bool = False) -> None:
        del later  # a write to Google goes at once; the job's request budget counts it
        edits = [replace(e, tab=self._tab_title(e.tab) or e.tab) for e in edits if e]
        if not edits:
            return
        self.read([e.tab for e in edits])  # known already in every job; no request then
        plan = _Plan(self._tabs(), self._tables)
        for tab_edits in edits:
            plan.add(tab_edits)
        if plan.structure:
            self._write_structure(plan)
        else:
            body = {"valueInputOption": "RAW", "data": plan.value_ranges()}
            unanswered = []
            self._call(
                "writing to the spreadsheet",
                lambda: self.http.values_batch_update(self.id, body),
                lambda problem: unanswered.append(problem.maybe_done),
                maybe_written=lambda: any(unanswered),
            )
        for tab_edits in edits:
            self._tables[tab_edits.tab] = apply_edits(self._tables.get(tab_edits.tab), tab_edits)
        self._remember()

    def _tab_title(self, name: str) -> str | None:
        meta = self._tabs()

        def again() -> str | None:
            role = self.tool_tabs[name]
            sheet_id = self.memory.sheet_id(role) if self.memory is not None else None
            return next((t for t, p in meta.items() if p.get("sheetId") == sheet_id), None)

        return tab_title(name, meta, again, self.tool_tabs, self._told)

    def _remember(self) -> None:
        """Keep the sheetId of each tool tab, to find it again after a rename."""
        if self.memory is None:
            return
        meta = self._meta or {}
        for name, role in self.tool_tabs.items():
            title = self._tab_title(name)
            if title in meta and "sheetId" in meta[title]:
                self.memory.remember_sheet_id(role, int(meta[title]["sheetId"]))

    # --- requests ----------------------------------------------------------------

    def _tabs(self) -> dict[str, dict[str, Any]]:
        if self._meta is None:
            answer = self._call(
                "opening the spreadsheet",
                lambda: self.http.fetch_sheet_metadata(self.id, params={"fields": METADATA_FIELDS}),
            )
            self._title = answer.get("properties", {}).get("title", "")
            self._meta = {
                s["properties"]["title"]: s["properties"] for s in answer.get("sheets", [])
            }
            self._remember()
        return self._meta

    def _write_structure(self, plan: _Plan) -> None:
        body = {"requests": [*plan.structure, *plan.cell_requests()]}
        retried = False

        def attempt() -> None:
            # spreadsheets:batchUpdate is applied whole or not at all, but adding a tab or
            # a column twice is not harmless: after a try Google may have applied (no
            # answer, or a 5xx), look first.
            if retried and self._done(plan):
                return
            self.http.batch_update(self.id, body)

        def before_retry(problem) -> None:
            nonlocal retried
            retried = retried or problem.maybe_done

        self._call(
            "writing to the spreadsheet", attempt, before_retry, maybe_written=lambda: retried
        )
        meta = self._tabs()
        for title, (rows, columns) in plan.grids.items():
            grid = {"rowCount": rows, "columnCount": columns}
            meta[title] = {**meta.get(title, {}), "sheetId": plan.ids[title], "title": title}
            meta[title]["gridProperties"] = {**meta[title].get("gridProperties", {}), **grid}

    def _done(self, plan: _Plan) -> bool:
        """Whether the spreadsheet already has the grid `plan` makes (its write was done)."""
        try:
            answer = self.retry.call(
                "checking whether the write was done",
                lambda: self.http.fetch_sheet_metadata(self.id, params={"fields": METADATA_FIELDS}),
            )
        except GoogleError as exc:  # the write before it may have been done all the same
            raise NoAnswerError(str(exc), exc.status, exc.reason, exc.detail) from exc
        meta = {s["properties"]["title"]: s["properties"] for s in answer.get("sheets", [])}
        self._meta = meta
        for title, (rows, columns) in plan.grids.items():
            grid = meta.get(title, {}).get("gridProperties", {})
            if (grid.get("rowCount"), grid.get("columnCount")) != (rows, columns):
                return False
        return True

    def _call(self, what: str, call, before_retry=None, maybe_written=lambda: False):
        try:
            return self.retry.call(what, call, before_retry)
        except GoogleError as exc:
            raise self._explained(what, exc, maybe_written()) from exc

    def _explained(self, what: str, exc: GoogleError, maybe_written: bool) -> SpreadsheetError:
        if exc.status == 403 and exc.reason == "SERVICE_DISABLED":
            return SpreadsheetError(
                f"{what} failed: the Google Sheets API is not enabled in the Cloud project of"
                " the credentials; enable it (APIs & Services > Library > Google Sheets API)"
            )
        if exc.status == 403 and "scope" in exc.detail.lower():
            return SpreadsheetError(
                f"{what} failed: the credentials of {self.account} do not allow editing"
                " spreadsheets; run mentor-sync auth sheets again, or use a service-account key"
            )
        if exc.status == 403:
            return SpreadsheetError(
                f"{what} failed: Google says {self.account} may not open spreadsheet"
                f" {self.id}; share the spreadsheet with {self.account} as an Editor"
                " (Share, in the spreadsheet), then run again"
            )
        if exc.status == 404:
            return SpreadsheetError(
                f"{what} failed: there is no spreadsheet {self.id}; copy its address"
                " from the browser into spreadsheet.id in the settings"
            )
        if not what.startswith("writing"):
            return SpreadsheetError(str(exc))  # a read: there was nothing to write
        # An earlier try, or the last, answered 5xx or not at all: the write may have been made.
        if maybe_written or isinstance(exc, NoAnswerError) or exc.status >= 500:
            outcome = "it may or may not have been written; run again, which writes the same"
        else:
            outcome = "nothing was written"
        return SpreadsheetError(f"{exc} ({outcome})")


class _Plan:
    """One write: the structural requests it needs, and every cell it sets."""

    def __init__(self, meta: Mapping[str, Mapping[str, Any]], tables: Mapping[str, Table | None]):
        self.meta, self.tables = meta, tables
        self.structure: list[dict[str, Any]] = []
        self.cells: dict[str, dict[tuple[int, int], Cell]] = {}
        self.grids: dict[str, tuple[int, int]] = {}  # title -> (rows, columns) after the write
        self.ids: dict[str, int] = {}
        self._next_id = max((m.get("sheetId", 0) for m in meta.values()), default=0) + 1

    def add(self, edits: TabEdits) -> None:
        meta = self.meta.get(edits.tab)
        table = self.tables.get(edits.tab)
        cells: dict[tuple[int, int], Cell] = {}
        if edits.clear_from is not None and table is not None:
            width = max([len(table.header), *(len(r.cells) for r in table.rows)])
            width += len(edits.insert_columns)
            for row in range(edits.clear_from, table.last_row + 1):
                for column in range(1, width + 1):
                    cells[row, column] = None
        cells.update(edits.cells)
        self.cells.setdefault(edits.tab, {}).update(cells)
        rows = max((r for r, _ in cells), default=1)
        columns = max((c for _, c in cells), default=1)
        if meta is None:
            self._add_tab(edits, rows, columns)
            return
        sheet_id = meta["sheetId"]
        self.ids[edits.tab] = sheet_id
        grid = meta.get("gridProperties", {})
        have_rows, have_columns = grid.get("rowCount", 0), grid.get("columnCount", 0)
        before = len(self.structure)
        for column in edits.insert_columns:
            if column - 1 > have_columns:  # Google inserts only within the grid: widen it first
                self.structure.append(_append(sheet_id, "COLUMNS", column - 1 - have_columns))
                have_columns = column - 1
            self.structure.append(_insert_column(sheet_id, column))
            have_columns += 1
        if rows > have_rows:
            self.structure.append(_append(sheet_id, "ROWS", rows - have_rows))
        if columns > have_columns:
            self.structure.append(_append(sheet_id, "COLUMNS", columns - have_columns))
        if len(self.structure) > before:
            self.grids[edits.tab] = (max(rows, have_rows), max(columns, have_columns))

    def _add_tab(self, edits: TabEdits, rows: int, columns: int) -> None:
        sheet_id = self._next_id
        self._next_id += 1
        self.ids[edits.tab] = sheet_id
        grid_rows = max(rows, 1000)
        grid = {"rowCount": grid_rows, "columnCount": max(columns, 26), "frozenRowCount": 1}
        self.grids[edits.tab] = (grid["rowCount"], grid["columnCount"])
        properties = {"sheetId": sheet_id, "title": edits.tab, "gridProperties": grid}
        self.structure.append({"addSheet": {"properties": properties}})
        self.structure.append(
            {
                "repeatCell": {
                    "range": {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 1},
                    "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                    "fields": "userEnteredFormat.textFormat.bold",
                }
            }
        )
        for column, options in edits.choices.items():
            area = {
                "sheetId": sheet_id,
                "startRowIndex": 1,
                "endRowIndex": min(grid_rows, _VALIDATED_ROWS),
                "startColumnIndex": column - 1,
                "endColumnIndex": column,
            }
            values = [{"userEnteredValue": option} for option in options]
            rule = {
                "condition": {"type": "ONE_OF_LIST", "values": values},
                "showCustomUi": True,
                "strict": False,
            }
            self.structure.append({"setDataValidation": {"range": area, "rule": rule}})

    def value_ranges(self) -> list[dict[str, Any]]:
        """The cells as values:batchUpdate data, a range per run of cells along a row."""
        return [
            {"range": f"{_quote(tab)}!{_a1(row, first, len(values))}", "values": [values]}
            for tab, cells in self.cells.items()
            for row, first, values in _runs(cells, _raw)
        ]

    def cell_requests(self) -> list[dict[str, Any]]:
        """The cells as spreadsheets:batchUpdate updateCells requests."""
        return [
            {
                "updateCells": {
                    "start": {
                        "sheetId": self.ids[tab],
                        "rowIndex": row - 1,
                        "columnIndex": first - 1,
                    },
                    "rows": [{"values": values}],
                    "fields": "userEnteredValue",
                }
            }
            for tab, cells in self.cells.items()
            for row, first, values in _runs(cells, _typed)
        ]


def _runs(
    cells: Mapping[tuple[int, int], Cell], encode: Callable[[Cell], object]
) -> Iterator[tuple[int, int, list[Any]]]:
    """(row, first column, encoded values) for each run of adjacent cells along a row."""
    run: list[Any] = []
    start: tuple[int, int] | None = None
    previous: tuple[int, int] | None = None
    for row, column in sorted(cells):
        if previous is not None and (row, column) != (previous[0], previous[1] + 1):
            assert start is not None  # set with `previous`
            yield start[0], start[1], run
            run, start = [], None
        if start is None:
            start = (row, column)
        run.append(encode(cells[row, column]))
        previous = (row, column)
    if run:
        assert start is not None  # set with the first of `run`
        yield start[0], start[1], run


def _raw(value: Cell) -> str | int | float | bool | Unknown:
    """A cell for values:batchUpdate with RAW input: "" clears it, dates become text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _typed(value: Cell) -> dict[str, Any]:
    """A cell for updateCells: a typed value (stringValue is always text, never a formula)."""
    raw = _raw(value)
    if raw == "":
        return {}
    if isinstance(raw, bool):
        return {"userEnteredValue": {"boolValue": raw}}
    if isinstance(raw, int | float):
        return {"userEnteredValue": {"numberValue": raw}}
    return {"userEnteredValue": {"stringValue": raw}}


def _insert_column(sheet_id: int, column: int) -> dict[str, Any]:
    area = {
        "sheetId": sheet_id,
        "dimension": "COLUMNS",
        "startIndex": column - 1,
        "endIndex": column,
    }
    return {"insertDimension": {"range": area, "inheritFromBefore": column > 1}}


def _append(sheet_id: int, dimension: str, length: int) -> dict[str, Any]:
    return {"appendDimension": {"sheetId": sheet_id, "dimension": dimension, "length": length}}


def _quote(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _a1(row: int, first: int, count: int) -> str:
    start = rowcol_to_a1(row, first)
    return start if count == 1 else f"{start}:{rowcol_to_a1(row, first + count - 1)}"


def _table(name: str, values: Sequence[Sequence[Any]]) -> Table:
    """A tab from a values read: Google leaves out trailing blanks; "" is an empty cell."""
    grid = {
        (r, c): (None if v == "" else v)
        for r, row in enumerate(values, start=1)
        for c, v in enumerate(row, start=1)
    }
    return table_from_cells(name, grid)
