"""The approved pairs: the committee tab's Approved rows, with both people's details.

A pair is read from the committee tab, never remembered elsewhere: its mentor
is the Committee Mentor Email when the committee named one, else the suggested
mentor. A row that cannot be used is not guessed at; it is reported in plain
words and left alone, so no email goes out on a doubt.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from mentoring.addresses import email_at
from mentoring.committee import (
    COLUMNS,
    HOLD,
    INTRODUCED,
    MENTEE_EMAIL,
    MENTOR_EMAIL,
    OVERRIDE,
    STATUS,
    STATUSES,
    is_approved,
    known_status,
    row_mentor,
    row_status,
)
from mentoring.intake import Applicant, Responses
from mentoring.names import called
from mentoring.sheet import Cell, Row, Table, Unknown, cell, is_blank, is_new_tab
from mentoring.timestamps import guess_date_order, parse_timestamp

MENTEE_ROLE, MENTOR_ROLE = "Mentee", "Mentor"


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    role: str  # "Mentee" or "Mentor", the answers of the check-in form's "I am the"
    pronouns: str = ""
    institution: str = ""
    preferred_name: str = ""  # the answer to the form's preferred-name question, if it asks

    @property
    def first_name(self) -> str:
        """What the emails call them: "Dear {first_name},"."""
        return called(self.name, self.preferred_name)


@dataclass(frozen=True)
class Pair:
    """An approved pair; `row` is its committee-tab row, `introduced_on` None until introduced."""

    mentee: Person
    mentor: Person
    row: int
    introduced_on: date | None
    shared: tuple[str, ...] = ()
    # (mentee, mentor) addresses its emails went out under, when one was corrected since
    # (mentoring/identity.py); None while they are the current ones.
    known_as: tuple[str, str] | None = None

    @property
    def emails(self) -> tuple[str, str]:
        """The addresses that name the pair in its Email Log keys."""
        return self.known_as or (self.mentee.email, self.mentor.email)

    @property
    def label(self) -> str:
        """The pair in its Email Log keys: "ana@m.org | tom@t.org"."""
        mentee, mentor = self.emails
        return f"{mentee} | {mentor}"

    def key_email(self, person: Person) -> str:
        """The address that names `person` (one of the two) in the pair's keys."""
        mentee, mentor = self.emails
        return mentee if person == self.mentee else mentor

    def partner_of(self, person: Person) -> Person:
        return self.mentor if person == self.mentee else self.mentee

    @property
    def names(self) -> str:
        """The pair for the committee: "Ana Ruiz and Tom Ng (ana@m.org, tom@t.org)"."""
        mentee, mentor = self.mentee, self.mentor
        return f"{mentee.name} and {mentor.name} ({mentee.email}, {mentor.email})"

    @property
    def short_names(self) -> str:
        """The pair in a list: "Ana Ruiz & Tom Ng" (an address for a name left blank)."""
        return " & ".join(person.name or person.email for person in (self.mentee, self.mentor))

    def who(self, person: Person) -> str:
        """One of the pair for the committee: "Tom Ng <tom@t.org>, mentor of Ana Ruiz"."""
        partner = self.partner_of(person)
        return f"{person.name} <{person.email}>, {person.role.lower()} of {partner.name}"


@dataclass(frozen=True)
class RowProblem:
    """What the committee should fix in one row of the committee tab (told in the email
    jobs' output and, by the match job, in Intake Issues)."""

    tab: str
    row: int
    person: str  # the mentee's email
    text: str

    def __str__(self) -> str:
        return f"{self.tab} row {self.row}: {self.text}"


@dataclass(frozen=True)
class PairsRead:
    pairs: tuple[Pair, ...]
    problems: tuple[RowProblem, ...]  # rows left alone, each saying why and what to do
    # Mentees whose row could not be read (a formula without its value, a date out of
    # range): no emails, and what the tool wrote about them stays as it was.
    held: frozenset[str] = frozenset()
    # Pairs whose Introduced On is to be written again: an earlier pair at a new address.
    dated: tuple[tuple[Pair, date], ...] = ()
    # Both people of the held rows: their check-in answers are not told as of no pair.
    held_people: frozenset[str] = frozenset()


# Introduced On must be a day a pair of this program can have started: one typed as 9999
# would overflow the calendar's dates and stop every job.
_EARLIEST = date(1970, 1, 1)
_AHEAD = timedelta(days=366)


def approved_pairs(
    committee: Table | None,
    responses: Responses,
    interests: Sequence[tuple[str, str]] = (),
    date_order: str = "auto",
    today: date | None = None,
) -> PairsRead:
    """Every usable Approved row; `interests` pairs a mentee question with the mentor question
    whose shared answers the emails name. An Introduced On more than a year after `today`
    is a problem of its row. Raises ConfigError when a committee column is missing."""
    if committee is None or is_new_tab(committee, COLUMNS, "the committee's matches"):
        return PairsRead((), ())
    fix = "Rename the column back; the match job made it."
    columns = {
        name: committee.require(name, what="a column the email jobs read", fix=fix)
        for name in (MENTEE_EMAIL, MENTOR_EMAIL, STATUS, OVERRIDE, INTRODUCED)
    }
    dates = [cell(row, columns[INTRODUCED]) for row in committee.rows]
    order = guess_date_order(dates) if date_order == "auto" else date_order
    torn = _torn(committee, columns)
    mentees = {m.email: m for m in responses.mentees}
    mentors = {m.email: m for m in responses.mentors}
    pairs: list[Pair] = []
    problems: list[RowProblem] = []
    held: set[str] = set()
    people: set[str] = set()
    seen: dict[str, int] = {}
    for row in committee.rows:
        email = email_at(row, columns[MENTEE_EMAIL])
        mentor_email = row_mentor(row, columns)

        def said(text: str, number: int = row.number, email: str = email) -> None:
            problems.append(RowProblem(committee.name, number, email, text))

        def hold(mentee: str = email, mentor: str = mentor_email) -> None:
            held.add(mentee)
            people.update((mentee, mentor))

        unknown = _unknown(row, columns)
        if unknown:
            hold()
            said(unknown)
            continue
        status = row_status(row, columns)
        if not is_approved(row, columns):
            paused = _paused(status, cell(row, columns[INTRODUCED]))
            if paused:
                hold()
            if paused and paused != HOLD:
                said(paused)
            continue
        introduced = cell(row, columns[INTRODUCED])
        on = None if is_blank(introduced) else parse_timestamp(introduced, order)
        problem = _unusable(
            email, mentor_email, introduced, on, today, torn, seen, (mentees, mentors)
        )
        if email:
            seen.setdefault(email, row.number)
        if problem:
            # An introduced pair that cannot be used now keeps what it had.
            if not is_blank(introduced) or email in torn:
                hold()
            said(problem)
            continue
        mentee, mentor = mentees[email], mentors[mentor_email]
        pairs.append(
            Pair(
                mentee=person_of(mentee, MENTEE_ROLE),
                mentor=person_of(mentor, MENTOR_ROLE),
                row=row.number,
                introduced_on=on.date() if on else None,
                shared=shared_interests(mentee, mentor, interests),
            )
        )
    return PairsRead(
        tuple(pairs), tuple(problems), frozenset(held - {""}), held_people=frozenset(people - {""})
    )


def _unusable(
    email: str,
    mentor_email: str,
    introduced: Cell,
    on: datetime | None,
    today: date | None,
    torn: Mapping[str, list[int]],
    seen: Mapping[str, int],
    people: tuple[Mapping[str, Applicant], Mapping[str, Applicant]],
) -> str | None:
    """Why an Approved row cannot be used for emails (None: it can), the first reason found."""
    mentees, mentors = people
    if not email:
        return "Approved, but it has no Mentee Email"
    if mentor_email == email:
        return (
            f"the mentor is the mentee themself ({email}); name another mentor in"
            f" {OVERRIDE} (no emails for this pair)"
        )
    if email in torn:
        return (
            f"rows {' and '.join(map(str, torn[email]))} are both Approved for {email},"
            " with different mentors; delete or reject one of them (no emails for this"
            " mentee until then)"
        )
    if email in seen:
        return f"the same mentee as row {seen[email]}; only that row gets emails"
    if not mentor_email:
        return "Approved, but no mentor is named; set Committee Mentor Email"
    if email not in mentees:
        return f"the mentee {email} is not in the mentee responses; no emails for this pair"
    if mentor_email not in mentors:
        return f"the mentor {mentor_email} is not in the mentor responses; no emails for this pair"
    if not is_blank(introduced) and on is None:
        return (
            f"Introduced On '{introduced}' is not a date; write it as YYYY-MM-DD"
            " (no emails for this pair until then)"
        )
    if on is not None and not _possible(on.date(), today):
        return (
            f"Introduced On {on:%Y-%m-%d} cannot be the day this pair was introduced;"
            " write that day as YYYY-MM-DD (no emails for this pair until then)"
        )
    return None


def _torn(committee: Table, columns: Mapping[str, int]) -> dict[str, list[int]]:
    """Mentees with Approved rows that name different mentors, with those rows' numbers:
    which one counts must not depend on how the tab is sorted, so neither does."""
    mentors: dict[str, set[str]] = {}
    rows: dict[str, list[int]] = {}
    for row in committee.rows:
        if not is_approved(row, columns):
            continue
        email = email_at(row, columns[MENTEE_EMAIL])
        mentor = row_mentor(row, columns)
        mentors.setdefault(email, set()).add(mentor)
        rows.setdefault(email, []).append(row.number)
    return {email: rows[email] for email, named in mentors.items() if email and len(named) > 1}


def _paused(status: str, introduced: Cell) -> str:
    """For an introduced row that is not Approved: HOLD when the committee paused it, or
    what to say of a Status the tool does not know; "" when the pair ended (Rejected,
    Suggested, blank) or was never introduced. A paused pair keeps its Pair Health row."""
    if is_blank(introduced):
        return ""
    known = known_status(status)
    if known == HOLD:
        return HOLD
    if known is not None or not status:
        return ""
    return (
        f"Status '{status}' is not one of {', '.join(STATUSES)}; this introduced pair keeps"
        " what it had (no emails, its Pair Health row as it was) until it is corrected"
    )


def _possible(day: date, today: date | None) -> bool:
    return day >= _EARLIEST and (today is None or day <= today + _AHEAD)


def _unknown(row: Row, columns: Mapping[str, int]) -> str:
    """What to say of a committee cell of `row` whose value cannot be known ("" if none)."""
    for name in (STATUS, MENTEE_EMAIL, OVERRIDE, MENTOR_EMAIL, INTRODUCED):
        value = cell(row, columns[name])
        if isinstance(value, Unknown):
            return (
                f"{name} is a formula ({value.formula}) whose value is not saved in the"
                " workbook, so mentor-sync cannot tell what it says; type the value instead"
                " (mentor-sync saves the workbook without the values of formulas, so a"
                " formula's value is known only until its next save). Until then this row"
                " keeps what it had: no emails, and its Pair Health row stays as it was"
            )
    return ""


def shared_interests(
    mentee: Applicant, mentor: Applicant, questions: Sequence[tuple[str, str]]
) -> tuple[str, ...]:
    """The options both chose in these (mentee question, mentor question), in the mentee's words."""
    shared: list[str] = []
    for mentee_field, mentor_field in questions:
        theirs = {item.casefold() for item in mentor.items(mentor_field)}
        for item in mentee.items(mentee_field):
            if item.casefold() in theirs and item not in shared:
                shared.append(item)
    return tuple(shared)


def person_of(applicant: Applicant, role: str) -> Person:
    """The applicant as the emails name them, in `role` (MENTEE_ROLE or MENTOR_ROLE)."""
    pronouns, preferred = (applicant.items(key) for key in ("pronouns", "preferred_name"))
    return Person(
        email=applicant.email,
        name=applicant.name,
        role=role,
        pronouns=", ".join(pronouns),
        institution=applicant.institution,
        preferred_name=", ".join(preferred),
    )
