"""Telling the committee: one email about the problems it has not been told of yet, and
the digest of the Pair Health tab once a month.

Each problem gets its own Email Log row (Kind "alert"); the rows of one alert share its
Message Id. A problem the Email Log or the send journal has is never told again. The
journal records the email as `sending` before it goes and its outcome after, and the
rows ride in the job's own write of the spreadsheet (without a journal, the Email Log
is written `sending` first, as the only mark). When the spreadsheet itself is what
fails, the Email Log cannot be read: a failing job's alert is then recorded in the
state file alone, so it still goes once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from jobs.program import email_log, sender_person, spreadsheet_link
from mentoring import alerts
from mentoring.alerts import ALERT, FAILING, Problem, alert_context
from mentoring.digest import DIGEST, build_digest, digest_context
from mentoring.errors import MentorSyncError
from mentoring.health import PairHealth
from mentoring.ledger import FAILED, SENDING, SENT, UNCONFIRMED, Ledger, LogEntry
from mentoring.letters import Letter, Templates, build_message, message_id
from mentoring.pairs import Person
from mentoring.settings import Settings
from mentoring.summary import count
from sync.journal import Journal
from sync.sender import Sender, SendError
from sync.spreadsheet import Spreadsheet

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
    email = _committee_email(new, ALERT, letter, settings, now)
    # The spreadsheet is out of reach: the state file keeps the alert. (A ledger is read from
    # the sheet, so with a ledger there is a sheet.)
    if ledger is None or sheet is None:
        told = _deliver(email, sender, None)
    else:
        if journal is None:  # without a journal, the Email Log's mark comes before the send
            sheet.write([ledger.record(email.rows(SENDING))])
        told = _deliver(email, sender, journal)
        # The journal has it: its rows may wait for the job's next write.
        sheet.write([ledger.record(told.rows)], later=journal is not None)
    return Told(tuple(new), told.status, _alert_line(told, len(new), letter, settings))


def tell_the_committee(
    healths: Sequence[PairHealth],
    ended: Sequence[str],
    ledger: Ledger,
    settings: Settings,
    templates: Templates,
    sender: Sender,
    now: datetime,
    journal: Journal,
) -> tuple[list[LogEntry], list[str], bool]:
    """After a check-in run's emails: the alert about someone who asked the committee to get
    in touch, and this period's digest, each once. They are recorded in the send journal as
    they go; their Email Log rows ride in the job's own write. Returns those rows, the lines
    to say, and whether one of the emails did not go."""
    rows: list[LogEntry] = []
    lines: list[str] = []
    failed = False
    wanted = alerts.contact_requests(healths) if settings.alerts.contact_requests else []
    new = [p for p in wanted if not ledger.blocks(p.key)]
    if new:
        context = alert_context(new, settings.program.name, spreadsheet_link(settings), now)
        letter = templates.render("alert", context)
        told = _deliver(_committee_email(new, ALERT, letter, settings, now), sender, journal)
        rows += told.rows
        lines.append(_alert_line(told, len(new), letter, settings))
        failed = told.status == FAILED
    digest = build_digest(healths, ended, settings.health.digest, now, ledger.blocks)
    if digest is not None:
        context = digest_context(digest, settings.program.name, spreadsheet_link(settings), now)
        letter = templates.render("digest", context)
        email = _committee_email(digest.rows, DIGEST, letter, settings, now)
        told = _deliver(email, sender, journal)
        rows += told.rows
        lines.append(_digest_line(told, digest, settings))
        failed = failed or told.status != SENT
    return rows, lines, failed


@dataclass(frozen=True)
class _Email:
    """One email to the committee, with an Email Log row for each item it tells of."""

    items: tuple[Problem, ...]
    kind: str
    key: str  # the first item's: the email's file, Message-ID and look-up go by it
    message_id: str
    message: EmailMessage
    subject: str
    to: str
    at: datetime

    def rows(self, status: str, error: str = "") -> list[LogEntry]:
        sent_at = self.at if status != FAILED else None
        return [
            LogEntry(p.key, self.kind, self.to, p.text, status, sent_at, self.message_id, error)
            for p in self.items
        ]


@dataclass(frozen=True)
class _Delivered:
    status: str  # sent, failed or unconfirmed
    note: str  # the sender's note, or why it did not go
    rows: list[LogEntry]


def _committee_email(
    items: Sequence[Problem], kind: str, letter: Letter, settings: Settings, now: datetime
) -> _Email:
    program, to = settings.program.name, settings.alert_to
    from_ = sender_person(settings)
    key = min(p.key for p in items)
    msgid = message_id(key, program, from_.email.rpartition("@")[2])
    committee = (Person(to, f"{program} committee", ""),)
    message = build_message(letter, sender=from_, to=committee, msgid=msgid, when=now)
    stamp = now.replace(tzinfo=None)
    return _Email(tuple(items), kind, key, msgid, message, letter.subject, to, stamp)


def _deliver(email: _Email, sender: Sender, journal: Journal | None) -> _Delivered:
    """Hand the email to the sender, marked in the journal (when there is one) just before
    and recorded just after."""
    with sender:
        if journal is not None:
            journal.queue(email.rows(SENDING))
            journal.record(email.rows(SENDING))  # handed over now
        try:
            note = sender.send(email.message, email.key)
            status = SENT
        except SendError as exc:
            status, note = (UNCONFIRMED if exc.maybe_sent else FAILED), str(exc)
    rows = email.rows(status, note)
    if journal is not None:
        journal.record(rows, synced=True)
    return _Delivered(status, note, rows)


def _alert_line(told: _Delivered, problems: int, letter: Letter, settings: Settings) -> str:
    about = count(problems, "problem")
    if told.status == SENT:
        return f"alert: told {settings.alert_to} about {about} ({letter.subject})"
    return f"alert: the email to {settings.alert_to} about {about} {told.status}: {told.note}"


def _digest_line(told: _Delivered, digest, settings: Settings) -> str:
    about = (
        f"{count(len(digest.flags), 'new flag')},"
        f" {count(len(digest.unanswered), 'check-in')} without an answer,"
        f" {count(len(digest.closed), 'pair')} closed"
    )
    if told.status == SENT:
        return f"digest: told {settings.alert_to} about {digest.title} ({about})"
    return f"digest: the email to {settings.alert_to} for {digest.title} {told.status}: {told.note}"


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
