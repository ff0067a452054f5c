"""Pairs from earlier program years, which the matcher never suggests again."""

from __future__ import annotations

from collections.abc import Iterable

from mentoring.intake import normalise_email
from mentoring.sheet import Table, cell

PAST_MENTEE, PAST_MENTOR = "Mentee Email", "Mentor Email"


def past_pairs(tables: Iterable[Table]) -> set[tuple[str, str]]:
    """(mentee email, mentor email) of every row; raises ConfigError if a column is missing."""
    pairs: set[tuple[str, str]] = set()
    for table in tables:
        fix = f"Past pairs need the columns '{PAST_MENTEE}' and '{PAST_MENTOR}'."
        mentee = table.require(PAST_MENTEE, what="a previous pair's mentee", fix=fix)
        mentor = table.require(PAST_MENTOR, what="a previous pair's mentor", fix=fix)
        for row in table.rows:
            pair = (normalise_email(cell(row, mentee)), normalise_email(cell(row, mentor)))
            if all(pair):
                pairs.add(pair)
    return pairs
