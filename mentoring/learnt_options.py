"""A checkbox question's options, learnt from its answers, for `init`.

Google writes the options a person ticked into one cell, joined by ", " in the form's
order, and what they typed after "Other:" as one more item at the end. An option may
contain ", " itself ("Tenure, promotion & publishing"), so a cell cannot be cut at commas
alone. The options are learnt from all the answers at once:

1. Each answer is cut at ", " into parts.
2. Two parts are one option with a comma in it when they only ever come together, the
   second right after the first ("Tenure" is never seen but before "promotion &
   publishing", which is never seen but after it). A part seen in two answers or more,
   always right after the same part, and starting in lower case as a phrase that goes on
   does, is joined to it too, even when the first part is also seen alone.
3. What is then seen in two answers or more is an option. What one answer alone has is
   what that person typed after "Other:", kept as their free text and not an option.

Microsoft Forms joins the options with ";" and ends the cell with one: when most answers
end so, each is cut at ";" instead, where no option is cut in two.

A cell alone on its own is one choice: "Chemistry" alone in a cell is an option as soon as
one other answer has it too. Two options only ever ticked together, one right after the
other, cannot be told from one option with a comma in it: they are learnt as one, which
changes no match (both people would have ticked both).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from mentoring.first_settings import FormChoice, Setting
from mentoring.intake import split_choices
from mentoring.questions import (
    CHECKBOX,
    CHOICE,
    DATE,
    OTHER,
    PARAGRAPH,
    TEXT,
    FormShape,
    Question,
    question_titled,
)
from mentoring.rules import parse_number
from mentoring.sheet import Cell, Table, cell_text, is_blank
from mentoring.sheet import cell as cell_at
from mentoring.summary import count

JOINER = ", "  # how Google joins the options ticked in one cell
MICROSOFT_JOINER = "; "  # Microsoft Forms: "Chemistry;Physics;", read as split_choices does
MIN_ANSWERS = 2  # an item in this many answers is an option; in fewer, Other: text
PARAGRAPH_LENGTH = 60  # answers this long on average are written, not picked


@dataclass(frozen=True)
class LearntOptions:
    """The options learnt from a question's answers, and how well they account for them."""

    options: tuple[str, ...]  # in the form's order, as far as the answers show it
    answers: int  # non-blank answers read
    explained: int  # answers made of options only (the rest have Other: text)
    other_texts: tuple[str, ...] = ()  # what people typed after "Other:", in order

    def summary(self) -> str:
        """One line for the person running init: what was learnt from how much."""
        if not self.answers:
            return "no answers yet to learn the options from"
        learnt = f"{len(self.options)} options learnt from {self.answers} answers"
        other = self.answers - self.explained
        has = "has" if other == 1 else "have"
        rest = f"; {other} also {has} Other: text, kept as free text" if other else ""
        return f"{learnt}: {self.explained} are made of these options only{rest}"


def learn_options(answers: Iterable[str]) -> LearntOptions:
    """Learn the options of a checkbox question from its answer cells (see the module)."""
    texts = [text for text in answers if text.strip()]
    joiner = MICROSOFT_JOINER if _microsoft(texts) else JOINER
    cells = [_parts(text, joiner) for text in texts]
    while (pair := _joinable(cells)) is not None:
        cells = [_joined(cell, pair, joiner) for cell in cells]
    seen = Counter(item for cell in cells for item in set(cell))
    options = _in_form_order(cells, {item for item, n in seen.items() if n >= MIN_ANSWERS})
    explained = 0
    other_texts: list[str] = []
    for cell in cells:
        items = split_choices(joiner.join(cell), options)
        if all(item in options for item in items):
            explained += 1
        else:
            other_texts.append(items[-1])
    return LearntOptions(options, len(cells), explained, tuple(other_texts))


def _microsoft(texts: Sequence[str]) -> bool:
    """Whether the answers are Microsoft Forms', which ends each one with ";"."""
    ended = sum(1 for text in texts if text.rstrip().endswith(MICROSOFT_JOINER.strip()))
    return bool(texts) and ended * 2 >= len(texts)


def _parts(text: str, joiner: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(joiner.strip()) if part.strip())


def _joinable(cells: Sequence[tuple[str, ...]]) -> tuple[str, str] | None:
    """Two parts that are one option (step 2 of the module's list), most seen first."""
    seen: Counter[str] = Counter()
    after: Counter[tuple[str, str]] = Counter()
    for cell in cells:
        seen.update(cell)
        after.update(itertools.pairwise(cell))
    for (first, second), together in sorted(after.items(), key=lambda kv: (-kv[1], kv[0])):
        if first == second or together != seen[second]:
            continue
        if together == seen[first] or (together >= MIN_ANSWERS and second[:1].islower()):
            return first, second
    return None


def _joined(cell: tuple[str, ...], pair: tuple[str, str], joiner: str) -> tuple[str, ...]:
    items: list[str] = []
    for part in cell:
        if items and (items[-1], part) == pair:
            items[-1] = f"{items[-1]}{joiner}{part}"
        else:
            items.append(part)
    return tuple(items)


def _in_form_order(cells: Sequence[tuple[str, ...]], options: set[str]) -> tuple[str, ...]:
    """The options in the order the form lists them, as far as the answers show it (Google
    writes the ticked options in the form's order): each next one is an option that no
    option left is seen more often before than after; among those, the first seen."""
    first_seen = {item: n for n, item in enumerate(i for cell in cells for i in cell)}
    before: Counter[tuple[str, str]] = Counter()
    for cell in cells:
        chosen = [item for item in cell if item in options]
        for n, earlier in enumerate(chosen):
            before.update((earlier, later) for later in chosen[n + 1 :])
    left = sorted(options, key=first_seen.__getitem__)
    ordered: list[str] = []
    while left:
        free = [o for o in left if not any(before[p, o] > before[o, p] for p in left)]
        ordered.append((free or left)[0])
        left.remove(ordered[-1])
    return tuple(ordered)


def tab_questions(table: Table) -> tuple[Question, ...]:
    """Each header of a response tab as a question, of the kind its answers show: dates,
    options ticked several at a time (CHECKBOX, with the options learnt), one of a few
    answers given by several people (CHOICE), long texts (PARAGRAPH) or short ones (TEXT);
    OTHER when nobody has answered it yet."""
    questions = []
    for column, title in enumerate(table.header):
        if str(title).strip():
            cells = [cell_at(row, column) for row in table.rows]
            texts = [cell_text(row, column) for row in table.rows]
            questions.append(_question(str(title), cells, [t for t in texts if t]))
    return tuple(questions)


def _question(title: str, cells: Sequence[Cell], texts: Sequence[str]) -> Question:
    answered = [value for value in cells if not is_blank(value)]
    if not answered:
        return Question(title, OTHER)
    if all(isinstance(value, date) for value in answered):
        return Question(title, DATE)
    learnt = learn_options(texts)
    several = sum(1 for text in texts if len(split_choices(text, learnt.options)) > 1)
    if len(learnt.options) > 1 and several and learnt.explained * 2 >= learnt.answers:
        return Question(title, CHECKBOX, learnt.options)
    distinct = Counter(texts)
    if len(distinct) * MIN_ANSWERS <= len(texts) and min(distinct.values()) >= MIN_ANSWERS:
        return Question(title, CHOICE, tuple(distinct))
    long = sum(map(len, texts)) >= PARAGRAPH_LENGTH * len(texts)
    return Question(title, PARAGRAPH if long else TEXT)


# --- the options of each field ----------------------------------------------------------

FORMS_API = "exactly as the form lists them (Forms API)"
NO_ANSWERS = (
    "no answers yet: re-run init once people have answered, or list the form's options here"
)


def checkbox_fields(
    defaults: Iterable[str], forms: Mapping[str, FormChoice], shapes: Mapping[str, FormShape]
) -> list[str]:
    """The fields with options: those of the defaults' [checkboxes], and any other a form
    read through the Forms API asks as a checkbox question."""
    fields = list(defaults)
    for form, shape in shapes.items():
        choice = forms.get(form)
        for key, header in choice.headers.items() if choice else ():
            question = question_titled(shape, header)
            if question is not None and question.kind == CHECKBOX and key not in fields:
                fields.append(key)
    return fields


def options_by_field(
    fields: Iterable[str],
    forms: Mapping[str, FormChoice],
    tables: Mapping[str, Table],
    shapes: Mapping[str, FormShape],
) -> dict[str, Setting]:
    """The options of each of `fields` that the mentee or mentor form asks: exactly as a
    form read through the Forms API lists them, else learnt from the answers in its tab;
    with where they came from. None for a question answered in people's own words; an
    empty list while nobody has answered, since the defaults' options are not the form's
    and doctor flags an empty list."""
    options: dict[str, Setting] = {}
    written = {key for choice in forms.values() for key in choice.written}
    for key in (key for key in fields if key not in written):
        exact: list[str] = []
        answers: list[str] = []
        asked = False
        for form in ("mentee_form", "mentor_form"):
            choice = forms.get(form)
            header = choice.headers.get(key, "") if choice else ""
            if choice is None or not header:
                continue
            asked = True
            question = question_titled(shapes.get(form), header)
            if question is not None and question.kind == CHECKBOX:
                exact += [option for option in question.options if option not in exact]
            else:
                answers += _answers(tables.get(choice.tab), header)
        found = _options(exact, answers)
        if found is not None:
            options[key] = found
        elif asked:
            options[key] = Setting([], NO_ANSWERS)
    return options


def _options(exact: list[str], answers: list[str]) -> Setting | None:
    """One field's options, from the form read and the other form's answers; None when
    neither tells any."""
    if not any(answers):
        return Setting(exact, FORMS_API) if exact else None
    learnt = learn_options(answers)
    if not exact:
        return Setting(list(learnt.options), f"learnt from the answers: {learnt.summary()}")
    extra = [option for option in learnt.options if option not in exact]
    why = "exactly as one form lists them (Forms API)"
    if extra:
        why += f", and {count(len(extra), 'option')} learnt from the other form's answers"
    return Setting(exact + extra, why)


# --- how each form's answers read ---------------------------------------------------------

# Fewer answers than this cannot tell people's own words from options each ticked once.
MIN_WRITTEN = 4
_WRITTEN_KINDS = (TEXT, PARAGRAPH)
_PICKED_KINDS = (CHECKBOX, CHOICE)


def with_answer_kinds(
    forms: Mapping[str, FormChoice],
    tables: Mapping[str, Table],
    shapes: Mapping[str, FormShape],
) -> dict[str, FormChoice]:
    """Each form's choice with the fields its answers show to be written in people's own
    words rather than options ticked (`written`: a Forms API text question, or answers of
    which fewer than half are made of the options learnt from both forms' answers), and
    those whose answers mostly carry no number a distance can be measured by, such as a
    UTC offset (`unnumbered`: "London, UK")."""
    answers = {
        form: {
            key: _answers(tables.get(choice.tab), header)
            for key, header in choice.headers.items()
            if header
        }
        for form, choice in forms.items()
    }
    fields = {key for by_field in answers.values() for key in by_field}
    both = {
        key: [a for by_field in answers.values() for a in by_field.get(key, ())] for key in fields
    }
    learnt = {key: learn_options(texts).options for key, texts in both.items()}
    chosen = {}
    for form, choice in forms.items():
        shape = shapes.get(form)
        written = {
            key
            for key, texts in answers[form].items()
            if _written(question_titled(shape, choice.headers[key]), texts, learnt[key])
        }
        unnumbered = {key for key, texts in answers[form].items() if _unnumbered(texts)}
        chosen[form] = replace(choice, written=frozenset(written), unnumbered=frozenset(unnumbered))
    return chosen


def _answers(table: Table | None, header: str) -> list[str]:
    column = table.column(header) if table is not None else None
    if table is None or column is None:
        return []
    return [text for row in table.rows if (text := cell_text(row, column))]


def _written(question: Question | None, texts: Sequence[str], options: Sequence[str]) -> bool:
    if question is not None and question.kind in _WRITTEN_KINDS + _PICKED_KINDS:
        return question.kind in _WRITTEN_KINDS
    if len(texts) < MIN_WRITTEN:
        return False
    made = sum(1 for text in texts if set(split_choices(text, options)) <= set(options))
    return made * 2 < len(texts)


def _unnumbered(texts: Sequence[str]) -> bool:
    numbered = sum(1 for text in texts if not math.isnan(parse_number(text)))
    return bool(texts) and numbered * 2 < len(texts)
