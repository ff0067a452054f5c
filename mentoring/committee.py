"""The committee tab: the committee's working surface, merged with fresh suggestions.

The tool owns every column except Status, Committee Mentor Email and Notes.
Rows are found by mentee email, never by position, so the committee may sort,
filter and add columns of its own. The merge returns only the cells that
change: running it twice on the same responses changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from mentoring.addresses import email_at
from mentoring.choice_cost import (
    Choice,
    ChoicesCost,
    choices_cost,
    displaced,
    displaced_note,
)
from mentoring.intake import Applicant, Responses, normalise_email
from mentoring.matching import Alternative, BestPairs, Fit, Matcher, Pick
from mentoring.names import possessive
from mentoring.sheet import (
    Cell,
    Row,
    TabEdits,
    Table,
    Unknown,
    cell,
    cell_text,
    is_blank,
    is_new_tab,
    same_value,
)

MENTEE, MENTEE_EMAIL = "Mentee", "Mentee Email"
MENTOR, MENTOR_EMAIL = "Suggested Mentor", "Suggested Mentor Email"
SCORE, WHY, ALTERNATIVES, STATUS = "Score", "Why", "Alternatives", "Status"
OVERRIDE, NOTES, REJECTED, INTRODUCED = (
    "Committee Mentor Email",
    "Notes",
    "Rejected Mentors",
    "Introduced On",
)
COLUMNS = (
    MENTEE,
    MENTEE_EMAIL,
    MENTOR,
    MENTOR_EMAIL,
    SCORE,
    WHY,
    ALTERNATIVES,
    STATUS,
    OVERRIDE,
    NOTES,
    REJECTED,
    INTRODUCED,
)

SUGGESTED, APPROVED, REJECTED_STATUS, HOLD = "Suggested", "Approved", "Rejected", "Hold"
STATUSES = (SUGGESTED, APPROVED, REJECTED_STATUS, HOLD)
LOCKING = (APPROVED, HOLD)

_LIST_SEPARATOR = re.compile(r"[,;\s]+")


@dataclass(frozen=True)
class SlateStats:
    """What one merge did, in the committee's terms."""

    mentees: int = 0
    suggested: int = 0
    kept: int = 0
    without_mentor: int = 0
    withdrawn: int = 0
    cells_changed: int = 0


@dataclass(frozen=True)
class Outcome:
    """Where one current mentee stands after the merge (mentor and score None when unmatched)."""

    mentee: Applicant
    mentor: str | None
    score: int | None
    weak: bool
    reviewed: bool = False  # the committee set the row (Approved, Hold, a mentor of its own)
    mentor_name: str = ""
    why: str = ""  # as the row's Why says it


@dataclass(frozen=True)
class CommitteeUpdate:
    """The merge's cells, its counts, where each mentee stands, and what the committee's
    choices cost against the unconstrained best (None when it has made none)."""

    edits: TabEdits
    stats: SlateStats
    outcomes: tuple[Outcome, ...] = ()
    cost: ChoicesCost | None = None


@dataclass
class _Entry:
    """One committee-tab row (or a new one), and what this run decides for it."""

    number: int
    row: Row | None
    email: str
    name: str = ""  # the row's Mentee, as the tab has it
    status: str = SUGGESTED
    write_status: bool = False
    override: str = ""
    rejected: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    locked: bool = False  # the committee fixed this row: Approved, Hold, override, unknown Status
    locked_mentor: str = ""
    duplicate: bool = False
    unknown: bool = False  # a committee cell whose value cannot be known: kept as it is
    weak: bool = False
    values: dict[str, Cell] = field(default_factory=dict)


def row_status(row: Row, columns: Mapping[str, int]) -> str:
    """A committee row's Status, as typed (trimmed)."""
    return str(cell(row, columns[STATUS]) or "").strip()


def known_status(text: str) -> str | None:
    """A Status as the tool spells it (Suggested, Approved, Rejected, Hold), whatever its case
    or spacing; None for any other text."""
    return {s.casefold(): s for s in STATUSES}.get(text.strip().casefold())


def is_approved(row: Row, columns: Mapping[str, int]) -> bool:
    """Whether the committee approved the row (Approved in any case)."""
    return row_status(row, columns).casefold() == APPROVED.casefold()


def row_mentor(row: Row, columns: Mapping[str, int]) -> str:
    """The mentor a committee row names: the committee's own choice (Committee Mentor
    Email) over the suggestion, normalised ("" for none)."""
    return email_at(row, columns[OVERRIDE]) or email_at(row, columns[MENTOR_EMAIL])


def rejected_mentors(row: Row, columns: Mapping[str, int]) -> list[str]:
    """The mentors a committee row's Rejected Mentors lists (the match adds each mentor the
    committee rejected for the row), normalised, each once."""
    return _email_list(cell(row, columns[REJECTED]))


def update_committee_tab(
    existing: Table | None,
    tab: str,
    responses: Responses,
    matcher: Matcher,
    min_score: int = 0,
    returning: Mapping[str, str] | None = None,
) -> CommitteeUpdate:
    """Merge the committee's rows with fresh suggestions; raises ConfigError on a missing header.

    A pair scoring below `min_score` is kept but flagged as weak in Why. `returning` has,
    by email, the past pairs of people who took part before, which Why names.
    """
    is_new = is_new_tab(existing, COLUMNS, "the committee's matches")
    table = existing if existing is not None and not is_new else Table(tab, COLUMNS, ())
    inserted = _add_alternatives_column(table)
    if inserted:
        table = inserted
    columns = {
        name: table.require(
            name, what="a column the tool needs", fix=f"Rename the column back to '{name}'."
        )
        for name in COLUMNS
    }
    mentees = {m.email: m for m in responses.mentees}
    mentors = {m.email: m for m in responses.mentors}

    entries = _existing_entries(table, columns)
    entries += _newcomers(entries, mentees, table.last_row + 1)
    load = _load(entries, mentors)
    free = {email: max(0, m.capacity - load.get(email, 0)) for email, m in mentors.items()}
    open_entries = [e for e in entries if not (e.locked or e.duplicate) and e.email in mentees]
    picks = matcher.assign(
        [mentees[e.email] for e in open_entries],
        list(mentors.values()),
        free,
        {e.email: e.rejected for e in open_entries},
    )

    best = _unconstrained(entries, mentees, mentors, matcher)
    moved = _displaced(entries, mentees, mentors, picks, free, best) if best else {}

    counts = dict.fromkeys(("suggested", "kept", "without_mentor", "withdrawn"), 0)
    for entry in entries:
        mentee = mentees.get(entry.email)
        if entry.duplicate:
            continue
        if mentee is None:
            counts["withdrawn"] += 1
            _withdrawn(entry)
        elif entry.locked:
            counts["kept"] += 1
            _keep(entry, mentee, mentors, load, matcher, min_score)
        else:
            pick = picks[entry.email]
            counts["suggested" if pick.mentor else "without_mentor"] += 1
            _suggest(entry, pick, min_score, moved.get(entry.email, ""))
        if mentee is not None:
            entry.values[MENTEE] = mentee.name
            _returning(entry, returning or {})
        entry.values[REJECTED] = ", ".join(entry.rejected)
        if entry.write_status:
            entry.values[STATUS] = SUGGESTED

    cells = _changed_cells(entries, columns, is_new)
    insert: tuple[int, ...] = ()
    if inserted:
        insert = (columns[ALTERNATIVES] + 1,)
        cells[1, columns[ALTERNATIVES] + 1] = ALTERNATIVES
    choices = {columns[STATUS] + 1: STATUSES} if is_new else {}
    stats = SlateStats(mentees=len(mentees), cells_changed=len(cells), **counts)
    edits = TabEdits(tab, cells, choices, insert_columns=insert)
    outcomes = _outcomes(entries, mentees)
    cost = choices_cost(best, [o.score for o in outcomes if o.mentor]) if best else None
    return CommitteeUpdate(edits, stats, outcomes, cost)


def _unconstrained(
    entries: Sequence[_Entry],
    mentees: Mapping[str, Applicant],
    mentors: Mapping[str, Applicant],
    matcher: Matcher,
) -> BestPairs | None:
    """The slate without the committee's choices (every row open, every place free, the
    rejections kept); None when the committee has made none, as this slate is then it."""
    if not any(entry.locked for entry in entries):
        return None
    rejected = {e.email: e.rejected for e in entries if not e.duplicate and e.email in mentees}
    return matcher.best_pairs(list(mentees.values()), list(mentors.values()), rejected)


def _displaced(
    entries: Sequence[_Entry],
    mentees: Mapping[str, Applicant],
    mentors: Mapping[str, Applicant],
    picks: Mapping[str, Pick],
    free: Mapping[str, int],
    best: BestPairs,
) -> dict[str, str]:
    """Why's note for each open mentee whose place in the unconstrained best a committee
    choice took, leaving them worse off, by mentee email."""
    suggested = {
        email: (pick.mentor.email, pick.fit.score) if pick.mentor else ("", 0)
        for email, pick in picks.items()
    }
    room = dict(free)
    for mentor, _ in suggested.values():
        if mentor:
            room[mentor] -= 1
    order = {e.email: e.number for e in entries if not e.duplicate}
    suggested = dict(sorted(suggested.items(), key=lambda item: order[item[0]]))
    choices = [_choice(e, mentees) for e in entries if e.locked and e.locked_mentor in mentors]
    return {
        email: displaced_note(mentors[mentor].name or mentor, choice)
        for email, (mentor, choice) in displaced(choices, best, suggested, room).items()
    }


def _choice(entry: _Entry, mentees: Mapping[str, Applicant]) -> Choice:
    """A row the committee fixed, as a choice that holds its mentor's place."""
    mentee = mentees.get(entry.email)
    current = entry.email if mentee is not None and not entry.duplicate else ""
    if entry.unknown:
        how = "kept as it is"
    elif entry.override:
        how = OVERRIDE
    elif entry.status in LOCKING:
        how = entry.status
    else:
        how = f"Status '{entry.status}'"
    who = (mentee.name if mentee else entry.name) or entry.email
    if mentee is None:
        who += ", who is no longer in the mentee responses"
    return Choice(entry.number, who, current, entry.locked_mentor, how)


def _newcomers(
    entries: Sequence[_Entry], mentees: Mapping[str, Applicant], first_row: int
) -> list[_Entry]:
    """Rows for the mentees the tab does not have yet, from `first_row` down, in the order
    they applied."""
    known = {entry.email for entry in entries}
    new = [m for m in sorted(mentees.values(), key=_application_order) if m.email not in known]
    return [
        _Entry(first_row + n, None, mentee.email, write_status=True) for n, mentee in enumerate(new)
    ]


def _load(entries: Sequence[_Entry], mentors: Mapping[str, Applicant]) -> dict[str, int]:
    """How many mentees each mentor has on rows the committee has approved or held."""
    load: dict[str, int] = {}
    for entry in entries:
        if entry.locked_mentor in mentors:
            load[entry.locked_mentor] = load.get(entry.locked_mentor, 0) + 1
    return load


def _add_alternatives_column(table: Table) -> Table | None:
    """A tab from before the Alternatives column gets one, right after Why, as the tool's own."""
    why = table.column(WHY)
    if table.column(ALTERNATIVES) is not None or why is None:
        return None
    if any(table.column(name) is None for name in COLUMNS if name != ALTERNATIVES):
        return None  # another column is missing: that is reported, not patched
    at = why + 1

    def widen(cells: Sequence[Cell]) -> tuple[Cell, ...]:
        cells = tuple(cells)
        return (*cells[:at], None, *cells[at:]) if len(cells) > at else cells

    rows = tuple(Row(r.number, widen(r.cells)) for r in table.rows)
    header = (*table.header[:at], ALTERNATIVES, *table.header[at:])
    return Table(table.name, header, rows, table.last_row)


def _outcomes(entries: Sequence[_Entry], mentees: Mapping[str, Applicant]) -> tuple[Outcome, ...]:
    outcomes = []
    for entry in entries:
        mentee = mentees.get(entry.email)
        if mentee is None or entry.duplicate:
            continue
        mentor = normalise_email(entry.values.get(MENTOR_EMAIL, entry.locked_mentor))
        score = entry.values.get(SCORE)
        outcomes.append(
            Outcome(
                mentee,
                mentor or None,
                int(score) if isinstance(score, int | float) else None,
                entry.weak,
                reviewed=entry.locked,
                mentor_name=str(entry.values.get(MENTOR) or ""),
                why=str(entry.values.get(WHY) or ""),
            )
        )
    return tuple(outcomes)


def _existing_entries(table: Table, columns: Mapping[str, int]) -> list[_Entry]:
    entries: list[_Entry] = []
    first_row: dict[str, int] = {}
    for row in table.rows:
        email = email_at(row, columns[MENTEE_EMAIL])
        if not email:
            continue  # a row of the committee's own: leave it alone
        entry = _Entry(row.number, row, email, duplicate=email in first_row)
        entry.name = cell_text(row, columns[MENTEE])
        entries.append(entry)
        _read_committee_columns(entry, row, columns)
        if entry.duplicate:
            # Left as it is, but a mentor the committee fixed here keeps their place.
            entry.write_status = False
            held = f", and {entry.locked_mentor} keeps a place for it" if entry.locked else ""
            entry.values[WHY] = (
                f"another row (row {first_row[email]}) already holds this mentee; this row is"
                f" left as it is{held}: delete one of the two"
            )
        first_row.setdefault(email, row.number)
    return entries


def _read_committee_columns(entry: _Entry, row: Row, columns: Mapping[str, int]) -> None:
    unknown = [name for name in (STATUS, OVERRIDE) if isinstance(cell(row, columns[name]), Unknown)]
    if unknown:
        # A formula saved without its value: the row is kept exactly as it is.
        entry.locked, entry.locked_mentor = True, email_at(row, columns[MENTOR_EMAIL])
        entry.notes.append(
            f"{unknown[0]} is a formula whose value is not saved in the workbook, so the row is"
            " kept as it is; type the value instead (mentor-sync saves the workbook without"
            " the values of formulas, so a formula's value is known only until its next save)"
        )
        entry.unknown = True
        return
    raw_status = row_status(row, columns)
    entry.status = known_status(raw_status) or raw_status or SUGGESTED
    entry.override = email_at(row, columns[OVERRIDE])
    entry.rejected = rejected_mentors(row, columns)
    current = email_at(row, columns[MENTOR_EMAIL])
    if entry.status == REJECTED_STATUS:
        if current and current not in entry.rejected:
            entry.rejected.append(current)
        entry.status, entry.write_status = SUGGESTED, True
        # The rejected pair's introduction is not the next one's: its next mentor is
        # introduced afresh, and the pair that ended keeps its day in Pair Health.
        entry.values[INTRODUCED] = None
    if entry.override and entry.override in entry.rejected:
        entry.notes.append(
            f"{OVERRIDE} {entry.override} is also in {REJECTED}, so it is not used:"
            " clear one of the two"
        )
        entry.override = ""
    if entry.status in LOCKING or entry.status not in STATUSES:
        entry.locked, entry.locked_mentor = True, entry.override or current
    elif entry.override:
        entry.locked, entry.locked_mentor = True, entry.override


def _suggest(entry: _Entry, pick: Pick, min_score: int, displaced_by: str = "") -> None:
    """An open row: this slate's suggestion, its alternatives, and whose choice moved it."""
    mentor, fit = pick.mentor, pick.fit
    notes = [*entry.notes, *_weak(entry, fit, min_score, mentor is not None)]
    if displaced_by:
        notes.append(displaced_by)
    entry.values.update(
        {
            MENTOR: mentor.name if mentor else None,
            MENTOR_EMAIL: mentor.email if mentor else None,
            SCORE: fit.score if mentor else None,
            WHY: "; ".join([*notes, fit.why]),
            ALTERNATIVES: "; ".join(map(_alternative_text, pick.alternatives)) or None,
        }
    )


def _alternative_text(alternative: Alternative) -> str:
    """What choosing the mentor costs, short enough for a cell: 'Nadia Brooks
    <nadia@noaa.edu> 68 (her place goes to Ana Ruiz, 74)', or '... (has a free place)'."""
    mentor, taker = alternative.mentor, alternative.goes_to
    named = f"{mentor.name} <{mentor.email}> {alternative.score}"
    if taker is None:
        return f"{named} (has a free place)"
    whose = possessive(", ".join(mentor.items("pronouns")))
    place = f"{whose} place" if whose else "place"
    return f"{named} ({place} goes to {taker.name or taker.email}, {alternative.goes_to_score})"


def _weak(entry: _Entry, fit: Fit, min_score: int, paired: bool) -> list[str]:
    """Flag the entry weak when its pair scores below `min_score`; the note for Why."""
    entry.weak = paired and fit.score < min_score
    return [f"weak match (score below {min_score})"] if entry.weak else []


def _keep(
    entry: _Entry,
    mentee: Applicant,
    mentors: Mapping[str, Applicant],
    load: Mapping[str, int],
    matcher: Matcher,
    min_score: int,
) -> None:
    """A pair the committee fixed: Approved, Hold, an override, or an unknown Status."""
    notes = entry.notes
    if entry.unknown:
        entry.values[WHY] = "; ".join(notes)
        return
    if entry.status not in STATUSES:
        notes.append(
            f"Status '{entry.status}' is not one of {', '.join(STATUSES)}; the row is"
            " kept as it is until the Status is corrected"
        )
    mentor = mentors.get(entry.locked_mentor)
    if not entry.locked_mentor:
        notes.append(
            f"{entry.status} without a mentor: name one in {OVERRIDE},"
            f" or set {STATUS} to {SUGGESTED} for a suggestion"
        )
        entry.values[WHY] = "; ".join(notes)
        return
    if mentor is None:
        if entry.override and entry.override == entry.locked_mentor:
            notes.append(
                f"{OVERRIDE} '{entry.override}' is not a mentor in the mentor"
                " responses; check the address"
            )
            entry.values.update({MENTOR: None, MENTOR_EMAIL: None, SCORE: None})
        else:
            notes.append(
                f"the mentor {entry.locked_mentor} is no longer in the mentor"
                " responses; the pair is kept as the committee set it"
            )
        entry.values[WHY] = "; ".join(notes)
        return
    fit = matcher.fit(mentee, mentor)
    if entry.override:
        notes.append("committee's choice")
    if fit.refusal:
        notes.append(f"note: against the rules: {fit.refusal}")
    notes.extend(_weak(entry, fit, min_score, True))
    if load.get(mentor.email, 0) > mentor.capacity:
        notes.append(
            f"note: {mentor.name} has {load[mentor.email]} mentees for a capacity"
            f" of {mentor.capacity}"
        )
    entry.values.update(
        {
            MENTOR: mentor.name,
            MENTOR_EMAIL: mentor.email,
            ALTERNATIVES: None,  # the committee has chosen: no list to go stale
            SCORE: fit.score,
            WHY: "; ".join([*notes, fit.why]),
        }
    )


def _returning(entry: _Entry, returning: Mapping[str, str]) -> None:
    """Name in Why the past pairs of a mentee or mentor who took part before."""
    mentor = normalise_email(entry.values.get(MENTOR_EMAIL, entry.locked_mentor))
    said = [
        f"{role} took part before ({returning[email]})"
        for role, email in (("mentee", entry.email), ("mentor", mentor))
        if email in returning
    ]
    if said and WHY in entry.values:
        entry.values[WHY] = "; ".join([str(entry.values[WHY] or ""), *said]).strip("; ")


def _withdrawn(entry: _Entry) -> None:
    why = "not in the mentee responses any more (withdrawn, or the email changed); the row is kept"
    if entry.locked:
        kept = f" with its mentor {entry.locked_mentor}" if entry.locked_mentor else ""
        entry.values[WHY] = why + kept
        return
    entry.values.update({MENTOR: None, MENTOR_EMAIL: None, SCORE: None, WHY: why})


def _changed_cells(
    entries: Sequence[_Entry], columns: Mapping[str, int], is_new: bool
) -> dict[tuple[int, int], Cell]:
    cells: dict[tuple[int, int], Cell] = {}
    if is_new:
        cells.update({(1, columns[name] + 1): name for name in COLUMNS})
    for entry in entries:
        values = dict(entry.values)
        if entry.row is None:
            values[MENTEE_EMAIL] = entry.email
        elif email_at(entry.row, columns[MENTEE_EMAIL]) == entry.email:
            values.pop(MENTEE_EMAIL, None)
        if (
            entry.row is not None
            and _email_list(cell(entry.row, columns[REJECTED])) == entry.rejected
        ):
            values.pop(REJECTED, None)  # same list, perhaps typed differently: leave it
        for name, value in values.items():
            old = cell(entry.row, columns[name]) if entry.row else None
            if not same_value(old, value):
                cells[entry.number, columns[name] + 1] = value
    return cells


def _email_list(value: Cell) -> list[str]:
    if is_blank(value):
        return []
    found: list[str] = []
    for part in _LIST_SEPARATOR.split(str(value)):
        email = normalise_email(part)
        if email and email not in found:
            found.append(email)
    return found


def _application_order(mentee: Applicant) -> tuple[bool, datetime | int, str]:
    return (mentee.submitted is None, mentee.submitted or 0, mentee.email)
