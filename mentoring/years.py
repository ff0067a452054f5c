"""Closing a program year: the year's pairs go to the Past Pairs tab, which the matcher reads.

Every introduced pair (and every pair the Pair Health tab says ended) is copied
to Past Pairs with its cohort, dates and the committee's notes from both tabs;
then its rows leave the committee tab and the Pair Health tab, so the next
year starts with the mentees who apply again, never paired with a past
partner. Pairs already in Past Pairs are not copied twice, so closing again
changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from mentoring import health as ph
from mentoring.addresses import email_at
from mentoring.committee import COLUMNS as COMMITTEE_COLUMNS
from mentoring.committee import (
    INTRODUCED,
    MENTEE,
    MENTEE_EMAIL,
    MENTOR,
    MENTOR_EMAIL,
    NOTES,
    OVERRIDE,
    STATUS,
    is_approved,
    row_mentor,
)
from mentoring.health import check_texts_have_a_place, join_texts, pair_rows
from mentoring.past_pairs import PAST_MENTEE, PAST_MENTOR, past_pairs
from mentoring.reports import rewrite_tab
from mentoring.sheet import Cell, TabEdits, Table, cell, header_key, is_blank, is_new_tab
from mentoring.timestamps import guess_date_order, parse_timestamp

COHORT, CLOSED_ON = "Cohort", "Closed On"
PAST_COLUMNS = (
    COHORT,
    "Mentee",
    PAST_MENTEE,
    "Mentor",
    PAST_MENTOR,
    "Introduced On",
    CLOSED_ON,
    "Notes",
)


@dataclass(frozen=True)
class Closing:
    edits: tuple[TabEdits, ...]  # one write: Past Pairs, the committee tab, Pair Health
    copied: tuple[str, ...]  # labels of the pairs added to Past Pairs
    already: tuple[str, ...]  # labels of the pairs Past Pairs had already
    # Everyone in a closed pair, with the day their pair began: an application from before
    # it is this year's, one from after it is for next year.
    people: Mapping[str, date]


def close_year(
    cohort: str,
    committee: Table,
    health: Table | None,
    past: Table | None,
    past_tab: str,
    today: date,
    date_order: str = "auto",
) -> Closing:
    """Close the year of `cohort` on `today`: every Approved row of the committee tab with an
    Introduced On date (whether or not its people are still in the form responses), and
    every pair Pair Health has as ended. Raises ConfigError when a committee column or a
    Past Pairs email column is missing, or a committee text could not be carried."""
    for table in (committee, health):
        if table is not None and (any(table.header) or table.rows):
            check_texts_have_a_place(table)
    fix = "Rename the column back; the match job made it."
    columns = {
        name: committee.require(name, what="a column close-year reads", fix=fix)
        for name in (MENTEE, MENTEE_EMAIL, MENTOR, MENTOR_EMAIL, OVERRIDE, STATUS, INTRODUCED)
    }
    # The committee's texts go along: Notes, and every column it added, by name (one
    # spelling for a name both tabs have).
    spelling: dict[str, str] = {}
    own = _own_columns(committee, set(COMMITTEE_COLUMNS) - {NOTES}, spelling)
    dates = [cell(row, columns[INTRODUCED]) for row in committee.rows]
    order = guess_date_order(dates) if date_order == "auto" else date_order
    closing: dict[tuple[str, str], dict[str, Cell]] = {}
    committee_rows: set[int] = set()
    for row in committee.rows:
        approved = is_approved(row, columns)
        introduced = cell(row, columns[INTRODUCED])
        mentee = email_at(row, columns[MENTEE_EMAIL])
        mentor = row_mentor(row, columns)
        if not (approved and mentee and mentor and not is_blank(introduced)):
            continue
        on = parse_timestamp(introduced, order)
        committee_rows.add(row.number)
        found = closing.setdefault(
            (mentee, mentor),
            {
                "Mentee": cell(row, columns[MENTEE]),
                "Mentor": cell(row, columns[MENTOR]),
                "Introduced On": on.date() if on else introduced,
            },
        )
        join_texts(found, {name: cell(row, index) for name, index in own.items()})
    health_rows: set[int] = set()
    theirs = _own_columns(health, set(ph.TOOL_COLUMNS), spelling) if health is not None else {}
    for row, key, values in pair_rows(health) if health is not None else ():
        if key is None:
            continue  # a row of the committee's own: it stays
        if key not in closing and str(values.get(ph.STATE) or "").strip() != ph.ENDED:
            continue  # an approved pair of the year not yet introduced: it stays
        health_rows.add(row.number)
        found = closing.setdefault(
            key,
            {
                "Mentee": values.get(ph.MENTEE),
                "Mentor": values.get(ph.MENTOR),
                "Introduced On": values.get(ph.INTRODUCED_ON),
            },
        )
        join_texts(found, {name: cell(row, index) for name, index in theirs.items()})
    known = past_pairs([past]) if past is not None and any(past.header) else set()
    copied = [key for key in closing if key not in known]
    rows = [
        {
            **closing[mentee, mentor],
            COHORT: cohort,
            PAST_MENTEE: mentee,
            PAST_MENTOR: mentor,
            CLOSED_ON: today,
        }
        for mentee, mentor in copied
    ]
    edits = (
        _append(past, past_tab, rows),
        _without(committee, committee_rows),
        _without(health, health_rows) if health is not None else TabEdits("", {}),
    )
    return Closing(
        edits,
        tuple(f"{m} | {p}" for m, p in copied),
        tuple(f"{m} | {p}" for m, p in closing if (m, p) in known),
        {email: _day(values["Introduced On"]) for key, values in closing.items() for email in key},
    )


def _day(value: Cell) -> date:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.max


def _own_columns(table: Table, tools: set[str], spelling: dict[str, str]) -> dict[str, int]:
    """The committee's columns of `table` (all but the tool's), by the name Past Pairs gives
    them: their own (as first spelt, in `spelling`), or "<name> (committee)" where Past
    Pairs has a column of that name."""
    tools_keys = {header_key(name) for name in tools}
    ours = {header_key(name) for name in PAST_COLUMNS} - {header_key(NOTES)}
    own = {}
    for index, name in enumerate(table.header):
        if not name or header_key(name) in tools_keys:
            continue
        label = spelling.setdefault(
            header_key(name), NOTES if header_key(name) == "notes" else name
        )
        own[f"{label} (committee)" if header_key(label) in ours else label] = index
    return own


def _append(table: Table | None, tab: str, rows: Sequence[Mapping[str, Cell]]) -> TabEdits:
    """`rows` added below the last row of Past Pairs, in the columns of its header (ours are
    added to the right of a header that lacks them)."""
    new = is_new_tab(table, (PAST_MENTEE, PAST_MENTOR), "previous pairs")
    header = [] if new or table is None else list(table.header)
    cells: dict[tuple[int, int], Cell] = {}
    names = list(PAST_COLUMNS)
    for values in rows:
        names += [name for name in values if name not in names]
    for name in names:
        if not any(h.strip().casefold() == name.casefold() for h in header):
            header.append(name)
            cells[1, len(header)] = name
    at = {h.strip().casefold(): c for c, h in enumerate(header, start=1) if h.strip()}
    start = (table.last_row if table is not None else 1) + 1
    for offset, values in enumerate(rows):
        for name, value in values.items():
            cells[start + offset, at[name.casefold()]] = value
    return TabEdits(tab, cells if rows else {})


def _without(table: Table, numbers: set[int]) -> TabEdits:
    """The tab with the rows `numbers` taken out and the rows below moved up."""
    if not numbers:
        return TabEdits("", {})
    width = max([len(table.header), *(len(row.cells) for row in table.rows)])
    header = [*table.header, *[""] * (width - len(table.header))]
    kept = [
        [*row.cells, *[None] * (width - len(row.cells))]
        for row in table.rows
        if row.number not in numbers
    ]
    return rewrite_tab(table, table.name, header, kept)
