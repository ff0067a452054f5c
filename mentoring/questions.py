"""A form's questions as `init` learns them: from a response tab's header and answers, or
exactly from the Forms API (sync/google_forms.py).

A `Question` is what a settings file needs of one question: the header its answers land
under in the response tab (Google writes the question's title there), its kind, its
options when it has a fixed list, and, from the Forms API only, the entry id a prefilled
link uses.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    options: tuple[str, ...] = ()  # for CHECKBOX and CHOICE; "Other:" is not an option
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
