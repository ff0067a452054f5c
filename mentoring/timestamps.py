"""Reading the Timestamp column in every form it comes in.

Google Sheets shows it as text in the spreadsheet's locale (11/26/2026 14:03:12
in the US, 26/11/2026 14:03:12 in many others), the API's unformatted values
give a serial day number (days since 1899-12-30), and a downloaded .xlsx holds
a real date-time cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from mentoring.sheet import Cell

SERIAL_EPOCH = datetime(1899, 12, 30)
# Serial numbers outside this range (1954 to 2173) are not form timestamps.
_SERIAL_RANGE = (20_000.0, 100_000.0)

_NUMERIC_DATE = re.compile(
    r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2}),?"
    r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp][Mm]))?)?$"
)
_ISO_DATE = re.compile(  # also year/month/day, as in Japanese and Chinese locales
    r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?Z?$"
)


def guess_date_order(values: Iterable[Cell], fallback: str = "month-first") -> str:
    """Decide "month-first" or "day-first" from text dates whose first or second part is above 12.

    Returns the order most dates support; `fallback` when none tells.
    """
    day_first = month_first = 0
    for value in values:
        match = _NUMERIC_DATE.match(value.strip()) if isinstance(value, str) else None
        if match:
            first, second = int(match.group(1)), int(match.group(2))
            day_first += first > 12
            month_first += second > 12
    if day_first == month_first:
        return fallback
    return "day-first" if day_first > month_first else "month-first"


def parse_timestamp(value: Cell, date_order: str) -> datetime | None:
    """The moment a response was submitted, or None when `value` is no readable timestamp."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_serial(float(value))
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        return _from_serial(float(text.replace(",", ".")))  # a decimal comma in some locales
    except ValueError:
        pass
    return _from_iso(text) or _from_numeric(text, date_order)


def _from_serial(serial: float) -> datetime | None:
    low, high = _SERIAL_RANGE
    if not low <= serial <= high:
        return None
    moment = SERIAL_EPOCH + timedelta(days=serial)
    # Sheets stores seconds as a fraction of a day; round off float noise.
    return (moment + timedelta(microseconds=500_000)).replace(microsecond=0)


def _from_iso(text: str) -> datetime | None:
    match = _ISO_DATE.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g or 0) for g in match.groups())
    return _build(year, month, day, hour, minute, second)


def _from_numeric(text: str, date_order: str) -> datetime | None:
    match = _NUMERIC_DATE.match(text)
    if not match:
        return None
    first, second, year, hour, minute, sec = (int(g or 0) for g in match.groups()[:6])
    if len(match.group(3)) == 2:
        year += 2000  # a program's forms are answered this century
    month, day = (second, first) if date_order == "day-first" else (first, second)
    meridiem = (match.group(7) or "").lower()
    if meridiem and not 1 <= hour <= 12:
        return None
    if meridiem == "pm" and hour != 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    return _build(year, month, day, hour, minute, sec)


def _build(year: int, month: int, day: int, hour: int, minute: int, second: int) -> datetime | None:
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
