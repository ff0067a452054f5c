"""Committee edits interleaved with runs, killed runs and lost answers, in any order.

A hypothesis state machine plays a small program (3 mentees, 4 mentors, a real .xlsx)
through its year. Between runs of the real jobs through the command line, on days that
advance, the committee edits the workbook with openpyxl as a person in Excel would: sets
a Status, writes a note, names a mentor in Committee Mentor Email (on an introduced pair
without clearing Introduced On), corrects a mentor's address (the same person and name)
in the mentor responses and in the committee rows, sorts a tab, puts a blank row above a
tool tab's header and deletes it again, renames the Email Log as Excel does and back,
deletes or duplicates an Email Log row, writes a note in Pair Health, and saves back an
older copy of the workbook taken earlier. Some runs are killed just before or after one
of their writes or sends; in some the SMTP server takes an email but its answer is lost
(the SMTP equivalent of Gmail's 5xx after accepting a message).

After every step:
- no email was delivered twice, counted at a real SMTP server: by Message-ID, and by what
  the email is (the same email of the same two people to the same person, whatever their
  addresses: a corrected address must not make a pair's emails go again);
- every committee text the machine typed (Status, Committee Mentor Email and Notes of the
  committee tab, Notes of Pair Health) is on the row of the mentee it was typed for;
- a run succeeded (exit 0 or 1) or refused (exit 2, exactly when a tab it reads has a row
  above its header) and left the workbook as it was (but for the Email Log row of the
  alert about a job that failed twice in a row, which docs/running.md describes); it said no
  "unexpected error"; and an email run that succeeded left every email of the send
  journal in the Email Log.

Short replays of the failing examples it found (a `run` refusing for Pair Health after its
match had written; the same two people introduced again after an address correction) keep
them fixed.
"""

from __future__ import annotations

import copy
import hashlib
import io
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import openpyxl
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from jobs.backends import make_sender, open_journal, open_spreadsheet
from jobs.clock import program_now
from jobs.mail import CHECKIN, INTRODUCE, run_mail
from jobs.settings_file import load_settings, load_templates
from mentoring.errors import ConfigError, MentorSyncError
from mentoring.outgoing import pair_label
from mentoring.sheet import Cell, is_blank
from tests.conftest import mentee, mentor, program_workbook
from tests.fakes.crashes import CrashingSender, CrashingSheet, Killed
from tests.fakes.edits import deliveries, invoke, rename_as_excel_does

DAY0 = date(2026, 1, 12)
COMMITTEE, HEALTH, LOG = "Committee Matches", "Pair Health", "Email Log"
RENAMED_LOG = "Sent emails"  # what someone renames the Email Log to
STATUS, OVERRIDE, NOTES = "Status", "Committee Mentor Email", "Notes"
MENTEE_EMAIL, INTRODUCED_ON = "Mentee Email", "Introduced On"
MENTEES = (
    mentee("ana@m.org", name="Ana Ruiz"),
    mentee("bo@m.org", name="Bo Li", subjects="Engineering"),
    mentee("cy@m.org", name="Cy Park", skills="Statistics"),
)
MENTORS = (
    mentor("tom@t.org", name="Tom Ng"),
    mentor("uma@u.org", name="Uma Roy", subjects="Engineering"),
    mentor("vic@v.org", name="Vic Sol", skills="Statistics"),
    mentor("wen@w.org", name="Wen Ho", subjects="Physics"),
)
MENTEE_EMAILS = tuple(str(m["email"]) for m in MENTEES)
# Days between runs: the same day or the next (someone runs a job again), or weeks later,
# so that introductions, the check-ins of days 30, 120, 240 and 365, the reminders 14 days
# after a check-in and the monthly digests come due, some of them together.
SOON = st.sampled_from([0, 1])
LATER = st.sampled_from([14, 30, 45, 90])
JOBS = st.sampled_from(["match", "introduce", "checkin", "run"])
MAIL_JOBS = {"introduce": (INTRODUCE,), "checkin": (CHECKIN,), "run": (INTRODUCE, CHECKIN)}
# Said by the runner's alert about a job that failed twice in a row: it writes its row in
# the Email Log after the job refused (docs/running.md, "What the committee receives ...").
ALERTED = "alert: "


# --- the workbook as a person sees it -------------------------------------------------


def header_row(sheet: Worksheet, column: str) -> int:
    """The row of the tab's header: 1, or lower when someone put a row above it."""
    for number, values in enumerate(sheet.iter_rows(max_row=5, values_only=True), start=1):
        if column in values:
            return number
    raise AssertionError(f"no header with '{column}' in the first rows of '{sheet.title}'")


def rows_by_header(sheet: Worksheet, column: str) -> list[tuple[int, dict[str, Cell]]]:
    """The rows below the header, each with its row number and its cells by column."""
    top = header_row(sheet, column)
    header = [c.value for c in sheet[top]]
    found = []
    for number, values in enumerate(sheet.iter_rows(min_row=top + 1, values_only=True), top + 1):
        if any(not is_blank(v) for v in values):
            found.append((number, dict(zip(header, values, strict=False))))
    return found


@dataclass
class Held:
    """A cell's value and look, held while rows are moved."""

    value: Cell
    number_format: str
    quote_prefix: bool


def held(cell) -> Held:
    return Held(cell.value, cell.number_format, cell.quotePrefix)


def put(source: Held, target) -> None:
    """Give a cell the value and look held, as Excel moves or copies a cell."""
    target.value = source.value
    if isinstance(source.value, str):
        target.data_type = "s"  # text stays text, as the tool wrote it
    target.number_format = source.number_format
    target.quotePrefix = source.quote_prefix


def sort_key(cells: list[Held], column: int) -> tuple:
    value = cells[column].value if column < len(cells) else None
    return (is_blank(value), str(value or ""))


def same(found: Cell, expected: Cell) -> bool:
    return (is_blank(found) and is_blank(expected)) or found == expected


def values(sheet: Worksheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


@dataclass
class Expected:
    """The committee's texts as the machine typed them, and the state of the workbook's
    tabs. An older copy saved back brings back what it had, so one is kept with each copy."""

    # by mentee email: the Status, Committee Mentor Email and Notes of their committee row
    committee: dict[str, dict[str, Cell]]
    # each Pair Health note: the mentee of the row it was typed on
    health_notes: dict[str, str] = field(default_factory=dict)
    # each mentor's address in the mentor responses
    mentors: list[str] = field(default_factory=lambda: [str(m["email"]) for m in MENTORS])
    broken: frozenset[str] = frozenset()  # the tabs with a blank row above their header
    log_title: str = LOG


class EditsAndRuns(RuleBasedStateMachine):
    """One program, edited and run. The test sets `inbox` and `port` (the SMTP server)
    and `base` (a folder for the programs)."""

    inbox = None
    port = 0
    base = Path()

    def __init__(self):
        super().__init__()
        self.inbox.received.clear()
        self.inbox.raw.clear()
        self.inbox.drop_after = None
        self.root = Path(tempfile.mkdtemp(dir=self.base))
        self.settings_path = self.root / "settings.toml"
        self.settings_path.write_text(
            '[spreadsheet]\npath = "program.xlsx"\n'
            '[email]\nsender = "smtp"\n'
            f'[email.smtp]\nhost = "127.0.0.1"\nport = {self.port}\nsecurity = "none"\n'
            "timeout = 5\n",
            encoding="utf-8",
        )
        self.settings = load_settings(self.settings_path)
        self.workbook = self.root / "program.xlsx"
        form = self.settings.checkin_form
        linked = {form.tab: [list(form.questions.values())]}  # nobody answered yet
        program_workbook(self.workbook, self.settings, MENTEES, MENTORS, linked)
        self.day = DAY0
        self.typed = 0  # makes every text typed and every address corrected unique
        blank = {STATUS: "Suggested", OVERRIDE: None, NOTES: None}
        self.expected = Expected({email: dict(blank) for email in MENTEE_EMAILS})
        self.copies: list[tuple[bytes, Expected]] = []
        # Every address anyone of the program ever had, and who it is.
        self.people = {str(p["email"]): str(p["name"]) for p in (*MENTEES, *MENTORS)}
        self._read: tuple[bytes, Workbook] | None = None

    def book(self) -> Workbook:
        """The workbook as it is now, to read (loaded again only when it changed)."""
        data = self.workbook.read_bytes()
        digest = hashlib.sha256(data).digest()
        if self._read is None or self._read[0] != digest:
            self._read = (digest, openpyxl.load_workbook(io.BytesIO(data)))
        return self._read[1]

    def edit(self, change) -> None:
        """Open the workbook, change it, save it: as someone in Excel."""
        book = openpyxl.load_workbook(self.workbook)
        change(book)
        book.save(self.workbook)

    def title(self, tab: str) -> str:
        return self.expected.log_title if tab == LOG else tab

    def has_tab(self, tab: str) -> bool:
        return self.title(tab) in self.book().sheetnames

    def journal_entries(self) -> dict:
        journal = open_journal(self.settings, create=False)
        if journal is None:
            return {}
        with journal:
            return journal.entries()

    # --- runs ------------------------------------------------------------------------

    @initialize(approved=st.sets(st.sampled_from(MENTEE_EMAILS), min_size=1))
    def match_and_approve(self, approved):
        self.run_job("match")
        for email in sorted(approved):
            self.set_committee(email, STATUS, "Approved")

    @rule(job=JOBS, days=SOON)
    def run_again(self, job, days):
        self.day += timedelta(days)
        self.run_job(job)

    @rule(job=JOBS, days=LATER)
    def run_later(self, job, days):
        self.day += timedelta(days)
        self.run_job(job)

    @rule(job=JOBS, days=SOON | LATER, taken=st.integers(1, 3))
    def answer_lost(self, job, days, taken):
        """The server takes the `taken`-th email of the run (and any after it), but the
        connection breaks before its "250": sent, and the tool cannot know it."""
        self.day += timedelta(days)
        self.inbox.drop_after = len(self.inbox.received) + taken
        try:
            self.run_job(job)
        finally:
            self.inbox.drop_after = None

    @rule(
        job=st.sampled_from(sorted(MAIL_JOBS)),
        days=SOON | LATER,
        where=st.sampled_from(["write", "send"]),
        number=st.integers(1, 3),
        after=st.booleans(),
    )
    def killed_run(self, job, days, where, number, after):
        """A run of the email jobs killed just before or after its `number`-th write or
        send, on the program's own send journal and spreadsheet."""
        self.day += timedelta(days)
        settings = self.settings
        before = self.workbook.read_bytes()
        journal = open_journal(settings)
        try:
            sheet = open_spreadsheet(settings, None, journal)
            sheet = CrashingSheet(sheet, number if where == "write" else 0, after)
            sender = make_sender(settings)
            if where == "send":
                sender = CrashingSender(sender, number, after)
            now = program_now(settings, self.day)
            templates = load_templates(settings)
            try:
                run_mail(MAIL_JOBS[job], sheet, settings, templates, sender, now, journal=journal)
            except Killed:
                return
            except ConfigError as exc:
                assert self.refuses(job), f"{job} refused with every tab in place: {exc}"
                assert self.workbook.read_bytes() == before, f"refused ({exc}), yet wrote"
                return
            except MentorSyncError:
                return  # a failure the command line reports with exit 1
            assert not self.refuses(job), f"{job} ran with {set(self.expected.broken)}"
        finally:
            journal.close()  # a killed process's files are closed by the system

    def run_job(self, job: str) -> None:
        before = self.workbook.read_bytes()
        result = invoke(self.settings_path, self.day, job)
        said = result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), said
        for sign in ("unexpected error", "failed unexpectedly", "Traceback"):
            assert sign not in said, said
        assert result.exit_code in (0, 1, 2), said
        if self.refuses(job):
            assert result.exit_code == 2, f"{job} ran with {set(self.expected.broken)}:\n{said}"
            self.left_as_it_was(before, said)
            return
        assert result.exit_code != 2, said
        if job != "match":
            self.every_email_in_the_log()

    def refuses(self, job: str) -> bool:
        """Whether `job` must refuse: a tab it reads has a row above its header."""
        read = {COMMITTEE, LOG, HEALTH}  # match reads Pair Health too, for `run` to read once
        return bool(self.expected.broken & read)

    def left_as_it_was(self, before: bytes, said: str) -> None:
        if self.workbook.read_bytes() == before:
            return
        # Only the alert about a job that failed twice in a row may have been written.
        assert ALERTED in said, f"refused, yet the workbook changed:\n{said}"
        old, new = openpyxl.load_workbook(io.BytesIO(before)), self.book()
        log = self.expected.log_title
        assert set(new.sheetnames) <= {*old.sheetnames, log}  # the alert may start the log
        for name in old.sheetnames:
            if name != log:
                assert values(old[name]) == values(new[name]), f"refused, yet '{name}' changed"
        if log in old.sheetnames:
            kept = {row["Key"] for _, row in rows_by_header(new[log], "Key")}
            assert {row["Key"] for _, row in rows_by_header(old[log], "Key")} <= kept

    def every_email_in_the_log(self) -> None:
        """After an email run, the Email Log has every email the send journal has: rows
        someone deleted, or lost with an older copy, are written back."""
        sent = set(self.journal_entries())
        if not self.has_tab(LOG):
            assert not sent, "the journal has emails, and there is no Email Log"
            return
        logged = {row["Key"] for _, row in rows_by_header(self.book()[self.title(LOG)], "Key")}
        assert sent <= logged, sent - logged

    # --- the committee's edits -------------------------------------------------------

    def set_committee(self, email: str, column: str, value: Cell) -> None:
        def change(book):
            sheet = book[COMMITTEE]
            top = header_row(sheet, MENTEE_EMAIL)
            header = [c.value for c in sheet[top]]
            for row in sheet.iter_rows(min_row=top + 1):
                if row[header.index(MENTEE_EMAIL)].value == email:
                    row[header.index(column)].value = value

        self.edit(change)
        self.expected.committee[email][column] = value

    @rule(
        email=st.sampled_from(MENTEE_EMAILS),
        column=st.sampled_from([STATUS, NOTES, OVERRIDE]),
        which=st.integers(0, len(MENTORS)),
    )
    def edit_a_committee_row(self, email, column, which):
        """A Status (Approved, Hold, or back to Suggested), a note, or a Committee Mentor
        Email: a mentor of the committee's choosing, or cleared. On an introduced pair,
        Introduced On stays as it is: the mentor changes after the introduction."""
        if column == STATUS:
            value = ("Approved", "Hold", "Approved", "Suggested", "Approved")[which]
        elif column == NOTES:
            self.typed += 1
            value = f"note {self.typed} about {email}"
        else:
            value = self.expected.mentors[which] if which < len(MENTORS) else None
        self.set_committee(email, column, value)

    @rule(which=st.integers(0, len(MENTORS) - 1))
    def correct_a_mentor_address(self, which):
        """The same mentor, with the same name, at a new address: corrected in the mentor
        responses and in the committee rows that have the mentor."""
        old = self.expected.mentors[which]
        self.typed += 1
        local, _, domain = str(MENTORS[which]["email"]).partition("@")
        new = f"{local}.{self.typed}@{domain}"
        form = self.settings.mentor_form
        column = form.questions["email"]
        corrected = []

        def change(book):
            sheet = book[form.tab]
            header = [c.value for c in sheet[1]]
            for row in sheet.iter_rows(min_row=2):
                if row[header.index(column)].value == old:
                    row[header.index(column)].value = new
            sheet = book[COMMITTEE]
            top = header_row(sheet, MENTEE_EMAIL)
            header = [c.value for c in sheet[top]]
            for row in sheet.iter_rows(min_row=top + 1):
                cells = dict(zip(header, row, strict=False))
                chosen = cells[OVERRIDE].value or cells["Suggested Mentor Email"].value
                # The rows where the committee fixed the mentor; the others are suggestions
                # the next match makes again.
                if chosen == old and (cells[OVERRIDE].value or cells[STATUS].value != "Suggested"):
                    cells[OVERRIDE].value = new
                    corrected.append(cells[MENTEE_EMAIL].value)

        self.edit(change)
        for email in corrected:
            self.expected.committee[email][OVERRIDE] = new
        self.expected.mentors[which] = new
        self.people[new] = str(MENTORS[which]["name"])

    @rule(
        tab=st.sampled_from([COMMITTEE, LOG, HEALTH]),
        column=st.sampled_from([0, 1, 4, 7, 9]),
        reverse=st.booleans(),
    )
    def sort_tab(self, tab, column, reverse):
        """Sort a tab's rows below its header by one of its columns, as Excel does."""
        if not self.has_tab(tab):
            return

        def change(book):
            sheet = book[self.title(tab)]
            top = header_row(sheet, MENTEE_EMAIL if tab != LOG else "Key")
            rows = list(sheet.iter_rows(min_row=top + 1))
            order = sorted(
                ([held(c) for c in row] for row in rows),
                key=lambda cells: sort_key(cells, column),
                reverse=reverse,
            )
            for row, cells in zip(rows, order, strict=True):
                for target, source in zip(row, cells, strict=True):
                    put(source, target)

        self.edit(change)

    @rule(tab=st.sampled_from([COMMITTEE, LOG, HEALTH]))
    def blank_row_above_header(self, tab):
        """Insert a blank row above a tool tab's header; or, when there is one, delete it
        again (someone was told of it)."""
        if tab in self.expected.broken:
            self.edit(lambda book: book[self.title(tab)].delete_rows(1))
            self.expected.broken -= {tab}
        elif self.has_tab(tab):
            self.edit(lambda book: book[self.title(tab)].insert_rows(1))
            self.expected.broken |= {tab}

    @rule()
    def rename_the_email_log(self):
        """Rename the Email Log as Excel does (the defined names that point at it follow
        it); or, when it is renamed, rename it back."""
        if self.expected.log_title == RENAMED_LOG:
            rename_as_excel_does(self.workbook, RENAMED_LOG, LOG)
            self.expected.log_title = LOG
        elif self.has_tab(LOG):
            rename_as_excel_does(self.workbook, LOG, RENAMED_LOG)
            self.expected.log_title = RENAMED_LOG

    @rule(duplicate=st.booleans(), index=st.integers(0, 30))
    def edit_the_email_log(self, duplicate, index):
        """Delete a row (the rows below move up), or copy one and insert the copy below it."""
        if not self.has_tab(LOG):
            return
        rows = [number for number, _ in rows_by_header(self.book()[self.title(LOG)], "Key")]
        if not rows:
            return
        number = rows[index % len(rows)]

        def change(book):
            sheet = book[self.title(LOG)]
            if not duplicate:
                sheet.delete_rows(number)
                return
            sheet.insert_rows(number + 1)
            for source, target in zip(sheet[number], sheet[number + 1], strict=True):
                put(held(source), target)

        self.edit(change)

    @rule(index=st.integers(0, 30))
    def write_a_pair_health_note(self, index):
        """Type a note over a Pair Health row's Notes."""
        if not self.has_tab(HEALTH):
            return
        rows = rows_by_header(self.book()[HEALTH], MENTEE_EMAIL)
        if not rows:
            return
        number, row = rows[index % len(rows)]
        self.typed += 1
        note = f"called them ({self.typed})"
        replaced = str(row.get(NOTES) or "")
        notes = self.expected.health_notes
        self.expected.health_notes = {n: e for n, e in notes.items() if n not in replaced}
        self.expected.health_notes[note] = row[MENTEE_EMAIL]

        def change(book):
            sheet = book[HEALTH]
            header = [c.value for c in sheet[header_row(sheet, MENTEE_EMAIL)]]
            sheet.cell(row=number, column=header.index(NOTES) + 1).value = note

        self.edit(change)

    @rule()
    def take_a_copy(self):
        """Someone opens the workbook in Excel (and may save it much later)."""
        self.copies.append((self.workbook.read_bytes(), copy.deepcopy(self.expected)))

    @precondition(lambda self: self.copies)
    @rule(index=st.integers(0, 30))
    def save_an_older_copy_back(self, index):
        older, expected = self.copies[index % len(self.copies)]
        self.workbook.write_bytes(older)
        self.expected = copy.deepcopy(expected)

    # --- invariants ------------------------------------------------------------------

    @invariant()
    def no_email_delivered_twice(self):
        by_id = deliveries(self.inbox)
        assert [m for m, n in by_id.items() if n > 1] == [], by_id
        keys: dict[str, set[str]] = {}
        for entry in self.journal_entries().values():
            keys.setdefault(entry.message_id, set()).add(entry.key)
        emails = Counter(self.what(key) for message_id in by_id for key in keys.get(message_id, ()))
        assert [e for e, n in emails.items() if n > 1] == [], emails

    def what(self, key: str) -> str:
        """What an email is: its key with people's names for their addresses (a
        pair's emails; the committee's are their keys)."""
        if not pair_label(key):
            return key
        parts = []
        for part in key.split(" | "):
            to, address = ("to ", part[3:]) if part.startswith("to ") else ("", part)
            parts.append(to + self.people.get(address, address))
        return " | ".join(parts)

    @invariant()
    def committee_texts_stay_with_their_mentee(self):
        rows: dict[str, list[dict[str, Cell]]] = {}
        for _, row in rows_by_header(self.book()[COMMITTEE], MENTEE_EMAIL):
            rows.setdefault(row[MENTEE_EMAIL], []).append(row)
        assert sorted(rows) == sorted(MENTEE_EMAILS)
        for email, expected in self.expected.committee.items():
            [row] = rows[email]
            for column, value in expected.items():
                assert same(row[column], value), (email, column, row, expected)

    @invariant()
    def pair_health_notes_stay_with_their_mentee(self):
        if not self.expected.health_notes:
            return
        rows = [row for _, row in rows_by_header(self.book()[HEALTH], MENTEE_EMAIL)]
        for note, email in self.expected.health_notes.items():
            on = [row[MENTEE_EMAIL] for row in rows if note in str(row.get(NOTES) or "")]
            assert on and set(on) == {email}, (note, email, rows)


# Sized to take well under a minute on two cores; the same examples on every run.
SETTINGS = hypothesis_settings(
    max_examples=12,
    stateful_step_count=30,
    deadline=None,
    derandomize=True,
    database=None,
)


def program(machine: type[EditsAndRuns], server, base: Path) -> type[EditsAndRuns]:
    """The machine, on this SMTP server, making its programs in `base`."""
    inbox, port = server

    class Program(machine):
        pass

    Program.inbox, Program.port, Program.base = inbox, port, base
    return Program


def test_edits_faults_and_runs_never_send_twice_nor_move_committee_texts(server, tmp_path):
    run_state_machine_as_test(program(EditsAndRuns, server, tmp_path), settings=SETTINGS)


def replay(machine: type[EditsAndRuns], steps) -> None:
    """Run the machine's steps in this order, checking the invariants after each, as
    hypothesis runs a failing example it found."""
    state = machine()
    checks = (
        state.no_email_delivered_twice,
        state.committee_texts_stay_with_their_mentee,
        state.pair_health_notes_stay_with_their_mentee,
    )
    try:
        for name, arguments in steps:
            getattr(state, name)(**arguments)
            for check in checks:
                check()
    finally:
        state.teardown()


def test_run_refusing_for_pair_health_leaves_the_workbook_as_it_was(server, tmp_path):
    steps = [
        ("match_and_approve", {"approved": {"ana@m.org"}}),
        ("run_later", {"job": "run", "days": 14}),  # introduced; Pair Health made
        ("blank_row_above_header", {"tab": HEALTH}),
        ("edit_a_committee_row", {"email": "bo@m.org", "column": STATUS, "which": 0}),
        ("run_again", {"job": "run", "days": 0}),  # match writes bo's row, then refuses
    ]
    replay(program(EditsAndRuns, server, tmp_path), steps)


def test_an_older_copy_from_before_an_address_correction_introduces_nobody_again(server, tmp_path):
    steps = [
        ("match_and_approve", {"approved": {"ana@m.org"}}),
        ("take_a_copy", {}),
        ("correct_a_mentor_address", {"which": 0}),
        ("run_again", {"job": "introduce", "days": 0}),  # Ana and Tom, at his new address
        ("save_an_older_copy_back", {"index": 0}),
        ("run_later", {"job": "introduce", "days": 14}),  # again, at his old one
    ]
    replay(program(EditsAndRuns, server, tmp_path), steps)


def test_an_unconfirmed_introduction_goes_nowhere_again_after_an_address_correction(
    server, tmp_path
):
    steps = [
        ("match_and_approve", {"approved": {"ana@m.org"}}),
        ("answer_lost", {"job": "introduce", "days": 0, "taken": 1}),  # unconfirmed
        ("correct_a_mentor_address", {"which": 0}),
        ("run_again", {"job": "introduce", "days": 1}),  # Ana and Tom, again
    ]
    replay(program(EditsAndRuns, server, tmp_path), steps)
