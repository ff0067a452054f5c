"""A loopback fake of the Google APIs mentor-sync talks to, driven by the real clients.

`FakeGoogle` is a real HTTP server on 127.0.0.1 that answers, at the same paths as Google:

* the Sheets API v4 (``/v4/spreadsheets/...``) as gspread calls it: spreadsheet metadata,
  values get / batchGet / update / batchUpdate / append / clear / batchClear, and the
  ``spreadsheets.batchUpdate`` requests mentor-sync needs (addSheet, deleteSheet,
  updateSheetProperties, updateSpreadsheetProperties, insertDimension, appendDimension,
  deleteDimension, updateCells, repeatCell, setDataValidation), atomically;
* the Gmail API v1 ``users.messages.send`` and ``users.messages.list`` (``q=rfc822msgid:``),
  at the paths googleapiclient builds from its bundled discovery document;
* the Forms API v1 ``forms.get``, ``forms.create``, ``forms.batchUpdate`` and
  ``forms.setPublishSettings``, built from the discovery document googleapiclient ships, every
  request body checked against it (tests/fakes/forms_api.py);
* Google's OAuth token endpoint (``/token``) for service-account JWTs and refresh tokens,
  so that google-auth signs in exactly as it does against Google.

Every answer imitates what Google sends: the error envelope ``{"error": {"code", "message",
"status"}}``, trimmed values, serial dates, ranges echoed as Google echoes them. The
behaviour was checked against the recorded gspread traffic (tests/test_google_fake_recordings.py).
Faults (429, 5xx, HTML 502, timeouts, before and after the request is applied) can be
injected at random or on demand. Pure standard library.

What it does not model: formatting other than number formats, notes, merges, named and
protected ranges, filters, grid data in metadata (includeGridData), formulas other than plain
arithmetic (any other formula reads back as its own text), locales other than en_US.
"""

from __future__ import annotations

import ast
import base64
import calendar
import copy
import email
import email.policy
import json
import operator
import random
import re
import socket
import struct
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import requests
import requests.adapters

SHEETS_SCOPES_WRITE = {
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive",
}
SHEETS_SCOPES_READ = SHEETS_SCOPES_WRITE | {
    "https://www.googleapis.com/auth/spreadsheets.readonly",
    "https://www.googleapis.com/auth/drive.readonly",
}
_GMAIL = "https://www.googleapis.com/auth/gmail."
GMAIL_SEND_SCOPES = {"https://mail.google.com/"} | {
    _GMAIL + s for s in ("send", "compose", "modify", "addons.current.action.compose")
}
GMAIL_LIST_SCOPES = {"https://mail.google.com/"} | {
    _GMAIL + s for s in ("readonly", "modify", "metadata")
}
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"

FAULTED_APIS = ("sheets", "gmail", "forms")  # the token endpoint never faults
FAULT_KINDS = ("429", "500", "503", "html500", "timeout", "timeout_after")
# Done, then answered an error: what makes a 5xx prove nothing (Gmail sent the email, then
# said 500 Backend Error). Not among the default random `kinds`; name them to have them.
DONE_THEN_ERROR = ("500_after", "503_after", "html502_after")
ALL_FAULT_KINDS = (*FAULT_KINDS, *DONE_THEN_ERROR)
HTML_ERROR = (
    "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n"
    '  <meta name=viewport content="initial-scale=1, minimum-scale=1, width=device-width">\n'
    "  <title>Error {code} (Server Error)!!1</title>\n"
    "  <a href=//www.google.com/><span id=logo aria-label=Google></span></a>\n"
    "  <p><b>{code}.</b> <ins>That\u2019s an error.</ins>\n"
    "  <p>The server encountered a temporary error and could not complete your request."
    "<p>Please try again in 30 seconds.  <ins>That\u2019s all we know.</ins>\n"
)
SERIAL_EPOCH = datetime(1899, 12, 30)  # day 0 of Google's (and Excel's) serial dates
DATE_TYPES = ("DATE", "TIME", "DATE_TIME")
DEFAULT_PATTERNS = {"DATE": "M/d/yyyy", "TIME": "h:mm:ss am/pm", "DATE_TIME": "M/d/yyyy H:mm:ss"}


class ApiError(Exception):
    """An error answer: Google's envelope ``{"error": {"code", "message", "status"}}``."""

    def __init__(self, code: int, message: str, status: str, **extra):
        super().__init__(message)
        self.code, self.message, self.status, self.extra = code, message, status, extra

    def body(self) -> dict:
        return {
            "error": {"code": self.code, "message": self.message, "status": self.status}
            | self.extra
        }


def bad_request(message: str, **extra) -> ApiError:
    return ApiError(400, message, "INVALID_ARGUMENT", **extra)


class Invalid(Exception):
    """A batchUpdate request refused; the batch adds Google's "Invalid requests[N].kind: "."""


SHEET_NAME_TAKEN = 'A sheet with the name "{}" already exists. Please enter another name.'
NUMBER_FORMAT = ["userEnteredFormat", "numberFormat"]


UNAUTHENTICATED = (
    401,
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
    "cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project.",
    "UNAUTHENTICATED",
)
INSUFFICIENT_SCOPES = (403, "Request had insufficient authentication scopes.", "PERMISSION_DENIED")
NOT_SHARED = (403, "The caller does not have permission", "PERMISSION_DENIED")
NOT_FOUND = (404, "Requested entity was not found.", "NOT_FOUND")


# --------------------------------------------------------------------------------------------
# Traffic record and faults
# --------------------------------------------------------------------------------------------


@dataclass
class Recorded:
    """One request the fake received, with the status it answered."""

    api: str  # "sheets" | "gmail" | "forms" | "token" | "other"
    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    status: int = 0
    identity: str = ""  # whom the request's token speaks for


class Faults:
    """Which Sheets, Gmail and Forms requests fail, and how (the token endpoint never faults).

    Kinds, as Google's front end answers them. Not applied: "429" (quota), "500", "503",
    "html500" (an HTML 502/500 page, not JSON), "timeout" (hangs `delay` seconds without
    applying the request, then 503). Applied all the same: "timeout_after" (hangs `delay`
    seconds before answering normally: the client has given up, yet the write or the email
    happened), "500_after" and "503_after" (answer Google's JSON 500/503 error: the email is in
    `sent`), "html502_after" (answers the HTML 502 page).

    `rate` faults a share of requests at random, drawing from `kinds` (FAULT_KINDS unless set;
    DONE_THEN_ERROR holds the other three); with `writes_only`, only requests that change
    something (Sheets writes, Gmail sends) are drawn for, not reads or Gmail look-ups; `apis`
    names the APIs drawn for ("sheets", "gmail": both unless set; "forms" when named).
    """

    def __init__(self, seed: int = 0):
        self.rate: float = 0.0
        self.kinds = FAULT_KINDS
        self.writes_only = False
        self.apis: tuple[str, ...] = ("sheets", "gmail")
        self.delay: float = 2.0
        self.always: str | None = None
        self._queue: deque[str] = deque()
        self._aimed: dict[str, deque[str]] = {}
        self._rng = random.Random(seed)

    @property
    def kinds(self) -> tuple[str, ...]:
        return self._kinds

    @kinds.setter
    def kinds(self, kinds: tuple[str, ...]) -> None:
        for kind in kinds:
            _known(kind)
        self._kinds = tuple(kinds)

    def fail_next(self, n: int, kind: str, api: str | None = None) -> None:
        """Queue `kind` for the next `n` requests (after any already queued), or for the next
        `n` requests to `api` ("sheets", "gmail" or "forms") only; the kind "skip" lets a request
        through untouched, to aim a fault at a later request."""
        if kind != "skip":
            _known(kind)
        if api is None:
            self._queue.extend([kind] * n)
        else:
            self._aimed.setdefault(api, deque()).extend([kind] * n)

    def html_status(self) -> int:
        """Google's front end answers 502 most of the time, sometimes 500."""
        return self._rng.choice((502, 502, 500))

    def draw(self, api: str = "sheets", write: bool = False) -> str | None:
        """The fault for the request to `api` that just arrived (`write`: one that changes
        something), or None."""
        if self._aimed.get(api):
            kind = self._aimed[api].popleft()
            return None if kind == "skip" else kind
        if self._queue:
            kind = self._queue.popleft()
            return None if kind == "skip" else kind
        if self.always:
            return self.always
        if (self.writes_only and not write) or api not in self.apis:
            return None
        if self.rate and self._rng.random() < self.rate:
            return self._rng.choice(self.kinds)
        return None


def _known(kind: str) -> None:
    if kind not in ALL_FAULT_KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; the kinds are {', '.join(ALL_FAULT_KINDS)}")


# --------------------------------------------------------------------------------------------
# Cells, tabs, spreadsheets
# --------------------------------------------------------------------------------------------


@dataclass
class Cell:
    """One cell: a value (str, int, float, bool; None when only a format is left), the formula
    that computed it if any, and its number format as (type, pattern) if one was set."""

    value: str | int | float | bool | None = None
    formula: str | None = None
    number_format: tuple[str, str] | None = None


@dataclass
class Tab:
    """A sheet: its properties as Google lists them (without `index`, which is its position),
    its non-empty cells by 0-based (row, column), and the data validation rules set on it."""

    properties: dict
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    validations: list = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.properties["title"]

    @property
    def rows(self) -> int:
        return self.properties["gridProperties"]["rowCount"]

    @property
    def columns(self) -> int:
        return self.properties["gridProperties"]["columnCount"]


@dataclass
class Spreadsheet:
    id: str
    properties: dict
    tabs: list[Tab]
    shared_with: set[str] | None = None

    def tab_by_title(self, title: str) -> Tab | None:
        # Google matches sheet names in ranges case-insensitively.
        return next((t for t in self.tabs if t.title.lower() == title.lower()), None)

    def tab_by_id(self, sheet_id: int) -> Tab | None:
        return next((t for t in self.tabs if t.properties["sheetId"] == sheet_id), None)

    def copy(self) -> Spreadsheet:
        """A copy to change; cells are never changed in place, so they can be shared."""
        tabs = [
            Tab(copy.deepcopy(t.properties), dict(t.cells), list(t.validations)) for t in self.tabs
        ]
        return Spreadsheet(self.id, copy.deepcopy(self.properties), tabs, self.shared_with)


def to_serial(value: date | datetime) -> int | float:
    """A date or datetime as Google's serial number (days since 1899-12-30)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:  # the fake's spreadsheets are in Etc/GMT
            value = value.astimezone(UTC).replace(tzinfo=None)
        days = (value - SERIAL_EPOCH) / timedelta(days=1)
        return int(days) if days == int(days) else days
    return (value - SERIAL_EPOCH.date()).days


def from_serial(serial: float) -> datetime:
    return SERIAL_EPOCH + timedelta(seconds=round(serial * 86400))


def format_date(serial: float, pattern: str) -> str:
    """A serial date rendered with a Sheets date/time pattern (yyyy, M/MM/MMM/MMMM, d/dd/ddd,
    h/H/hh, m/mm (minutes after an hour or before seconds), ss, am/pm), en_US."""
    moment = from_serial(serial)
    tokens = re.findall(r"yyyy|yy|m{1,4}|d{1,4}|h{1,2}|s{1,2}|am/pm|a/p|.", pattern, re.I)
    twelve = any(t.lower() in ("am/pm", "a/p") for t in tokens)
    out = []
    for i, token in enumerate(tokens):
        low = token.lower()
        before = next((t.lower()[0] for t in reversed(tokens[:i]) if t.lower()[0] in "ymdhs"), "")
        after = next((t.lower()[0] for t in tokens[i + 1 :] if t.lower()[0] in "ymdhs"), "")
        if low == "yyyy":
            out.append(f"{moment.year:04d}")
        elif low == "yy":
            out.append(f"{moment.year % 100:02d}")
        elif low[0] == "m" and len(low) <= 2 and (before == "h" or after == "s"):
            out.append(f"{moment.minute:0{len(low)}d}")
        elif low[0] == "m":
            names = {3: calendar.month_abbr, 4: calendar.month_name}
            out.append(
                names[len(low)][moment.month] if len(low) > 2 else f"{moment.month:0{len(low)}d}"
            )
        elif low[0] == "d":
            names = {3: calendar.day_abbr, 4: calendar.day_name}
            out.append(
                names[len(low)][moment.weekday()] if len(low) > 2 else f"{moment.day:0{len(low)}d}"
            )
        elif low[0] == "h":
            hour = (moment.hour % 12 or 12) if twelve else moment.hour
            out.append(f"{hour:0{len(low)}d}")
        elif low[0] == "s" and low in ("s", "ss"):
            out.append(f"{moment.second:0{len(low)}d}")
        elif low in ("am/pm", "a/p"):
            out.append(("AM" if moment.hour < 12 else "PM")[: 1 if low == "a/p" else 2])
        else:
            out.append(token)
    return "".join(out)


def json_number(x: int | float) -> int | float:
    """Google's JSON writes integral doubles without a fraction (43831, not 43831.0)."""
    return int(x) if isinstance(x, float) and x.is_integer() and abs(x) < 1e15 else x


def format_number(x: int | float, number_format: tuple[str, str] | None) -> str:
    """A number as the en_US "Automatic" format shows it (up to 10 significant digits), or
    with thousands separators when it was entered with them (pattern #,##0.00)."""
    if number_format and number_format[1].startswith("#,##0"):
        decimals = len(number_format[1].partition(".")[2])
        return f"{x:,.{decimals}f}"
    if isinstance(x, int) or (x.is_integer() and abs(x) < 1e15):
        return str(int(x))
    return f"{x:.10g}".upper()


_ARITHMETIC = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


def evaluate(formula: str) -> int | float | str:
    """The value of a formula made only of numbers and + - * / ^ ( ); any other formula (cell
    references, functions) is not modelled and evaluates to its own text."""

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
            return _ARITHMETIC[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _ARITHMETIC:
            return _ARITHMETIC[type(node.op)](walk(node.operand))
        raise ValueError(node)

    try:
        result = walk(ast.parse(formula[1:].strip().replace("^", "**"), mode="eval"))
    except (SyntaxError, ValueError, ZeroDivisionError, OverflowError, TypeError):
        return formula
    return json_number(float(result)) if isinstance(result, float) else result


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def user_entered(text: str, old_format: tuple[str, str] | None) -> Cell:
    """A string typed into a cell (valueInputOption USER_ENTERED): a leading ' keeps the rest
    as text, "=..." is a formula, TRUE/FALSE a boolean, numbers (also 1,234.5 and 12%) and
    ISO or US dates (2026-11-29, 11/29/2026, with an optional time) become numbers."""
    if old_format and old_format[0] == "TEXT":  # a cell formatted as plain text takes it as is
        return Cell(text, number_format=old_format)
    if text.startswith("'"):
        return Cell(text[1:], number_format=old_format)
    if text.startswith("=") and len(text) > 1:
        return Cell(evaluate(text), formula=text, number_format=old_format)
    if text.upper() in ("TRUE", "FALSE"):
        return Cell(text.upper() == "TRUE", number_format=old_format)
    stripped = text.strip()
    if _NUMBER.fullmatch(stripped):
        number = float(stripped)
        return Cell(json_number(number), number_format=old_format)
    if _GROUPED.fullmatch(stripped):
        number = float(stripped.replace(",", ""))
        decimals = len(stripped.partition(".")[2])
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return Cell(json_number(number), number_format=("NUMBER", pattern))
    if stripped.endswith("%") and _NUMBER.fullmatch(stripped[:-1]):
        return Cell(float(stripped[:-1]) / 100, number_format=("PERCENT", "0.00%"))
    for regex, order, day_pattern in (
        (_ISO_DATE, (0, 1, 2), "yyyy-mm-dd"),
        (_US_DATE, (2, 0, 1), "M/d/yyyy"),
    ):
        m = regex.fullmatch(stripped)
        if not m:
            continue
        parts = m.groups()
        try:
            y, mo, d = (int(parts[i]) for i in order)
            moment = datetime(y, mo, d, int(parts[3] or 0), int(parts[4] or 0), int(parts[5] or 0))
        except ValueError:
            break
        if parts[3] is None:
            return Cell(to_serial(moment.date()), number_format=("DATE", day_pattern))
        return Cell(to_serial(moment), number_format=("DATE_TIME", day_pattern + " H:mm:ss"))
    return Cell(text, number_format=old_format)


def python_cell(value) -> Cell | None:
    """A Python value for add_spreadsheet, stored as Google Forms stores answers: text stays
    text, dates and datetimes become date-formatted serial numbers (like the Timestamp column)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return Cell(to_serial(value), number_format=("DATE_TIME", DEFAULT_PATTERNS["DATE_TIME"]))
    if isinstance(value, date):
        return Cell(to_serial(value), number_format=("DATE", DEFAULT_PATTERNS["DATE"]))
    if isinstance(value, bool | int | float | str):
        return Cell(value)
    raise TypeError(f"add_spreadsheet: cannot store {value!r}")


def render(cell: Cell | None, value_option: str, date_option: str):
    """A cell as a values read returns it (valueRenderOption, dateTimeRenderOption)."""
    if cell is None or cell.value is None:
        return ""
    if value_option == "FORMULA" and cell.formula:
        return cell.formula
    v = cell.value
    fmt = cell.number_format
    is_number = isinstance(v, int | float) and not isinstance(v, bool)
    is_date = is_number and fmt is not None and fmt[0] in DATE_TYPES
    if value_option == "FORMATTED_VALUE":
        if isinstance(v, bool):
            return "TRUE" if v else "FALSE"
        if is_date:
            return format_date(v, fmt[1] or DEFAULT_PATTERNS[fmt[0]])
        return format_number(v, fmt) if is_number else v
    if is_date and date_option == "FORMATTED_STRING":
        return format_date(v, fmt[1] or DEFAULT_PATTERNS[fmt[0]])
    return json_number(v) if is_number else v


# --------------------------------------------------------------------------------------------
# A1 ranges
# --------------------------------------------------------------------------------------------


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def quote_title(title: str, always: bool = False) -> str:
    """A sheet title as Google writes it in a range: bare when it is a plain word that cannot
    be read as a cell (Sheet1, finances), else in single quotes ('Form Responses 1', 'D3')."""
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title) and not re.fullmatch(
        r"[A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*", title
    )
    return title if plain and not always else "'" + title.replace("'", "''") + "'"


def a1(r0: int, c0: int, r1: int, c1: int) -> str:
    start = f"{column_letters(c0)}{r0 + 1}"
    return start if (r0, c0) == (r1, c1) else f"{start}:{column_letters(c1)}{r1 + 1}"


@dataclass
class Box:
    """A parsed range: a tab and 0-based inclusive bounds, with open ends already closed at
    the grid's edge; `single` when it was written as one cell (an anchor for writes)."""

    tab: Tab
    r0: int
    c0: int
    r1: int
    c1: int
    single: bool = False

    def echo(self, always_quote: bool = False) -> str:
        return (
            f"{quote_title(self.tab.title, always_quote)}!{a1(self.r0, self.c0, self.r1, self.c1)}"
        )


_CELLS = re.compile(r"\$?([A-Za-z]{0,3})\$?(\d*)(?::\$?([A-Za-z]{0,3})\$?(\d*))?")


def grid_message(tab: Tab, r0: int, c0: int, r1: int, c1: int) -> str:
    where = f"{quote_title(tab.title, True)}!{a1(r0, c0, r1, c1)}"
    return f"Range ({where}) exceeds grid limits. Max rows: {tab.rows}, max columns: {tab.columns}"


def grid_error(tab: Tab, r0: int, c0: int, r1: int, c1: int) -> ApiError:
    return bad_request(grid_message(tab, r0, c0, r1, c1))


def parse_range(sheet: Spreadsheet, text: str) -> Box:
    """Parse an A1 range as the Sheets API does: ``Tab``, ``'Tab''s name'!A1:C9``,
    ``Tab!A:C``, ``Tab!A5:Z``, ``Tab!2:3``, ``Tab!B2``, or ``A1:B2`` on the first tab."""
    unparsable = bad_request(f"Unable to parse range: {text}")
    title, cells = None, text
    if text.startswith("'"):
        m = re.match(r"'((?:[^']|'')*)'(?:!(.*))?$", text, re.S)
        if not m:
            raise unparsable
        title, cells = m.group(1).replace("''", "'"), m.group(2)
    elif "!" in text:
        title, _, cells = text.rpartition("!")
    elif sheet.tab_by_title(text):
        title, cells = text, None
    tab = sheet.tab_by_title(title) if title is not None else sheet.tabs[0]
    if tab is None:
        raise unparsable
    if cells is None:  # the whole tab
        return Box(tab, 0, 0, tab.rows - 1, tab.columns - 1)
    m = _CELLS.fullmatch(cells)
    if not cells or not m:
        raise unparsable
    col0, row0, col1, row1 = m.groups()
    if m.group(0).count(":") == 0:
        if not (col0 and row0):
            raise unparsable
        r, c = int(row0) - 1, column_index(col0)
        if r < 0 or r >= tab.rows or c >= tab.columns:
            raise grid_error(tab, r, c, r, c)
        return Box(tab, r, c, r, c, single=True)
    if not (col0 or row0) or not (col1 or row1) or "0" in (row0[:1], row1[:1]):
        raise unparsable
    r0 = int(row0) - 1 if row0 else 0
    c0 = column_index(col0) if col0 else 0
    r1 = int(row1) - 1 if row1 else tab.rows - 1
    c1 = column_index(col1) if col1 else tab.columns - 1
    r0, r1, c0, c1 = min(r0, r1), max(r0, r1), min(c0, c1), max(c0, c1)
    if r1 >= tab.rows or c1 >= tab.columns:
        raise grid_error(tab, r0, c0, r1, c1)
    return Box(tab, r0, c0, r1, c1)


def grid_box(sheet: Spreadsheet, grid_range: dict) -> Box:
    """A GridRange ({sheetId, startRowIndex, endRowIndex, ...}, ends exclusive, absent ends
    unbounded, absent sheetId = 0) as a Box."""
    tab = sheet.tab_by_id(grid_range.get("sheetId", 0))
    if tab is None:
        raise Invalid(f"No grid with id: {grid_range.get('sheetId', 0)}")
    r0 = grid_range.get("startRowIndex", 0)
    c0 = grid_range.get("startColumnIndex", 0)
    r1 = grid_range.get("endRowIndex", tab.rows) - 1
    c1 = grid_range.get("endColumnIndex", tab.columns) - 1
    if r1 >= tab.rows or c1 >= tab.columns or r0 < 0 or c0 < 0:
        raise Invalid(grid_message(tab, r0, c0, r1, c1))
    return Box(tab, r0, c0, r1, c1)


def mask_paths(spec: str) -> list[list[str]]:
    """A field mask ("a.b,c/d", "sheets(properties(title,sheetId))", "*") as paths."""
    out: list[list[str]] = []

    def walk(text: str, prefix: list[str]) -> None:
        depth, start, parts = 0, 0, []
        for i, ch in enumerate(text):
            depth += (ch == "(") - (ch == ")")
            if ch == "," and depth == 0:
                parts.append(text[start:i])
                start = i + 1
        parts.append(text[start:])
        for part in filter(None, parts):
            if "(" in part:
                head, _, inner = part.partition("(")
                walk(inner[:-1], prefix + head.split("."))
            else:
                out.append(prefix + part.split("."))

    walk(spec.replace("/", ".").replace(" ", ""), [])
    return out


def apply_mask(obj, paths: list[list[str]]):
    """Keep only the masked fields of a response, as the `fields` query parameter does."""
    if any(p == ["*"] or not p for p in paths):
        return obj
    if isinstance(obj, list):
        return [apply_mask(item, paths) for item in obj]
    if not isinstance(obj, dict):
        return obj
    out = {}
    for key in dict.fromkeys(p[0] for p in paths):
        if key in obj:
            out[key] = apply_mask(obj[key], [p[1:] for p in paths if p[0] == key])
    return out


def pruned(props: dict, keep=("sheetId", "index", "rowCount", "columnCount")) -> dict:
    """Properties as Google's JSON shows them: unset (None), false, 0 and {} fields left out."""
    out = {}
    for key, value in props.items():
        if isinstance(value, dict):
            value = pruned(value, keep)
            if not value and key != "gridProperties":
                continue
        elif value is None or value is False or (value == 0 and key not in keep):
            continue
        out[key] = value
    return out


def colour_channels(obj):
    """Colours as Google stores them: each channel to 8 bits, shown as the shortest float32
    (0.5 -> 0.49803922, 1.0 -> 1)."""
    if isinstance(obj, list):
        return [colour_channels(item) for item in obj]
    if not isinstance(obj, dict):
        return obj
    out = {}
    for key, value in obj.items():
        if key in ("red", "green", "blue", "alpha") and isinstance(value, int | float):
            single = struct.unpack("f", struct.pack("f", int(value * 255) / 255))[0]
            value = next(
                float(text)
                for digits in range(1, 10)
                if struct.pack("f", float(text := f"{single:.{digits}g}"))
                == struct.pack("f", single)
            )
            value = json_number(value)
        out[key] = colour_channels(value)
    return out


def set_path(target: dict, source: dict, path: list[str]) -> None:
    """Copy one field-mask path from `source` to `target` (absent in source = reset)."""
    for key in path[:-1]:
        target = target.setdefault(key, {})
        source = source.get(key) or {}
    if path[-1] in source:
        target[path[-1]] = colour_channels(copy.deepcopy(source[path[-1]]))
    else:
        target.pop(path[-1], None)


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------


class FakeGoogle:
    """Google's Sheets v4, Gmail v1 and OAuth token endpoint on a loopback port; see the module
    docstring. Use as a context manager; set up state with add_spreadsheet, grant, ...;
    inspect it with values, formulas, snapshot, requests, sent."""

    def __init__(self, *, seed: int = 0):
        self.url = ""
        self.token_uri = ""
        self.requests: list[Recorded] = []
        self.sent: list[EmailMessage] = []
        self.faults = Faults(seed)
        self.internal_errors: list[str] = []  # bugs in the fake itself: raised at __exit__
        self._lock = threading.RLock()
        self._ids = random.Random(seed + 1)  # sheet ids, tokens: apart from the fault draws
        self._sheets: dict[str, Spreadsheet] = {}
        self._tokens: dict[str, tuple[str, frozenset[str]]] = {}
        self._refresh: dict[str, tuple[str, frozenset[str]]] = {}
        self._revoked: set[str] = set()
        self._codes: dict[str, tuple[str, frozenset[str]]] = {}
        self._counted_from = 0
        self._server: ThreadingHTTPServer | None = None
        self._sessions: list[requests.Session] = []  # from loopback_session, closed at exit
        from tests.fakes.forms_api import FormsApi  # which builds on this module

        self.forms_api = FormsApi(self._ids)

    # ----- lifecycle -----

    def __enter__(self) -> FakeGoogle:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self.token_uri = self.url + "/token"
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        for session in self._sessions:
            session.close()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self.internal_errors and exc[0] is None:
            raise AssertionError(
                "the Google fake itself failed:\n" + "\n".join(self.internal_errors)
            )

    # ----- state setup and inspection -----

    def add_spreadsheet(
        self,
        spreadsheet_id: str,
        tabs: dict[str, list[list]],
        *,
        title: str = "Mentoring",
        shared_with: set[str] | None = None,
        rows: int = 1000,
        columns: int = 26,
    ) -> None:
        """A spreadsheet with one tab per entry (a spreadsheet has at least one tab: none given
        makes "Sheet1"). Each grid is max(rows, len(data)) x max(columns, widest row)."""
        sheet_tabs = []
        for index, (tab_title, data) in enumerate((tabs or {"Sheet1": []}).items()):
            grid = {
                "rowCount": max(rows, len(data)),
                "columnCount": max([columns, *(len(r) for r in data)]),
            }
            props = {
                "sheetId": 0 if index == 0 else self._new_sheet_id(sheet_tabs),
                "title": tab_title,
                "sheetType": "GRID",
                "gridProperties": grid,
            }
            tab = Tab(props)
            for r, row in enumerate(data):
                for c, value in enumerate(row):
                    if (cell := python_cell(value)) is not None:
                        tab.cells[r, c] = cell
            sheet_tabs.append(tab)
        properties = {
            "title": title,
            "locale": "en_US",
            "autoRecalc": "ON_CHANGE",
            "timeZone": "Etc/GMT",
        }
        shared = None if shared_with is None else {s.lower() for s in shared_with}
        with self._lock:
            self._sheets[spreadsheet_id] = Spreadsheet(
                spreadsheet_id, properties, sheet_tabs, shared
            )

    def values(self, spreadsheet_id: str, tab: str) -> list[list]:
        """The whole tab as an UNFORMATTED_VALUE / SERIAL_NUMBER read returns it (trimmed)."""
        with self._lock:
            found = self._tab_named(spreadsheet_id, tab)
            box = Box(found, 0, 0, found.rows - 1, found.columns - 1)
            return self._read(box, "UNFORMATTED_VALUE", "SERIAL_NUMBER", "ROWS")

    def formulas(self, spreadsheet_id: str, tab: str) -> list[tuple[int, int, str]]:
        """The cells that hold a live formula: (row, column) 1-based, and the formula."""
        with self._lock:
            found = self._tab_named(spreadsheet_id, tab)
            return sorted(
                (r + 1, c + 1, cell.formula) for (r, c), cell in found.cells.items() if cell.formula
            )

    def tab_titles(self, spreadsheet_id: str) -> list[str]:
        with self._lock:
            return [t.title for t in self._sheets[spreadsheet_id].tabs]

    def grid(self, spreadsheet_id: str, tab: str) -> tuple[int, int]:
        """The tab's rowCount and columnCount."""
        with self._lock:
            found = self._tab_named(spreadsheet_id, tab)
            return found.rows, found.columns

    def _tab_named(self, spreadsheet_id: str, title: str) -> Tab:
        found = self._sheets[spreadsheet_id].tab_by_title(title)
        if found is None:
            raise KeyError(
                f"no tab {title!r} in {spreadsheet_id}: {self.tab_titles(spreadsheet_id)}"
            )
        return found

    def add_form(self, form: dict, *, shared_with: set[str] | None = None) -> str:
        """A form (a Form resource as forms.get returns it, items and all; checked against
        the discovery document), open to `shared_with` only if given; returns its formId."""
        with self._lock:
            return self.forms_api.add(form, shared_with)

    def form(self, form_id: str) -> dict:
        """The form as forms.get would return it now."""
        with self._lock:
            return copy.deepcopy(self.forms_api.forms[form_id].resource)

    def snapshot(self, spreadsheet_id: str) -> Spreadsheet:
        """A deep copy of the whole spreadsheet, comparable with == ("nothing changed")."""
        with self._lock:
            return copy.deepcopy(self._sheets[spreadsheet_id])

    # ----- auth -----

    def grant(self, identity: str, scopes: list[str]) -> str:
        """A fresh access token for `identity` with `scopes` (tests that skip /token)."""
        with self._lock:
            token = f"ya29.fake-{len(self._tokens):04d}-{self._ids.getrandbits(64):016x}"
            self._tokens[token] = (identity.lower(), frozenset(scopes))
            return token

    def add_refresh_token(self, refresh_token: str, identity: str, scopes: list[str]) -> None:
        with self._lock:
            self._refresh[refresh_token] = (identity.lower(), frozenset(scopes))
            self._revoked.discard(refresh_token)

    def add_authorization_code(self, code: str, identity: str, scopes: list[str]) -> None:
        """A code the sign-in page would hand back after `identity` allowed `scopes`; /token
        exchanges it once for an access token and a refresh token."""
        with self._lock:
            self._codes[code] = (identity.lower(), frozenset(scopes))

    def revoke(self, refresh_token: str) -> None:
        """The refresh token stops working at /token (invalid_grant), as when a user removes
        the app's access or a testing-mode token expires after 7 days."""
        with self._lock:
            self._revoked.add(refresh_token)

    # ----- traffic -----

    def count(self, api: str = "sheets") -> int:
        """Requests to `api` since the last reset_counts (faulted ones included)."""
        with self._lock:
            return sum(1 for r in self.requests[self._counted_from :] if r.api == api)

    def reset_counts(self) -> None:
        with self._lock:
            self._counted_from = len(self.requests)

    # ----- HTTP dispatch -----

    def _handle(self, method: str, raw_path: str, headers, body: bytes):
        """Answer one request: (status, content type, body bytes, extra headers)."""
        split = urlsplit(raw_path)
        path, query = split.path, parse_qs(split.query, keep_blank_values=True)
        api = "other"
        if path == "/token":
            api = "token"
        elif path.startswith("/v4/spreadsheets/"):
            api = "sheets"
        elif path.startswith(("/gmail/v1/", "/upload/gmail/v1/")):
            api = "gmail"
        elif path.startswith("/v1/forms"):
            api = "forms"
        record = Recorded(api, method, path, query, body)
        write = method != "GET"
        with self._lock:
            self.requests.append(record)
            fault = self.faults.draw(api, write) if api in FAULTED_APIS else None
        if fault == "timeout":
            time.sleep(self.faults.delay)
            fault = "503"
        if fault in ("429", "500", "503"):
            answer = self._json(_fault_error(fault, api, write).body(), int(fault))
        elif fault == "html500":
            answer = _html_error(self.faults.html_status())
        else:
            answer = self._answer(api, method, path, query, headers, body, record)
            if fault == "timeout_after":
                time.sleep(self.faults.delay)
            elif fault == "html502_after":
                answer = _html_error(502)
            elif fault in ("500_after", "503_after"):  # done, and yet an error is the answer
                code = fault.partition("_")[0]
                answer = self._json(_fault_error(code, api, write).body(), int(code))
        record.status = answer[0]
        return answer

    def _answer(self, api, method, path, query, headers, body, record):
        try:
            with self._lock:
                if api == "token":
                    return self._token(method, body)
                if api == "other":
                    page = HTML_ERROR.format(code=404).replace("Server Error", "Not Found")
                    return 404, "text/html; charset=UTF-8", page.encode(), {}
                identity, scopes = self._caller(headers, api)
                record.identity = identity
                if api == "sheets":
                    return self._json(
                        self._sheets_call(method, path, query, body, identity, scopes)
                    )
                if api == "forms":
                    request = json_body(body)
                    return self._json(
                        self.forms_api.call(method, path, query, request, identity, scopes)
                    )
                return self._json(self._gmail_call(method, path, query, body, identity, scopes))
        except ApiError as error:
            extra = {}
            if error.code == 401:
                extra["WWW-Authenticate"] = 'Bearer realm="https://accounts.google.com/"'
            return self._json(error.body(), error.code, extra)
        except Exception as error:  # a bug in the fake: answer 500, and fail the test at exit
            self.internal_errors.append(f"{method} {path}: {traceback.format_exc()}")
            return self._json(
                {"error": {"code": 500, "message": repr(error), "status": "INTERNAL"}}, 500
            )

    @staticmethod
    def _json(payload: dict, status: int = 200, extra: dict | None = None):
        data = json.dumps(payload, indent=2, ensure_ascii=False).encode() + b"\n"
        return status, "application/json; charset=UTF-8", data, extra or {}

    def _caller(self, headers, api: str) -> tuple[str, frozenset[str]]:
        """The identity and scopes of the request's Bearer token, else 401."""
        auth = headers.get("Authorization", "")
        token = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
        if token not in self._tokens:
            if api == "gmail":
                raise gmail_error(401, UNAUTHENTICATED[1], "authError")
            raise ApiError(*UNAUTHENTICATED)
        return self._tokens[token]

    # ----- OAuth token endpoint -----

    def _token(self, method: str, body: bytes):
        """POST /token as oauth2.googleapis.com/token answers it."""
        form = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
        grant_type = form.get("grant_type", "")

        def oauth_error(error: str, description: str, status: int = 400):
            return self._json({"error": error, "error_description": description}, status)

        if method != "POST":
            return oauth_error("invalid_request", "Invalid request method", 405)
        if grant_type == JWT_BEARER:
            try:
                payload_part = form["assertion"].split(".")[1]
                claims = json.loads(
                    base64.urlsafe_b64decode(payload_part + "=" * (-len(payload_part) % 4))
                )
                identity = claims.get("sub") or claims["iss"]
            except (KeyError, IndexError, ValueError):
                return oauth_error("invalid_grant", "Invalid JWT: malformed assertion.")
            if not claims.get("scope"):
                return oauth_error(
                    "invalid_scope", "Invalid OAuth scope or ID token audience provided."
                )
            token = self.grant(identity, claims.get("scope", "").split())
            return self._json({"access_token": token, "expires_in": 3599, "token_type": "Bearer"})
        if grant_type == "refresh_token":
            refresh = form.get("refresh_token", "")
            if refresh not in self._refresh or refresh in self._revoked:
                return oauth_error("invalid_grant", "Token has been expired or revoked.")
            identity, scopes = self._refresh[refresh]
            wanted = set(form["scope"].split()) if form.get("scope") else set(scopes)
            if not wanted <= scopes:
                return oauth_error("invalid_scope", "Bad Request")
            token = self.grant(identity, sorted(wanted))
            return self._json(
                {
                    "access_token": token,
                    "expires_in": 3599,
                    "scope": " ".join(sorted(wanted)),
                    "token_type": "Bearer",
                }
            )
        if grant_type == "authorization_code":
            with self._lock:
                found = self._codes.pop(form.get("code", ""), None)
            if found is None:
                return oauth_error("invalid_grant", "Malformed auth code.")
            identity, scopes = found
            refresh = f"1//refresh-{len(self._refresh) + 1}"
            self.add_refresh_token(refresh, identity, sorted(scopes))
            return self._json(
                {
                    "access_token": self.grant(identity, sorted(scopes)),
                    "expires_in": 3599,
                    "refresh_token": refresh,
                    "scope": " ".join(sorted(scopes)),
                    "token_type": "Bearer",
                }
            )
        return oauth_error("unsupported_grant_type", f"Invalid grant_type: {grant_type}")

    # ----- Sheets -----

    def _sheets_call(self, method, path, query, body, identity, scopes) -> dict:
        m = re.fullmatch(r"/v4/spreadsheets/([^/:]+)(:batchUpdate|/values(/[^?]*|:\w+))?", path)
        if not m:
            raise ApiError(404, "Method not found.", "NOT_FOUND")
        if not scopes & (SHEETS_SCOPES_READ if method == "GET" else SHEETS_SCOPES_WRITE):
            raise ApiError(*INSUFFICIENT_SCOPES)
        sheet = self._sheets.get(m.group(1))
        if sheet is None:
            raise ApiError(*NOT_FOUND)
        if sheet.shared_with is not None and identity not in sheet.shared_with:
            raise ApiError(*NOT_SHARED)
        request = json_body(body)
        opt = {k: v[0] for k, v in query.items()}
        kind, values_part = m.group(2), m.group(3)
        if kind is None and method == "GET":
            return self._metadata(sheet, query)
        if kind == ":batchUpdate" and method == "POST":
            return self._batch_update(sheet, request)
        if values_part == ":batchGet" and method == "GET":
            ranges = [parse_range(sheet, r) for r in query.get("ranges", [])]
            return {
                "spreadsheetId": sheet.id,
                "valueRanges": [self._value_range(b, opt) for b in ranges],
            }
        if values_part == ":batchUpdate" and method == "POST":
            return self._commit(sheet, lambda work: self._values_batch_update(work, request))
        if values_part == ":batchClear" and method == "POST":
            return self._commit(
                sheet,
                lambda work: {
                    "spreadsheetId": sheet.id,
                    "clearedRanges": [
                        self._clear(parse_range(work, r)) for r in request.get("ranges", [])
                    ],
                },
            )
        if values_part and values_part.startswith("/"):
            text, suffix = values_part[1:], ""
            for verb in (":append", ":clear"):
                if text.endswith(verb):
                    text, suffix = text[: -len(verb)], verb
            text = unquote(text)
            if method == "GET" and not suffix:
                return self._value_range(parse_range(sheet, text), opt)
            if method == "PUT" and not suffix:
                return self._commit(sheet, lambda work: self._update(work, text, request, opt))
            if method == "POST" and suffix == ":clear":
                return self._commit(
                    sheet,
                    lambda work: {
                        "spreadsheetId": sheet.id,
                        "clearedRange": self._clear(parse_range(work, text)),
                    },
                )
            if method == "POST" and suffix == ":append":
                return self._commit(sheet, lambda work: self._append(work, text, request, opt))
        raise ApiError(404, "Method not found.", "NOT_FOUND")

    def _commit(self, sheet: Spreadsheet, change) -> dict:
        """Apply `change` to a copy and keep it only if it succeeds: every write is atomic."""
        work = sheet.copy()
        reply = change(work)
        self._sheets[sheet.id] = work
        return reply

    def _metadata(self, sheet: Spreadsheet, query) -> dict:
        """spreadsheets.get without grid data; `ranges` narrows the sheets, `fields` masks."""
        tabs = list(enumerate(sheet.tabs))
        if query.get("ranges"):
            wanted = {id(parse_range(sheet, r).tab) for r in query["ranges"]}
            tabs = [(i, t) for i, t in tabs if id(t) in wanted]
        reply = {
            "spreadsheetId": sheet.id,
            "properties": dict(sheet.properties),
            "sheets": [{"properties": self._tab_properties(t, i)} for i, t in tabs],
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{sheet.id}/edit",
        }
        if query.get("fields"):
            reply = apply_mask(reply, mask_paths(query["fields"][0]))
        return reply

    @staticmethod
    def _tab_properties(tab: Tab, index: int) -> dict:
        props = tab.properties
        ordered = {"sheetId": props["sheetId"], "title": props["title"], "index": index}
        return pruned(ordered | {k: v for k, v in props.items() if k not in ordered})

    # values

    def _read(self, box: Box, value_option, date_option, major) -> list[list]:
        rows = [
            [
                render(box.tab.cells.get((r, c)), value_option, date_option)
                for c in range(box.c0, box.c1 + 1)
            ]
            for r in range(box.r0, box.r1 + 1)
        ]
        if major == "COLUMNS":
            rows = [list(col) for col in zip(*rows, strict=True)] if rows else []
        for row in rows:
            while row and row[-1] == "":
                row.pop()
        while rows and not rows[-1]:
            rows.pop()
        return rows

    def _value_range(self, box: Box, opt: dict) -> dict:
        """A ValueRange: the range echoed (open ends closed at the grid's edge), trailing empty
        cells and rows trimmed, and no `values` key at all when nothing is there."""
        major = opt.get("majorDimension", "ROWS")
        values = self._read(
            box,
            opt.get("valueRenderOption", "FORMATTED_VALUE"),
            opt.get("dateTimeRenderOption", "SERIAL_NUMBER"),
            major,
        )
        reply = {"range": box.echo(), "majorDimension": major}
        if values:
            reply["values"] = values
        return reply

    def _write(self, box: Box, values, major, input_option) -> tuple[dict, set]:
        """Write a values array at `box` (an anchor cell, or a range the data must fit in); a
        null element leaves its cell alone. Returns the UpdateValuesResponse and the cells written."""
        if not input_option:
            raise bad_request("'valueInputOption' is required but not specified")
        if input_option not in ("RAW", "USER_ENTERED"):
            raise bad_request(f"Invalid value at 'value_input_option' ({input_option})")
        if major == "COLUMNS":
            width = max((len(col) for col in values), default=0)
            values = [[col[i] if i < len(col) else None for col in values] for i in range(width)]
        height, width = len(values), max((len(row) for row in values), default=0)
        reply: dict = {"updatedRange": box.echo()}
        if not height or not width:
            return reply, set()
        tab = box.tab
        r1, c1 = box.r0 + height - 1, box.c0 + width - 1
        if not box.single:
            where = f"[{box.echo(True)}]"
            if r1 > box.r1:
                raise bad_request(
                    f"Requested writing within range {where}, but tried writing to row [{box.r1 + 2}]"
                )
            if c1 > box.c1:
                raise bad_request(
                    f"Requested writing within range {where}, but tried writing to column "
                    f"[{column_letters(box.c1 + 1)}]"
                )
        if r1 >= tab.rows or c1 >= tab.columns:
            raise grid_error(tab, box.r0, box.c0, r1, c1)
        written = set()
        for i, row in enumerate(values):
            for j, raw in enumerate(row):
                if raw is not None:
                    self._put(tab, (box.r0 + i, box.c0 + j), raw, input_option)
                    written.add((tab.properties["sheetId"], box.r0 + i, box.c0 + j))
        reply["updatedRange"] = Box(tab, box.r0, box.c0, r1, c1).echo()
        return reply | {k: n for k, n in updated_counts(written).items() if n}, written

    @staticmethod
    def _put(tab: Tab, where: tuple[int, int], raw, input_option: str) -> None:
        old = tab.cells.get(where)
        fmt = old.number_format if old else None
        if isinstance(raw, bool | int | float):
            cell = Cell(raw, number_format=fmt)
        elif isinstance(raw, str):
            if raw == "":
                cell = Cell(None, number_format=fmt)
            elif input_option == "RAW":
                cell = Cell(raw, number_format=fmt)
            else:
                cell = user_entered(raw, fmt)
        else:
            raise bad_request(f"Invalid values[{where[0]}][{where[1]}]: {json.dumps(raw)}")
        if cell.value is None and cell.number_format is None:
            tab.cells.pop(where, None)
        else:
            tab.cells[where] = cell

    @staticmethod
    def _check_values(values, field_name: str) -> None:
        if not isinstance(values, list) or not all(isinstance(row, list) for row in values):
            bad = json.dumps(values)
            message = f"Invalid value at '{field_name}' (type.googleapis.com/google.protobuf.ListValue), {bad}"
            raise bad_request(
                message,
                details=[
                    {
                        "@type": "type.googleapis.com/google.rpc.BadRequest",
                        "fieldViolations": [{"field": field_name, "description": message}],
                    }
                ],
            )

    def _write_values(self, work, range_text, data, input_option, field) -> tuple[dict, set]:
        """One ValueRange written: its values checked, its range read, then the write."""
        values = data.get("values", [])
        self._check_values(values, field)
        box = parse_range(work, range_text)
        return self._write(box, values, data.get("majorDimension") or "ROWS", input_option)

    def _update(self, work: Spreadsheet, text: str, request: dict, opt: dict) -> dict:
        """PUT values/{range}: spreadsheets.values.update."""
        option = opt.get("valueInputOption")
        reply, _ = self._write_values(work, text, request, option, "data.values")
        return {"spreadsheetId": work.id} | reply

    def _values_batch_update(self, work: Spreadsheet, request: dict) -> dict:
        """POST values:batchUpdate: every range written, or none."""
        if not request.get("valueInputOption"):
            raise bad_request("'valueInputOption' is required but not specified")
        responses, written = [], set()
        for i, data in enumerate(request.get("data", [])):
            option, field = request.get("valueInputOption"), f"data[{i}].values"
            reply, cells = self._write_values(work, data.get("range", ""), data, option, field)
            written |= cells
            responses.append({"spreadsheetId": work.id} | reply)
        totals = {"spreadsheetId": work.id} | {
            "total" + key[0].upper() + key[1:]: n for key, n in updated_counts(written).items()
        }
        totals["totalUpdatedSheets"] = len({sheet_id for sheet_id, _, _ in written})
        return {k: v for k, v in totals.items() if v} | {"responses": responses}

    def _append(self, work: Spreadsheet, text: str, request: dict, opt: dict) -> dict:
        """POST values/{range}:append. Google looks for a "table" in the range: here, the last
        run of filled cells in the last filled row, extended up while the rows above have data
        in those columns (this reproduces the recorded answers, including the known quirk that
        a row with a gap appends under its last run). Rows are added if the grid is too small."""
        values = request.get("values", [])
        self._check_values(values, "data.values")
        box = parse_range(work, text)
        tab = box.tab
        filled = [
            (r, c)
            for (r, c), cell in tab.cells.items()
            if cell.value is not None and box.r0 <= r <= box.r1 and box.c0 <= c <= box.c1
        ]
        reply: dict = {"spreadsheetId": work.id}
        if filled:
            last = max(r for r, _ in filled)
            run_end = max(c for r, c in filled if r == last)
            run_start = run_end
            while (last, run_start - 1) in filled:
                run_start -= 1
            top = last
            while any((top - 1, c) in filled for c in range(run_start, run_end + 1)):
                top -= 1
            reply["tableRange"] = Box(tab, top, run_start, last, run_end).echo()
            at = (last + 1, run_start)
        else:
            at = (box.r0, box.c0)
        major = request.get("majorDimension") or "ROWS"
        height = len(values) if major == "ROWS" else max((len(c) for c in values), default=0)
        width = max((len(r) for r in values), default=0) if major == "ROWS" else len(values)
        if opt.get("insertDataOption") == "INSERT_ROWS" and height:
            self._shift(tab, "ROWS", at[0], height)
        grid = tab.properties["gridProperties"]
        grid["rowCount"] = max(tab.rows, at[0] + height)
        grid["columnCount"] = max(tab.columns, at[1] + width)
        anchor = Box(tab, at[0], at[1], at[0], at[1], single=True)
        updates, _ = self._write(anchor, values, major, opt.get("valueInputOption"))
        updates = {"spreadsheetId": work.id} | updates
        if opt.get("includeValuesInResponse", "").lower() == "true":
            written = parse_range(work, updates["updatedRange"])
            updates["updatedData"] = self._value_range(written, opt)
        return reply | {"updates": updates}

    @staticmethod
    def _clear(box: Box) -> str:
        """Clear values (and formulas), keeping formats, as values.clear does."""
        for (r, c), cell in list(box.tab.cells.items()):
            if box.r0 <= r <= box.r1 and box.c0 <= c <= box.c1:
                if cell.number_format is None:
                    del box.tab.cells[r, c]
                else:
                    box.tab.cells[r, c] = Cell(None, number_format=cell.number_format)
        return box.echo()

    # spreadsheets.batchUpdate

    def _batch_update(self, sheet: Spreadsheet, request: dict) -> dict:
        """POST {id}:batchUpdate: the requests in order, on a copy; committed only if all
        succeed (Google's batchUpdate is atomic). One reply per request, {} when it has none."""

        def run(work: Spreadsheet) -> dict:
            replies = []
            for n, item in enumerate(request.get("requests", [])):
                kind = next(iter(item), "")
                handler = getattr(self, f"_bu_{kind}", None)
                if len(item) != 1 or handler is None:
                    modelled = sorted(a[4:] for a in dir(self) if a.startswith("_bu_"))
                    raise bad_request(
                        f'Invalid JSON payload received. Unknown name "{kind}" at '
                        f"'requests[{n}]': Cannot find field. (The loopback fake models "
                        f"only {', '.join(modelled)}.)"
                    )
                try:
                    replies.append(handler(work, item[kind]) or {})
                except Invalid as refusal:
                    raise bad_request(f"Invalid requests[{n}].{kind}: {refusal}") from None
            return {"spreadsheetId": work.id, "replies": replies}

        return self._commit(sheet, run)

    def _new_sheet_id(self, tabs) -> int:
        taken = {t.properties["sheetId"] for t in tabs}
        while (candidate := self._ids.randrange(1, 2**31)) in taken:
            pass
        return candidate

    @staticmethod
    def _tab(work: Spreadsheet, sheet_id: int) -> Tab:
        tab = work.tab_by_id(sheet_id)
        if tab is None:
            raise Invalid(f"No grid with id: {sheet_id}")
        return tab

    def _bu_addSheet(self, work: Spreadsheet, args: dict) -> dict:
        props = copy.deepcopy(args.get("properties", {}))
        title = props.pop("title", None) or next(
            f"Sheet{n}" for n in range(1, 10**6) if not work.tab_by_title(f"Sheet{n}")
        )
        if work.tab_by_title(title):
            raise Invalid(SHEET_NAME_TAKEN.format(title))
        if "sheetId" in props and work.tab_by_id(props["sheetId"]):
            raise Invalid(f"Sheet with id {props['sheetId']} already exists.")
        index = min(props.pop("index", len(work.tabs)), len(work.tabs))
        stored = {
            "sheetId": props.pop("sheetId")
            if "sheetId" in props
            else self._new_sheet_id(work.tabs),
            "title": title,
            "sheetType": props.pop("sheetType", "GRID"),
            "gridProperties": {"rowCount": 1000, "columnCount": 26}
            | props.pop("gridProperties", {}),
        }
        tab = Tab(stored | props)
        work.tabs.insert(index, tab)
        return {"addSheet": {"properties": self._tab_properties(tab, index)}}

    def _bu_deleteSheet(self, work: Spreadsheet, args: dict) -> None:
        tab = self._tab(work, args.get("sheetId", 0))
        if len(work.tabs) == 1:
            raise Invalid("You can't remove all the sheets in a document.")
        work.tabs.remove(tab)

    def _bu_updateSheetProperties(self, work: Spreadsheet, args: dict) -> None:
        """Copies the masked fields (title, index, hidden, gridProperties.*, tabColorStyle...)."""
        props = args.get("properties", {})
        tab = self._tab(work, props.get("sheetId", 0))
        if not args.get("fields"):
            raise Invalid("At least one field must be updated.")
        paths = mask_paths(args["fields"])
        if ["*"] in paths:
            paths = [[k] for k in props]
        new = copy.deepcopy(tab.properties)
        for path in paths:
            if path == ["index"]:  # Google counts the new index before the move
                now, target = work.tabs.index(tab), props.get("index", 0)
                work.tabs.remove(tab)
                work.tabs.insert(min(target if target <= now else target - 1, len(work.tabs)), tab)
            elif path == ["title"]:
                other = work.tab_by_title(props.get("title", ""))
                if not props.get("title") or (other is not None and other is not tab):
                    raise Invalid(SHEET_NAME_TAKEN.format(props.get("title", "")))
                new["title"] = props["title"]
            elif path != ["sheetId"]:
                set_path(new, props, path)
        grid = {"rowCount": tab.rows, "columnCount": tab.columns} | new.get("gridProperties", {})
        new["gridProperties"] = grid
        if grid["rowCount"] < 1 or grid["columnCount"] < 1:
            raise Invalid("The grid must have at least one row and column.")
        for frozen, count, what in (
            ("frozenRowCount", "rowCount", "rows"),
            ("frozenColumnCount", "columnCount", "columns"),
        ):
            if grid.get(frozen, 0) >= grid[count]:
                raise Invalid(f"You can't freeze all visible {what} on the sheet.")
        tab.properties = new
        if all(t.properties.get("hidden") for t in work.tabs):
            raise Invalid("You can't hide all the sheets in a document.")
        tab.cells = {
            (r, c): v for (r, c), v in tab.cells.items() if r < tab.rows and c < tab.columns
        }

    def _bu_updateSpreadsheetProperties(self, work: Spreadsheet, args: dict) -> None:
        paths = mask_paths(args.get("fields", ""))
        props = args.get("properties", {})
        for path in [[k] for k in props] if ["*"] in paths else paths:
            set_path(work.properties, props, path)

    @staticmethod
    def _shift(tab: Tab, dimension: str, at: int, count: int) -> None:
        """Move the cells at or after row/column `at` by `count`: count > 0 inserts `count`
        empty ones before `at`, count < 0 deletes the `-count` ones just before `at`."""
        axis = 0 if dimension == "ROWS" else 1
        moved = {}
        for key, cell in tab.cells.items():
            if key[axis] < min(at, at + count):
                moved[key] = cell
            elif key[axis] >= at:
                moved[(key[0] + count, key[1]) if axis == 0 else (key[0], key[1] + count)] = cell
        tab.cells = moved
        tab.properties["gridProperties"]["rowCount" if axis == 0 else "columnCount"] += count

    def _dimension(self, work: Spreadsheet, args: dict) -> tuple[Tab, str, int, int, int]:
        """A DimensionRange: the tab, ROWS or COLUMNS, start, end (exclusive) and the size."""
        span = args.get("range", {})
        tab = self._tab(work, span.get("sheetId", 0))
        dimension = span.get("dimension")
        if dimension not in ("ROWS", "COLUMNS"):
            raise Invalid("range.dimension must be ROWS or COLUMNS")
        size = tab.rows if dimension == "ROWS" else tab.columns
        start, end = span.get("startIndex", 0), span.get("endIndex", size)
        if not 0 <= start < end:
            raise Invalid(f"Invalid dimension range [{start}, {end})")
        return tab, dimension, start, end, size

    def _bu_insertDimension(self, work: Spreadsheet, args: dict) -> None:
        tab, dimension, start, end, size = self._dimension(work, args)
        if start > size:
            raise Invalid(
                f"Cannot insert at index {start}: the sheet has only {size} {dimension.lower()}."
            )
        if start == 0 and args.get("inheritFromBefore"):
            raise Invalid("Cannot inherit from before when inserting at index 0.")
        self._shift(tab, dimension, start, end - start)

    def _bu_appendDimension(self, work: Spreadsheet, args: dict) -> None:
        tab = self._tab(work, args.get("sheetId", 0))
        if args.get("dimension") not in ("ROWS", "COLUMNS") or args.get("length", 0) < 1:
            raise Invalid("dimension and a positive length are required")
        grid = tab.properties["gridProperties"]
        grid["rowCount" if args["dimension"] == "ROWS" else "columnCount"] += args["length"]

    def _bu_deleteDimension(self, work: Spreadsheet, args: dict) -> None:
        tab, dimension, start, end, size = self._dimension(work, args)
        if end > size:
            raise Invalid(
                f"Cannot delete up to index {end}: the sheet has only {size} {dimension.lower()}."
            )
        if end - start >= size:
            raise Invalid(f"You can't delete all the {dimension.lower()} on the sheet.")
        self._shift(tab, dimension, end, start - end)
        grid = tab.properties["gridProperties"]
        frozen = "frozenRowCount" if dimension == "ROWS" else "frozenColumnCount"
        grid[frozen] = min(grid.get(frozen, 0), size - (end - start) - 1)

    @staticmethod
    def _cell_data(tab: Tab, where: tuple[int, int], data: dict, paths) -> None:
        """Apply one CellData per the field mask: userEnteredValue (stringValue is always text,
        formulaValue a formula) and userEnteredFormat.numberFormat; other fields are ignored."""
        everything = ["*"] in paths
        sets_value = everything or any(p[0] == "userEnteredValue" for p in paths)
        sets_format = everything or any(
            p[0] == "userEnteredFormat" and (len(p) == 1 or p[1] == "numberFormat") for p in paths
        )
        old = tab.cells.get(where) or Cell()
        cell = Cell(old.value, old.formula, old.number_format)
        if sets_format:
            fmt = (data.get("userEnteredFormat") or {}).get("numberFormat")
            cell.number_format = (fmt["type"], fmt.get("pattern", "")) if fmt else None
        if sets_value:
            entered = data.get("userEnteredValue") or {}
            cell.formula = entered.get("formulaValue")
            if "stringValue" in entered:
                cell.value = str(entered["stringValue"])
            elif "numberValue" in entered:
                cell.value = json_number(entered["numberValue"])
            elif "boolValue" in entered:
                cell.value = bool(entered["boolValue"])
            elif cell.formula:
                cell.value = evaluate(cell.formula)
            elif entered:
                raise Invalid(f"unsupported userEnteredValue {json.dumps(entered)}")
            else:
                cell.value = None
        if cell.value is None and cell.number_format is None:
            tab.cells.pop(where, None)
        else:
            tab.cells[where] = cell

    def _bu_updateCells(self, work: Spreadsheet, args: dict) -> None:
        """Write CellData rows from `start`, or over `range` (whose cells that the rows do not
        cover get the masked fields cleared, as Google documents)."""
        if not args.get("fields"):
            raise Invalid("At least one field must be updated.")
        paths = mask_paths(args["fields"])
        rows = [row.get("values", []) for row in args.get("rows", [])]
        if "range" in args:
            box = grid_box(work, args["range"])
            for i, r in enumerate(range(box.r0, box.r1 + 1)):
                row = rows[i] if i < len(rows) else []
                for j, c in enumerate(range(box.c0, box.c1 + 1)):
                    self._cell_data(box.tab, (r, c), row[j] if j < len(row) else {}, paths)
        elif "start" in args:
            start = args["start"]
            tab = self._tab(work, start.get("sheetId", 0))
            r0, c0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
            r1 = r0 + len(rows) - 1
            c1 = c0 + max((len(row) for row in rows), default=0) - 1
            if r1 >= tab.rows or c1 >= tab.columns:
                raise Invalid(grid_message(tab, r0, c0, max(r0, r1), max(c0, c1)))
            for i, row in enumerate(rows):
                for j, data in enumerate(row):
                    self._cell_data(tab, (r0 + i, c0 + j), data, paths)
        else:
            raise Invalid("Must specify at least one of start or range")

    def _bu_repeatCell(self, work: Spreadsheet, args: dict) -> None:
        """The same CellData over a range; formats other than number formats (bold, colours)
        are not modelled, so a request that sets only those changes nothing."""
        box = grid_box(work, args.get("range", {}))
        paths = mask_paths(args.get("fields", ""))
        if ["*"] in paths or any(
            p[0] == "userEnteredValue" or p[:2] in (["userEnteredFormat"], NUMBER_FORMAT)
            for p in paths
        ):
            for r in range(box.r0, box.r1 + 1):
                for c in range(box.c0, box.c1 + 1):
                    self._cell_data(box.tab, (r, c), args.get("cell", {}), paths)

    def _bu_setDataValidation(self, work: Spreadsheet, args: dict) -> None:
        """Kept (per range) so that a snapshot shows it; the fake does not enforce rules."""
        box = grid_box(work, args.get("range", {}))
        where = (box.r0, box.c0, box.r1, box.c1)
        box.tab.validations = [v for v in box.tab.validations if v[0] != where]
        if args.get("rule"):
            box.tab.validations.append((where, args["rule"]))

    # ----- Gmail -----

    def _gmail_call(self, method, path, query, body, identity, scopes) -> dict:
        m = re.fullmatch(r"(/upload)?/gmail/v1/users/([^/]+)/messages(/send)?", path)
        if not m:
            raise ApiError(404, "Method not found.", "NOT_FOUND")
        upload, user, send = m.groups()
        if user != "me" and user.lower() != identity:
            raise gmail_error(403, f"Delegation denied for {identity}", "forbidden")
        if send and method == "POST":
            if not scopes & GMAIL_SEND_SCOPES:
                raise gmail_error(*INSUFFICIENT_SCOPES[:2], "insufficientPermissions")
            return self._send(body if upload else None, json_body(body), identity)
        if not send and method == "GET":
            if not scopes & GMAIL_LIST_SCOPES:
                raise gmail_error(*INSUFFICIENT_SCOPES[:2], "insufficientPermissions")
            return self._list(query, scopes)
        raise ApiError(404, "Method not found.", "NOT_FOUND")

    def _send(self, uploaded: bytes | None, request: dict, identity: str) -> dict:
        """users.messages.send: JSON {"raw": base64url}, or the message itself uploaded to
        /upload/... . Gmail fills in a missing From (the account) and Message-ID."""
        raw = uploaded
        if raw is None:
            encoded = request.get("raw")
            if not encoded or not isinstance(encoded, str):
                raise gmail_error(400, NO_RAW, "invalidArgument")
            try:  # base64url as documented; proto JSON also takes standard base64
                encoded = encoded.replace("+", "-").replace("/", "_")
                padded = encoded + "=" * (-len(encoded) % 4)
                raw = base64.b64decode(padded, altchars=b"-_", validate=True)
            except ValueError:
                raise bad_request(f"Invalid value for ByteString: {encoded[:40]}") from None
        message = email.message_from_bytes(raw, policy=email.policy.default)
        if not any(message.get_all(header) for header in ("To", "Cc", "Bcc")):
            raise gmail_error(400, "Recipient address required", "invalidArgument")
        number = len(self.sent)
        if message["From"] is None:
            message["From"] = identity
        if message["Message-ID"] is None:
            message["Message-ID"] = f"<fake{number:06d}@mail.gmail.com>"
        self.sent.append(message)
        return {"id": gmail_id(number), "threadId": gmail_id(number), "labelIds": ["SENT"]}

    def _list(self, query, scopes) -> dict:
        """users.messages.list: only `q=rfc822msgid:<id>` (or no q: all sent mail, newest
        first). The metadata scope may list but not search."""
        q = query.get("q", [""])[0].strip()
        if q and not scopes & (GMAIL_LIST_SCOPES - {_GMAIL + "metadata"}):
            raise gmail_error(403, "Metadata scope does not support 'q' parameter", "forbidden")
        if q and not q.startswith("rfc822msgid:"):
            raise bad_request(f"The loopback fake models only q=rfc822msgid:<id>, not {q!r}")
        wanted = q.partition(":")[2].strip().strip("<>")
        found = [
            gmail_id(n)
            for n, message in reversed(list(enumerate(self.sent)))
            if not q or (message["Message-ID"] or "").strip().strip("<>") == wanted
        ]
        reply: dict = {"resultSizeEstimate": len(found)}
        if found:
            reply = {"messages": [{"id": i, "threadId": i} for i in found]} | reply
        return reply


NO_RAW = "'raw' RFC822 payload message string or uploading message via /upload/* URL required"


def gmail_id(number: int) -> str:
    return f"{0x18F0000000000000 + number:x}"


def gmail_error(code: int, message: str, reason: str) -> ApiError:
    """Gmail's error bodies also carry the legacy `errors` list (Sheets' do not)."""
    status = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED"}[code]
    errors = [{"message": message, "domain": "global", "reason": reason}]
    return ApiError(code, message, status, errors=errors)


def updated_counts(written: set[tuple[int, int, int]]) -> dict[str, int]:
    """Google's counts of a write, from the (sheetId, row, column) cells given a value: the
    distinct rows and columns that got at least one (a null in the array writes nothing)."""
    return {
        "updatedRows": len({(s, r) for s, r, _ in written}),
        "updatedColumns": len({(s, c) for s, _, c in written}),
        "updatedCells": len(written),
    }


def json_body(body: bytes) -> dict:
    """A request's JSON object, or Google's 400 for anything else."""
    try:
        request = json.loads(body) if body.strip() else {}
    except ValueError:
        raise bad_request("Invalid JSON payload received.") from None
    if not isinstance(request, dict):
        raise bad_request("Invalid JSON payload received. Expected an object.")
    return request


def _fault_error(kind: str, api: str, write: bool) -> ApiError:
    if kind == "429":
        service = api
        metric = ("Write" if write else "Read") + " requests" if api != "gmail" else "Queries"
        return ApiError(
            429,
            f"Quota exceeded for quota metric '{metric}' and limit '{metric} per minute per user' "
            f"of service '{service}.googleapis.com' for consumer 'project_number:1'.",
            "RESOURCE_EXHAUSTED",
        )
    code, status = (500, "INTERNAL") if kind == "500" else (503, "UNAVAILABLE")
    if api == "gmail":  # Gmail's 5xx say "Backend Error" and carry the legacy errors list
        errors = [{"message": "Backend Error", "domain": "global", "reason": "backendError"}]
        return ApiError(code, "Backend Error", status, errors=errors)
    if code == 500:
        return ApiError(code, "Internal error encountered.", status)
    return ApiError(code, "The service is currently unavailable.", status)


def _html_error(code: int):
    """The HTML page Google's front end answers instead of JSON (mostly with a 502)."""
    return code, "text/html; charset=UTF-8", HTML_ERROR.format(code=code).encode(), {}


class _Handler(BaseHTTPRequestHandler):
    """Hands each request to the fake and writes its answer (HTTP/1.1, keep-alive)."""

    protocol_version = "HTTP/1.1"
    fake: FakeGoogle

    def setup(self) -> None:
        super().setup()  # no Nagle: headers and body go out at once, not 40 ms apart
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, content_type, data, extra = self.fake._handle(
            self.command, self.path, self.headers, body
        )
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def log_message(self, *args) -> None:  # quiet
        pass


# --------------------------------------------------------------------------------------------
# Pointing the real clients at the fake
# --------------------------------------------------------------------------------------------

GOOGLE_HOSTS = (
    "https://sheets.googleapis.com",
    "https://gmail.googleapis.com",
    "https://oauth2.googleapis.com",
)


class Loopback(requests.adapters.HTTPAdapter):
    """A requests transport that sends https://<google host>/... to the fake instead."""

    def __init__(self, url: str, **kwargs):
        super().__init__(**kwargs)
        self.url = url.rstrip("/")

    def send(self, request, *args, **kwargs):
        for host in GOOGLE_HOSTS:
            if request.url.startswith(host):
                request.url = self.url + request.url[len(host) :]
        return super().send(request, *args, **kwargs)


def loopback_session(fake: FakeGoogle, token: str) -> requests.Session:
    """A requests.Session for gspread.Client(auth=None, session=...): Google's hosts go to the
    fake, every request carries `Authorization: Bearer <token>`; the fake closes it at exit."""
    session = requests.Session()
    for host in GOOGLE_HOSTS:
        session.mount(host, Loopback(fake.url))
    session.headers["Authorization"] = f"Bearer {token}"
    fake._sessions.append(session)  # closed with the fake: no unclosed sockets left behind
    return session
