"""The send journal: every email's key and Message-ID, kept outside the spreadsheet.

The Email Log tab is the committee's view of what was sent, and people edit it: they
delete a row, save an older copy of the workbook over the new one, rename the tab. The
journal is the second record that no such edit can erase: a SQLite file in the state
folder (stdlib sqlite3, WAL mode), one per settings file, that is one per program. It
holds the program's emails whatever spreadsheet a run works on: a run on a copy of the
spreadsheet (--workbook, or a new Google file) sends nothing the program sent already,
since its emails are the same emails to the same people.

Before a batch of emails is handed to the sender, all of them are written `queued` in
one transaction synced to disk. Each email is then marked `sending` just before it is
handed over and given its outcome just after, in small transactions that are not synced:
a process that is killed keeps them (they are in the operating system's hands), a
machine that loses power may not. So a `queued` entry from a run on this boot of the
machine was surely never handed over; from an earlier boot it may have been, and it
reads as `sending` (maybe sent). The end of the batch syncs everything.

It also remembers, for the Google backend, the sheetId of each tab the tool writes, so a
tab renamed in Google Sheets is found again, and the pairs' people (for a corrected
address, see mentoring/identity.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from mentoring.errors import ConfigError
from mentoring.identity import KnownPair
from mentoring.ledger import QUEUED, SENDING, LogEntry
from sync.files import private_file

_SCHEMA = """
create table if not exists emails (
    key text primary key,
    kind text not null default '',
    recipients text not null default '',
    subject text not null default '',
    status text not null,
    sent_at text,
    message_id text not null default '',
    error text not null default '',
    resends integer not null default 0,
    boot text not null default ''
);
create table if not exists pairs (
    label text primary key,
    identity text not null,
    mentee_name text not null default '',
    mentor_name text not null default '',
    introduced_on text
);
create table if not exists tabs (
    spreadsheet text not null,
    role text not null,
    sheet_id integer not null,
    primary key (spreadsheet, role)
);
"""
_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


class JournalError(ConfigError):
    """Raised when the send journal cannot be opened, read or written; the message says
    which file and what to do. Without it the job would lose the memory that keeps an email
    from going twice, so it stops instead."""


class Journal:
    """The send journal of a program, in the SQLite file `path` (made 0600); `spreadsheet`
    names the spreadsheet a run works on, whose tabs' sheetIds it remembers. A journal
    opened `read_only` (for status, calendar, doctor and dry runs) remembers nothing new."""

    def __init__(
        self, path: Path, spreadsheet: str, boot: str | None = None, read_only: bool = False
    ):
        self.path, self.spreadsheet, self.read_only = Path(path), spreadsheet, read_only
        self.boot = this_boot() if boot is None else boot
        try:
            # Made private before SQLite opens it; its -wal and -shm files take its mode.
            private_file(self.path)
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self._db.execute("pragma journal_mode=wal")
            self._db.execute("pragma synchronous=normal")
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise self._broken("open", exc) from exc

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- emails ----------------------------------------------------------------------

    def entries(self) -> dict[str, LogEntry]:
        """Every email of the program the journal knows, by key. An entry `queued` by a run
        of an earlier boot of this machine reads as `sending`: it may have gone."""
        rows = self._query(
            "select key, kind, recipients, subject, status, sent_at, message_id, error,"
            " resends, boot from emails",
            (),
        )
        found = {}
        for key, kind, to, subject, status, sent_at, msgid, error, resends, boot in rows:
            if status == QUEUED and (boot != self.boot or not self.boot):
                status = SENDING
            moment = datetime.fromisoformat(sent_at) if sent_at else None
            found[key] = LogEntry(key, kind, to, subject, status, moment, msgid, error, resends)
        return found

    def queue(self, entries: Iterable[LogEntry]) -> None:
        """Mark a batch `queued`, synced to disk before anything of it is handed over."""
        self._write([replace(e, status=QUEUED) for e in entries], synced=True)

    def handing_over(self, entry: LogEntry) -> None:
        """Mark one email `sending`, just before it is handed to the sender."""
        self._write([replace(entry, status=SENDING)])

    def record(self, entries: Iterable[LogEntry], synced: bool = False) -> None:
        """Record outcomes (sent, failed, unconfirmed, skipped, settled)."""
        self._write(list(entries), synced)

    def sync(self) -> None:
        """Everything recorded so far, on disk."""
        self._run(lambda db: db.execute("pragma wal_checkpoint(full)"), "write")

    def _write(self, entries: list[LogEntry], synced: bool = False) -> None:
        if not entries:
            return
        rows = [
            (
                e.key,
                e.kind,
                e.to,
                e.subject,
                e.status,
                e.sent_at.isoformat(sep=" ") if e.sent_at else None,
                e.message_id,
                e.error,
                e.resends,
                self.boot,
            )
            for e in entries
        ]
        statement = "insert or replace into emails values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        self._transaction(lambda db: db.executemany(statement, rows), synced)

    # --- pairs and tabs --------------------------------------------------------------

    def pairs(self) -> list[KnownPair]:
        """The introduced pairs of earlier runs, with their people's names."""
        rows = self._query(
            "select label, identity, mentee_name, mentor_name, introduced_on from pairs", ()
        )
        return [
            KnownPair(label, identity, mentee, mentor, date.fromisoformat(on) if on else None)
            for label, identity, mentee, mentor, on in rows
        ]

    def remember_pairs(self, pairs: Iterable[KnownPair]) -> None:
        rows = [
            (
                p.label,
                p.identity,
                p.mentee_name,
                p.mentor_name,
                p.introduced_on.isoformat() if p.introduced_on else None,
            )
            for p in pairs
        ]
        if rows:
            statement = "insert or replace into pairs values (?, ?, ?, ?, ?)"
            self._transaction(lambda db: db.executemany(statement, rows))

    def sheet_id(self, role: str) -> int | None:
        """The sheetId the tab of `role` had when last seen (Google)."""
        rows = self._query(
            "select sheet_id from tabs where spreadsheet = ? and role = ?",
            (self.spreadsheet, role),
        )
        return int(rows[0][0]) if rows else None

    def remember_sheet_id(self, role: str, sheet_id: int) -> None:
        if self.read_only or self.sheet_id(role) == sheet_id:
            return
        statement = "insert or replace into tabs values (?, ?, ?)"
        self._transaction(lambda db: db.execute(statement, (self.spreadsheet, role, sheet_id)))

    # --- SQLite ----------------------------------------------------------------------

    def _query(self, sql: str, parameters: tuple) -> list[tuple]:
        return self._run(lambda db: db.execute(sql, parameters).fetchall(), "read")

    def _transaction(self, work, synced: bool = False) -> None:
        if self.read_only:
            raise JournalError(f"the send journal {self.path} was opened only to read")

        def run(db: sqlite3.Connection) -> None:
            if synced:
                db.execute("pragma synchronous=full")
            try:
                db.execute("begin immediate")
                try:
                    work(db)
                except BaseException:
                    db.execute("rollback")
                    raise
                db.execute("commit")
            finally:
                if synced:
                    db.execute("pragma synchronous=normal")

        self._run(run, "write")

    def _run(self, work, doing: str):
        try:
            return work(self._db)
        except (OSError, sqlite3.Error) as exc:
            raise self._broken(doing, exc) from exc

    def _broken(self, doing: str, exc: Exception) -> JournalError:
        return JournalError(
            f"cannot {doing} the send journal {self.path} ({exc}); it is what keeps an email"
            " from going twice, so nothing more is sent until it works. Check the disk and"
            " the file's permissions (operations.journal_file); if the file is damaged, move"
            " it aside and run again: the Email Log alone then says what was sent"
        )


def this_boot() -> str:
    """This boot of the machine ("" where the system does not say): a run's unsynced
    journal entries survive its process being killed, not the machine going down."""
    try:
        return _BOOT_ID.read_text(encoding="ascii").strip()
    except OSError:
        return ""
