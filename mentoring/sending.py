"""What an email run sends and records, decided from the pairs and what was sent before.

Pure decisions only: the jobs read the tabs and the send journal, call `plan_emails`,
hand the batch to a sender, and write what these functions return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from mentoring.addresses import email_at
from mentoring.committee import INTRODUCED, MENTEE_EMAIL
from mentoring.health import PairHealth, reminders_due
from mentoring.ledger import SENDING, SENT, SKIPPED, Ledger
from mentoring.outgoing import (
    INTRODUCTION,
    REMINDER,
    Planned,
    Superseded,
    checkins_due,
    introductions,
    is_notice,
    pair_label,
    year_calendar,
)
from mentoring.pairs import Pair
from mentoring.settings import Settings
from mentoring.sheet import TabEdits, Table


@dataclass(frozen=True)
class Plan:
    """One run's emails: the batch to send now, how many wait for the daily cap, the
    check-ins superseded by later ones, introductions to date from what was sent, and the
    lines the committee should read."""

    batch: tuple[Planned, ...]
    deferred: int
    superseded: tuple[Superseded, ...]
    redated: tuple[tuple[Pair, date], ...]
    problems: tuple[str, ...]


def plan_emails(
    pairs: Sequence[Pair],
    ledger: Ledger,
    settings: Settings,
    today: date,
    *,
    introduce: bool,
    checkin: bool,
    healths: Sequence[PairHealth] = (),
) -> Plan:
    """The emails due `today` that neither the Email Log nor the journal has as sent (or
    maybe sent), the ones the committee asked to send again, within the daily cap."""
    planned: list[Planned] = []
    superseded: list[Superseded] = []
    # An introduction that went, whose Introduced On was lost, is dated from when it went,
    # and its pair's check-ins are due from then in this very run.
    redated, problems = introduced_from_log(introductions(pairs, today), ledger, today)
    if introduce:
        planned += introductions(pairs, today)
    if checkin:
        dated = with_dates(pairs, redated)
        # An email the committee asked to send again is not due, nor superseded: it goes
        # once more as it is (asked_again, below).
        logged = lambda key: ledger.blocks(key) or key in ledger.resends  # noqa: E731
        due, superseded = checkins_due(dated, settings.checkins, today, logged)
        planned += due
        busy = {(p.pair.label, p.to[0].email) for p in due}
        planned += reminders_due(healths, settings.health, today, ledger.blocks, busy)
    due = [p for p in planned if not ledger.blocks(p.key)]
    again, unknown = asked_again(pairs, ledger, settings, today, introduce, checkin)
    due = [p for p in due if p.key not in again] + list(again.values())
    room = max(0, settings.email.daily_cap - ledger.sent_on(today))
    return Plan(
        tuple(due[:room]),
        max(0, len(due) - room),
        tuple(superseded),
        tuple(redated),
        (*problems, *unknown),
    )


def asked_again(
    pairs: Sequence[Pair],
    ledger: Ledger,
    settings: Settings,
    today: date,
    introduce: bool,
    checkin: bool,
) -> tuple[dict[str, Planned], list[str]]:
    """The emails whose Status the committee set to `resend`, by key, each to go once more
    (introductions with the introduce job, the others with the check-ins); and a line for
    each such key that is no email of a current pair. (A notice asked again is the notices'
    to send: mentoring/notices.py.)"""
    problems = [_not_again(key) for key in sorted(ledger.not_again)]
    asked = {key: n for key, n in ledger.resends.items() if not is_notice(key)}
    if not asked:
        return {}, problems
    emails = {e.key: e for pair in pairs for e in every_email(pair, settings, ledger, today)}
    found = {}
    for key, number in sorted(asked.items()):
        email = emails.get(key)
        if email is None:
            problems.append(_not_again(key))
        elif (email.kind == INTRODUCTION and introduce) or (email.kind != INTRODUCTION and checkin):
            first = ledger.get(key)
            found[key] = replace(email, resend=number, first_sent=first.sent_at if first else None)
    return found, problems


def every_email(pair: Pair, settings: Settings, ledger: Ledger, today: date) -> list[Planned]:
    """Every email the pair can have, its reminders included, to find one by its key."""
    emails = year_calendar([pair], settings.checkins, today)
    reminders = [
        Planned(
            REMINDER,
            REMINDER,
            pair,
            email.to,
            today,
            reminder_of=email.kind,
            asked_on=sent.date() if (sent := ledger.sent_at(email.key)) else email.due,
        )
        for email in emails
        if email.kind != INTRODUCTION
    ]
    return [*emails, *reminders]


def _not_again(key: str) -> str:
    if not pair_label(key):
        return (
            f"the Email Log asks to send '{key}' again, but alerts and digests are not sent"
            " again (a new problem gets a new email); write sent in its Status"
        )
    return (
        f"the Email Log asks to send '{key}' again, but it is no email of an Approved pair of"
        " the committee tab now (the pair ended, or an address changed); nothing was sent"
    )


def introduced_from_log(
    planned: Sequence[Planned], ledger: Ledger, today: date
) -> tuple[list[tuple[Pair, date]], list[str]]:
    """Introductions the log or the journal has as sent whose Introduced On is empty (an
    older copy of the workbook saved back, a date cleared): date them from when they went.
    And a line for each one that is neither sent nor being sent, for the committee."""
    dated, problems = [], []
    for p in planned:
        if p.kind != INTRODUCTION:
            continue
        entry = ledger.get(p.key)
        if entry is None or not ledger.blocks(p.key):
            continue
        if entry.state == SENT:
            dated.append((p.pair, entry.sent_at.date() if entry.sent_at else today))
        elif entry.state not in (SENDING, SKIPPED):
            problems.append(
                f"the introduction of {p.pair.label} is '{entry.status}' in the Email Log;"
                " once you know it went out, write sent there (or a date in Introduced On)"
            )
    return dated, problems


def with_dates(pairs: Sequence[Pair], dated: Sequence[tuple[Pair, date]]) -> list[Pair]:
    """The pairs as this run leaves them: those it introduced (or dated from the log) with
    their Introduced On, so that Pair Health has them from today."""
    days = {pair.label: day for pair, day in dated}
    return [replace(pair, introduced_on=days.get(pair.label, pair.introduced_on)) for pair in pairs]


def relocated(
    committee: Table | None, dated: Sequence[tuple[Pair, date]]
) -> list[tuple[Pair, date]]:
    """Each pair at the committee row that now holds its mentee (a sorted tab moves rows);
    a pair whose row is gone is left out (its date comes back from the log next run)."""
    if committee is None:
        return []
    column = committee.column(MENTEE_EMAIL)
    rows = {email_at(row, column): row.number for row in committee.rows}
    return [
        (replace(pair, row=rows[pair.mentee.email]), day)
        for pair, day in dated
        if pair.mentee.email in rows
    ]


def introduced_on(committee: Table | None, dated: Sequence[tuple[Pair, date]]) -> TabEdits:
    """The Introduced On cells of these pairs' rows."""
    if committee is None or not dated:
        return TabEdits("", {})
    column = committee.require(INTRODUCED, what="the date of the introduction", fix="")
    return TabEdits(committee.name, {(pair.row, column + 1): day for pair, day in dated})
