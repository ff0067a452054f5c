"""What every job reads: the response tabs, the tool's own tabs (checked before anything is
written), past pairs, check-in answers, the approved pairs and who sends the emails."""

from __future__ import annotations

from collections.abc import Sequence, Set
from datetime import date
from pathlib import Path

from mentoring.answers import Answers, assign, read_answers
from mentoring.checkup import NO_COMMITTEE_EMAIL
from mentoring.errors import ConfigError, SettingsError, did_you_mean
from mentoring.identity import KnownPair, dated_as_sent, identify
from mentoring.intake import IntakeIssue, Responses, read_responses
from mentoring.ledger import SENT, Ledger
from mentoring.outgoing import INTRODUCTION, pair_label
from mentoring.pairs import Pair, PairsRead, Person, RowProblem, approved_pairs
from mentoring.past_pairs import past_pairs
from mentoring.settings import Settings
from mentoring.sheet import Table, header_key
from mentoring.tool_tabs import check_tool_tabs, renamed_tool_tab, tool_tabs
from sync.files import read_csv_table
from sync.journal import Journal
from sync.spreadsheet import Spreadsheet


def past_tables(settings: Settings, found: dict[str, Table]) -> list[Table]:
    """The pairs of earlier years: the Past Pairs tab (when read) and the .csv file."""
    matching = settings.matching
    tables = [found[matching.past_pairs_tab]] if matching.past_pairs_tab in found else []
    if matching.past_pairs_file and Path(matching.past_pairs_file).exists():
        tables.append(read_csv_table(Path(matching.past_pairs_file)))
    return tables


def checkin_answers(
    sheet: Spreadsheet,
    settings: Settings,
    found: dict[str, Table],
    pairs: Sequence[Pair],
    past: Set[tuple[str, str]] = frozenset(),
    quiet: Set[str] = frozenset(),
) -> Answers:
    """The check-in tab's answers by pair, and the rows of no pair as intake issues (an
    answer about a `past` pair, of a closed year, is neither; nor one from the `quiet`, the
    people of a pair held as it was this run). A tab that is not there means
    nobody has answered. A tab that cannot be read (a renamed question, a tab of a near
    name) is one intake issue, and its answers are unknown: the emails still go."""
    tab = settings.tabs.checkins
    try:
        if tab not in found:
            refuse_a_near_miss(
                sheet, settings, tab, "the check-in form's responses", "tabs.checkins"
            )
        rows = read_answers(found.get(tab), settings.checkin_form, settings.intake.date_order)
    except ConfigError as exc:
        problem = (
            f"{str(exc).rstrip('.')}. Until then the check-in answers are not read: Pair"
            " Health counts none, and nobody is reminded or flagged for not answering"
        )
        return Answers({}, (IntakeIssue(tab, 1, "", problem),), known=False)
    return assign(rows, pairs, tab, past, quiet)


def response_tab(
    sheet: Spreadsheet, found: dict[str, Table], name: str, what: str, key: str
) -> Table:
    """The form's response tab, or a ConfigError that suggests the closest tab name."""
    table = found.get(name)
    if table is None:
        hint = did_you_mean(name, sheet.tab_names())
        raise ConfigError(
            f"no tab '{name}' ({what}) in the spreadsheet{hint};"
            f" set {key} in the settings to the tab's name"
        )
    return table


def check_tabs(
    sheet: Spreadsheet, found: dict[str, Table], settings: Settings, creates: Sequence[str]
) -> None:
    """Refuse (ConfigError, before anything is written or sent) when a tab the tool writes
    has its header below row 1, or when a tab this job would make anew (`creates`) is
    missing while another tab has its columns: that tab, renamed where its marker could not
    follow, which a new one would start afresh. The other tabs are read only then (on
    Google, one request more, on the first run or after such a rename)."""
    check_tool_tabs(found, settings)
    tools = tool_tabs(settings)
    missing = [name for name in creates if name in tools and name not in found]
    if not missing:
        return
    tabs = settings.tabs
    claimed = {header_key(name) for name in (*tools, tabs.mentees, tabs.mentors, tabs.checkins)}
    others = [title for title in sheet.tab_names() if header_key(title) not in claimed]
    candidates = list(sheet.read(others).values()) if others else []
    for name in missing:
        for candidate in candidates:
            if why := renamed_tool_tab(name, tools[name], candidate):
                raise ConfigError(why)


def refuse_a_near_miss(
    sheet: Spreadsheet, settings: Settings, wanted: str, what: str, key: str
) -> None:
    """A missing tab the tool may start afresh, unless one with a close name is there:
    that is the committee's tab renamed, and starting a new one would ignore it."""
    ours = {*vars(settings.tabs).values(), settings.matching.past_pairs_tab} - {wanted}
    hint = did_you_mean(wanted, [name for name in sheet.tab_names() if name not in ours])
    if hint:
        raise ConfigError(
            f"no tab '{wanted}' ({what}){hint} If so, set {key} in the settings to its name,"
            " or rename the tab back"
        )


def read_applications(sheet: Spreadsheet, settings: Settings, found: dict[str, Table]) -> Responses:
    """The applicants of both forms, and the rows that could not be used; raises ConfigError
    when a response tab is missing (suggesting the closest name) or lacks a question."""
    tabs = settings.tabs
    mentees = response_tab(sheet, found, tabs.mentees, "mentee responses", "tabs.mentees")
    mentors = response_tab(sheet, found, tabs.mentors, "mentor responses", "tabs.mentors")
    return read_responses(mentees, mentors, settings)


def read_pairs(
    sheet: Spreadsheet,
    settings: Settings,
    found: dict[str, Table],
    today: date,
    ledger: Ledger | None = None,
    known: Sequence[KnownPair] = (),
    responses: Responses | None = None,
) -> PairsRead:
    """The approved pairs of the committee tab, with both people's answers from the forms,
    each known by the addresses its emails went out under (`ledger`: what was sent; `known`:
    the pairs the send journal remembers).

    A pair of an earlier year (Past Pairs, when `found` has it) is left out, with a problem
    that says why: the Email Log has that year's emails under the same keys, so a second
    year of the same two people would be taken for the first one. So is a pair whose mentor
    changed after its introduction: it is introduced anew, with a line that says so.
    """
    tabs = settings.tabs
    if responses is None:
        responses = read_applications(sheet, settings, found)
    mentor_field = {r.mentee: r.mentor for r in settings.matching.rules if r.kind == "overlap"}
    questions = [(f, mentor_field.get(f, f)) for f in settings.email.shared_interests]
    read = approved_pairs(
        found.get(tabs.committee), responses, questions, settings.intake.date_order, today
    )
    past = past_pairs(past_tables(settings, found))
    again = [p for p in read.pairs if (p.mentee.email, p.mentor.email) in past]
    problems = [
        RowProblem(
            tabs.committee,
            p.row,
            p.mentee.email,
            f"{p.mentee.email} and {p.mentor.email} were a pair in an earlier year (Past"
            " Pairs); mentor-sync sends them no emails, as its Email Log holds that year's:"
            " choose another mentor in Committee Mentor Email",
        )
        for p in again
    ]
    kept = [p for p in read.pairs if p not in again]
    held = set(read.held)
    dated: tuple[tuple[Pair, date], ...] = ()
    if ledger is not None:
        # A pair of an earlier year was closed: someone of the same name now is someone new.
        known = [k for k in known if k.emails not in past]
        introduced = {
            label: day
            for label, day in introductions(ledger).items()
            if tuple(label.split(" | ")) not in past
        }
        identified = identify(kept, known, introduced, tabs.committee)
        sent = introduced_by_the_tool(ledger)
        kept, lines = dated_as_sent(identified.pairs, sent, today, tabs.committee)
        problems, dated = [*problems, *identified.problems, *lines], identified.dated
        held |= set(identified.held)
    held |= {p.mentee.email for p in kept if p.introduced_on and p.introduced_on > today}
    people = read.held_people | {e for p in read.pairs if p.mentee.email in held for e in p.emails}
    return PairsRead(
        tuple(kept), (*read.problems, *problems), frozenset(held), dated, frozenset(people)
    )


def introduced_by_the_tool(ledger: Ledger) -> dict[str, date]:
    """The day each introduction the Email Log or the journal has as sent went first, by pair
    (one sent again on request keeps the Sent At of its first sending)."""
    return {
        pair_label(entry.key): entry.sent_at.date()
        for entry in ledger.entries()
        if entry.key.startswith(INTRODUCTION) and entry.state == SENT and entry.sent_at
    }


def introductions(ledger: Ledger) -> dict[str, date | None]:
    """Each pair the Email Log or the journal has emails of, with the day its introduction
    went (None when it had none: introduced by hand)."""
    found: dict[str, date | None] = {}
    for entry in ledger.entries():
        label = pair_label(entry.key)
        if not label:
            continue
        day = entry.sent_at.date() if entry.sent_at else None
        if entry.key.startswith(INTRODUCTION) and day is not None:
            found[label] = day
        else:
            found.setdefault(label, None)
    return found


def email_log(table: Table | None, settings: Settings, journal: Journal | None) -> Ledger:
    """What was sent: the Email Log tab (`table`, as read) and the send journal together.
    A journal that lacks what the Email Log has (it was lost, or is new) learns it here, so
    that its memory is whole again from this run on."""
    tab = settings.tabs.email_log
    ledger = Ledger(table, tab, journal.entries() if journal is not None else None)
    if journal is not None and not journal.read_only:
        learned = ledger.not_in_journal()
        if learned:
            journal.record(learned, synced=True)
            ledger.journal.update((entry.key, entry) for entry in learned)
    return ledger


def sender_person(settings: Settings) -> Person:
    """Who the emails are from: the sending address, or the committee's. Raises SettingsError
    when the committee's address, which every email names, is empty."""
    committee = committee_email(settings)
    return Person(
        email=settings.email.from_address or committee, name=settings.email.from_name, role=""
    )


def committee_email(settings: Settings) -> str:
    """program.committee_email, which the emails name (and come from, without
    email.from_address) and the alerts go to; SettingsError naming it when it is empty."""
    if not settings.program.committee_email:
        raise SettingsError(NO_COMMITTEE_EMAIL)
    return settings.program.committee_email


def spreadsheet_link(settings: Settings) -> str:
    """Where the committee opens the spreadsheet: its Google address, or the workbook's path."""
    if settings.spreadsheet.backend == "google":
        return f"https://docs.google.com/spreadsheets/d/{settings.spreadsheet.id}/edit"
    return settings.spreadsheet.path
