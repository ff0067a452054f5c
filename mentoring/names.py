"""What an email calls a person: a first name from the name they typed in a form.

Forms get names as people type them: "Müller, Zoë", "@Noor", "=Dr. Aiko Wong",
"Ana Ruiz, PhD". A greeting takes the first name out of that, or the answer to
the form's preferred-name question when it asks one and it was answered. The
committee tab says "her place" or "his place" when a Pronouns answer is clear.
"""

from __future__ import annotations

import re
import unicodedata

# What follows a comma that is not a first name: "Ana Ruiz, PhD" is not "Last, First".
SUFFIXES = frozenset(
    {"jr", "sr", "ii", "iii", "iv", "phd", "dphil", "edd", "md", "mls", "mlis", "msls"}
    | {"mlitt", "ma", "ms", "msc", "mba", "ba", "bs", "bsc", "esq", "rn", "ahip"}
)
# Titles before a name, which a greeting by first name leaves out: "Dr. Aiko Wong" is "Aiko".
TITLES = frozenset({"dr", "prof", "mr", "mrs", "ms", "mx", "miss", "sir", "dame", "rev"})
_COMMA = re.compile("[,\uff0c]")  # the fullwidth comma too


def called(name: str, preferred: str = "") -> str:
    """The name a greeting uses: the answer to the preferred-name question up to any comma,
    as typed but for the symbols and spaces around it, when it has a letter; else the first
    name of `name`."""
    return _trimmed(_COMMA.split(preferred)[0]) or first_name(name)


def first_name(name: str) -> str:
    """The first name in `name` as typed: "Zoë" for "Müller, Zoë", "Noor" for "@Noor",
    "Aiko" for "Dr. Aiko Wong", "Ana" for "Ana Ruiz, PhD".

    For a name with a letter in it, the result is never empty, starts with a letter and
    has no comma; a name without a letter is given back trimmed of spaces.
    """
    words = [word for word in map(_trimmed, _in_order(name)) if word]
    if not words:
        return name.strip()
    if len(words) > 1 and words[0].casefold() in TITLES:
        words = words[1:]
    return words[0]


def _in_order(name: str) -> list[str]:
    """The words of `name`, the first name's part first: after the comma in "Last, First"."""
    parts = [part.split() for part in _COMMA.split(name)]
    parts = [words for words in parts if words]
    while len(parts) > 1 and all(_trimmed(w).casefold() in SUFFIXES for w in parts[-1]):
        parts.pop()
    if len(parts) > 1:
        parts = [parts[1], parts[0], *parts[2:]]
    return [word for words in parts for word in words]


def _trimmed(text: str) -> str:
    """`text` without what comes before its first letter, nor the symbols, digits and spaces
    after its last letter (a letter's accents stay)."""
    start = next((i for i, char in enumerate(text) if char.isalpha()), len(text))
    end = len(text)
    while end > start and not _part_of_a_letter(text[end - 1]):
        end -= 1
    return text[start:end]


def _part_of_a_letter(char: str) -> bool:
    return char.isalpha() or unicodedata.category(char).startswith("M")


# The possessive of each pronoun set, and the words of a Pronouns answer that name the set.
_POSSESSIVES = (
    ("her", frozenset({"she", "her", "hers", "herself"})),
    ("his", frozenset({"he", "him", "his", "himself"})),
    ("their", frozenset({"they", "them", "their", "theirs", "themself", "themselves"})),
)
_PRONOUNS = frozenset().union(*(names for _, names in _POSSESSIVES))


def possessive(pronouns: str) -> str:
    """The possessive of a Pronouns answer when it clearly gives one set: "her" for
    "she/her", "his" for "He/Him", "their" for "they/them"; "" for none, another set
    ("ze/zir") or more than one ("she/they")."""
    words = set(re.findall(r"[^\W\d_]+", pronouns.casefold()))
    found = [word for word, names in _POSSESSIVES if words & names]
    return found[0] if len(found) == 1 and words <= _PRONOUNS else ""
