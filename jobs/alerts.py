"""Telling the committee: one email about the problems it has not been told of yet, and
the digest of the Pair Health tab once a month.

Each problem gets its own Email Log row (Kind "alert"), written `sending`
before the email goes and `sent` after, as every email is; the rows of one
alert share its Message Id. A problem whose row is there is never told again.
When the spreadsheet itself is what fails, the Email Log cannot be read: a
failing job's alert is then recorded in the state file alone, so it still goes
once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from jobs.program import email_log, sender_person
from mentoring.alerts import ALERT, FAILING, Problem, alert_context
from mentoring.digest import DIGEST, build_digest, digest_context
from mentoring.errors import MentorSyncError
from mentoring.health import PairHealth
from mentoring.ledger import FAILED, SENDING, SENT, UNCONFIRMED, Ledger, LogEntry
from mentoring.letters import Letter, Templates, build_message, message_id
from mentoring.pairs import Person
from mentoring.settings import Settings
from mentoring.summary import count
from sync.base import Spreadsheet
from sync.journal import Journal
from sync.mail import Sender, SendError

log = logging.getLogger("mentor_sync")


@dataclass(frozen=True)
class Told:
    """What an alert did: the problems it told of, and how the email fared."""

    problems: tuple[Problem, ...]
    status: str  # sent, failed or unconfirmed
    line: str


def send_alert(
    problems: Sequence[Problem],
    already_told: set[str],
    sheet: Spreadsheet | None,
    settings: Settings,
    templates: Templates,
    sender: Sender,
    now: datetime,
    journal: Journal | None = None,
) -> Told | None:
    """Email the committee about the `problems` it was not told of (by the Email Log and the
    send journal, or by `already_told`, the keys the state file has); None when there is
    nothing new.

    `sheet` None (or one that cannot be read) means the Email Log is out of reach: then
    only failing jobs are told, recorded by the caller in the state file. Raises ConfigError
    for a broken alert template; a send that fails is reported in the result, not raised.
    """
    ledger = _email_log(sheet, settings, journal)
    new = [
        p
        for p in problems
        if p.key not in already_told and (ledger is None or not ledger.blocks(p.key))
    ]
    if ledger is None:
        new = [p for p in new if p.group == FAILING]
    if not new:
        return None
    program = settings.program.name
    letter = templates.render("alert", alert_context(new, program, spreadsheet_link(settings), now))
    status, error = _tell(new, ALERT, letter, ledger, sheet, settings, sender, now, journal)
    about = count(len(new), "problem")
    to = settings.alert_to
    if status == SENT:
        line = f"alert: told {to} about {about} ({letter.subject})"
    else:
        line = f"alert: the email to {to} about {about} {status}: {error}"
    return Told(tuple(new), status, line)


def send_digest(
    healths: Sequence[PairHealth],
    ended: Sequence[str],
    sheet: Spreadsheet,
    settings: Settings,
    templates: Templates,
    sender: Sender,
    now: datetime,
    journal: Journal | None = None,
) -> Told | None:
    """Email the committee this period's digest of the Pair Health tab, once a period (None
    when it is off or went out already). Raises SpreadsheetError when the Email Log cannot
    be read: without it the digest cannot know what it said before."""
    tab = settings.tabs.email_log
    ledger = email_log(sheet.read([tab]).get(tab), settings, journal)
    digest = build_digest(healths, ended, settings.health.digest, now, ledger.blocks)
    if digest is None:
        return None
    context = digest_context(digest, settings.program.name, spreadsheet_link(settings), now)
    letter = templates.render("digest", context)
    rows = digest.rows
    status, error = _tell(rows, DIGEST, letter, ledger, sheet, settings, sender, now, journal)
    about = (
        f"{count(len(digest.flags), 'new flag')},"
        f" {count(len(digest.unanswered), 'check-in')} without an answer,"
        f" {count(len(digest.closed), 'pair')} closed"
    )
    to = settings.alert_to
    if status == SENT:
        line = f"digest: told {to} about {digest.title} ({about})"
    else:
        line = f"digest: the email to {to} for {digest.title} {status}: {error}"
    return Told(tuple(digest.rows), status, line)


def _tell(
    rows: Sequence[Problem],
    kind: str,
    letter: Letter,
    ledger: Ledger | None,
    sheet: Spreadsheet | None,
    settings: Settings,
    sender: Sender,
    now: datetime,
    journal: Journal | None,
) -> tuple[str, str]:
    """Send `letter` to the committee, with one Email Log row per item of `rows`, written
    `sending` before and its outcome after, in the journal too (no rows when `ledger` is
    None). Returns the status (sent, failed or unconfirmed) and the sender's note or error."""
    program, to = settings.program.name, settings.alert_to
    from_ = sender_person(settings)
    # The rows of one email: its file, Message-ID and look-up go by the first key.
    key = min(p.key for p in rows)
    msgid = message_id(key, program, from_.email.rpartition("@")[2])
    message = build_message(
        letter, sender=from_, to=(Person(to, f"{program} committee", ""),), msgid=msgid, when=now
    )
    stamp = now.replace(tzinfo=None)

    def entries(status: str, error: str = "") -> list[LogEntry]:
        sent_at = stamp if status != FAILED else None
        return [LogEntry(p.key, kind, to, p.text, status, sent_at, msgid, error) for p in rows]

    journal = journal if ledger is not None else None
    with sender:
        if ledger is not None:
            if journal is not None:
                journal.queue(entries(SENDING))
            sheet.write([ledger.record(entries(SENDING))])
            if journal is not None:
                journal.record(entries(SENDING))
        try:
            note = sender.send(message, key)
            status, error = SENT, note
        except SendError as exc:
            status = UNCONFIRMED if exc.maybe_sent else FAILED
            error = str(exc)
    if journal is not None:
        journal.record(entries(status, error), synced=True)
    if ledger is not None:
        sheet.write([ledger.record(entries(status, error))])
    return status, error


def _email_log(
    sheet: Spreadsheet | None, settings: Settings, journal: Journal | None
) -> Ledger | None:
    if sheet is None:
        return None
    tab = settings.tabs.email_log
    try:
        return email_log(sheet.read([tab]).get(tab), settings, journal)
    except MentorSyncError as exc:  # the workbook gone, the tab's columns renamed, ...
        log.warning("mentor-sync: cannot read the %s for alerts (%s)", tab, exc)
        return None


def spreadsheet_link(settings: Settings) -> str:
    """Where the committee opens the spreadsheet: its Google address, or the workbook's path."""
    if settings.spreadsheet.backend == "google":
        return f"https://docs.google.com/spreadsheets/d/{settings.spreadsheet.id}/edit"
    return settings.spreadsheet.path
