"""Handing a run's emails to the sender, each once: the batch marked in the send journal
and the Email Log first, each email marked just before it is handed over and recorded
just after; and settling what a stopped run left `sending`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.message import EmailMessage

from mentoring.errors import ConfigError
from mentoring.health import PairHealth
from mentoring.ledger import FAILED, SENDING, SENT, UNCONFIRMED, Ledger, LogEntry
from mentoring.notices import Email
from mentoring.summary import count
from sync.journal import Journal
from sync.sender import Sender, SendError
from sync.spreadsheet import Spreadsheet


@dataclass
class MailReport:
    """What one email job did, in the committee's words."""

    job: str
    dry_run: bool = False
    cap: int = 0
    sent: list[str] = field(default_factory=list)
    would_send: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    unconfirmed: list[str] = field(default_factory=list)
    deferred: int = 0
    skipped: int = 0
    settled: int = 0
    restored: int = 0  # Email Log rows written back from the send journal
    told: list[str] = field(default_factory=list)  # the committee's emails: the digest, alerts
    told_failed: bool = False
    problems: Sequence[str] = ()
    healths: Sequence[PairHealth] = ()  # the checkin job's Pair Health, after sending
    ended: Sequence[str] = ()  # pairs whose Pair Health row says ended
    health_problem: str = ""  # why the Pair Health tab could not be written
    not_told: Sequence[str] = ()  # people left unmatched who get no notice, each with why
    told_already: Sequence[str] = ()  # people left unmatched whose notice went before

    def summary(self) -> str:
        if self.dry_run:
            parts = [f"{len(self.would_send)} would be sent (dry run: nothing sent or logged)"]
        else:
            parts = [f"{len(self.sent)} sent"]
            if self.failed:
                parts.append(f"{len(self.failed)} failed, to try again next run")
        if self.deferred:
            parts.append(f"{self.deferred} wait for the next run (daily cap of {self.cap} reached)")
        if self.unconfirmed:
            parts.append(f"{len(self.unconfirmed)} unconfirmed: check them in the Email Log")
        if self.skipped:
            verb = "would be skipped" if self.dry_run else "skipped"
            parts.append(f"{self.skipped} {verb} as a later check-in was due")
        if self.settled:
            parts.append(f"{self.settled} left 'sending' by a stopped run settled")
        if self.restored:
            parts.append(
                f"{count(self.restored, 'Email Log row')} written back from the send journal"
            )
        said = f"{self.job}: {', '.join([*parts, *self._to_look_at()])}"
        if self.health_problem:
            said += f"; Pair Health not written: {self.health_problem}"
        elif self.healths:
            flagged = sum(1 for health in self.healths if health.flags)
            said += f"; Pair Health: {count(len(self.healths), 'pair')}, {flagged} flagged"
        return said

    def _to_look_at(self) -> list[str]:
        """The summary's parts for the committee: rows to look at, and who was not told."""
        parts = []
        if self.problems:
            need = "needs" if len(self.problems) == 1 else "need"
            parts.append(f"{count(len(self.problems), 'committee row')} {need} a look")
        if self.told_already:
            parts.append(f"{len(self.told_already)} told already")
        if self.not_told:
            parts.append(f"{count(len(self.not_told), 'applicant')} not told (why: above)")
        return parts

    def details(self) -> list[str]:
        """Each email, what went wrong, and the committee rows to look at (the summary is
        the job's line, logged apart)."""
        said = [*self.would_send, *self.sent]
        said += [f"  failed: {line}" for line in self.failed]
        said += [f"  unconfirmed: {line}" for line in self.unconfirmed]
        said += [f"  check: {problem}" for problem in self.problems]
        said += [f"  not told: {line}" for line in self.not_told]
        said += [f"  told already: {line}" for line in self.told_already]
        return said


@dataclass(frozen=True)
class Outgoing:
    planned: Email
    message_id: str
    subject: str
    message: EmailMessage | None  # None when it could not be built (`problem`)
    problem: str = ""  # why no message could be built: the email fails alone


def hand_over_batch(
    batch: Sequence[Outgoing],
    early: Sequence[LogEntry],
    ledger: Ledger,
    sheet: Spreadsheet,
    sender: Sender,
    stamp: datetime,
    report: MailReport,
    journal: Journal | None,
) -> list[SendOutcome]:
    """Mark the batch, then hand each email over; the outcome of each."""
    with sender:
        marks = [log_entry(o, SENDING, stamp) for o in batch]
        if journal is not None:
            journal.queue(marks)
        try:
            sheet.write([ledger.record([*early, *marks])])
        except Exception:
            if journal is not None:  # nothing was handed over: the journal must not doubt it
                journal.record(log_entry(o, FAILED, None, "not tried") for o in batch)
            raise
        outcomes = _send_all(batch, sender, stamp, report, journal)
    if journal is not None:
        journal.sync()
    return outcomes


@dataclass(frozen=True)
class SendOutcome:
    outgoing: Outgoing
    entry: LogEntry

    @property
    def planned(self) -> Email:
        return self.outgoing.planned


def _send_all(
    batch: Sequence[Outgoing],
    sender: Sender,
    stamp: datetime,
    report: MailReport,
    journal: Journal | None,
) -> list[SendOutcome]:
    """Hand each email over, the journal marking it just before and recording it just
    after; once the sender (or the journal) cannot go on, the rest are not tried."""
    outcomes: list[SendOutcome] = []
    stopped: Exception | None = None
    for outgoing in batch:
        described = describe(outgoing)
        if stopped is None and journal is not None:
            try:
                journal.handing_over(log_entry(outgoing, SENDING, stamp))
            except ConfigError as exc:  # the journal cannot be written: send nothing more
                stopped = exc
        if stopped is not None:
            report.failed.append(f"{described} (not tried: {stopped})")
            entry = log_entry(outgoing, FAILED, None, f"not tried: {stopped}")
        else:
            entry, stopped = _hand_over(outgoing, sender, stamp, report, described)
            try:
                if journal is not None:
                    journal.record([entry])
            except ConfigError as exc:  # the Email Log still gets it; send nothing more
                stopped = stopped or exc
        outcomes.append(SendOutcome(outgoing, entry))
    return outcomes


def _hand_over(
    outgoing: Outgoing, sender: Sender, stamp: datetime, report: MailReport, described: str
) -> tuple[LogEntry, SendError | None]:
    """Hand one email to the sender: its Email Log entry, and the error when the sender
    can send nothing more in this run."""
    planned = outgoing.planned
    assert outgoing.message is not None  # emails that could not be built are not handed over
    try:
        note = sender.send(outgoing.message, planned.send_key)
    except SendError as exc:
        if exc.maybe_sent:
            report.unconfirmed.append(f"{described} ({exc})")
            entry = log_entry(outgoing, UNCONFIRMED, stamp, f"{exc}; {CHECK}")
        else:
            report.failed.append(f"{described} ({exc})")
            entry = log_entry(outgoing, FAILED, None, str(exc))
        return entry, (exc if exc.fatal else None)
    report.sent.append(f"sent {described}" + (f" ({note})" if note else ""))
    return log_entry(outgoing, SENT, stamp, note), None


CHECK = (
    "it may have gone out: check the sent mail; if it did, write sent in Status, and if it"
    " did not, write resend there to send it"
)


def settle(
    ledger: Ledger, sender: Sender, stamp: datetime, journal: Journal | None
) -> list[LogEntry]:
    """Settle the emails a stopped run left `sending`: sent, to send again, or unconfirmed.
    Those the journal has as never handed over are to send again without asking."""
    settled = list(ledger.stopped())
    pending = ledger.pending()
    if pending:
        settled += _ask_sender(pending, sender)
    ledger.note(settled)  # so this run plans with what is now known
    if journal is not None:
        journal.record(settled)
    return settled


def _ask_sender(pending: Sequence[LogEntry], sender: Sender) -> list[LogEntry]:
    # Rows that share a Message Id are one email (an alert about several problems): it is
    # looked up once, by the first of their keys, as it was sent.
    emails: dict[str, LogEntry] = {}
    for entry in sorted(pending, key=lambda e: e.key):
        emails.setdefault(entry.message_id or entry.key, entry)
    with sender:  # a sender that can look messages up (Gmail) signs in to do so
        found = {shared: _confirm(sender, e) for shared, e in emails.items()}
    settled = []
    for entry in pending:
        went_out = found[entry.message_id or entry.key]
        if went_out is True:
            settled.append(replace(entry, status=SENT, error=""))
        elif went_out is False:
            note = "a run stopped before sending this; it is sent again"
            settled.append(replace(entry, status=FAILED, sent_at=None, error=note))
        else:
            note = f"a run stopped while sending this and the {sender.name} sender cannot tell"
            settled.append(replace(entry, status=UNCONFIRMED, error=f"{note}; {CHECK}"))
    return settled


def _confirm(sender: Sender, entry: LogEntry) -> bool | None:
    key = entry.key if not entry.resends else f"{entry.key} | resend {entry.resends}"
    return sender.confirm(key, entry.message_id)


def log_entry(outgoing: Outgoing, status: str, stamp: datetime | None, error: str = "") -> LogEntry:
    """The Email Log row of an email; one sent again keeps the Sent At of its first sending,
    and its Error says when it went again."""
    p = outgoing.planned
    if p.resend and stamp is not None:
        again = f"sent again on {stamp:%Y-%m-%d} on request ({count(p.resend, 'time')})"
        error = "; ".join(text for text in (error, again) if text)
        stamp = p.first_sent or stamp
    return LogEntry(
        key=p.key,
        kind=p.kind,
        to=", ".join(person.email for person in p.to),
        subject=outgoing.subject,
        status=status,
        sent_at=stamp,
        message_id=outgoing.message_id,
        error=error,
        resends=p.resend,
    )


def describe(outgoing: Outgoing) -> str:
    p = outgoing.planned
    to = ", ".join(person.email for person in p.to)
    again = f" (sent again on request, {count(p.resend, 'time')})" if p.resend else ""
    return f"{p.kind} to {to}: {outgoing.subject}{again}"
