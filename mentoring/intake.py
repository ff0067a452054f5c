"""Intake: form response tabs in, applicants and intake issues out.

Tabs are read by header, never by column position. Each usable row becomes an
`Applicant`; a row that cannot be used becomes an `IntakeIssue` saying why in
plain words, so nothing is ever dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from mentoring.settings import Form, Settings
from mentoring.sheet import Row, Table, cell, is_blank
from mentoring.timestamps import guess_date_order, parse_timestamp

Answer = str | tuple[str, ...]

_EMAIL = re.compile(r"^[^@\s,;<>()]+@[^@\s,;<>()]+\.[^@\s,;<>()]+$")
_SPACES = re.compile(r"\s+")
_LEADING_NUMBER = re.compile(r"^\s*(\d+)(?:\.0+)?\b")


@dataclass(frozen=True)
class Applicant:
    """One person's latest usable response to a form."""

    email: str
    name: str
    institution: str
    submitted: datetime | None
    tab: str
    row: int
    answers: Mapping[str, Answer]
    capacity: int = 0

    def items(self, field: str) -> tuple[str, ...]:
        """The options chosen in a checkbox question (empty when unanswered)."""
        answer = self.answers.get(field, ())
        return answer if isinstance(answer, tuple) else ((answer,) if answer else ())


@dataclass(frozen=True)
class IntakeIssue:
    """A row the committee should look at: where it is, whose it is, and what is wrong."""

    tab: str
    row: int
    person: str
    problem: str


@dataclass(frozen=True)
class Responses:
    mentees: tuple[Applicant, ...]
    mentors: tuple[Applicant, ...]
    issues: tuple[IntakeIssue, ...]


def normalise_email(value: object) -> str:
    text = str(value or "").strip().lower()
    return text.removeprefix("mailto:")


def is_email(text: str) -> bool:
    return bool(_EMAIL.match(text))


def institution_key(name: str) -> str:
    """Fold an institution's name so that spelling variants compare equal."""
    words = re.sub(r"[^\w\s]", " ", name.casefold()).split()
    return " ".join(w for w in words if w not in {"the", "of", "at"})


def split_choices(text: str, options: Sequence[str]) -> tuple[str, ...]:
    """Split a checkbox answer into the options chosen, keeping any Other: text whole.

    Google joins the chosen options with ", " and an option may contain a comma
    itself, so the answer is split against the known options, longest first.
    Whatever is left is what the person typed after "Other:" and comes last.
    """
    by_folded = {_fold(option): option for option in options}
    widest = max((option.count(", ") + 1 for option in options), default=1)
    parts = [part for part in text.split(", ")]
    chosen: list[str] = []
    other: list[str] = []
    start = 0
    while start < len(parts):
        for width in range(min(widest, len(parts) - start), 0, -1):
            option = by_folded.get(_fold(", ".join(parts[start : start + width])))
            if option is not None:
                if option not in chosen:
                    chosen.append(option)
                start += width
                break
        else:
            other.append(parts[start])
            start += 1
    free_text = ", ".join(part.strip() for part in other if part.strip())
    return (*chosen, free_text) if free_text else tuple(chosen)


def read_responses(mentees: Table, mentors: Table, settings: Settings) -> Responses:
    """Read both response tabs; raises ConfigError when a configured header is missing."""
    issues: list[IntakeIssue] = []
    mentee_list = _read_form(mentees, settings.mentee_form, settings, issues, "mentee")
    mentor_list = _read_form(mentors, settings.mentor_form, settings, issues, "mentor")
    mentor_rows = {m.email: m for m in mentor_list}
    for mentee in mentee_list:
        mentor = mentor_rows.get(mentee.email)
        if mentor is not None:
            issues.append(
                IntakeIssue(
                    mentee.tab,
                    mentee.row,
                    _person(mentee.name, mentee.email),
                    f"also applied as a mentor ({mentor.tab} row {mentor.row}); kept as both, "
                    "and never paired with themself",
                )
            )
    return Responses(tuple(mentee_list), tuple(mentor_list), tuple(issues))


def _read_form(
    table: Table, form: Form, settings: Settings, issues: list[IntakeIssue], role: str
) -> list[Applicant]:
    columns = {
        field: table.require(header, what=f"{role} form, field '{field}'")
        for field, header in form.questions.items()
    }
    timestamps = [cell(row, columns["timestamp"]) for row in table.rows]
    order = settings.intake.date_order
    if order == "auto":
        order = guess_date_order(timestamps)
    latest: dict[str, Applicant] = {}
    for row in table.rows:
        applicant = _read_row(table.name, row, columns, form, order, settings, issues, role)
        if applicant is None:
            continue
        kept = latest.get(applicant.email)
        if kept is None:
            latest[applicant.email] = applicant
            continue
        newer, older = (applicant, kept) if _is_newer(applicant, kept) else (kept, applicant)
        latest[applicant.email] = newer
        issues.append(
            IntakeIssue(
                older.tab,
                older.row,
                _person(older.name, older.email),
                f"an earlier response from {older.email}; the latest one"
                f" (row {newer.row}) is used instead",
            )
        )
    return sorted(latest.values(), key=lambda a: a.email)


def _is_newer(candidate: Applicant, kept: Applicant) -> bool:
    # The latest Timestamp wins, not the lowest row: an edited response keeps its row.
    # Without a readable Timestamp the lower row is taken as the later one.
    left = candidate.submitted or datetime.min
    right = kept.submitted or datetime.min
    return (left, candidate.row) > (right, kept.row)


def _read_row(
    tab: str,
    row: Row,
    columns: Mapping[str, int],
    form: Form,
    date_order: str,
    settings: Settings,
    issues: list[IntakeIssue],
    role: str,
) -> Applicant | None:
    def text(field: str) -> str:
        value = cell(row, columns.get(field))
        return "" if is_blank(value) else _SPACES.sub(" ", str(value)).strip()

    raw_email, name = text("email"), text("name")
    email = normalise_email(raw_email)
    person = _person(name, email or raw_email)

    def flag(problem: str) -> None:
        issues.append(IntakeIssue(tab, row.number, person, problem))

    if not email:
        flag(f"no email address; this {role} is left out until the row has one")
        return None
    if not is_email(email):
        flag(
            f"'{raw_email}' is not a valid email address; this {role} is left out"
            " until it is corrected"
        )
        return None
    missing = [form.questions[field] for field in form.required if not text(field)]
    if missing:
        quoted = ", ".join(f"'{header}'" for header in missing)
        flag(f"no answer to {quoted}; this {role} is left out until the row has one")
        return None

    raw_timestamp = cell(row, columns["timestamp"])
    submitted = parse_timestamp(raw_timestamp, date_order)
    if submitted is None:
        flag(
            f"the Timestamp '{raw_timestamp or ''}' cannot be read as a date; the row is used,"
            " but if this person answered twice the other response may win"
        )

    answers: dict[str, Answer] = {}
    for field in form.questions:
        if field in ("timestamp", "email", "name"):
            continue
        options = settings.checkboxes.get(field)
        value = text(field)
        answers[field] = (
            split_choices(value, options) if options and value else (() if options else value)
        )
    capacity = _capacity(text("capacity"), settings, flag) if role == "mentor" else 0
    return Applicant(
        email=email,
        name=name,
        institution=text("institution"),
        submitted=submitted,
        tab=tab,
        row=row.number,
        answers=answers,
        capacity=capacity,
    )


def _capacity(answer: str, settings: Settings, flag) -> int:
    default = settings.intake.default_capacity
    if not answer:
        return default
    match = _LEADING_NUMBER.match(answer)
    number = int(match.group(1)) if match else None
    if number is None or number > settings.intake.max_capacity:
        flag(
            f"'{answer}' is not a number of mentees from 0 to {settings.intake.max_capacity};"
            f" {default} is used until it is corrected"
        )
        return default
    return number


def _person(name: str, email: str) -> str:
    if name and email:
        return f"{name} <{email}>"
    return name or email or "(no name or email)"


def _fold(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()
