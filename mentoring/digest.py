"""The committee's digest: once a month (or week), what the Pair Health tab says needs a look.

It lists the flags raised since the last digest, the check-ins still without an
answer, and the pairs whose year closed. Like an alert, each flag and closed
pair gets its own Email Log row, so no digest repeats what an earlier one
said; the digest itself has a row for its period, so it goes once a period.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from mentoring.alerts import Problem
from mentoring.health import YEAR_OVER, PairHealth
from mentoring.pairs import Pair, Person

DIGEST = "digest"
PERIOD, NEW_FLAG, CLOSED = "period", "new flag", "closed"


@dataclass(frozen=True)
class Digest:
    period: Problem  # its Email Log row: "digest | 2026-12"
    title: str  # "December 2026"
    flags: tuple[Problem, ...]  # raised since the last digest
    closed: tuple[Problem, ...]  # pairs whose year closed since the last digest
    unanswered: tuple[str, ...]  # check-ins past their time without an answer, now

    @property
    def rows(self) -> list[Problem]:
        """What the Email Log records of it: the period, each flag and each closed pair."""
        return [self.period, *self.flags, *self.closed]


def period(now: datetime, rhythm: str) -> tuple[str, str]:
    """The Email Log key and the title of the digest period holding `now`."""
    if rhythm == "weekly":
        year, week, weekday = now.isocalendar()
        monday = now.date() - timedelta(days=weekday - 1)
        return f"{DIGEST} | {year}-W{week:02d}", f"the week of {monday:%Y-%m-%d}"
    return f"{DIGEST} | {now:%Y-%m}", f"{now:%B %Y}"


def build_digest(
    healths: Sequence[PairHealth],
    ended: Sequence[str],
    rhythm: str,
    now: datetime,
    logged: Callable[[str], bool],
) -> Digest | None:
    """This period's digest, or None when it is off, went out already, or has nothing to say.
    `ended` are the labels of pairs no longer Approved in the committee tab; `logged(key)`
    says whether the Email Log has a key."""
    if rhythm == "off":
        return None
    key, title = period(now, rhythm)
    if logged(key):
        return None
    flags, closed, unanswered = [], [], []
    for health in healths:
        pair = health.pair
        for flag in health.flags:
            flags.append(
                Problem(
                    flag_key(pair.label, flag.key),
                    NEW_FLAG,
                    f"{pair.names}: {flag.text}",
                )
            )
        if health.state == YEAR_OVER:
            closed.append(
                Problem(
                    f"{DIGEST} | closed | {pair.label}",
                    CLOSED,
                    f"{pair.names}: their year is over; the last email of the calendar went out",
                )
            )
        for side in health.sides:
            waiting = side.waiting
            if waiting is not None:
                unanswered.append(waiting_line(pair, side.person, waiting.name, waiting.sent))
    for label in ended:
        closed.append(
            Problem(
                f"{DIGEST} | closed | {label}",
                CLOSED,
                f"{label.replace(' | ', ' and ')}: no longer Approved in the committee tab;"
                " their Pair Health row says ended",
            )
        )
    digest = Digest(
        Problem(key, PERIOD, f"the digest for {title}"),
        title,
        tuple(p for p in flags if not logged(p.key)),
        tuple(p for p in closed if not logged(p.key)),
        tuple(unanswered),
    )
    # Nothing to say is not worth an email: the period's digest waits for something.
    return digest if digest.flags or digest.closed or digest.unanswered else None


def waiting_line(pair: Pair, person: Person, checkin: str, sent: date) -> str:
    """A check-in still without an answer, as the digest lists it."""
    return f"{pair.who(person)}: '{checkin}', sent {sent:%Y-%m-%d}"


def digest_context(digest: Digest, program: str, spreadsheet: str, now: datetime) -> dict[str, Any]:
    """What the digest template may use."""
    return {
        "program": program,
        "title": digest.title,
        "flags": [p.text for p in digest.flags],
        "unanswered": list(digest.unanswered),
        "closed": [p.text for p in digest.closed],
        "spreadsheet": spreadsheet,
        "now": now,
    }


def flag_key(label: str, kind: str) -> str:
    """The Email Log key under which a digest told the committee of a pair's flag."""
    return f"{DIGEST} | flag | {label} | {kind}"


def told_flag(key: str) -> tuple[str, str] | None:
    """(pair label, flag kind) of a `flag_key`; None for any other key."""
    parts = key.split(" | ")
    if parts[:2] == [DIGEST, "flag"] and len(parts) >= 5:
        return f"{parts[2]} | {parts[3]}", parts[4]
    return None
