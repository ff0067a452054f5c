"""The settings file `init` writes: only what differs from the defaults, each line with where
its value came from.

`plan_settings` takes the defaults (config/settings.toml, parsed) and what init found and
was told, and decides every setting that follows: a question the form does not ask is
switched off (""), and so is each rule, required answer, summary group and shared interest
that needs it, with a line saying so. `render` writes the plan as TOML with a comment
above each setting; loading it over the defaults gives the plan's values back.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mentoring.form_fields import FORM_NAMES, FORMS
from mentoring.settings import NEEDED_QUESTIONS
from mentoring.sheet import header_key

TAB_KEYS = {"mentee_form": "mentees", "mentor_form": "mentors", "checkin_form": "checkins"}
# The order of the tables in the file, as in the defaults.
SECTIONS = (
    "program",
    "spreadsheet",
    "tabs",
    *(f"{form}{part}" for form in FORMS for part in ("", ".questions")),
    "checkboxes",
    "matching",
    "email",
    "email.smtp",
    "links",
    "google",
)
GOOGLE_TABS = "Form Responses"  # how Google names the tab of the Nth linked form
COMMENT_WIDTH = 88  # a comment's lines are wrapped at this width


@dataclass(frozen=True)
class Setting:
    value: Any  # str, bool, int, float or a list of str
    why: str  # the comment above it: where the value came from


@dataclass(frozen=True)
class FormChoice:
    """One form as init found it: its tab ("" when none) and each field's header."""

    tab: str
    headers: Mapping[str, str]  # field: header, "" when the form does not ask it
    reasons: Mapping[str, str]  # field: where its header came from
    tab_reason: str = ""


@dataclass
class SettingsPlan:
    """The settings init will write, table by table, and what it says about them."""

    tables: dict[str, dict[str, Setting]] = field(default_factory=dict)
    rules: list[tuple[dict[str, Any], str]] | None = None  # None: the defaults' rules
    said: list[str] = field(default_factory=list)

    def put(self, table: str, key: str, setting: Setting) -> None:
        self.tables.setdefault(table, {})[key] = setting

    def data(self) -> dict[str, Any]:
        """The plan as TOML reads it back: nested tables of plain values."""
        data: dict[str, Any] = {}
        for name, settings in self.tables.items():
            table = data
            for part in name.split("."):
                table = table.setdefault(part, {})
            table.update({key: setting.value for key, setting in settings.items()})
        if self.rules is not None:
            data.setdefault("matching", {})["rules"] = [rule for rule, _ in self.rules]
        return data


def plan_settings(
    defaults: Mapping[str, Any],
    given: Mapping[str, Mapping[str, Setting]],
    forms: Mapping[str, FormChoice],
    checkboxes: Mapping[str, Setting],
    tab_names: Sequence[str] = (),
) -> SettingsPlan:
    """The settings that differ from `defaults`: the `given` ones (table: key: setting),
    each form's tab and headers (a form missing from `forms` keeps its defaults), and the
    `checkboxes` options by field; with everything that needs a question no form asks
    switched off, and said."""
    plan = SettingsPlan()
    for table, settings in given.items():
        default = _table(defaults, table)
        for key, setting in settings.items():
            if setting.value != default[key]:
                plan.put(table, key, setting)
    asked = {form: _asked(defaults, form, forms.get(form)) for form in FORMS}
    for form, choice in forms.items():
        _form(plan, defaults, form, choice)
    _checkin_tab(plan, defaults, forms, tab_names)
    _rules(plan, defaults, asked)
    _checkboxes(plan, defaults, checkboxes, asked)
    _needing_questions(plan, defaults, asked)
    return plan


def _table(defaults: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """The table `name` of the defaults ("email.smtp": the smtp table of email)."""
    table = defaults
    for part in name.split("."):
        table = table[part]
    return table


def _asked(defaults: Mapping[str, Any], form: str, choice: FormChoice | None) -> set[str]:
    """The fields of `form` the settings will name a header for."""
    fields: Mapping[str, str] = defaults[form]["questions"]
    if choice is None:
        return {key for key, header in fields.items() if header}
    return {key for key in fields if choice.headers.get(key) or key in NEEDED_QUESTIONS[form]}


def _form(plan: SettingsPlan, defaults: Mapping[str, Any], form: str, choice: FormChoice) -> None:
    name = FORM_NAMES[form]
    if choice.tab and header_key(choice.tab) != header_key(defaults["tabs"][TAB_KEYS[form]]):
        plan.put("tabs", TAB_KEYS[form], Setting(choice.tab, choice.tab_reason))
    for key, default in defaults[form]["questions"].items():
        header = choice.headers.get(key, "")
        if not header and key in NEEDED_QUESTIONS[form]:
            add = "turn on Settings > Responses > Collect email addresses in the form"
            if key != "email":
                add = "add the question to the form"
            plan.said.append(
                f"fix: your {name} form has no question for {key} ('{default}'), which the"
                f" jobs need; {add}, or put its header in the settings:"
                f" [{form}.questions] {key} = ..."
            )
        elif header_key(header) != header_key(default):
            plan.put(f"{form}.questions", key, Setting(header, choice.reasons.get(key, "")))
    required = defaults[form]["required"]
    kept = [key for key in required if choice.headers.get(key)]
    if kept != required:
        gone = ", ".join(key for key in required if key not in kept)
        plan.put(form, "required", Setting(kept, f"your {name} form does not ask for {gone}"))
        plan.said.append(
            f"{form}.required: {gone} left out, as your {name} form does not ask it (rows"
            " without an answer to it were to go to Intake Issues)"
        )


def _checkin_tab(
    plan: SettingsPlan,
    defaults: Mapping[str, Any],
    forms: Mapping[str, FormChoice],
    tab_names: Sequence[str],
) -> None:
    """Without a check-in tab yet, the name Google will give it once the check-in form is
    linked: the default, unless another tab already has it."""
    if forms.get("checkin_form", FormChoice("", {}, {})).tab:
        return
    taken = {header_key(name) for name in tab_names}
    taken |= {header_key(s.value) for s in plan.tables.get("tabs", {}).values()}
    default = defaults["tabs"]["checkins"]
    if header_key(default) not in taken:
        return
    number = next(n for n in range(3, 100) if header_key(f"{GOOGLE_TABS} {n}") not in taken)
    name = f"{GOOGLE_TABS} {number}"
    why = f"no check-in responses yet: the name Google gives the next form ({default} is taken)"
    plan.put("tabs", "checkins", Setting(name, why))


def _rules(plan: SettingsPlan, defaults: Mapping[str, Any], asked: Mapping[str, set[str]]) -> None:
    """Drop each rule that needs a question a form does not ask; the rules are one list, so
    when one goes, the file lists every rule kept."""
    kept: list[tuple[dict[str, Any], str]] = []
    for rule in defaults["matching"]["rules"]:
        missing = [
            side
            for side, form in (("mentee", "mentee_form"), ("mentor", "mentor_form"))
            if rule[side] not in asked[form]
        ]
        if missing:
            plan.said.append(f"rule '{rule['name']}' dropped: {_no_question(rule, missing)}")
        else:
            kept.append((dict(rule), "kept from the defaults"))
    if len(kept) < len(defaults["matching"]["rules"]):
        plan.rules = kept
        if not any(rule.get("weight", 0) > 0 for rule, _ in kept):
            plan.said.append(
                "fix: no matching rule is left that scores; add a [[matching.rules]] for"
                " questions your forms ask"
            )


def _no_question(rule: Mapping[str, Any], sides: Sequence[str]) -> str:
    if len(sides) == 2 and rule["mentee"] == rule["mentor"]:
        return f"your mentee and mentor forms have no question for {rule['mentee']}"
    return " and ".join(f"your {side} form has no question for {rule[side]}" for side in sides)


def _checkboxes(
    plan: SettingsPlan,
    defaults: Mapping[str, Any],
    checkboxes: Mapping[str, Setting],
    asked: Mapping[str, set[str]],
) -> None:
    either = asked["mentee_form"] | asked["mentor_form"]
    for key, options in defaults["checkboxes"].items():
        if key not in either and options:
            plan.put("checkboxes", key, Setting([], "your forms do not ask this"))
    for key, setting in checkboxes.items():
        if key in either and list(setting.value) != defaults["checkboxes"].get(key):
            plan.put("checkboxes", key, Setting(list(setting.value), setting.why))


def _needing_questions(
    plan: SettingsPlan, defaults: Mapping[str, Any], asked: Mapping[str, set[str]]
) -> None:
    """The settings besides the rules that name a mentee question: switched off, or left
    without it, when the mentee form does not ask it."""
    mentee = asked["mentee_form"]
    group = defaults["matching"]["summary_group"]
    if group and group not in mentee:
        why = f"your mentee form has no question for {group}"
        plan.put("matching", "summary_group", Setting("", why))
        plan.said.append(f"matching.summary_group switched off: {why}")
    shared = defaults["email"]["shared_interests"]
    kept = [key for key in shared if key in mentee]
    if kept != shared:
        gone = ", ".join(key for key in shared if key not in mentee)
        why = f"your mentee form has no question for {gone}"
        plan.put("email", "shared_interests", Setting(kept, why))


def render(plan: SettingsPlan, title: str) -> str:
    """The plan as a settings file: `title` on top, a comment above every setting."""
    lines = [f"# {line}" for line in title.splitlines()]
    for name in [*SECTIONS, *(name for name in plan.tables if name not in SECTIONS)]:
        settings = plan.tables.get(name)
        if settings:
            lines += ["", f"[{name}]"]
            for key, setting in settings.items():
                lines += _comment(setting.why)
                lines.append(f"{key} = {toml_value(setting.value)}")
        if name == "matching" and plan.rules is not None:
            for rule, why in plan.rules:
                lines += ["", *_comment(why), "[[matching.rules]]"]
                lines += [f"{key} = {toml_value(value)}" for key, value in rule.items()]
    return "\n".join(lines) + "\n"


def _comment(why: str) -> list[str]:
    return ["# " + line for line in textwrap.wrap(why, COMMENT_WIDTH, break_on_hyphens=False)]


# Characters a TOML basic string must escape: the quote, the backslash, control characters.
_ESCAPE = re.compile(r'["\\\x00-\x08\x0a-\x1f\x7f]')


def _escaped(found: re.Match[str]) -> str:
    char = found.group()
    return "\\" + char if char in '"\\' else f"\\u{ord(char):04x}"


def toml_value(value: Any) -> str:
    """`value` written as TOML: text, true/false, a number, or a list of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + _ESCAPE.sub(_escaped, value) + '"'
    items = [toml_value(item) for item in value]
    one_line = f"[{', '.join(items)}]"
    if len(one_line) <= 80:
        return one_line
    return "[\n" + "".join(f"    {item},\n" for item in items) + "]"
