"""A form's questions as `init` learns them: from a response tab's header and answers, or
exactly from the Forms API (sync/google_forms.py).

A `Question` is what a settings file needs of one question: the header its answers land
under in the response tab (Google writes the question's title there), its kind, its
options when it has a fixed list, and, from the Forms API only, the entry id a prefilled
link uses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from mentoring.answers import NO, YES
from mentoring.errors import ConfigError, did_you_mean
from mentoring.pairs import MENTEE_ROLE, MENTOR_ROLE
from mentoring.sheet import header_key

# What a question asks for, as the Forms API names its kinds, reduced to what intake needs.
TEXT = "text"  # short answer
PARAGRAPH = "paragraph"
CHECKBOX = "checkbox"  # several options, joined by ", " in one cell
CHOICE = "choice"  # one option: multiple choice or dropdown
SCALE = "scale"  # a linear scale, a number
DATE = "date"
OTHER = "other"
KINDS = (TEXT, PARAGRAPH, CHECKBOX, CHOICE, SCALE, DATE, OTHER)


@dataclass(frozen=True)
class Question:
    title: str  # the response tab's header for it
    kind: str = TEXT  # one of KINDS
    # For CHECKBOX and CHOICE ("Other:" is not an option); for SCALE, its numbers as text.
    options: tuple[str, ...] = ()
    other: bool = False  # whether the form offers "Other:" with free text
    entry_id: str = ""  # "entry.123456" from the Forms API; "" when not known
    required: bool = False


@dataclass(frozen=True)
class FormShape:
    """One form: its title, where people answer it, and its questions in order."""

    title: str
    questions: tuple[Question, ...]
    responder_url: str = ""  # https://docs.google.com/forms/d/e/.../viewform
    form_id: str = ""
    # Whether the form records each responder's address itself (Forms' "Collect email
    # addresses"): its tab then has an "Email Address" column that no question writes.
    collects_emails: bool = False


# A form's edit address: https://docs.google.com/forms/d/<id>/edit (or /u/0/d/<id>/...).
_EDIT_ADDRESS = re.compile(r"/forms/(?:u/\d+/)?d/(?!e/)([A-Za-z0-9_-]+)")
_FORM_ID = re.compile(r"[A-Za-z0-9_-]{20,}")
# Where people answer a form: .../forms/d/e/<responder id>/viewform, or a forms.gle link.
# Responder ids start with "1FAIpQL"; the Forms API knows a form only by its edit id.
_RESPONDER = re.compile(r"/forms/(?:u/\d+/)?d/e/|forms\.gle/|^1FAIpQL")


def form_id(address: str) -> str:
    """The id of the form at `address`: its edit address, as the browser shows it while
    editing the form, or the id itself.

    Raises ConfigError for an address where people answer the form, which the Forms API
    cannot read, and for anything that is not a form's address.
    """
    given = address.strip()
    if _RESPONDER.search(given):
        raise ConfigError(
            f"'{given}' is the address where people answer the form, which Google does not"
            " let mentor-sync read; give the form's edit address instead (open the form in"
            " Google Forms and copy https://docs.google.com/forms/d/.../edit from the browser)"
        )
    found = _EDIT_ADDRESS.search(given)
    found_id = found.group(1) if found else given
    if not _FORM_ID.fullmatch(found_id):
        raise ConfigError(
            f"'{given}' is not a Google form's address or id; open the form in Google Forms"
            " and copy its address from the browser (https://docs.google.com/forms/d/.../edit)"
        )
    return found_id


def entry_id(question_id: str) -> str:
    """The name a prefilled link gives the question whose Forms API questionId is
    `question_id`: "entry." and the decimal value of that hexadecimal id ("entry.1040569446"
    for "3e05d466"); "" for an id that is not hexadecimal."""
    try:
        return f"entry.{int(question_id, 16)}"
    except ValueError:
        return ""


# The check-in form (Form 3 of the program's forms) as mentor-sync makes it, by field; the
# titles are the settings' (checkin_form.questions). Its answers are read by answers.py.
CHECKIN_QUESTIONS = {
    "role": Question("", CHOICE, (MENTEE_ROLE, MENTOR_ROLE), required=True),
    "partner": Question("", TEXT, required=True),
    "rating": Question("", SCALE, ("1", "2", "3", "4", "5"), required=True),
    "met": Question("", CHOICE, (YES, NO), required=True),
    "progress": Question("", PARAGRAPH),
    "contact": Question("", CHOICE, (YES, NO), required=True),
}


def checkin_questions(questions_by_field: Mapping[str, str]) -> tuple[Question, ...]:
    """The questions of a new check-in form, in order, titled as `questions_by_field`
    (checkin_form.questions) names them; a field named "" there is not asked."""
    return tuple(
        replace(question, title=questions_by_field[field])
        for field, question in CHECKIN_QUESTIONS.items()
        if questions_by_field.get(field)
    )


PREFILLED = ("email", "partner", "role")  # the check-in questions a link answers for the person


def prefilled_checkin_link(shape: FormShape, questions_by_field: Mapping[str, str]) -> str:
    """The setting links.checkin_form for the check-in form `shape`: where people answer it,
    with the person's {email}, {partner} and {role} filled in (as the emails' links fill
    them). `questions_by_field` names each check-in question (checkin_form.questions). A form
    that collects addresses itself asks no email question, and the link leaves it out.

    Raises ConfigError when the form has no responder address, lacks the partner or role
    question, or its questions came without entry ids (from a response tab, not the Forms API).
    """
    if not shape.responder_url:
        raise ConfigError(
            f"the form '{shape.title}' has no address where people answer it; publish it in"
            " Google Forms (Publish, or Send) and run init again, or set links.checkin_form"
            " to its prefilled link yourselves"
        )
    answers = []
    for field in PREFILLED:
        question = _checkin_question(shape, field, questions_by_field.get(field, ""))
        if question is not None:
            answers.append(f"{question.entry_id}={{{field}}}")
    joiner = "&" if "?" in shape.responder_url else "?"
    return f"{shape.responder_url}{joiner}usp=pp_url&" + "&".join(answers)


def question_titled(shape: FormShape | None, header: str) -> Question | None:
    """The question of `shape` whose answers land under `header`, if it has one."""
    if shape is None or not header:
        return None
    return next((q for q in shape.questions if header_key(q.title) == header_key(header)), None)


def _checkin_question(shape: FormShape, field: str, title: str) -> Question | None:
    """The question of `shape` titled `title`, with its entry id; None for an email question
    the form does not ask (it collects addresses itself). Raises ConfigError otherwise."""
    found = question_titled(shape, title)
    if found is None and field == "email":
        return None
    if found is None and not title:
        raise ConfigError(
            f"setting 'checkin_form.questions.{field}' is empty, and a check-in needs it;"
            " name the question of the check-in form that asks it"
        )
    if found is None:
        raise ConfigError(
            f"the check-in form '{shape.title}' has no question '{title}'"
            f" (checkin_form.questions.{field})"
            + did_you_mean(title, (q.title for q in shape.questions))
        )
    if not found.entry_id:
        raise ConfigError(
            f"the check-in question '{found.title}' has no entry id; read the form through"
            " the Forms API (its edit address) to make its prefilled link"
        )
    return found
