"""The committee's settings as typed values, validated from the parsed TOML.

`parse_settings` takes the dictionary that `tomllib` gives and either returns a
`Settings` or raises a ConfigError that names the key, says what was expected
and, for a misspelt key, suggests the closest one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mentoring.errors import ConfigError, did_you_mean
from mentoring.rules import MatchingSettings, parse_matching

BACKENDS = ("workbook",)
DATE_ORDERS = ("auto", "month-first", "day-first")

# Fields every form must name, because intake cannot work without them.
ESSENTIAL_FIELDS = ("timestamp", "email", "name")


@dataclass(frozen=True)
class Program:
    name: str
    committee_email: str


@dataclass(frozen=True)
class SpreadsheetSettings:
    backend: str
    path: str  # the workbook; jobs resolve it against the settings file's folder


@dataclass(frozen=True)
class Tabs:
    mentees: str
    mentors: str
    committee: str
    intake_issues: str


@dataclass(frozen=True)
class Form:
    """One form's response tab: the header text of each question the tool reads."""

    tab: str
    questions: Mapping[str, str]
    required: tuple[str, ...]


@dataclass(frozen=True)
class Intake:
    date_order: str
    default_capacity: int
    max_capacity: int


@dataclass(frozen=True)
class Settings:
    program: Program
    spreadsheet: SpreadsheetSettings
    tabs: Tabs
    intake: Intake
    mentee_form: Form
    mentor_form: Form
    checkboxes: Mapping[str, tuple[str, ...]]
    matching: MatchingSettings


_TYPE_NAMES = {str: "text", int: "a whole number", float: "a number", list: "a list"}


class _Section:
    """Reads one TOML table, checking every key's type and rejecting unknown keys."""

    def __init__(self, data: Any, path: str, known: tuple[str, ...]):
        if not isinstance(data, Mapping):
            raise ConfigError(f"[{path}] must be a table of settings, not {data!r}")
        for key in data:
            if key not in known:
                raise ConfigError(
                    f"unknown setting '{path}.{key}'{did_you_mean(key, known)}"
                    f" (known: {', '.join(known)})"
                )
        self.data, self.path = data, path

    def get(self, key: str, kind: type) -> Any:
        if key not in self.data:
            raise ConfigError(f"missing setting '{self.path}.{key}' ({_TYPE_NAMES[kind]})")
        value = self.data[key]
        ok = isinstance(value, kind) and not isinstance(value, bool)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if not ok:
            raise ConfigError(
                f"setting '{self.path}.{key}' must be {_TYPE_NAMES[kind]}, not {value!r}"
            )
        return value

    def text_list(self, key: str) -> tuple[str, ...]:
        items = self.get(key, list)
        if not all(isinstance(item, str) for item in items):
            raise ConfigError(f"setting '{self.path}.{key}' must be a list of texts")
        return tuple(items)

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.get(key, str)
        if value not in allowed:
            raise ConfigError(
                f"setting '{self.path}.{key}' is '{value}'; use one of: {', '.join(allowed)}"
            )
        return value


def parse_settings(data: Mapping[str, Any]) -> Settings:
    """Validate the merged settings dictionary; raises ConfigError naming the bad key."""
    _Section(
        data,
        "settings",
        (
            "program",
            "spreadsheet",
            "tabs",
            "intake",
            "mentee_form",
            "mentor_form",
            "checkboxes",
            "matching",
        ),
    )
    program = _Section(data.get("program", {}), "program", ("name", "committee_email"))
    sheet = _Section(data.get("spreadsheet", {}), "spreadsheet", ("backend", "path"))
    tab_keys = ("mentees", "mentors", "committee", "intake_issues")
    tabs_section = _Section(data.get("tabs", {}), "tabs", tab_keys)
    tabs = Tabs(*(tabs_section.get(key, str) for key in tab_keys))
    names = [
        name.strip().casefold()
        for name in (tabs.mentees, tabs.mentors, tabs.committee, tabs.intake_issues)
    ]
    if len(set(names)) < len(names):
        raise ConfigError(
            "settings 'tabs.mentees', 'tabs.mentors', 'tabs.committee' and 'tabs.intake_issues'"
            " must name four different tabs; the tool rewrites the last two"
        )
    mentee_form = _form(data.get("mentee_form", {}), "mentee_form", tabs.mentees)
    mentor_form = _form(data.get("mentor_form", {}), "mentor_form", tabs.mentors, ("capacity",))
    checkboxes = _checkboxes(
        data.get("checkboxes", {}), {*mentee_form.questions, *mentor_form.questions}
    )
    return Settings(
        program=Program(program.get("name", str), program.get("committee_email", str)),
        spreadsheet=SpreadsheetSettings(
            backend=sheet.choice("backend", BACKENDS), path=sheet.get("path", str)
        ),
        tabs=tabs,
        intake=_intake(data.get("intake", {})),
        mentee_form=mentee_form,
        mentor_form=mentor_form,
        checkboxes=checkboxes,
        matching=parse_matching(
            data.get("matching", {}), list(mentee_form.questions), list(mentor_form.questions)
        ),
    )


def _intake(data: Any) -> Intake:
    section = _Section(data, "intake", ("date_order", "default_capacity", "max_capacity"))
    intake = Intake(
        date_order=section.choice("date_order", DATE_ORDERS),
        default_capacity=section.get("default_capacity", int),
        max_capacity=section.get("max_capacity", int),
    )
    if not 0 <= intake.default_capacity <= intake.max_capacity:
        raise ConfigError(
            "setting 'intake.default_capacity' must be between 0 and intake.max_capacity"
        )
    return intake


def _form(data: Any, path: str, tab: str, extra: tuple[str, ...] = ()) -> Form:
    section = _Section(data, path, ("questions", "required"))
    questions = section.get("questions", dict)
    for key, header in questions.items():
        if not isinstance(header, str):
            raise ConfigError(
                f"setting '{path}.questions.{key}' must be the question's header text"
            )
    for key in ESSENTIAL_FIELDS + extra:
        if key not in questions:
            raise ConfigError(f"missing setting '{path}.questions.{key}' (the question's header)")
    for key in ESSENTIAL_FIELDS + extra:
        if not questions[key].strip():
            raise ConfigError(f"setting '{path}.questions.{key}' cannot be empty")
    required = section.text_list("required")
    for key in required:
        if key not in questions:
            raise ConfigError(
                f"'{path}.required' names '{key}', which is not in {path}.questions"
                f"{did_you_mean(key, questions)}"
            )
    active = {key: header for key, header in questions.items() if header.strip()}
    return Form(tab=tab, questions=active, required=required)


def _checkboxes(data: Any, fields: set[str]) -> dict[str, tuple[str, ...]]:
    if not isinstance(data, Mapping):
        raise ConfigError("[checkboxes] must map a question's field name to its list of options")
    section = _Section(data, "checkboxes", tuple(sorted(fields)))
    return {key: section.text_list(key) for key in data}
