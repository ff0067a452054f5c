"""The Email Log tab: one row per email, so that no email is ever sent twice.

A key is written as `sending` before its email is handed to the sender and as
`sent` after, so a run that stops between the two leaves a trace that the next
run reconciles. Any status but `failed` means "do not send again": `sent`,
`sending`, `unconfirmed` (it may have gone out; the committee checks) and
`skipped` (a later check-in was due as well), and anything the committee
writes there themselves. Rows are found by key, so the tab may be sorted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from mentoring.sheet import Cell, TabEdits, Table, cell, is_blank, same_value
from mentoring.timestamps import parse_timestamp

KEY, KIND, TO, SUBJECT, STATUS, SENT_AT, MESSAGE_ID, ERROR = (
    "Key",
    "Kind",
    "To",
    "Subject",
    "Status",
    "Sent At",
    "Message Id",
    "Error",
)
LOG_COLUMNS = (KEY, KIND, TO, SUBJECT, STATUS, SENT_AT, MESSAGE_ID, ERROR)
SENT, SENDING, UNCONFIRMED, FAILED, SKIPPED = "sent", "sending", "unconfirmed", "failed", "skipped"
# What counts against the daily cap: everything that was handed to the sender.
_ATTEMPTED = (SENT, SENDING, UNCONFIRMED)


@dataclass(frozen=True)
class LogEntry:
    """One row of the Email Log, as this run wants it to read."""

    key: str
    kind: str = ""
    to: str = ""
    subject: str = ""
    status: str = ""
    sent_at: datetime | None = None
    message_id: str = ""
    error: str = ""

    def cells(self) -> tuple[Cell, ...]:
        return (
            self.key,
            self.kind,
            self.to,
            self.subject,
            self.status,
            self.sent_at,
            self.message_id,
            self.error,
        )


class Ledger:
    """The Email Log as read at the start of a run, plus what this run recorded in it."""

    def __init__(self, table: Table | None, tab: str):
        self.tab = tab
        self._is_new = table is None or not any(table.header)
        self._rows: dict[str, int] = {}
        self._entries: dict[str, LogEntry] = {}  # as this run knows them
        self._on_sheet: dict[str, LogEntry] = {}  # as the tab holds them
        self._next_row = 2
        self._columns = list(range(len(LOG_COLUMNS)))
        if table is not None and not self._is_new:
            self._read(table)

    def _read(self, table: Table) -> None:
        fix = "Rename the column back; mentor-sync made it."
        columns = [
            table.require(name, what="a column of the Email Log", fix=fix) for name in LOG_COLUMNS
        ]
        self._columns = columns
        for row in table.rows:
            values = [cell(row, index) for index in columns]
            key = str(values[0] or "").strip()
            if not key:
                continue
            entry = LogEntry(
                key,
                *(_text(value) for value in values[1:5]),
                sent_at=_moment(values[5]),
                message_id=_text(values[6]),
                error=_text(values[7]),
            )
            known = self._entries.get(key)
            # A key copied onto two rows: the row that blocks sending wins.
            if known is None or (known.status == FAILED and entry.status != FAILED):
                self._entries[key], self._rows[key] = entry, row.number
        self._on_sheet = dict(self._entries)
        self._next_row = table.last_row + 1

    def entries(self) -> list[LogEntry]:
        return list(self._entries.values())

    def get(self, key: str) -> LogEntry | None:
        return self._entries.get(key)

    def blocks(self, key: str) -> bool:
        """Whether `key` must not be sent: it is logged with any status but `failed`."""
        entry = self._entries.get(key)
        return entry is not None and entry.status.strip().casefold() != FAILED

    def sent_at(self, key: str) -> datetime | None:
        """When the email of `key` was handed to the sender, or None when it was not."""
        entry = self._entries.get(key)
        if entry is None or entry.status.strip().casefold() not in _ATTEMPTED:
            return None
        return entry.sent_at

    def pending(self) -> list[LogEntry]:
        """Entries left `sending` by a run that stopped before it could record the outcome."""
        return [e for e in self._entries.values() if e.status.strip().casefold() == SENDING]

    def sent_on(self, day: date) -> int:
        """How many emails were handed to a sender on `day` (for the daily cap)."""
        return sum(
            1
            for e in self._entries.values()
            if e.sent_at is not None
            and e.sent_at.date() == day
            and e.status.strip().casefold() in _ATTEMPTED
        )

    def note(self, entries: Iterable[LogEntry]) -> None:
        """Take `entries` as known for this run's decisions; `record` writes them later."""
        self._entries.update((entry.key, entry) for entry in entries)

    def record(self, entries: Iterable[LogEntry]) -> TabEdits:
        """The edits that make the log hold `entries` (new keys get new rows), one write's worth;
        the ledger then reads as if they were written."""
        cells: dict[tuple[int, int], Cell] = {}
        if self._is_new:
            cells.update({(1, c): name for c, name in enumerate(LOG_COLUMNS, start=1)})
            self._is_new = False
        for entry in entries:
            number = self._rows.get(entry.key)
            if number is None:
                number = self._rows[entry.key] = self._next_row
                self._next_row += 1
            old = self._on_sheet.get(entry.key)
            before = old.cells() if old is not None else (None,) * len(LOG_COLUMNS)
            for index, (was, value) in enumerate(zip(before, entry.cells(), strict=True)):
                if not same_value(was, value) or (old is None and not is_blank(value)):
                    cells[number, self._columns[index] + 1] = None if value == "" else value
            self._entries[entry.key] = self._on_sheet[entry.key] = entry
        return TabEdits(self.tab, cells)


def _text(value: Cell) -> str:
    return "" if is_blank(value) else str(value).strip()


def _moment(value: Cell) -> datetime | None:
    """Sent At as the workbook keeps it (a date cell), as Google gives it back (the text the
    tool wrote, or a serial number where someone typed a date), or None."""
    return None if is_blank(value) else parse_timestamp(value, "month-first")
