"""Matching criteria as data: the rules of [matching] in the settings, validated.

Each rule compares a mentee's answer with a mentor's answer and gives a number
from 0 to 1; the pair's score is the weighted mean of its rules, on 0-100. A
rule marked `hard` also decides which pairs may be suggested at all.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mentoring.errors import SettingsError, did_you_mean

KINDS = {
    "overlap": "the share of the mentee's chosen options that the mentor also chose",
    "text": "how alike two free-text answers are (TF-IDF cosine similarity)",
    "same": "1 when both gave the same answer",
    "different": "1 when the answers differ (such as institutions)",
    "distance": "1 when two numbers are equal, falling to 0 at `scale` apart",
}
MAX_WEIGHT = 1000.0
# The numbers a distance rule reads from an answer: a UTC offset first, else any number.
_NUMBER = re.compile(r"([+\-]?)\s*(\d+(?:\.\d+)?)(?::(\d{2}))?")
_OFFSET = re.compile(r"(?:UTC|GMT)\s*([+\-])\s*(\d{1,2})(?::?(\d{2}))?\b", re.IGNORECASE)
RULE_KEYS = ("name", "kind", "mentee", "mentor", "weight", "hard", "scale", "wrap", "unit")


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    mentee: str
    mentor: str
    weight: float
    hard: bool = False
    scale: float = 0.0  # distance: how far apart counts as no fit at all
    wrap: float = 0.0  # distance: numbers on a circle of this size (24 for time zones)
    unit: str = ""  # distance: how the explanation names the difference ("h")


@dataclass(frozen=True)
class MatchingSettings:
    rules: tuple[Rule, ...]
    min_score: int
    alternatives: int
    past_pairs_tab: str
    past_pairs_file: str
    summary_group: str


def parse_matching(
    data: Any, mentee_fields: Sequence[str], mentor_fields: Sequence[str]
) -> MatchingSettings:
    """Validate [matching]; raises SettingsError naming the setting or the rule that is wrong."""
    if not isinstance(data, Mapping):
        raise SettingsError("[matching] must be a table of settings")
    known = (
        "rules",
        "min_score",
        "alternatives",
        "past_pairs_tab",
        "past_pairs_file",
        "summary_group",
    )
    for key in data:
        if key not in known:
            raise SettingsError(f"unknown setting 'matching.{key}'{did_you_mean(key, known)}")
    rules = data.get("rules")
    if not isinstance(rules, list) or not rules:
        raise SettingsError("'matching.rules' must list at least one [[matching.rules]] table")
    parsed = tuple(
        _rule(number, rule, mentee_fields, mentor_fields) for number, rule in enumerate(rules, 1)
    )
    names = [rule.name for rule in parsed]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise SettingsError(
            f"matching rules need different names, so Why can tell them apart: {', '.join(twice)}"
        )
    if not any(rule.weight > 0 for rule in parsed):
        raise SettingsError("at least one matching rule needs a weight above 0")
    settings = MatchingSettings(
        rules=parsed,
        min_score=_number(data, "min_score", int, 0, 100),
        alternatives=_number(data, "alternatives", int, 0, 10),
        past_pairs_tab=_text(data, "past_pairs_tab"),
        past_pairs_file=_text(data, "past_pairs_file"),
        summary_group=_text(data, "summary_group"),
    )
    if settings.summary_group and settings.summary_group not in mentee_fields:
        raise SettingsError(
            f"'matching.summary_group' names '{settings.summary_group}', which is not a"
            f" question of the mentee form{did_you_mean(settings.summary_group, mentee_fields)}"
        )
    return settings


def _rule(
    number: int, data: Any, mentee_fields: Sequence[str], mentor_fields: Sequence[str]
) -> Rule:
    label = f"matching rule {number}"
    if not isinstance(data, Mapping):
        raise SettingsError(f"{label} must be a table with name, kind, mentee, mentor, weight")
    if isinstance(data.get("name"), str):
        label += f" ('{data['name']}')"
    _check_keys_and_texts(label, data)
    kind = data["kind"]
    for side, fields in (("mentee", mentee_fields), ("mentor", mentor_fields)):
        if data[side] not in fields:
            raise SettingsError(
                f"{label}: '{data[side]}' is not a question of the {side} form"
                f"{did_you_mean(data[side], fields)} (questions: {', '.join(fields)})"
            )
    weight = _weight(label, data, kind)
    hard = data.get("hard", False)
    if not isinstance(hard, bool):
        raise SettingsError(f"{label}: 'hard' must be true or false")
    scale, wrap = _scale_and_wrap(label, data, kind)
    unit = data.get("unit", "")
    if not isinstance(unit, str):
        raise SettingsError(f"{label}: 'unit' must be text")
    return Rule(
        name=data["name"].strip(),
        kind=kind,
        mentee=data["mentee"],
        mentor=data["mentor"],
        weight=weight,
        hard=hard,
        scale=scale,
        wrap=wrap,
        unit=unit,
    )


def _check_keys_and_texts(label: str, data: Mapping[str, Any]) -> None:
    """A rule names only known keys, gives its name, kind and questions as text, and its
    kind is one there is."""
    for key in data:
        if key not in RULE_KEYS:
            raise SettingsError(f"{label}: unknown key '{key}'{did_you_mean(key, RULE_KEYS)}")
    for key in ("name", "kind", "mentee", "mentor"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise SettingsError(f"{label}: '{key}' must be given as text")
    kind = data["kind"]
    if kind not in KINDS:
        raise SettingsError(
            f"{label}: unknown kind '{kind}'{did_you_mean(kind, KINDS)}; kinds are: "
            + "; ".join(f"{k} ({meaning})" for k, meaning in KINDS.items())
        )


def _weight(label: str, data: Mapping[str, Any], kind: str) -> float:
    """A rule's weight, 0 or within bounds; and no distance options on another kind."""
    weight = _rule_number(label, data, "weight", required=True)
    if weight > MAX_WEIGHT or 0 < weight < 1 / MAX_WEIGHT:
        raise SettingsError(
            f"{label}: 'weight' must be 0 or between {1 / MAX_WEIGHT:g} and {MAX_WEIGHT:g}"
        )
    if kind != "distance":
        extra = [key for key in ("scale", "wrap", "unit") if key in data]
        if extra:
            raise SettingsError(f"{label}: {', '.join(extra)} only apply to distance rules")
    return weight


def _scale_and_wrap(label: str, data: Mapping[str, Any], kind: str) -> tuple[float, float]:
    """A distance rule's scale (above 0) and wrap (at least the scale, or 0 for none)."""
    scale = _rule_number(label, data, "scale", required=kind == "distance")
    if kind == "distance" and scale == 0:
        raise SettingsError(f"{label}: a distance rule needs a 'scale' above 0")
    wrap = _rule_number(label, data, "wrap")
    if wrap and wrap < scale:
        raise SettingsError(
            f"{label}: 'wrap' ({wrap:g}) cannot be smaller than 'scale' ({scale:g})"
        )
    return scale, wrap


def _rule_number(label: str, data: Mapping[str, Any], key: str, required: bool = False) -> float:
    if key not in data:
        if required:
            what = "a number above 0" if key == "scale" else "a number, 0 or more"
            raise SettingsError(f"{label}: '{key}' is missing ({what})")
        return 0.0
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SettingsError(f"{label}: '{key}' must be a number, not {value!r}")
    if value < 0:
        raise SettingsError(f"{label}: '{key}' cannot be negative ({value})")
    return float(value)


def _number(data: Mapping[str, Any], key: str, kind: type[int], low: int, high: int) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, kind) or not low <= value <= high:
        raise SettingsError(f"setting 'matching.{key}' must be a whole number from {low} to {high}")
    return value


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise SettingsError(f"setting 'matching.{key}' must be text (\"\" for none)")
    return value.strip()


def parse_number(text: str) -> float:
    """The number in an answer, or nan: a time-zone offset ("UTC-5 Eastern" -5,
    "UTC+5:30" 5.5, "GMT-0300" -3, "UTC - 5" -5), else the first number ("12 years")."""
    text = text.replace("\u2212", "-")
    offset = _OFFSET.search(text)
    if offset:
        sign, hours, minutes = offset.groups()
        number = int(hours) + (int(minutes) / 60 if minutes else 0.0)
        return -number if sign == "-" else number
    match = _NUMBER.search(text)
    if not match:
        return float("nan")
    sign, whole, minutes = match.groups()
    number = float(whole) + (int(minutes) / 60 if minutes else 0.0)
    return -number if sign == "-" else number
