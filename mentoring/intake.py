"""Intake: form response tabs in, applicants and intake issues out.

Tabs are read by header, never by column position. Each usable row becomes an
`Applicant`; a row that cannot be used becomes an `IntakeIssue` saying why in
plain words, so nothing is ever dropped silently. An address is usable when
every email can carry it (`mentoring.addresses`), so an applicant taken here
never stops an email later.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from mentoring.addresses import address_problem
from mentoring.addresses import normalise_email as normalise_email  # for the modules that use it
from mentoring.errors import ConfigError, did_you_mean
from mentoring.settings import NEEDED_QUESTIONS, Form, Settings
from mentoring.settings import Intake as IntakeSettings
from mentoring.sheet import Row, Table, cell, cell_text, header_key
from mentoring.timestamps import guess_date_order, parse_timestamp

# One answer on a form: a text, or the options ticked on a checkbox question.
FormAnswer = str | tuple[str, ...]

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
    answers: Mapping[str, FormAnswer]
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
    email: str = ""  # the row's address, when it has a usable one


@dataclass(frozen=True)
class Responses:
    mentees: tuple[Applicant, ...]
    mentors: tuple[Applicant, ...]
    issues: tuple[IntakeIssue, ...]


def institution_key(name: str) -> str:
    """Fold an institution's name so that spelling variants compare equal."""
    words = re.sub(r"[^\w\s]", " ", name.casefold()).split()
    return " ".join(w for w in words if w not in {"the", "of", "at"})


def split_choices(text: str, options: Sequence[str]) -> tuple[str, ...]:
    """Split a checkbox answer into the options chosen, keeping any Other: text whole.

    Google joins the chosen options with ", " and an option may contain a comma
    itself, so the answer is split against the known options, longest first.
    Whatever is left is what the person typed after "Other:" and comes last.
    Microsoft Forms joins with ";" instead; the reading that finds more options wins.
    """
    return _split_choices(text, tuple(options))


@functools.lru_cache(maxsize=8192)  # answers repeat, and `run` reads every response twice
def _split_choices(text: str, options: tuple[str, ...]) -> tuple[str, ...]:
    google = _split(text.split(", "), ", ", options)
    if ";" not in text:
        return google
    microsoft = _split([p for p in text.split(";") if p.strip()], "; ", options)
    return microsoft if _options_in(microsoft, options) > _options_in(google, options) else google


def _split(parts: list[str], joiner: str, options: tuple[str, ...]) -> tuple[str, ...]:
    by_folded, widest = _folded(options)
    chosen: list[str] = []
    other: list[str] = []
    start = 0
    while start < len(parts):
        for width in range(min(widest, len(parts) - start), 0, -1):
            option = by_folded.get(header_key(", ".join(parts[start : start + width])))
            if option is not None:
                if option not in chosen:
                    chosen.append(option)
                start += width
                break
        else:
            other.append(parts[start])
            start += 1
    free_text = joiner.join(part.strip() for part in other if part.strip())
    return (*chosen, free_text) if free_text else tuple(chosen)


@functools.lru_cache(maxsize=64)
def _folded(options: tuple[str, ...]) -> tuple[dict[str, str], int]:
    """The options by their folded text, and how many ", " parts the widest one has."""
    by_folded = {header_key(option): option for option in options}
    return by_folded, max((option.count(", ") + 1 for option in options), default=1)


def _options_in(items: tuple[str, ...], options: Sequence[str]) -> int:
    return sum(1 for item in items if item in options)


def question_columns(
    table: Table, form: Form, section: str, settings: Settings | None = None
) -> dict[str, int]:
    """The column of each question of `form` (its settings `section`, such as
    "mentee_form") in its response tab; raises ConfigError naming every header the tab
    lacks at once (`missing_questions`)."""
    missing = missing_questions(table, form, section, settings)
    if missing:
        raise ConfigError(" Also: ".join(missing))
    found = {field: table.column(header) for field, header in form.questions.items()}
    return {field: index for field, index in found.items() if index is not None}


def missing_questions(
    table: Table, form: Form, section: str, settings: Settings | None = None
) -> list[str]:
    """What to do about each question of `form` whose header `table` lacks: the closest
    header, the setting to correct, and, for a question the jobs can do without, how to
    switch it off (with what else names it, from `settings` when given)."""
    said = []
    for field, header in form.questions.items():
        if table.column(header) is not None:
            continue
        text = (
            f"tab '{table.name}' has no column '{header}' ({section}.questions.{field})"
            f"{did_you_mean(header, table.header) or '.'} If the question was reworded in the"
            f' form, put its new text in the settings: [{section}.questions] {field} = "..."'
        )
        if field not in NEEDED_QUESTIONS[section]:
            uses = question_uses(field, section, form, settings)
            text += '; if your form does not ask this, set it to "" there'
            text += f" and take it out of {', '.join(uses)}" if uses else ""
        said.append(text)
    return said


def question_uses(field: str, section: str, form: Form, settings: Settings | None) -> list[str]:
    """The other settings that name the question `field` of a form, which would refuse it
    switched off: the form's required answers, and from `settings` the matching rules, the
    slate summary's group, the introductions' shared interests and the report's groups."""
    uses = [f"{section}.required"] if field in form.required else []
    if settings is None or section not in ("mentee_form", "mentor_form"):
        return uses
    side = section.removesuffix("_form")
    uses += [f"the rule '{r.name}'" for r in settings.matching.rules if getattr(r, side) == field]
    if side == "mentee" and settings.matching.summary_group == field:
        uses.append("matching.summary_group")
    if side == "mentee" and field in settings.email.shared_interests:
        uses.append("email.shared_interests")
    if side == "mentee" and field in settings.report.groups:
        uses.append("report.groups")
    return uses


def read_responses(mentees: Table, mentors: Table, settings: Settings) -> Responses:
    """Read both response tabs; raises ConfigError naming every configured header they lack."""
    missing = missing_questions(mentees, settings.mentee_form, "mentee_form", settings)
    missing += missing_questions(mentors, settings.mentor_form, "mentor_form", settings)
    if missing:
        raise ConfigError(" Also: ".join(missing))
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
                    mentee.email,
                )
            )
    return Responses(tuple(mentee_list), tuple(mentor_list), tuple(issues))


@dataclass
class _Reading:
    """One response row as read: the applicant, or the problem that keeps it out."""

    row: int
    email: str
    person: str
    submitted: datetime | None
    applicant: Applicant | None = None
    problem: str = ""
    outcome: str = ""
    notes: list[str] = dataclasses.field(default_factory=list)


def _read_form(
    table: Table, form: Form, settings: Settings, issues: list[IntakeIssue], role: str
) -> list[Applicant]:
    columns = question_columns(table, form, f"{role}_form", settings)
    order = settings.intake.date_order
    if order == "auto":
        order = guess_date_order(cell(row, columns["timestamp"]) for row in table.rows)
    by_email: dict[str, list[_Reading]] = {}
    for row in table.rows:
        reading = _read_row(table.name, row, columns, form, order, settings, role)
        if reading.email:
            by_email.setdefault(reading.email, []).append(reading)
        else:
            issues.append(
                IntakeIssue(
                    table.name, row.number, reading.person, f"{reading.problem}; {reading.outcome}"
                )
            )
    chosen = [_latest(readings, table.name, issues) for readings in by_email.values()]
    return sorted((a for a in chosen if a is not None), key=lambda a: a.email)


def _latest(readings: list[_Reading], tab: str, issues: list[IntakeIssue]) -> Applicant | None:
    """The response that counts for one email: the latest usable one, every other one explained.

    The latest Timestamp wins, not the lowest row: an edited response keeps its
    row. Without a readable Timestamp a row counts as older than any dated one,
    and between equals the lower row, added later, wins.
    """
    readings = sorted(readings, key=lambda r: (r.submitted or datetime.min, r.row))
    latest = readings[-1]
    used = next((r for r in reversed(readings) if r.applicant is not None), None)

    def flag(reading: _Reading, problem: str) -> None:
        issues.append(IntakeIssue(tab, reading.row, reading.person, problem, reading.email))

    if latest is not used:
        outcome = (
            f"the earlier response in row {used.row} is used until this one is corrected"
            if used
            else latest.outcome
        )
        flag(latest, f"{latest.problem}; {outcome}")
    if used is None:
        for reading in readings[:-1]:
            flag(
                reading,
                f"an earlier response from {reading.email}, which cannot be used"
                f" either ({reading.problem})",
            )
        return None
    for note in used.notes:
        flag(used, note)
    for reading in readings:
        if reading is not used and reading is not latest:
            flag(
                reading,
                f"an earlier response from {reading.email}; the latest one"
                f" (row {used.row}) is used instead",
            )
    return used.applicant


def _read_row(
    tab: str,
    row: Row,
    columns: Mapping[str, int],
    form: Form,
    date_order: str,
    settings: Settings,
    role: str,
) -> _Reading:
    def text(field: str) -> str:
        return cell_text(row, columns.get(field))

    raw_email, name = text("email"), text("name")
    email = normalise_email(raw_email)
    raw_timestamp = cell(row, columns["timestamp"])
    submitted = parse_timestamp(raw_timestamp, date_order)
    reading = _Reading(row.number, email, _person(name, email or raw_email), submitted)
    if not email:
        reading.email = ""
        reading.problem = "no email address"
        reading.outcome = f"this {role} is left out until the row has one"
        return reading
    problem = address_problem(email)
    if problem:
        reading.email = ""
        reading.problem = f"'{raw_email}' is not a usable email address ({problem})"
        reading.outcome = f"this {role} is left out until it is corrected"
        return reading
    missing = [form.questions[field] for field in form.required if not text(field)]
    if missing:
        reading.problem = "no answer to " + ", ".join(f"'{header}'" for header in missing)
        reading.outcome = f"this {role} is left out until the row has one"
        return reading
    if submitted is None:
        reading.notes.append(
            f"the Timestamp '{raw_timestamp or ''}' cannot be read as a date; the row is used,"
            " but if this person answered twice the other response may win"
        )
    answers: dict[str, FormAnswer] = {}
    for field in form.questions:
        if field in ("timestamp", "email", "name"):
            continue
        options = settings.checkboxes.get(field)
        value = text(field)
        if options is None:
            answers[field] = value
        else:
            answers[field] = split_choices(value, options) if value else ()
    capacity = _capacity(text("capacity"), settings, reading.notes) if role == "mentor" else 0
    reading.applicant = Applicant(
        email=email,
        name=name,
        institution=text("institution"),
        submitted=submitted,
        tab=tab,
        row=row.number,
        answers=answers,
        capacity=capacity,
    )
    return reading


def places_offered(answer: str, intake: IntakeSettings) -> int | None:
    """The mentees a capacity answer offers ("2", "2 if possible", 3); None for a blank
    answer, or one that is no number up to intake.max_capacity."""
    match = _LEADING_NUMBER.match(answer)
    number = int(match.group(1)) if match else None
    return None if not answer or number is None or number > intake.max_capacity else number


def _capacity(answer: str, settings: Settings, notes: list[str]) -> int:
    default = settings.intake.default_capacity
    if not answer:
        return default
    number = places_offered(answer, settings.intake)
    if number is None:
        notes.append(
            f"'{answer}' is not a number of mentees from 0 to {settings.intake.max_capacity};"
            f" {default} is used until it is corrected"
        )
        return default
    return number


def _person(name: str, email: str) -> str:
    if name and email:
        return f"{name} <{email}>"
    return name or email or "(no name or email)"
