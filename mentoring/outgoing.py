"""Which emails are due: the introduction of each new pair and the year's check-ins.

Every email has a key that says what it is (which email, which pair, to whom),
so the Email Log can tell that it went out already. Nothing here depends on
the clock: the day is a parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from mentoring.pairs import MENTEE_ROLE, MENTOR_ROLE, Pair, Person
from mentoring.settings import Checkin, Settings

INTRODUCTION = "introduction"
REMINDER = "reminder"
# The emails to the people the final slate leaves without a partner (mentoring/notices.py):
# a mentee without a mentor, a mentor without a mentee. Their keys name no pair.
NOT_MATCHED, MENTOR_POOL = "not matched", "mentor pool"
NOTICES = (NOT_MATCHED, MENTOR_POOL)


@dataclass(frozen=True)
class Planned:
    """One email of the program. `to` is both people for an introduction, one for a check-in;
    `number` counts the check-ins of the calendar from 1 (0 for the introduction)."""

    kind: str  # "introduction" or a check-in's name
    template: str
    pair: Pair
    to: tuple[Person, ...]
    due: date
    number: int = 0
    days: int = 0
    reminder_of: str = ""  # for a reminder: the check-in it reminds of
    asked_on: date | None = None  # and the day that check-in was sent
    resend: int = 0  # the n-th time it is sent again, on the committee's request
    # For an email sent again: when it went first, which stays its Sent At (the pair's
    # calendar and Pair Health count from it).
    first_sent: datetime | None = None

    @property
    def key(self) -> str:
        if self.kind == INTRODUCTION:
            return f"{INTRODUCTION} | {self.pair.label}"
        if self.reminder_of:
            to = self.pair.key_email(self.to[0])
            return f"{REMINDER} | {self.reminder_of} | {self.pair.label} | to {to}"
        return checkin_key(self.kind, self.pair, self.to[0])

    @property
    def send_key(self) -> str:
        return send_key(self.key, self.resend)


def send_key(key: str, resend: int) -> str:
    """The key as the sender knows it (the outbox's file name): one of its own for each
    sending again, so that the first one's file stays."""
    return key if not resend else f"{key} | resend {resend}"


def pair_label(key: str) -> str:
    """The pair an Email Log key of a pair's email names ("ana@m.org | tom@t.org"), or ""
    for the committee's emails (alerts, digests)."""
    parts = key.split(" | ")
    if parts[0] == REMINDER:
        parts = parts[1:]
    if len(parts) >= 3 and "@" in parts[1] and "@" in parts[2]:
        return f"{parts[1]} | {parts[2]}"
    return ""


def notice_key(kind: str, cohort: str, email: str) -> str:
    """The Email Log key of a notice to someone left unmatched: "not matched | 2027 |
    ana@m.org". The cohort is in it, so that someone unmatched again next year is told
    again; no pair is (`pair_label` of it is "")."""
    return f"{kind} | {cohort} | {email}"


def is_notice(key: str) -> bool:
    """Whether `key` is a notice's (`notice_key`)."""
    parts = key.split(" | ")
    return len(parts) == 3 and parts[0] in NOTICES


def sent_again_on_request(key: str) -> bool:
    """Whether the email of `key` goes once more when its Status says resend: a pair's
    email or a notice, not the committee's alerts and digests (told once)."""
    return bool(pair_label(key)) or is_notice(key)


def checkin_key(name: str, pair: Pair, person: Person) -> str:
    """The Email Log key of check-in `name` to `person` of `pair`."""
    return f"{name} | {pair.label} | to {pair.key_email(person)}"


def addressee(key: str) -> str:
    """The person an Email Log key of one person's email names (`checkin_key`, a
    reminder's), "" for a key of an email to both or to the committee."""
    _, to, person = key.rpartition(" | to ")
    return person if to else ""


@dataclass(frozen=True)
class Superseded:
    """A check-in that was missed while a later one is due too: logged as skipped, not sent."""

    planned: Planned
    by: Planned


def introductions(pairs: Sequence[Pair], today: date) -> list[Planned]:
    """One introduction for each pair not introduced yet, to both people at once."""
    return [
        Planned(INTRODUCTION, INTRODUCTION, pair, (pair.mentee, pair.mentor), today)
        for pair in pairs
        if pair.introduced_on is None
    ]


def checkins_due(
    pairs: Sequence[Pair],
    calendar: Sequence[Checkin],
    today: date,
    logged: Callable[[str], bool],
) -> tuple[list[Planned], list[Superseded]]:
    """The check-ins due by `today` that are not `logged` yet, to each person separately.

    A check-in whose day passed while nothing ran is due on the next run. When
    several are due for the same person (a program started mid-year, or a long
    pause), only the latest is sent and the earlier ones are superseded.
    """
    due: list[Planned] = []
    superseded: list[Superseded] = []
    for pair in pairs:
        if pair.introduced_on is None:
            continue
        for person in (pair.mentee, pair.mentor):
            passed = [
                email
                for email in _checkins(pair, person, calendar, pair.introduced_on)
                if email.due <= today
            ]
            if not passed:
                continue
            latest = passed[-1]
            if not logged(latest.key):
                due.append(latest)
            superseded.extend(
                Superseded(email, latest) for email in passed[:-1] if not logged(email.key)
            )
    return due, superseded


def year_calendar(pairs: Sequence[Pair], calendar: Sequence[Checkin], today: date) -> list[Planned]:
    """Every email of the year for these pairs, by date, the introduction first; a pair not
    introduced yet is taken as introduced `today`, since the next run introduces it."""
    emails: list[Planned] = []
    for pair in pairs:
        start = pair.introduced_on or today
        emails.append(Planned(INTRODUCTION, INTRODUCTION, pair, (pair.mentee, pair.mentor), start))
        for person in (pair.mentee, pair.mentor):
            emails.extend(_checkins(pair, person, calendar, start))
    return sorted(emails, key=lambda e: (e.due, e.number, e.pair.mentee.email, e.to[0].email))


def _checkins(
    pair: Pair, person: Person, calendar: Sequence[Checkin], start: date
) -> list[Planned]:
    return [
        Planned(
            checkin.name,
            checkin.template,
            pair,
            (person,),
            start + timedelta(days=checkin.days),
            number,
            checkin.days,
        )
        for number, checkin in enumerate(calendar, start=1)
    ]


# A made-up pair, to render every template before a run sends anything.
SAMPLE_PAIR = Pair(
    Person("mentee@example.org", "Sam Sample", MENTEE_ROLE, "they/them", "Example University"),
    Person("mentor@example.org", "Alex Example", MENTOR_ROLE, "", "Example Institute"),
    row=0,
    introduced_on=None,
    shared=("Research data management", "Chemistry"),
)


def sample_planned(template: str, pair: Pair, settings: Settings, day: date) -> Planned:
    """An email of `template` for `pair` on `day`, as the calendar would plan it (a check-in
    template as the first check-in that uses it), to render as a sample."""
    if template == INTRODUCTION:
        return Planned(INTRODUCTION, template, pair, (pair.mentee, pair.mentor), day)
    if template == REMINDER:
        first = settings.checkins[0].name if settings.checkins else "check-in"
        asked = day - timedelta(days=settings.health.answer_within_days)
        return Planned(
            REMINDER, REMINDER, pair, (pair.mentee,), day, reminder_of=first, asked_on=asked
        )
    for number, checkin in enumerate(settings.checkins, start=1):
        if checkin.template == template:
            return checkin_planned(checkin, number, pair, day)
    return Planned(f"test {template}", template, pair, (pair.mentee,), day, 1, 30)


def checkin_planned(checkin: Checkin, number: int, pair: Pair, day: date) -> Planned:
    """Check-in `checkin`, the `number`-th of the calendar, to `pair`'s mentee on `day`."""
    return Planned(checkin.name, checkin.template, pair, (pair.mentee,), day, number, checkin.days)
