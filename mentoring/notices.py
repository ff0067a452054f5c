"""Word to everyone the final slate leaves without a partner.

The program's page promises that the committee contacts a mentee "once the match is
made" and a mentor "when there is an appropriate mentee match". Once the committee says
the slate is final (`mentor-sync notify-unmatched`, or the day `notify.unmatched_on`, on
which `run` sends them after its match), each mentee without a mentor gets one email
(`not_matched`: not this year, and why we keep the application) and each mentor without a
mentee another (`mentor_pool`: you are in the pool), once each, through the Email Log and
the send journal like every email.

Who is told is read from the committee tab, never guessed:
- without a slate (no committee tab, or no mentee's row in it) nobody is known to be
  paired, so nobody is told anything (`no_slate`);
- nobody in an Approved or Hold row, in either role, hears anything; and while such a row
  names a mentor who is not in the mentor responses (a name pasted with the address, a
  typo), no mentor is told they are in the pool: that row's mentor could be any of them;
- a mentee is unmatched when their row names no mentor (the match found none, or the
  committee cleared it), or is Rejected with no other mentor in Committee Mentor Email
  once the match has seen the rejection (the mentor is in Rejected Mentors);
- a row that still waits (Suggested with a mentor, Rejected with another mentor named or
  not yet seen by the match, a Status the tool does not know, a formula whose value is not
  saved) tells neither of its people anything until it is decided: a line says so;
- the two people of a pair that ended after its introduction (an Introduced On on a row
  no longer Approved or Hold, or an introduction sent within the past year) are not told:
  "not this year" would be wrong for them, and a line asks the committee to write;
- an applicant whose response could not be used (the Intake Issues tab) did not apply
  in a form the tool can read: not told, with a line;
- an applicant with no row yet (the match has not run since they applied) waits for it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from mentoring.addresses import email_at
from mentoring.committee import (
    APPROVED,
    COLUMNS,
    HOLD,
    INTRODUCED,
    MENTEE_EMAIL,
    MENTOR_EMAIL,
    OVERRIDE,
    REJECTED,
    REJECTED_STATUS,
    STATUS,
    STATUSES,
    SUGGESTED,
    known_status,
    rejected_mentors,
    row_mentor,
    row_status,
)
from mentoring.errors import ConfigError
from mentoring.intake import Responses
from mentoring.ledger import Ledger
from mentoring.outgoing import (
    INTRODUCTION,
    MENTOR_POOL,
    NOT_MATCHED,
    Planned,
    is_notice,
    notice_key,
    pair_label,
    send_key,
)
from mentoring.pairs import MENTEE_ROLE, MENTOR_ROLE, Pair, Person, person_of
from mentoring.settings import Settings
from mentoring.sheet import NOTHING_DONE, Row, Table, Unknown, cell, is_blank, is_new_tab

TEMPLATES = {NOT_MATCHED: "not_matched", MENTOR_POOL: "mentor_pool"}
_ROLES = {NOT_MATCHED: MENTEE_ROLE, MENTOR_POOL: MENTOR_ROLE}
# `run` sends the notices, after its match, from notify.unmatched_on for this many days (room
# enough for what the daily cap leaves), then no more: a day left in the settings from last
# year must not write to next year's applicants before their slate is made.
SENDING_DAYS = timedelta(days=30)
# Someone told under one cohort is not told again under another within this time: a slate
# made final on 30 December and again on 2 January is one year's.
TOLD_LATELY = timedelta(days=183)
# An introduction sent longer ago than this was of an earlier year's pair: that year is
# over, and its people may be told this year's slate like anyone else.
PAIR_YEAR = timedelta(days=365)


@dataclass(frozen=True)
class Notice:
    """One email to someone the final slate leaves without a partner; `where` is their
    application ("Form Responses 1 row 4"), for the lines that name them."""

    kind: str  # NOT_MATCHED or MENTOR_POOL
    person: Person
    cohort: str
    where: str
    resend: int = 0  # the n-th time it is sent again, on the committee's request
    first_sent: datetime | None = None  # when it went first, for one sent again

    @property
    def template(self) -> str:
        return TEMPLATES[self.kind]

    @property
    def to(self) -> tuple[Person, ...]:
        return (self.person,)

    @property
    def key(self) -> str:
        return notice_key(self.kind, self.cohort, self.person.email)

    @property
    def send_key(self) -> str:
        return send_key(self.key, self.resend)


# Any email to one or two people of the program, as a run plans it.
Email = Planned | Notice


@dataclass(frozen=True)
class Unmatched:
    """The notices the slate calls for, and a line for each person who is not told, why."""

    notices: tuple[Notice, ...]
    not_told: tuple[str, ...]


@dataclass(frozen=True)
class NoticePlan:
    """A run's notices: those to send now, how many wait for the daily cap, who is not told
    and why, who was told already (the Email Log has their notice of this cohort), and the
    resend requests that cannot be met."""

    batch: tuple[Notice, ...]
    deferred: int
    not_told: tuple[str, ...]
    problems: tuple[str, ...]
    told_already: tuple[str, ...] = ()


def notice_day(unmatched_on: date | None, today: date) -> date | None:
    """The day the slate was made final, when `run` sends the notices `today` (from
    notify.unmatched_on, for SENDING_DAYS); None when it sends none."""
    if unmatched_on is None or not unmatched_on <= today < unmatched_on + SENDING_DAYS:
        return None
    return unmatched_on


def no_slate(committee: Table | None, tab: str) -> str:
    """Why nobody can be told yet that they are unmatched ("" when they can): there is no
    committee tab, or no mentee's row in it. Without a slate nobody is known to be paired,
    so nobody is known to be left out. Raises ConfigError when Mentee Email is missing."""
    if committee is None or is_new_tab(committee, COLUMNS, "the committee's matches"):
        return f"no {tab} yet"
    mentees = _committee_column(committee, MENTEE_EMAIL)
    if all(is_blank(cell(row, mentees)) for row in committee.rows):
        return f"no rows in {tab} yet"
    return ""


def introduced_lately(
    ledger: Ledger, past: Collection[tuple[str, str]], today: date
) -> dict[tuple[str, str], date]:
    """The pairs (mentee, mentor) whose introduction the Email Log or the journal has as
    sent (or maybe sent) within PAIR_YEAR before `today`, with its day; a pair of an earlier
    year (`past`: Past Pairs) is not one of them."""
    found: dict[tuple[str, str], date] = {}
    for entry in ledger.entries():
        sent = ledger.sent_at(entry.key)
        if not entry.key.startswith(INTRODUCTION) or sent is None:
            continue
        mentee, _, mentor = pair_label(entry.key).partition(" | ")
        if today - PAIR_YEAR < sent.date() and (mentee, mentor) not in past:
            found[mentee, mentor] = sent.date()
    return found


# Where a committee row leaves its people: in a pair (Approved, Hold), waiting for the
# committee's decision, or with no partner.
_PAIRED, _WAITING, _ALONE = "paired", "waiting", "alone"


@dataclass(frozen=True)
class _Standing:
    row: int
    mentee: str
    mentor: str  # the mentor the row names, "" for none
    where: str  # _PAIRED, _WAITING or _ALONE
    why: str = ""  # for a row that waits: what the committee should do
    status: str = ""  # the row's Status, as the tool spells it when it knows it
    ended: bool = False  # introduced (Introduced On), and Suggested, Rejected or blank now


def left_unmatched(
    committee: Table | None,
    responses: Responses,
    settings: Settings,
    cohort: str,
    introduced: Mapping[tuple[str, str], date] | None = None,
) -> Unmatched:
    """Who the committee tab, as it stands, leaves without a partner: a notice for each,
    and a line for everyone not told. `introduced` are the pairs introduced within the past
    year (`introduced_lately`): the people of one that ended are not told.

    Raises ConfigError when there is no slate yet (`no_slate`), or a committee column is
    missing."""
    tab = settings.tabs.committee
    missing = no_slate(committee, tab)
    if missing or committee is None:
        raise ConfigError(
            f"{missing}; run match first, and let the committee decide, before telling anyone"
            f" they are unmatched. {NOTHING_DONE}"
        )
    standings, unknown = _standings(committee, tab)
    paired = {email for s in standings if s.where == _PAIRED for email in (s.mentee, s.mentor)}
    lines = [*unknown, *_did_not_apply(responses, paired)]
    if unknown:
        return Unmatched((), tuple(lines))
    misnamed = _misnamed_mentors(standings, responses, tab)
    left = [(NOT_MATCHED, a) for a in responses.mentees if a.email not in paired]
    if not misnamed:
        left += [(MENTOR_POOL, a) for a in responses.mentors if a.email not in paired]
    why_not = _why_not(standings, responses, introduced or {}, tab)
    notices: list[Notice] = []
    waiting: list[str] = []
    for kind, applicant in left:
        person = person_of(applicant, _ROLES[kind])
        why = why_not.get((kind, applicant.email), "")
        if why:
            waiting.append(f"{_who(person)}: {why}")
        else:
            where = f"{applicant.tab} row {applicant.row}"
            notices.append(Notice(kind, person, cohort, where))
    return Unmatched(tuple(notices), (*waiting, *misnamed, *lines))


def _why_not(
    standings: list[_Standing],
    responses: Responses,
    introduced: Mapping[tuple[str, str], date],
    tab: str,
) -> dict[tuple[str, str], str]:
    """Why someone the slate leaves unpaired is not told, by (notice kind, address): their
    row waits for the committee, they have no row yet, or their pair ended after its
    introduction (which says most, so it is said over the others)."""
    why: dict[tuple[str, str], str] = {}
    for s in standings:
        if s.where == _WAITING:
            why.update({(NOT_MATCHED, s.mentee): s.why, (MENTOR_POOL, s.mentor): s.why})
    rowed = {s.mentee for s in standings}
    no_row = f"no row in {tab} yet; the next match gives them one"
    for applicant in responses.mentees:
        if applicant.email not in rowed:
            why.setdefault((NOT_MATCHED, applicant.email), no_row)
    ended = {
        (s.mentee, s.mentor): f"{tab} row {s.row} still has its Introduced On"
        for s in standings
        if s.ended
    }
    ended |= {pair: f"introduced on {day:%Y-%m-%d}" for pair, day in introduced.items()}
    for (mentee, mentor), evidence in ended.items():
        pair = " and ".join(email for email in (mentee, mentor) if email)
        said = (
            f"their pair ({pair}) ended after its introduction ({evidence}); write to them"
            " yourselves"
        )
        why.update({(NOT_MATCHED, mentee): said, (MENTOR_POOL, mentor): said})
    return why


def _misnamed_mentors(standings: list[_Standing], responses: Responses, tab: str) -> list[str]:
    """A line for each Approved or Hold row whose mentor is no mentor of the responses (an
    address mistyped, or a mentor whose response is in Intake Issues): that row's mentor
    could be any of them, so while there is one, no mentor is told they are in the pool."""
    mentors = {applicant.email for applicant in responses.mentors}
    in_issues = {issue.email: f"{issue.tab} row {issue.row}" for issue in responses.issues}
    held = " (no mentor is told they are in the pool until then)"
    lines = []
    for s in standings:
        if s.where != _PAIRED or not s.mentor or s.mentor in mentors:
            continue
        if s.mentor in in_issues:
            fix = (
                f"whose response ({in_issues[s.mentor]}) is in Intake Issues; correct it"
                " there, and the next run tells the mentors without a mentee"
            )
        else:
            fix = (
                f"which is not the address of a mentor in the mentor responses; type the"
                f" mentor's address alone in {OVERRIDE} (as {MENTOR_EMAIL} has it), and the"
                " next run tells the mentors without a mentee"
            )
        mentor = f"is {s.status} with '{s.mentor}' as its mentor"
        lines.append(f"{tab} row {s.row} ({s.mentee}) {mentor}, {fix}{held}")
    return lines


def _committee_column(committee: Table, name: str) -> int:
    """The column `name` of the committee tab; raises ConfigError, saying how to mend it,
    when the header has lost it."""
    fix = "Rename the column back; the match job made it."
    return committee.require(name, what="a column notify-unmatched reads", fix=fix)


def _standings(committee: Table, tab: str) -> tuple[list[_Standing], list[str]]:
    """Where each committee row leaves its people; and a line when a row's mentee or mentor
    cannot be known at all (a formula without its value), which holds every notice."""
    columns = {
        name: _committee_column(committee, name)
        for name in (MENTEE_EMAIL, MENTOR_EMAIL, STATUS, OVERRIDE, REJECTED, INTRODUCED)
    }
    standings, unknown = [], []
    for row in committee.rows:
        formula = next(
            (name for name in columns if isinstance(cell(row, columns[name]), Unknown)), ""
        )
        if formula:
            said = (
                f"{tab} row {row.number}: {formula} is a formula whose value is not saved;"
                " type the value instead"
            )
            if formula in (STATUS, REJECTED, INTRODUCED):
                mentee, mentor = email_at(row, columns[MENTEE_EMAIL]), row_mentor(row, columns)
                standings.append(_Standing(row.number, mentee, mentor, _WAITING, said))
            else:
                unknown.append(f"{said} (nobody is told who is unmatched until then)")
            continue
        standing = _standing(row, columns, tab)
        if standing.mentee or standing.mentor:
            standings.append(replace(standing, ended=_ended(row, columns)))
    return standings, unknown


def _ended(row: Row, columns: Mapping[str, int]) -> bool:
    """Whether the row's pair ended after its introduction: it has an Introduced On, and its
    Status is Suggested, Rejected or blank (Hold pauses a pair; a Status the tool does not
    know waits for the committee, as the pairs' emails do)."""
    status = row_status(row, columns)
    ended = not status or known_status(status) in (SUGGESTED, REJECTED_STATUS)
    return ended and not is_blank(cell(row, columns[INTRODUCED]))


def _standing(row: Row, columns: Mapping[str, int], tab: str) -> _Standing:
    status = row_status(row, columns)
    known = known_status(status)
    mentee = email_at(row, columns[MENTEE_EMAIL])
    override = email_at(row, columns[OVERRIDE])
    suggested = email_at(row, columns[MENTOR_EMAIL])
    here = f"{tab} row {row.number}"
    if known in (APPROVED, HOLD):
        return _Standing(row.number, mentee, override or suggested, _PAIRED, status=known)
    if status and known is None:
        why = (
            f"{here} ({mentee}) has Status '{status}', which is not one of"
            f" {', '.join(STATUSES)}; correct it, and the next run decides"
        )
        return _Standing(row.number, mentee, override or suggested, _WAITING, why)
    if known == REJECTED_STATUS:
        return _rejected(row, columns, here)
    mentor = override or suggested
    if not mentor:
        return _Standing(row.number, mentee, "", _ALONE)
    why = (
        f"{here} pairs {mentee} with {mentor} and is still {known or 'Suggested'}; approve"
        " the pair, or write Rejected, and the next run decides"
    )
    return _Standing(row.number, mentee, mentor, _WAITING, why)


def _rejected(row: Row, columns: Mapping[str, int], here: str) -> _Standing:
    """A Rejected row: its mentee is left alone once the match has seen the rejection (the
    mentor is in Rejected Mentors) and no other mentor is named; until then it waits."""
    mentee = email_at(row, columns[MENTEE_EMAIL])
    override = email_at(row, columns[OVERRIDE])
    suggested = email_at(row, columns[MENTOR_EMAIL])
    if override and override != suggested:
        why = (
            f"{here} ({mentee}) is Rejected with {override} named in {OVERRIDE};"
            " approve the new pair, or clear the cell, and the next run decides"
        )
        return _Standing(row.number, mentee, override, _WAITING, why)
    if suggested and suggested not in rejected_mentors(row, columns):
        why = (
            f"{here} ({mentee}) is Rejected, and no match has run since ({suggested} is not"
            f" in {REJECTED} yet), so the match may suggest another mentor; run match first,"
            " and the next run decides"
        )
        return _Standing(row.number, mentee, suggested, _WAITING, why)
    return _Standing(row.number, mentee, "", _ALONE)


def _did_not_apply(responses: Responses, paired: set[str]) -> list[str]:
    """A line for each person whose response could not be used (the Intake Issues tab),
    once: not matched, but they did not apply in a form the tool can read. Not for someone
    an Approved or Hold row names: the committee paired them (`_misnamed_mentors` says what
    their row holds back)."""
    applied = {(a.tab, a.email) for a in (*responses.mentees, *responses.mentors)}
    lines: dict[tuple[str, str], str] = {}
    for issue in responses.issues:
        if issue.email and ((issue.tab, issue.email) in applied or issue.email in paired):
            continue
        said = (
            f"{issue.person}: their response could not be used, so they did not apply in a"
            f" form the tool can read ({issue.tab} row {issue.row}, in Intake Issues:"
            f" {issue.problem})"
        )
        lines.setdefault((issue.tab, issue.email or f"row {issue.row}"), said)
    return list(lines.values())


def plan_notices(unmatched: Unmatched, ledger: Ledger, today: date, room: int) -> NoticePlan:
    """The notices neither the Email Log nor the journal has as sent (or maybe sent), and
    those the committee asked to send again, at most `room` of them."""
    lately = _told_lately(ledger, today)
    due: list[Notice] = []
    lines = list(unmatched.not_told)
    already: list[str] = []
    for notice in unmatched.notices:
        again = ledger.resends.get(notice.key)
        if again:
            first = ledger.get(notice.key)
            due.append(replace(notice, resend=again, first_sent=first.sent_at if first else None))
            continue
        if ledger.blocks(notice.key):
            already.append(_told_already(notice, ledger))
            continue
        told = lately.get((notice.kind, notice.person.email))
        if told is not None:
            lines.append(
                f"{_who(notice.person)}: had the '{notice.kind}' email on {told:%Y-%m-%d},"
                " under another cohort; not told again so soon (the tool tells them again from"
                f" {told + TOLD_LATELY:%Y-%m-%d}; until then, write to them yourselves)"
            )
            continue
        due.append(notice)
    asked = {notice.key for notice in unmatched.notices}
    problems = [
        f"the Email Log asks to send '{key}' again, but that person is not left unmatched by"
        " this slate (or the cohort is another year's); nothing was sent. Clear resend from"
        " its Status in the Email Log, or correct their row in the committee tab if they are"
        " in fact unmatched"
        for key in sorted(ledger.resends)
        if is_notice(key) and key not in asked
    ]
    return NoticePlan(
        tuple(due[:room]), max(0, len(due) - room), tuple(lines), tuple(problems), tuple(already)
    )


def _told_already(notice: Notice, ledger: Ledger) -> str:
    """The line for someone whose notice of this cohort the Email Log (or the journal) has:
    a second slate of the same year is not told under the same key, unless asked."""
    sent = ledger.sent_at(notice.key)
    entry = ledger.get(notice.key)
    status = entry.status if entry is not None else ""
    when = f"on {sent:%Y-%m-%d}" if sent else f"the Email Log has it as '{status}'"
    return (
        f"{_who(notice.person)}: {when} ('{notice.key}'); to tell them again for a new slate,"
        " write resend in its Status in the Email Log"
    )


def _told_lately(ledger: Ledger, today: date) -> dict[tuple[str, str], datetime]:
    """When each (kind, address) last had a notice handed over, within TOLD_LATELY."""
    told: dict[tuple[str, str], datetime] = {}
    for entry in ledger.entries():
        if not is_notice(entry.key):
            continue
        sent = ledger.sent_at(entry.key)
        if sent is None or sent.date() <= today - TOLD_LATELY:
            continue
        kind, _, email = entry.key.split(" | ")
        told[kind, email] = max(sent, told.get((kind, email), sent))
    return told


def _who(person: Person) -> str:
    """Someone in the lines for the committee: "Ana Ruiz <ana@m.org> (mentee)"."""
    return f"{person.name or person.email} <{person.email}> ({person.role.lower()})"


def sample_notice(kind: str, pair: Pair, cohort: str) -> Notice:
    """A notice of `kind` to the mentee of `pair` (NOT_MATCHED) or its mentor, to render as
    a sample (before a run, or as a test email)."""
    person = pair.mentee if kind == NOT_MATCHED else pair.mentor
    return Notice(kind, person, cohort, "a sample")
