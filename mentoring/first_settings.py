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
_SIDES = (("mentee", "mentee_form"), ("mentor", "mentor_form"))  # a rule's, and their forms


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
    # What the answers so far say: the fields answered in people's own words rather than
    # by ticking options, and those whose answers carry no number (such as "UTC-5").
    written: frozenset[str] = frozenset()
    unnumbered: frozenset[str] = frozenset()


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
    _rules(plan, defaults, asked, forms)
    _checkboxes(plan, defaults, checkboxes, asked, forms)
    _needing_questions(plan, defaults, asked, forms)
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


def _rules(
    plan: SettingsPlan,
    defaults: Mapping[str, Any],
    asked: Mapping[str, set[str]],
    forms: Mapping[str, FormChoice],
) -> None:
    """Drop each rule that needs a question a form does not ask, or whose answers it cannot
    read; the rules are one list, so when one goes, the file lists every rule kept."""
    kept: list[tuple[dict[str, Any], str]] = []
    for rule in defaults["matching"]["rules"]:
        missing = [side for side, form in _SIDES if rule[side] not in asked[form]]
        unread = _unread(rule, forms)
        if missing:
            plan.said.append(f"rule '{rule['name']}' dropped: {_no_question(rule, missing)}")
        elif rule["kind"] == "overlap" and len(unread) == len(_SIDES):
            why = (
                f"your forms ask {_asked_as(rule, unread, forms)} in people's own words, not as"
                " options, so the rule compares the words of the answers"
            )
            kept.append((dict(rule, kind="text"), why))
            plan.said.append(f"rule '{rule['name']}' now of kind \"text\": {why}")
        elif unread:
            plan.said.append(f"rule '{rule['name']}' dropped: {_unreadable(rule, unread, forms)}")
        else:
            kept.append((dict(rule), "kept from the defaults"))
    if [rule for rule, _ in kept] != defaults["matching"]["rules"]:
        plan.rules = kept
        if not any(rule.get("weight", 0) > 0 for rule, _ in kept):
            plan.said.append(
                "fix: no matching rule is left that scores; add a [[matching.rules]] for"
                " questions your forms ask"
            )


def _unread(rule: Mapping[str, Any], forms: Mapping[str, FormChoice]) -> list[str]:
    """The sides of `rule` whose answers it cannot compare: people's own words for an
    overlap rule, answers without a number for a distance rule."""
    sides = []
    for side, form in _SIDES:
        choice = forms.get(form)
        if choice is None:
            continue
        if (rule["kind"] == "overlap" and rule[side] in choice.written) or (
            rule["kind"] == "distance" and rule[side] in choice.unnumbered
        ):
            sides.append(side)
    return sides


def _header(rule: Mapping[str, Any], side: str, forms: Mapping[str, FormChoice]) -> str:
    """The header of the question `rule` reads on `side` ("mentee" or "mentor")."""
    return forms[f"{side}_form"].headers.get(rule[side], rule[side])


def _asked_as(
    rule: Mapping[str, Any], sides: Sequence[str], forms: Mapping[str, FormChoice]
) -> str:
    return " and ".join(f"'{_header(rule, side, forms)}'" for side in sides)


def _unreadable(
    rule: Mapping[str, Any], sides: Sequence[str], forms: Mapping[str, FormChoice]
) -> str:
    asked = " and ".join(f"your {side} form's '{_header(rule, side, forms)}'" for side in sides)
    if rule["kind"] == "distance":
        return (
            f"the answers to {asked} carry no number to measure it by (a time zone needs an"
            ' offset such as "UTC-5"); ask for the UTC offset, then add the rule back'
        )
    other = next(side for side, _ in _SIDES if side not in sides)
    return (
        f"{asked} is answered in people's own words, not options ticked, so it has no"
        f" options to share with the {other} form's; make it a checkbox question with the"
        f" {other} form's options, then add the rule back"
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
    forms: Mapping[str, FormChoice],
) -> None:
    either = asked["mentee_form"] | asked["mentor_form"]
    written = _written(forms)
    for key, options in defaults["checkboxes"].items():
        if key not in either and options:
            plan.put("checkboxes", key, Setting([], "your forms do not ask this"))
        elif key in written:
            why = "your forms ask this in people's own words: there are no options to list"
            plan.put("checkboxes", key, Setting([], why))
    for key, setting in checkboxes.items():
        changed = list(setting.value) != defaults["checkboxes"].get(key)
        if key in either and key not in written and changed:
            plan.put("checkboxes", key, Setting(list(setting.value), setting.why))


def _written(forms: Mapping[str, FormChoice]) -> set[str]:
    """The fields the mentee or the mentor form asks in people's own words: an overlap rule
    has no options to compare in them, nor an email shared interests to list."""
    return {key for _, form in _SIDES if form in forms for key in forms[form].written}


def _needing_questions(
    plan: SettingsPlan,
    defaults: Mapping[str, Any],
    asked: Mapping[str, set[str]],
    forms: Mapping[str, FormChoice],
) -> None:
    """The settings besides the rules that name a mentee question: switched off, or left
    without it, when the mentee form does not ask it (the shared interests an email lists:
    also when it asks it in people's own words)."""
    mentee = asked["mentee_form"]
    group = defaults["matching"]["summary_group"]
    if group and group not in mentee:
        why = f"your mentee form has no question for {group}"
        plan.put("matching", "summary_group", Setting("", why))
        plan.said.append(f"matching.summary_group switched off: {why}")
    shared = defaults["email"]["shared_interests"]
    written = _written(forms)
    kept = [key for key in shared if key in mentee and key not in written]
    if kept != shared:
        gone = [key for key in shared if key not in mentee]
        why = f"your mentee form has no question for {', '.join(gone)}" if gone else ""
        words = [key for key in shared if key in mentee and key in written]
        if words:
            own = f"your forms ask {', '.join(words)} in people's own words, not as options"
            why = f"{why}; {own}" if why else own
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
