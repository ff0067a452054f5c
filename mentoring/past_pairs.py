"""Pairs from earlier program years, which the matcher never suggests again."""

from __future__ import annotations

from collections.abc import Iterable

from mentoring.addresses import email_at
from mentoring.sheet import Table, cell, is_new_tab

PAST_MENTEE, PAST_MENTOR, PAST_COHORT = "Mentee Email", "Mentor Email", "Cohort"


def past_pairs(tables: Iterable[Table]) -> set[tuple[str, str]]:
    """(mentee email, mentor email) of every row; raises ConfigError if a column is missing."""
    pairs: set[tuple[str, str]] = set()
    for table in tables:
        if is_new_tab(table, (PAST_MENTEE, PAST_MENTOR), "previous pairs"):
            continue
        fix = f"Past pairs need the columns '{PAST_MENTEE}' and '{PAST_MENTOR}'."
        mentee = table.require(PAST_MENTEE, what="a previous pair's mentee", fix=fix)
        mentor = table.require(PAST_MENTOR, what="a previous pair's mentor", fix=fix)
        for row in table.rows:
            pair = (email_at(row, mentee), email_at(row, mentor))
            if all(pair):
                pairs.add(pair)
    return pairs


def returning(tables: Iterable[Table]) -> dict[str, str]:
    """Each person of a past pair, by email, with their past pairs: "mentee 2026 with
    tom@t.org". Call after past_pairs, which checks the columns."""
    said: dict[str, list[str]] = {}
    for table in tables:
        mentee, mentor = table.column(PAST_MENTEE), table.column(PAST_MENTOR)
        cohort = table.column(PAST_COHORT)
        for row in table.rows:
            people = email_at(row, mentee), email_at(row, mentor)
            if not all(people):
                continue
            year = str(cell(row, cohort) or "").strip()
            for role, email, partner in (("mentee", *people), ("mentor", *people[::-1])):
                said.setdefault(email, []).append(
                    f"{role} {year + ' ' if year else ''}with {partner}"
                )
    return {email: "; ".join(items) for email, items in said.items()}
