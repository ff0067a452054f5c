"""Check-in answers: the check-in form's response tab in, each answer with its pair out.

An answer belongs to a pair when the respondent's email and the partner's email
they typed are the two people of one introduced pair, whichever way round.
Every other row is an `IntakeIssue` saying why it is not counted and what to
correct, so an answer is never dropped silently, and a request to hear from
the committee is never lost in it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import date, datetime

from mentoring.addresses import address_problem, email_at, normalise_email
from mentoring.intake import IntakeIssue, question_columns
from mentoring.pairs import Pair
from mentoring.settings import Form
from mentoring.sheet import Row, Table, cell, cell_text
from mentoring.timestamps import guess_date_order, parse_timestamp

YES, NO = "Yes", "No"
# A whole number from 1 to 5, alone or before words ("5 - great"), never a part of "1.5".
_RATING = re.compile(r"^\s*([1-5])(?:\.0+)?(?![\d.,])")


@dataclass(frozen=True)
class Answer:
    """One usable row of the check-in form."""

    row: int
    email: str
    partner: str
    submitted: datetime
    role: str = ""
    rating: int | None = None  # 1 to 5
    met: str = ""  # YES, NO or "" when not answered
    progress: str = ""
    contact: bool = False  # asked the committee to get in touch
    note: str = ""  # what in the row could not be read, for Intake Issues


@dataclass(frozen=True)
class AnswerRows:
    """The check-in tab as read: the usable answers, and why the others are not."""

    answers: tuple[Answer, ...]
    issues: tuple[IntakeIssue, ...]
    known: bool = True  # False when there is no check-in tab: answers cannot be known


@dataclass(frozen=True)
class Answers:
    """The answers with the pair each is about."""

    by_pair: Mapping[str, tuple[Answer, ...]]  # by Pair.label, oldest first
    issues: tuple[IntakeIssue, ...]  # the tab's problems and the answers of no pair
    known: bool = True  # False when there is no check-in tab: answers cannot be known


def read_answers(table: Table | None, form: Form, date_order: str = "auto") -> AnswerRows:
    """Every usable row of the check-in tab (None: nobody has answered yet), not yet
    assigned to pairs; raises ConfigError when a configured header is missing."""
    if table is None or not any(table.header):
        return AnswerRows((), (), known=False)
    columns = question_columns(table, form, "checkin_form")
    order = date_order
    if order == "auto":
        order = guess_date_order(cell(row, columns["timestamp"]) for row in table.rows)
    answers: list[Answer] = []
    issues: list[IntakeIssue] = []
    for row in table.rows:
        answer, problem = _read_row(row, columns, form, order)
        if answer is None:
            person = email_at(row, columns["email"]) or "(no email)"
            issues.append(IntakeIssue(table.name, row.number, person, problem))
        else:
            answers.append(answer)  # its note, if any, is told when it is assigned
    return AnswerRows(tuple(answers), tuple(issues))


def assign(
    rows: AnswerRows,
    pairs: Sequence[Pair],
    tab: str,
    past: Set[tuple[str, str]] = frozenset(),
    quiet: Set[str] = frozenset(),
) -> Answers:
    """Each answer of `read_answers` with the introduced pair it is about; the others become
    intake issues that say what to correct. An answer about a year closed since is neither:
    one naming a `past` pair (mentee, mentor), or one from a person of a past pair given
    before their pair of this year began (or who has none)."""
    by_people = {}
    partners: dict[str, list[str]] = {}
    began: dict[str, date] = {}
    for pair in pairs:
        if pair.introduced_on is None:
            continue
        # The addresses before a correction count too: answers given before it are theirs.
        for mentee in {pair.mentee.email, pair.emails[0]}:
            for mentor in {pair.mentor.email, pair.emails[1]}:
                by_people[mentee, mentor] = by_people[mentor, mentee] = pair.label
        mentee, mentor = pair.mentee.email, pair.mentor.email
        partners.setdefault(mentee, []).append(mentor)
        partners.setdefault(mentor, []).append(mentee)
        for email in (mentee, mentor):
            began[email] = min(began.get(email, pair.introduced_on), pair.introduced_on)
    before = {email for pair in past for email in pair}
    by_pair: dict[str, list[Answer]] = {}
    issues = list(rows.issues)
    for answer in rows.answers:
        label = by_people.get((answer.email, answer.partner))
        if label is not None:
            by_pair.setdefault(label, []).append(answer)
            if answer.note:
                issues.append(IntakeIssue(tab, answer.row, answer.email, answer.note))
            continue
        people = (answer.email, answer.partner)
        if people in past or people[::-1] in past or answer.email in quiet:
            continue
        if answer.email in before and answer.submitted.date() < began.get(answer.email, date.max):
            continue
        theirs = partners.get(answer.email)
        if theirs:
            problem = (
                f"names {answer.partner} as their partner, but their partner is"
                f" {' or '.join(theirs)}; not counted in Pair Health until Partner's email"
                " is corrected in this row"
            )
        else:
            problem = (
                f"{answer.email} is not in an introduced pair (an Approved row of the committee"
                " tab with an Introduced On date); not counted in Pair Health. If they answered"
                " from another address, correct Email Address in this row"
            )
        said = problem + _said(answer) + (f"; {answer.note}" if answer.note else "")
        issues.append(IntakeIssue(tab, answer.row, answer.email, said))
    ordered = {
        label: tuple(sorted(found, key=lambda a: (a.submitted, a.row)))
        for label, found in by_pair.items()
    }
    return Answers(ordered, tuple(issues), rows.known)


def _said(answer: Answer) -> str:
    """What in an uncounted answer the committee must not miss."""
    said = []
    if answer.contact:
        said.append("they asked the committee to get in touch")
    if answer.rating is not None:
        said.append(f"they rated the relationship {answer.rating} of 5")
    return f" ({'; '.join(said)})" if said else ""


def _read_row(
    row: Row, columns: Mapping[str, int], form: Form, date_order: str
) -> tuple[Answer | None, str]:
    def text(field: str) -> str:
        return cell_text(row, columns.get(field))

    raw_email, raw_partner = text("email"), text("partner")
    email, partner = normalise_email(raw_email), normalise_email(raw_partner)
    submitted = parse_timestamp(cell(row, columns["timestamp"]), date_order)
    if not raw_email or address_problem(email):
        said = _unusable(raw_email, email) if raw_email else "no email address"
        return None, f"{said}; this check-in answer is not counted until it is corrected"
    if not raw_partner or address_problem(partner):
        said = _unusable(raw_partner, partner) if raw_partner else "no answer"
        return None, (
            f"Partner's email: {said}; this check-in answer is not counted until it is corrected"
        )
    if submitted is None:
        return None, (
            f"the Timestamp '{text('timestamp')}' cannot be read as a date, so the answer cannot"
            " be placed after a check-in; not counted until it is corrected"
        )
    missing = [form.questions[field] for field in form.required if not text(field)]
    if missing:
        return None, (
            "no answer to "
            + ", ".join(f"'{header}'" for header in missing)
            + "; this check-in answer is not counted until the row has one"
        )
    notes = []
    rating = None
    if text("rating"):
        found = _RATING.match(text("rating"))
        if found:
            rating = int(found.group(1))
        else:
            notes.append(
                f"the rating '{text('rating')}' is not a number from 1 to 5; the rest of the"
                " answer is counted"
            )
    met, contact = _yes_no(text("met")), _yes_no(text("contact"))
    if text("met") and not met:
        notes.append(
            f"'{text('met')}' to '{form.questions['met']}' is neither Yes nor No; read as"
            " no answer to it"
        )
    if text("contact") and not contact:
        # Whoever wrote something here may be asking: better a call too many than one missed.
        notes.append(
            f"'{text('contact')}' to '{form.questions['contact']}' is neither Yes nor No;"
            " read as a request to get in touch"
        )
        contact = YES
    answer = Answer(
        row=row.number,
        email=email,
        partner=partner,
        submitted=submitted,
        role=text("role"),
        rating=rating,
        met=met,
        progress=text("progress"),
        contact=contact == YES,
        note="; ".join(notes),
    )
    return answer, ""


def _unusable(raw: str, email: str) -> str:
    return f"'{raw}' is not a usable email address ({address_problem(email)})"


def _yes_no(text: str) -> str:
    """YES or NO for an answer that begins with one ("Yes, please", "No, not yet"), else ""."""
    words = re.findall(r"\w+", text.casefold())
    first = words[0] if words else ""
    if first in ("yes", "y", "yeah", "yep", "true"):
        return YES
    if first in ("no", "n", "nope", "false"):
        return NO
    return ""
