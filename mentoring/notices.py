"""Word to everyone the final slate leaves without a partner.

The program's page promises that the committee contacts a mentee "once the match is
made" and a mentor "when there is an appropriate mentee match". Once the committee says
the slate is final (`mentor-sync notify-unmatched`, or the day `notify.unmatched_on`),
each mentee without a mentor gets one email (`not_matched`: not this year, and why we
keep the application) and each mentor without a mentee another (`mentor_pool`: you are
in the pool), once each, through the Email Log and the send journal like every email.

Who is told is read from the committee tab, never guessed:
- nobody in an Approved or Hold row, in either role, hears anything;
- a mentee is unmatched when their row names no mentor (the match found none, or the
  committee cleared it), or is Rejected with no other mentor in Committee Mentor Email:
  the committee decided against the pair and named no other;
- a row that still waits for the committee (Suggested with a mentor, Rejected with
  another mentor named, a Status the tool does not know, a formula whose value is not
  saved) tells neither of its people anything until it is decided: a line says so;
- an applicant whose response could not be used (the Intake Issues tab) did not apply
  in a form the tool can read: not told, with a line;
- an applicant with no row yet (the match has not run since they applied) waits for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from mentoring.addresses import email_at
from mentoring.committee import (
    APPROVED,
    COLUMNS,
    HOLD,
    MENTEE_EMAIL,
    MENTOR_EMAIL,
    OVERRIDE,
    REJECTED_STATUS,
    STATUS,
    STATUSES,
    known_status,
    row_mentor,
    row_status,
)
from mentoring.intake import Applicant, Responses
from mentoring.ledger import Ledger
from mentoring.outgoing import MENTOR_POOL, NOT_MATCHED, Planned, is_notice, notice_key, send_key
from mentoring.pairs import MENTEE_ROLE, MENTOR_ROLE, Pair, Person, person_of
from mentoring.settings import Settings
from mentoring.sheet import Row, Table, Unknown, cell, is_new_tab

TEMPLATES = {NOT_MATCHED: "not_matched", MENTOR_POOL: "mentor_pool"}
# `run` and `introduce` send the notices from notify.unmatched_on for this many days (room
# enough for what the daily cap leaves), then no more: a day left in the settings from last
# year must not write to next year's applicants before their slate is made.
SENDING_DAYS = timedelta(days=30)
# Someone told under one cohort is not told again under another within this time: a slate
# made final on 30 December and again on 2 January is one year's.
TOLD_LATELY = timedelta(days=183)


@dataclass(frozen=True)
class Notice:
    """One email to someone the final slate leaves without a partner; `where` is their
    application ("Form Responses 1 row 4"), for the lines that name them."""

    kind: str  # NOT_MATCHED or MENTOR_POOL
    person: Person
    cohort: str
    where: str
    resend: int = 0  # the n-th time it is sent again, on the committee's request
    first_sent: datetime | None = None  # when it went first, for one sent again

    @property
    def template(self) -> str:
        return TEMPLATES[self.kind]

    @property
    def to(self) -> tuple[Person, ...]:
        return (self.person,)

    @property
    def key(self) -> str:
        return notice_key(self.kind, self.cohort, self.person.email)

    @property
    def send_key(self) -> str:
        return send_key(self.key, self.resend)


# Any email to one or two people of the program, as a run plans it.
Email = Planned | Notice


@dataclass(frozen=True)
class Unmatched:
    """The notices the slate calls for, and a line for each person who is not told, why."""

    notices: tuple[Notice, ...]
    not_told: tuple[str, ...]


@dataclass(frozen=True)
class NoticePlan:
    """A run's notices: those to send now, how many wait for the daily cap, who is not told
    and why, and the resend requests that cannot be met."""

    batch: tuple[Notice, ...]
    deferred: int
    not_told: tuple[str, ...]
    problems: tuple[str, ...]


def notice_day(unmatched_on: date | None, today: date) -> date | None:
    """The day the slate was made final, when the scheduled runs send the notices `today`
    (from notify.unmatched_on, for SENDING_DAYS); None when they send none."""
    if unmatched_on is None or not unmatched_on <= today < unmatched_on + SENDING_DAYS:
        return None
    return unmatched_on


# Where a committee row leaves its people: in a pair (Approved, Hold), waiting for the
# committee's decision, or with no partner.
_PAIRED, _WAITING, _ALONE = "paired", "waiting", "alone"


@dataclass(frozen=True)
class _Standing:
    row: int
    mentee: str
    mentor: str  # the mentor the row names, "" for none
    where: str  # _PAIRED, _WAITING or _ALONE
    why: str = ""  # for a row that waits: what the committee should do


def left_unmatched(
    committee: Table | None, responses: Responses, settings: Settings, cohort: str
) -> Unmatched:
    """Who the committee tab, as it stands, leaves without a partner: a notice for each,
    and a line for everyone not told. Raises ConfigError when a committee column is
    missing."""
    tab = settings.tabs.committee
    standings, unknown = _standings(committee, tab)
    lines = [*unknown, *_did_not_apply(responses)]
    if unknown:
        return Unmatched((), tuple(lines))
    paired = {email for s in standings if s.where == _PAIRED for email in (s.mentee, s.mentor)}
    rowed = {s.mentee for s in standings}
    waits = {s.mentor: s.why for s in standings if s.where == _WAITING and s.mentor}
    waits_mentee = {s.mentee: s.why for s in standings if s.where == _WAITING and s.mentee}
    no_row = f"no row in {tab} yet; the next match gives them one"
    told: list[tuple[str, Applicant, str]] = [
        (NOT_MATCHED, a, waits_mentee.get(a.email) or ("" if a.email in rowed else no_row))
        for a in responses.mentees
        if a.email not in paired
    ]
    told += [
        (MENTOR_POOL, a, waits.get(a.email, "")) for a in responses.mentors if a.email not in paired
    ]
    notices: list[Notice] = []
    waiting: list[str] = []
    for kind, applicant, why in told:
        person = person_of(applicant, MENTEE_ROLE if kind == NOT_MATCHED else MENTOR_ROLE)
        if why:
            waiting.append(f"{_who(person)}: {why}")
        else:
            where = f"{applicant.tab} row {applicant.row}"
            notices.append(Notice(kind, person, cohort, where))
    return Unmatched(tuple(notices), (*waiting, *lines))


def _standings(committee: Table | None, tab: str) -> tuple[list[_Standing], list[str]]:
    """Where each committee row leaves its people; and a line when a row's mentee or mentor
    cannot be known at all (a formula without its value), which holds every notice."""
    if committee is None or is_new_tab(committee, COLUMNS, "the committee's matches"):
        return [], []
    fix = "Rename the column back; the match job made it."
    columns = {
        name: committee.require(name, what="a column notify-unmatched reads", fix=fix)
        for name in (MENTEE_EMAIL, MENTOR_EMAIL, STATUS, OVERRIDE)
    }
    standings, unknown = [], []
    for row in committee.rows:
        formula = next(
            (name for name in columns if isinstance(cell(row, columns[name]), Unknown)), ""
        )
        if formula:
            said = (
                f"{tab} row {row.number}: {formula} is a formula whose value is not saved;"
                " type the value instead"
            )
            if formula == STATUS:
                mentee, mentor = email_at(row, columns[MENTEE_EMAIL]), row_mentor(row, columns)
                standings.append(_Standing(row.number, mentee, mentor, _WAITING, said))
            else:
                unknown.append(f"{said} (nobody is told who is unmatched until then)")
            continue
        standing = _standing(row, columns, tab)
        if standing.mentee or standing.mentor:
            standings.append(standing)
    return standings, unknown


def _standing(row: Row, columns: Mapping[str, int], tab: str) -> _Standing:
    status = row_status(row, columns)
    known = known_status(status)
    mentee = email_at(row, columns[MENTEE_EMAIL])
    override = email_at(row, columns[OVERRIDE])
    suggested = email_at(row, columns[MENTOR_EMAIL])
    here = f"{tab} row {row.number}"
    if known in (APPROVED, HOLD):
        return _Standing(row.number, mentee, override or suggested, _PAIRED)
    if status and known is None:
        why = (
            f"{here} ({mentee}) has Status '{status}', which is not one of"
            f" {', '.join(STATUSES)}; correct it, and the next run decides"
        )
        return _Standing(row.number, mentee, override or suggested, _WAITING, why)
    if known == REJECTED_STATUS:
        if override and override != suggested:
            why = (
                f"{here} ({mentee}) is Rejected with {override} named in {OVERRIDE};"
                " approve the new pair, or clear the cell, and the next run decides"
            )
            return _Standing(row.number, mentee, override, _WAITING, why)
        return _Standing(row.number, mentee, "", _ALONE)
    mentor = override or suggested
    if not mentor:
        return _Standing(row.number, mentee, "", _ALONE)
    why = (
        f"{here} pairs {mentee} with {mentor} and is still {known or 'Suggested'}; approve"
        " the pair, or write Rejected, and the next run decides"
    )
    return _Standing(row.number, mentee, mentor, _WAITING, why)


def _did_not_apply(responses: Responses) -> list[str]:
    """A line for each person whose response could not be used (the Intake Issues tab),
    once: not matched, but they did not apply in a form the tool can read."""
    applied = {(a.tab, a.email) for a in (*responses.mentees, *responses.mentors)}
    lines: dict[tuple[str, str], str] = {}
    for issue in responses.issues:
        if issue.email and (issue.tab, issue.email) in applied:
            continue
        said = (
            f"{issue.person}: their response could not be used, so they did not apply in a"
            f" form the tool can read ({issue.tab} row {issue.row}, in Intake Issues:"
            f" {issue.problem})"
        )
        lines.setdefault((issue.tab, issue.email or f"row {issue.row}"), said)
    return list(lines.values())


def plan_notices(unmatched: Unmatched, ledger: Ledger, today: date, room: int) -> NoticePlan:
    """The notices neither the Email Log nor the journal has as sent (or maybe sent), and
    those the committee asked to send again, at most `room` of them."""
    lately = _told_lately(ledger, today)
    due: list[Notice] = []
    lines = list(unmatched.not_told)
    for notice in unmatched.notices:
        again = ledger.resends.get(notice.key)
        if again:
            first = ledger.get(notice.key)
            due.append(replace(notice, resend=again, first_sent=first.sent_at if first else None))
            continue
        if ledger.blocks(notice.key):
            continue
        told = lately.get((notice.kind, notice.person.email))
        if told is not None:
            lines.append(
                f"{_who(notice.person)}: had the '{notice.kind}' email on {told:%Y-%m-%d},"
                " under another cohort; not told again so soon"
            )
            continue
        due.append(notice)
    asked = {notice.key for notice in unmatched.notices}
    problems = [
        f"the Email Log asks to send '{key}' again, but that person is not left unmatched by"
        " this slate (or the cohort is another year's); nothing was sent"
        for key in sorted(ledger.resends)
        if is_notice(key) and key not in asked
    ]
    return NoticePlan(tuple(due[:room]), max(0, len(due) - room), tuple(lines), tuple(problems))


def _told_lately(ledger: Ledger, today: date) -> dict[tuple[str, str], datetime]:
    """When each (kind, address) last had a notice handed over, within TOLD_LATELY."""
    told: dict[tuple[str, str], datetime] = {}
    for entry in ledger.entries():
        if not is_notice(entry.key):
            continue
        sent = ledger.sent_at(entry.key)
        if sent is None or sent.date() <= today - TOLD_LATELY:
            continue
        kind, _, email = entry.key.split(" | ")
        told[kind, email] = max(sent, told.get((kind, email), sent))
    return told


def _who(person: Person) -> str:
    """Someone in the lines for the committee: "Ana Ruiz <ana@m.org> (mentee)"."""
    return f"{person.name or person.email} <{person.email}> ({person.role.lower()})"


def sample_notice(kind: str, pair: Pair, cohort: str) -> Notice:
    """A notice of `kind` to the mentee of `pair` (NOT_MATCHED) or its mentor, to render as
    a sample (before a run, or as a test email)."""
    person = pair.mentee if kind == NOT_MATCHED else pair.mentor
    return Notice(kind, person, cohort, "a sample")
