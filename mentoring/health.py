"""Pair health: what the check-ins sent and the answers back say about each pair.

For each person of an introduced pair: the check-ins the Email Log has as sent
to them, which of them they answered (an answer counts for the latest check-in
sent before it), their latest rating, and whether they asked the committee to
get in touch. From that, a Flag in plain words when the pair needs a look, and
the reminder due to a person who has not answered their latest check-in.
Nothing here reads the clock: `today` is a parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from mentoring.answers import NO, Answer, Answers
from mentoring.errors import ConfigError
from mentoring.intake import normalise_email
from mentoring.ledger import Ledger
from mentoring.outgoing import REMINDER, Planned, checkin_key
from mentoring.pairs import Pair, Person
from mentoring.reports import rewrite_tab
from mentoring.settings import Checkin, Health, Settings
from mentoring.sheet import Cell, Row, TabEdits, Table, cell, header_key, is_blank, is_new_tab

ACTIVE, YEAR_OVER, ENDED = "active", "year over", "ended"
QUIET, LOW, NOT_MET, CONTACT = "quiet", "rating", "not met", "contact"


@dataclass(frozen=True)
class Asked:
    """A check-in sent to one person, and whether they answered it."""

    name: str
    sent: datetime
    answered: bool
    overdue: bool  # unanswered for health.answer_within_days


@dataclass(frozen=True)
class Side:
    """One person of a pair: the check-ins sent to them and what they answered."""

    person: Person
    asked: tuple[Asked, ...]
    answers: tuple[Answer, ...]  # oldest first

    @property
    def answered(self) -> int:
        return sum(1 for a in self.asked if a.answered)

    @property
    def rating(self) -> Answer | None:
        return next((a for a in reversed(self.answers) if a.rating is not None), None)

    @property
    def latest(self) -> Answer | None:
        return self.answers[-1] if self.answers else None

    @property
    def unanswered_run(self) -> int:
        """How many check-ins in a row, up to the latest one past its time, went unanswered."""
        run = 0
        for asked in reversed(self.asked):
            if asked.answered:
                break
            run += asked.overdue
        return run

    @property
    def last_overdue(self) -> str:
        """The name of the latest check-in past its time without an answer ("" for none)."""
        return next((a.name for a in reversed(self.asked) if a.overdue), "")

    @property
    def waiting(self) -> Asked | None:
        """The latest check-in, when it is past its time without an answer."""
        if self.asked and self.asked[-1].overdue:
            return self.asked[-1]
        return None


@dataclass(frozen=True)
class Flag:
    text: str  # in plain words, as the Flag column shows it
    key: str  # what raised it (QUIET, LOW, ... first); raised again by a new event, a new key


@dataclass(frozen=True)
class PairHealth:
    pair: Pair
    state: str  # ACTIVE or YEAR_OVER
    mentee: Side
    mentor: Side
    flags: tuple[Flag, ...]

    @property
    def sides(self) -> tuple[Side, Side]:
        return self.mentee, self.mentor

    @property
    def last_answer(self) -> Answer | None:
        latest = [a for a in (self.mentee.latest, self.mentor.latest) if a is not None]
        return max(latest, key=lambda a: a.submitted, default=None)

    @property
    def met(self) -> Answer | None:
        """The latest answer, from either of them, to "Have you met since the last check-in?"."""
        said = [a for side in self.sides for a in side.answers if a.met]
        return max(said, key=lambda a: a.submitted, default=None)


def assess_pairs(
    pairs: Sequence[Pair],
    answers: Answers,
    ledger: Ledger,
    settings: Settings,
    today: date,
) -> list[PairHealth]:
    """The health of every pair introduced by `today`."""
    return [
        assess(
            pair,
            answers.by_pair.get(pair.label, ()),
            ledger.sent_at,
            settings.checkins,
            settings.health,
            today,
            answers.known,
        )
        for pair in pairs
        if pair.introduced_on is not None and pair.introduced_on <= today
    ]


def assess(
    pair: Pair,
    answers: Sequence[Answer],
    sent: Callable[[str], datetime | None],
    calendar: Sequence[Checkin],
    health: Health,
    today: date,
    answers_known: bool = True,
) -> PairHealth:
    """The health of an introduced `pair` on `today`; `sent(key)` is when the Email Log has
    the email of that key as sent (None when it was not). Without `answers_known` (no
    check-in form linked to the spreadsheet) no check-in is ever late: people may have
    answered by email, so nobody is flagged or reminded for not answering."""
    sides = []
    for person in (pair.mentee, pair.mentor):
        addresses = {person.email, pair.key_email(person)}  # and before a correction
        theirs = tuple(a for a in answers if a.email in addresses)
        times = [
            (checkin.name, when)
            for checkin in calendar
            if (when := sent(checkin_key(checkin.name, pair, person))) is not None
        ]
        times.sort(key=lambda item: item[1])
        asked = []
        for index, (name, when) in enumerate(times):
            until = times[index + 1][1] if index + 1 < len(times) else None
            answered = any(
                when <= a.submitted and (until is None or a.submitted < until) for a in theirs
            )
            late = when.date() + timedelta(days=health.answer_within_days) <= today
            overdue = late and not answered and answers_known
            asked.append(Asked(name, when, answered, overdue))
        sides.append(Side(person, tuple(asked), theirs))
    mentee, mentor = sides
    last = calendar[-1].name if calendar else None
    over = all(any(a.name == last for a in side.asked) for side in sides)
    assessed = PairHealth(pair, YEAR_OVER if over else ACTIVE, mentee, mentor, ())
    return replace(assessed, flags=tuple(_flags(assessed, health)))


def _flags(health: PairHealth, settings: Health) -> list[Flag]:
    flags = []
    quiet = [s for s in health.sides if s.unanswered_run >= settings.quiet_checkins]
    if quiet:
        n = settings.quiet_checkins
        said = "the last check-in" if n == 1 else f"the last {n} check-ins"
        evidence = " | ".join(f"{s.person.email} {s.last_overdue}" for s in quiet)
        flags.append(Flag(f"no answer to {said} ({_roles(quiet)})", f"{QUIET} | {evidence}"))
    low = [
        (s, rated, rating)
        for s in health.sides
        if (rated := s.rating) is not None
        and (rating := rated.rating) is not None
        and rating <= settings.low_rating
    ]
    if low:
        scores = ", ".join(f"{s.person.role.lower()}: {rating}" for s, _, rating in low)
        evidence = " | ".join(f"{s.person.email} {_stamp(rated)}" for s, rated, _ in low)
        text = f"rating {settings.low_rating} or lower ({scores})"
        flags.append(Flag(text, f"{LOW} | {evidence}"))
    met = health.met
    if met is not None and met.met == NO:
        flags.append(Flag("have not met", f"{NOT_MET} | {met.email} {_stamp(met)}"))
    asking = [
        (s, latest) for s in health.sides if (latest := s.latest) is not None and latest.contact
    ]
    if asking:
        when = ", ".join(f"{s.person.role.lower()}, {a.submitted:%Y-%m-%d}" for s, a in asking)
        evidence = " | ".join(f"{s.person.email} {_stamp(a)}" for s, a in asking)
        text = f"asked the committee to get in touch ({when})"
        flags.append(Flag(text, f"{CONTACT} | {evidence}"))
    return flags


# How each kind of flag begins in the Flag column (as _flags words it).
FLAG_OPENINGS = {
    QUIET: "no answer to ",
    LOW: "rating ",
    NOT_MET: "have not met",
    CONTACT: "asked the committee",
}


def flag_kinds(text: Cell) -> set[str]:
    """The kinds of flag (QUIET, LOW, NOT_MET, CONTACT) a Flag cell shows."""
    parts = [part.strip() for part in str(text or "").split("; ")]
    return {
        kind for kind, opening in FLAG_OPENINGS.items() if any(p.startswith(opening) for p in parts)
    }


def _stamp(answer: Answer) -> str:
    return f"{answer.submitted:%Y-%m-%d %H:%M:%S}"


def _roles(sides: Sequence[Side]) -> str:
    return " and ".join(s.person.role.lower() for s in sides)


def reminders_due(
    healths: Sequence[PairHealth],
    settings: Health,
    today: date,
    logged: Callable[[str], bool],
    busy: set[tuple[str, str]],
) -> list[Planned]:
    """One reminder to each person whose latest check-in is past its time unanswered, unless
    it is `logged` already or `busy` (pair label, email) holds them: a check-in goes to them
    in this run, which asks again anyway."""
    if not settings.reminders:
        return []
    due = []
    for health in healths:
        for side in health.sides:
            waiting = side.waiting
            if waiting is None or (health.pair.label, side.person.email) in busy:
                continue
            planned = Planned(
                REMINDER,
                REMINDER,
                health.pair,
                (side.person,),
                today,
                reminder_of=waiting.name,
                asked_on=waiting.sent.date(),
            )
            if not logged(planned.key):
                due.append(planned)
    return due


# The Pair Health tab.

MENTEE, MENTEE_EMAIL, MENTOR, MENTOR_EMAIL = "Mentee", "Mentee Email", "Mentor", "Mentor Email"
INTRODUCED_ON, STATE, FLAG, NOTES = "Introduced On", "State", "Flag", "Notes"
TOOL_COLUMNS = (
    MENTEE,
    MENTEE_EMAIL,
    MENTOR,
    MENTOR_EMAIL,
    INTRODUCED_ON,
    STATE,
    "Check-ins to Mentee",
    "Answered by Mentee",
    "Check-ins to Mentor",
    "Answered by Mentor",
    "Mentee Rating",
    "Mentor Rating",
    "Met Since Last Check-in",
    "Last Answer",
    FLAG,
)
COLUMNS = (*TOOL_COLUMNS, NOTES)  # Notes, and any column the committee adds, are theirs
_STATE_ORDER = {ACTIVE: 0, YEAR_OVER: 1, ENDED: 2}


@dataclass(frozen=True)
class HealthTab:
    edits: TabEdits
    ended: tuple[str, ...]  # labels of pairs whose rows say ENDED


def health_row(health: PairHealth) -> dict[str, Cell]:
    mentee, mentor = health.sides
    met, last = health.met, health.last_answer
    return {
        MENTEE: health.pair.mentee.name,
        MENTEE_EMAIL: health.pair.mentee.email,
        MENTOR: health.pair.mentor.name,
        MENTOR_EMAIL: health.pair.mentor.email,
        INTRODUCED_ON: health.pair.introduced_on,
        STATE: health.state,
        "Check-ins to Mentee": len(mentee.asked),
        "Answered by Mentee": mentee.answered,
        "Check-ins to Mentor": len(mentor.asked),
        "Answered by Mentor": mentor.answered,
        "Mentee Rating": mentee.rating.rating if mentee.rating else None,
        "Mentor Rating": mentor.rating.rating if mentor.rating else None,
        "Met Since Last Check-in": f"{met.met} ({met.submitted:%Y-%m-%d})" if met else None,
        "Last Answer": last.submitted.date() if last else None,
        FLAG: "; ".join(flag.text for flag in health.flags) or None,
    }


def health_tab(
    existing: Table | None,
    tab: str,
    healths: Sequence[PairHealth],
    held: Set[str] = frozenset(),
) -> HealthTab:
    """The edits that make the Pair Health tab hold one row per pair in `healths`.

    The tool's columns are rewritten; Notes and any column the committee added move with
    their pair (found by the two emails, so the tab may be sorted). A row whose pair is no
    longer current (no longer Approved with this mentor) is kept as it was, State `ended`;
    a row of the committee's own, without the emails, is kept too; two rows of one pair
    become one, their committee texts joined. The row of a mentee in `held` (their committee
    row could not be read this run) is kept exactly as it was.

    Raises ConfigError, writing nothing, when the tab cannot be read without losing a
    committee text: an email column renamed, two columns of one name, or text in a
    column without a name.
    """
    theirs: list[str] = [NOTES]
    old: dict[tuple[str, str], dict[str, Cell]] = {}
    loose: list[dict[str, Cell]] = []
    if existing is not None and not is_new_tab(existing, COLUMNS, "Pair Health"):
        _check(existing)
        theirs += [h for h in existing.header if h and header_key(h) not in _KNOWN]
        for _, pair, values in pair_rows(existing):
            if pair is None:
                loose.append(values)
            elif pair in old:
                join_texts(old[pair], {name: values.get(name) for name in theirs})
            else:
                old[pair] = values
    header = (*TOOL_COLUMNS, *theirs)
    rows: list[dict[str, Cell]] = []
    for health in healths:
        pair = (health.pair.mentee.email, health.pair.mentor.email)
        kept = old.pop(pair, None) or old.pop(health.pair.emails, {})  # an address corrected
        rows.append({**{h: kept.get(h) for h in theirs}, **health_row(health)})
    ended = []
    for pair, values in old.items():
        if pair[0] in held:
            rows.append(values)
            continue
        rows.append({**values, STATE: ENDED})
        ended.append(f"{pair[0]} | {pair[1]}")
    rows.sort(key=_order)
    table = [[values.get(h) for h in header] for values in [*rows, *loose]]
    return HealthTab(rewrite_tab(existing, tab, header, table), tuple(ended))


_KNOWN = {header_key(h) for h in COLUMNS}


def pair_rows(table: Table) -> list[tuple[Row, tuple[str, str] | None, dict[str, Cell]]]:
    """Each row of a Pair Health tab: its pair (the mentee's and the mentor's email; None
    for a row of the committee's own), and its cells by column name, ours spelt as the tool
    spells them."""
    names = [_canonical(h) if h else "" for h in table.header]
    found = []
    for row in table.rows:
        values = {name: cell(row, i) for i, name in enumerate(names) if name}
        pair = (
            normalise_email(values.get(MENTEE_EMAIL)),
            normalise_email(values.get(MENTOR_EMAIL)),
        )
        found.append((row, pair if all(pair) else None, values))
    return found


def join_texts(values: dict[str, Cell], more: Mapping[str, Cell]) -> None:
    """The committee's texts of a second row of one pair join those of the first: "called
    in May; met at the conference" (a text both rows have is kept once)."""
    for name, value in more.items():
        said = [v for v in (values.get(name), value) if not is_blank(v)]
        if len(said) == 2 and str(said[0]).strip() != str(said[1]).strip():
            values[name] = f"{str(said[0]).strip()}; {str(said[1]).strip()}"
        elif said:
            values[name] = said[0]


def _check(table: Table) -> None:
    fix = "mentor-sync finds each pair's Notes by it"
    for name in (MENTEE_EMAIL, MENTOR_EMAIL):
        table.require(name, what="a column of Pair Health", fix=f"Rename it back; {fix}.")
    check_texts_have_a_place(table)


def check_texts_have_a_place(table: Table) -> None:
    """Raise ConfigError when a committee text of `table` could not be carried by its
    column's name: two columns of one name, or text in a column without one."""
    names = [header_key(h) for h in table.header if h]
    twice = sorted({h for h in table.header if h and names.count(header_key(h)) > 1})
    if twice:
        raise ConfigError(
            f"two columns of tab '{table.name}' are named '{twice[0]}'; rename one, so that"
            " each keeps its text with its pair"
        )
    for row in table.rows:
        for index, value in enumerate(row.cells):
            unnamed = index >= len(table.header) or not table.header[index]
            if unnamed and not is_blank(value):
                raise ConfigError(
                    f"tab '{table.name}' has text in row {row.number}, column"
                    f" {_column_letter(index + 1)}, which has no name in row 1; give the"
                    " column a name, so that mentor-sync keeps its text with its pair"
                )


def _column_letter(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _canonical(header: str) -> str:
    """Our spelling of one of our columns (a committee may retype a header's case)."""
    return next((h for h in COLUMNS if header_key(h) == header_key(header)), header)


def _order(values: dict[str, Cell]) -> tuple[int, date, str]:
    introduced = values.get(INTRODUCED_ON)
    day = introduced.date() if isinstance(introduced, datetime) else introduced
    return (
        _STATE_ORDER.get(str(values.get(STATE) or ""), 3),
        day if isinstance(day, date) else date.max,
        str(values.get(MENTEE_EMAIL) or ""),
    )
