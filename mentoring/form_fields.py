"""Which question of a committee's own form each field of the settings is, for `init`.

The settings name each question the tool reads by its header ([mentee_form.questions]
name = "Full name"). A committee's forms word them their own way ("Your name"), so each
field is matched to the closest header: an exact header first (as the jobs compare
headers: case and spacing aside), then the closest by meaning and wording, never one header
for two fields of a form. A field with nothing close enough is a question the form does not
ask.

Closeness is a blend of two measures, both cheap and explainable on ~15 short headers:
wording, difflib's ratio between the header and the default header; and meaning, the share
of the header's words that belong to the field, from the default header's own words and
a small table of the words people use instead (FIELD_WORDS: "organisation", "employer"
for the institution). TF-IDF on character n-grams was the other candidate; on a dozen
headers it has no corpus to weigh words by, and it cannot know that "employer" means the
institution, which is what the table is for. A hint in brackets ("(1-5)", "(optional)")
and numbers are left out of both measures: they say nothing of the field.

Which tab holds which form is found the same way: every tab is matched against every
form, and the forms go to the distinct tabs where they find the most questions.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from mentoring.questions import (
    CHECKBOX,
    CHOICE,
    DATE,
    OTHER,
    PARAGRAPH,
    SCALE,
    TEXT,
    FormShape,
    Question,
)
from mentoring.sheet import header_key

FORMS = ("mentee_form", "mentor_form", "checkin_form")
FORM_NAMES = {"mentee_form": "mentee", "mentor_form": "mentor", "checkin_form": "check-in"}
# Every form's response tab has these, so they tell nothing about which form a tab is.
AUTOMATIC = ("timestamp", "email")

# The words people use for a field besides those of its default header and its name.
FIELD_WORDS: Mapping[str, tuple[str, ...]] = {
    "timestamp": ("submitted", "date"),
    "email": ("mail", "address"),
    "name": ("called",),
    "preferred_name": ("first", "called", "nickname", "known"),
    "pronouns": ("pronoun",),
    "institution": (
        "organization",
        "employer",
        "workplace",
        "affiliation",
        "university",
        "company",
        "institute",
        "work",
    ),
    "career_stage": ("career", "stage", "status", "level", "describe", "role", "current"),
    "years": ("long", "experience", "worked"),
    "subjects": ("area", "science", "discipline", "field", "topic", "expertise", "know"),
    "support": (
        "support",
        "help",
        "offer",
        "looking",
        "sought",
        "seek",
        "need",
        "advice",
        "guidance",
    ),
    "skills": ("skill", "develop", "build", "teach", "improve", "grow", "competence"),
    "goals": ("goal", "hope", "aim", "achieve", "learn", "plan"),
    "experience": ("background", "enjoy", "tell", "bio", "career"),
    "communication": ("communicate", "contact", "touch", "channel", "way", "reach", "prefer"),
    "rhythm": ("often", "frequency", "frequently", "meet", "meeting", "rhythm"),
    "time_zone": ("zone", "timezone", "located", "location", "based"),
    "position": ("position", "title", "job", "role"),
    "capacity": ("many", "mentees", "capacity", "number", "take"),
    "returning": ("before", "previously", "again", "returning", "past"),
    "role": ("role", "mentee", "mentor"),
    "partner": ("partner", "pair"),
    "rating": ("going", "rate", "rating", "relationship", "scale"),
    "met": ("met", "meet", "since"),
    "progress": ("progress",),
    "contact": ("contact", "committee", "reach", "touch"),
}
# Words that belong to a field only beside one of its own: "Email of your mentor/mentee"
# is the partner's email, "Are you the mentee or mentor?" the role.
WORDS_BESIDE: Mapping[str, tuple[str, ...]] = {"partner": ("mentor", "mentee")}
# Words that carry no meaning in a question's header.
_STOP_WORDS = (
    "a about am an and are any as at be been by can could did do does for from had has have"
    " how i if in into is it its me my of on or our so than that the their them there they"
    " this to us was we were what when where which who will with would you your"
    " like want keep get optional required please should"
)
_STOP = frozenset(_STOP_WORDS.split())
_SPELLINGS = (("e-mail", "email"), ("isation", "ization"), ("time-zone", "time zone"))
_WORD = re.compile(r"[a-z]+")
_HINT = re.compile(r"\([^()]*\)")
_NUMBERS = re.compile(r"\d+")
_SUFFIXES = ("ations", "ation", "ions", "ion", "ing", "ies", "es", "ed", "s", "e")

EXACT = 1.0
MIN_CLOSENESS = 0.45  # below this a field finds no header: the form does not ask it
# The same for a field the defaults do not ask (its header ""): with no wording to go by,
# only a header mostly made of its words ("What should we call you?" for preferred_name).
MIN_CLOSENESS_UNASKED = 0.55
_WORDING, _MEANING = 0.4, 0.6  # how closeness blends the two measures
_KIND_BONUS = 0.1  # a checkbox question for a checkbox field, or the contrary
_NAME_BONUS = 0.5  # a tab named as the settings' default for the form (Form Responses 1)
# A tab whose name says the form ("Mentee responses"): enough to break a tie, no more.
_WORD_BONUS = 0.01
_TAB_WORDS = {
    "mentee_form": re.compile(r"\bmentees?\b"),
    "mentor_form": re.compile(r"\bmentors?\b"),
    "checkin_form": re.compile(r"\bcheck[- ]?ins?\b"),
}
_TEXTS = (TEXT, PARAGRAPH, SCALE, DATE)


@dataclass(frozen=True)
class Guess:
    """The header chosen for one field, and how close it is to the field's default one."""

    field: str
    wanted: str  # the default header (config/settings.toml)
    header: str = ""  # "" when the form does not ask it
    closeness: float = 0.0  # EXACT for the same header
    split: str = ""  # for the name asked in two parts: the last name's header, unread

    @property
    def exact(self) -> bool:
        return bool(self.header) and header_key(self.header) == header_key(self.wanted)

    def reason(self) -> str:
        """Where the header came from, in words, for the settings file's comment."""
        if not self.header:
            return f"your form has no question close to '{self.wanted}'"
        if self.exact:
            return "the same header as the defaults"
        return f"guessed from '{self.header}' ({self.closest()})"

    def closest(self) -> str:
        """What the header was found close to: the default header, or the field's name for a
        question the defaults do not ask ("")."""
        if self.split:
            return f"the first name: your form asks '{self.split}' apart"
        if self.wanted:
            return f"closest to '{self.wanted}'"
        return f"a question on {self.field.replace('_', ' ')}"


@dataclass(frozen=True)
class TabMatch:
    """One form's fields matched to the headers of one tab."""

    form: str
    tab: str
    guesses: tuple[Guess, ...]
    header: tuple[str, ...]  # the tab's headers, in order
    named: bool = False  # the tab has the form's default name

    @property
    def found(self) -> int:
        """The form's own questions (see `own`) that found a header."""
        return sum(1 for g in self.guesses if g.header and self._own(g))

    @property
    def weight(self) -> float:
        named = _NAME_BONUS if self.named else 0.0
        word = _TAB_WORDS.get(self.form)
        worded = _WORD_BONUS if word is not None and word.search(header_key(self.tab)) else 0.0
        return sum(g.closeness for g in self.guesses) + named + worded

    @property
    def own(self) -> int:
        """The form's questions as the defaults ask them, leaving out the ones every form's
        tab has."""
        return sum(1 for g in self.guesses if self._own(g))

    @staticmethod
    def _own(guess: Guess) -> bool:
        return bool(guess.wanted) and guess.field not in AUTOMATIC

    @property
    def recognised(self) -> bool:
        """Whether the tab is this form at all: it asks at least a quarter of the form's
        own questions, and two or more."""
        return self.found >= max(2, self.own / 4)

    def unused(self) -> tuple[str, ...]:
        """The tab's headers that no field reads."""
        used = {header_key(g.header) for g in self.guesses if g.header}
        return tuple(h for h in self.header if h.strip() and header_key(h) not in used)

    def why(self) -> str:
        form = FORM_NAMES[self.form]
        return f"it has {self.found} of the {self.own} questions of the {form} form"


def map_fields(
    wanted: Mapping[str, str],
    questions: Sequence[Question],
    checkbox_fields: Collection[str] = (),
) -> tuple[Guess, ...]:
    """Each field of `wanted` (field: default header) with the closest of `questions`, in
    the order of `wanted`: exact headers first, then the closest pairs first; no question
    serves two fields, and a field with nothing at MIN_CLOSENESS gets no header."""
    scored = sorted(
        (
            (_closeness(field, default, question, field in checkbox_fields), n, field, question)
            for n, (field, default) in enumerate(wanted.items())
            for question in questions
            if question.title.strip()
        ),
        key=lambda item: (-item[0], item[1]),
    )
    chosen, taken = _first_name_as_name(wanted, questions)
    for closeness, _, field, question in scored:
        if closeness < MIN_CLOSENESS:
            break
        key = header_key(question.title)
        if field in chosen or key in taken:
            continue
        if not wanted[field] and closeness < MIN_CLOSENESS_UNASKED:
            continue
        chosen[field] = Guess(field, wanted[field], question.title, min(closeness, EXACT))
        taken.add(key)
    return tuple(chosen.get(field, Guess(field, default)) for field, default in wanted.items())


# Headers of a name asked in two parts; the settings read one name column.
_FIRST_NAME = re.compile(r"\b(first|given) name\b")
_LAST_NAME = re.compile(r"\b(last|family) name\b|\bsurname\b")


def _first_name_as_name(
    wanted: Mapping[str, str], questions: Sequence[Question]
) -> tuple[dict[str, Guess], set[str]]:
    """When a form asks the first and the last name apart, and no header is the name's own:
    the first name is the name, the last name is read by no field (the settings read one
    name column, and the emails greet by the first name); with the headers taken."""
    titles = [q.title for q in questions if q.title.strip()]
    first = next((t for t in titles if _FIRST_NAME.search(header_key(t))), "")
    last = next((t for t in titles if _LAST_NAME.search(header_key(t))), "")
    name = wanted.get("name")
    if not (name and first and last) or any(header_key(t) == header_key(name) for t in titles):
        return {}, set()
    return {"name": Guess("name", name, first, MIN_CLOSENESS, split=last)}, {
        header_key(first),
        header_key(last),
    }


def match_tabs(
    tabs: Mapping[str, Sequence[Question]],
    forms: Mapping[str, Mapping[str, str]],
    checkbox_fields: Collection[str] = (),
    default_tabs: Mapping[str, str] | None = None,
) -> dict[tuple[str, str], TabMatch]:
    """Every form of `forms` (form: its fields' default headers) matched with every tab, by
    (form, tab); `default_tabs` names the tab each form has by default."""
    default_tabs = default_tabs or {}
    return {
        (form, tab): TabMatch(
            form,
            tab,
            map_fields(fields, questions, checkbox_fields),
            tuple(q.title for q in questions),
            header_key(default_tabs.get(form, "")) == header_key(tab),
        )
        for form, fields in forms.items()
        for tab, questions in tabs.items()
    }


def choose_tabs(matches: Mapping[tuple[str, str], TabMatch]) -> dict[str, TabMatch]:
    """The tab of each form, by form: the forms go to the distinct tabs where they find the
    most questions together. A form no tab is recognised as is left out."""
    forms = list(dict.fromkeys(form for form, _ in matches))
    choices = [
        [None, *(m.tab for (f, _), m in matches.items() if f == form and m.recognised)]
        for form in forms
    ]
    best: dict[str, TabMatch] = {}
    best_weight = 0.0
    for picked in itertools.product(*choices):
        named = [tab for tab in picked if tab is not None]
        if len(set(named)) < len(named):
            continue
        chosen = {form: matches[form, tab] for form, tab in zip(forms, picked, strict=True) if tab}
        weight = sum(match.weight for match in chosen.values())
        if weight > best_weight:
            best, best_weight = chosen, weight
    return best


def runner_up(matches: Mapping[tuple[str, str], TabMatch], chosen: TabMatch) -> TabMatch | None:
    """The tab that comes closest to `chosen`'s form after it, to say why it was not taken."""
    others = [m for (f, t), m in matches.items() if f == chosen.form and t != chosen.tab]
    return max(others, key=lambda m: (m.found, m.weight), default=None)


def _closeness(field: str, default: str, question: Question, checkbox: bool) -> float:
    """How close `question` is to the field whose default header is `default`: EXACT + 1
    for the same header (so it goes first), else 0 to about 1."""
    if header_key(question.title) == header_key(default):
        return EXACT + 1
    header, wanted = _normal(question.title), _normal(default)
    wording = difflib.SequenceMatcher(None, header, wanted).ratio()
    words = [_stem(w) for w in _WORD.findall(header) if w not in _STOP]
    vocabulary = _vocabulary(field, wanted)
    own = [w for w in words if _same_word(w, vocabulary)]
    beside = frozenset(_stem(w) for w in WORDS_BESIDE.get(field, ()))
    also = [w for w in words if w not in own and _same_word(w, beside)] if own else []
    meaning = (len(own) + len(also)) / len(words) if words else 0.0
    # A header of common words only ("I am a...") has its wording alone to go by.
    closeness = _WORDING * wording + _MEANING * meaning if words else wording
    if question.kind not in (OTHER, CHOICE):  # a kind that says something either way
        fits = (question.kind == CHECKBOX) == checkbox
        if checkbox or question.kind == CHECKBOX or question.kind in _TEXTS:
            closeness += _KIND_BONUS if fits else -_KIND_BONUS
    return closeness


def _vocabulary(field: str, wanted: str) -> frozenset[str]:
    words = [*_WORD.findall(wanted), *field.split("_"), *FIELD_WORDS.get(field, ())]
    return frozenset(_stem(w) for w in words if w not in _STOP)


def _same_word(word: str, vocabulary: Collection[str]) -> bool:
    """`word` is in `vocabulary`, or one begins the other (4 letters or more): stems such
    as "communicat" and "communicating" are one word."""
    return any(
        word == known
        or (min(len(word), len(known)) >= 4 and (word.startswith(known) or known.startswith(word)))
        for known in vocabulary
    )


def _normal(text: str) -> str:
    """The header as it is compared: folded, spelt one way, without a hint in brackets
    ("(1-5)", "(if different)", "(optional)") or a number, which say nothing of the
    field."""
    text = _NUMBERS.sub(" ", _HINT.sub(" ", header_key(text)))
    for spelling, usual in _SPELLINGS:
        text = text.replace(spelling, usual)
    return text


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if len(word) - len(suffix) >= 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


# --- a form read through the Forms API --------------------------------------------------

TIMESTAMP, EMAIL_ADDRESS = "Timestamp", "Email Address"  # the columns no question writes


def as_asked(questions: Sequence[Question], shapes: Collection[FormShape]) -> tuple[Question, ...]:
    """A tab's questions, each as its form asks it when a form read through the Forms API
    has it (kind, options, entry id), else as the answers show it."""
    asked = {header_key(q.title): q for shape in shapes for q in shape.questions}
    return tuple(asked.get(header_key(q.title), q) for q in questions)


def tab_of(shape: FormShape, tabs: Mapping[str, Sequence[Question]]) -> str:
    """The tab whose header has most of the form's questions ("" when none has half)."""
    titles = {header_key(q.title) for q in shape.questions}
    held = {tab: sum(header_key(q.title) in titles for q in qs) for tab, qs in tabs.items()}
    best = max(held, key=held.__getitem__, default="")
    return best if best and held[best] * 2 >= len(titles) else ""


def untabbed_match(form: str, fields: Mapping[str, str], shape: FormShape) -> TabMatch:
    """A form read through the Forms API that has no response tab yet, matched as its tab
    will be: its questions after the columns Google adds (Timestamp, and Email Address when
    the form collects addresses itself)."""
    automatic = [TIMESTAMP, *([EMAIL_ADDRESS] if shape.collects_emails else [])]
    questions = [Question(title) for title in automatic] + list(shape.questions)
    guesses = map_fields(fields, questions)
    return TabMatch(form, "", guesses, tuple(q.title for q in questions))
