"""What was sent: the Email Log tab, with the send journal behind it, so that no email is
ever sent twice.

A key is written as `sending` before its email is handed to the sender and as
`sent` after, so a run that stops between the two leaves a trace that the next
run reconciles. Any status but `failed` means "do not send again": `sent`,
`sending`, `unconfirmed` (it may have gone out; the committee checks) and
`skipped` (a later check-in was due as well), and anything the committee
writes there themselves; `resend` asks for the email to go once more. Rows are
found by key, so the tab may be sorted.

The Email Log is the committee's view, and people edit it: they delete rows,
save an older copy over the workbook, rename the tab. The send journal (kept by
jobs/ outside the spreadsheet) records the same entries, so the Ledger takes
both: an email is sent only when neither says it went or may have gone, and
rows the journal has and the tab lost are written back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from mentoring.outgoing import sent_again_on_request
from mentoring.sheet import Cell, TabEdits, Table, cell, is_blank, is_new_tab, same_value
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
# The committee's request to send an email once more, typed in Status.
RESEND = "resend"
# The journal's own: marked with its batch, but the run stopped before handing it over.
QUEUED = "queued"
# What counts against the daily cap: everything that was handed to the sender.
_ATTEMPTED = (SENT, SENDING, UNCONFIRMED)
# Log statuses that the journal, when it knows better, corrects: the tool's own words for
# "not sent" or "not known yet". A status the committee typed is theirs and stays.
_CORRECTABLE = ("", FAILED, SENDING, QUEUED, RESEND)
RESTORED = "written back from the send journal (the Email Log had lost it)"
STOPPED = "a run stopped before sending this; it is sent again"


@dataclass(frozen=True)
class LogEntry:
    """One row of the Email Log, as this run wants it to read. `resends` counts the times it
    was sent again on request (kept in the journal; the Message Id shows it too)."""

    key: str
    kind: str = ""
    to: str = ""
    subject: str = ""
    status: str = ""
    sent_at: datetime | None = None
    message_id: str = ""
    error: str = ""
    resends: int = 0

    @property
    def state(self) -> str:
        """The status as the tool compares it: trimmed and case-folded."""
        return self.status.strip().casefold()

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


def resend_number(message_id: str) -> int:
    """How many times the email of this Message-ID had been sent before it: 0 for the
    first sending, n for the n-th sending again ("<digest.n@domain>")."""
    local = message_id.strip().strip("<>").partition("@")[0]
    number = local.rpartition(".")[2] if "." in local else ""
    return int(number) if number.isdigit() else 0


class Ledger:
    """The Email Log as read at the start of a run, with the send journal's entries (None
    where there is no journal), plus what this run recorded."""

    def __init__(
        self, table: Table | None, tab: str, journal: Mapping[str, LogEntry] | None = None
    ):
        self.tab = tab
        self.has_journal = journal is not None
        self._is_new = is_new_tab(table, LOG_COLUMNS, "the Email Log")
        self._rows: dict[str, int] = {}
        self._on_sheet: dict[str, LogEntry] = {}  # as the tab holds them
        self._next_row = 2
        self._columns = list(range(len(LOG_COLUMNS)))
        if table is not None and not self._is_new:
            self._read(table)
        self.journal = dict(journal or {})
        self.resends: dict[str, int] = {}  # key: the number of its next sending again
        self.not_again: list[str] = []  # `resend` on an alert's or a digest's row
        self._entries: dict[str, LogEntry] = {}  # as this run knows them
        self._restore: dict[str, LogEntry] = {}  # rows to write back from the journal
        self._stopped: list[str] = []  # left `sending` by a run killed before handing them over
        for key in {*self._on_sheet, *self.journal}:
            self._entries[key] = self._standing(key)

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
                _text(values[1]),
                _text(values[2]),
                _text(values[3]),
                _text(values[4]),
                sent_at=_moment(values[5]),
                message_id=_text(values[6]),
                error=_text(values[7]),
            )
            known = self._on_sheet.get(key)
            # A key copied onto two rows: the row that blocks sending wins.
            if known is None or (known.state == FAILED and entry.state != FAILED):
                self._on_sheet[key], self._rows[key] = entry, row.number
        self._next_row = table.last_row + 1

    def _standing(self, key: str) -> LogEntry:
        """What is known of `key`, from the row and the journal together."""
        row, known = self._on_sheet.get(key), self.journal.get(key)
        if row is not None and row.state == RESEND:
            if sent_again_on_request(key):
                return self._asked_again(row, known)
            self.not_again.append(key)  # the committee's emails are told once
            return row
        if known is None:
            assert row is not None  # the key is on the sheet or in the journal
            return row
        if known.state in (QUEUED, FAILED):
            # The journal knows it was not handed over (never reached, or refused): a row
            # `sending` with its Message-ID was only the mark of the batch it was in.
            marked = row is not None and row.state == SENDING and row.message_id == known.message_id
            if marked or (row is None and known.state == QUEUED):
                self._stopped.append(key)
                return replace(known, status=FAILED, sent_at=None, error=STOPPED)
            return row or known
        if row is not None and row.state == known.state:
            return known  # what the tool did (Sent At, Message Id) is the journal's to say
        if row is not None and row.state not in _CORRECTABLE:
            return row
        if row is None:
            self._restore[key] = replace(known, error=known.error or RESTORED)
        elif row.state != known.state:
            self._restore[key] = known  # the row told less than the journal knows
        return known

    def _asked_again(self, row: LogEntry, known: LogEntry | None) -> LogEntry:
        """A `resend` in Status: the request stands unless the journal has sent it again
        since the row was written (an older copy of the tab, saved back)."""
        done = known.resends if known is not None else resend_number(row.message_id)
        if row.message_id and known is not None and resend_number(row.message_id) < done:
            self._restore[row.key] = known
            return known
        self.resends[row.key] = done + 1
        return replace(row, sent_at=(known.sent_at if known else None) or row.sent_at)

    def entries(self) -> list[LogEntry]:
        return list(self._entries.values())

    def get(self, key: str) -> LogEntry | None:
        return self._entries.get(key)

    def blocks(self, key: str) -> bool:
        """Whether `key` must not be sent: known with any status but `failed` (or `resend`,
        the committee's request to send a pair's email or a notice again; an alert or a
        digest is told once, whatever its Status says)."""
        entry = self._entries.get(key)
        if entry is None:
            return False
        return entry.state != FAILED and not (entry.state == RESEND and key in self.resends)

    def sent_at(self, key: str) -> datetime | None:
        """When the email of `key` was handed to the sender, or None when it was not."""
        entry = self._entries.get(key)
        if entry is None or entry.state not in _ATTEMPTED:
            return None
        return entry.sent_at

    def pending(self) -> list[LogEntry]:
        """Entries left `sending` by a run that stopped before it could record the outcome."""
        return [e for e in self._entries.values() if e.state == SENDING]

    def stopped(self) -> list[LogEntry]:
        """Entries the journal has as never handed over by a run that stopped: to send again."""
        return [self._entries[key] for key in self._stopped]

    def sent_on(self, day: date) -> int:
        """How many emails were handed to a sender on `day` (for the daily cap)."""
        return sum(
            1
            for e in self._entries.values()
            if e.sent_at is not None and e.sent_at.date() == day and e.state in _ATTEMPTED
        )

    @property
    def logged(self) -> int:
        """How many keys the Email Log tab has."""
        return len(self._on_sheet)

    def not_in_journal(self) -> list[LogEntry]:
        """The Email Log's rows of emails that went or may have gone which the journal does
        not know (a journal lost, or new): it learns them, so that an older copy of the
        workbook saved back later cannot send them again."""
        return [
            entry
            for key, entry in self._on_sheet.items()
            if key not in self.journal and entry.state not in (FAILED, SENDING, RESEND, "")
        ]

    def to_restore(self, but: Iterable[str] = ()) -> int:
        """How many rows the next `record` writes back from the journal, `but` these keys
        (this run's own outcomes, which it writes anyway)."""
        return len(self._restore.keys() - set(but))

    def note(self, entries: Iterable[LogEntry]) -> None:
        """Take `entries` as known for this run's decisions; `record` writes them later."""
        self._entries.update((entry.key, entry) for entry in entries)

    def record(self, entries: Iterable[LogEntry]) -> TabEdits:
        """The edits that make the log hold `entries` (new keys get new rows), and the rows
        the journal had that the tab lost, one write's worth; the ledger then reads as if
        they were written."""
        cells: dict[tuple[int, int], Cell] = {}
        if self._is_new:
            cells.update({(1, c): name for c, name in enumerate(LOG_COLUMNS, start=1)})
            self._is_new = False
        given = {entry.key: entry for entry in entries}
        restore, self._restore = self._restore, {}
        for entry in [*(e for k, e in restore.items() if k not in given), *given.values()]:
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
    moment = None if is_blank(value) else parse_timestamp(value, "month-first")
    # A year no email was sent in (9999, typed by hand) would overflow the date arithmetic.
    return moment if moment is not None and 1900 <= moment.year <= 2999 else None
