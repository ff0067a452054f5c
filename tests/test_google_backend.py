"""Every job on Google, through the real gspread and googleapiclient clients, against the
loopback fake of the Sheets and Gmail APIs: same results as on the workbook, a fixed
request budget, faults survived, and nothing half written."""

from __future__ import annotations

import email
import json
from datetime import date, timedelta
from email import policy
from pathlib import Path

import gspread
import openpyxl
import pytest

from jobs.backends import open_spreadsheet
from jobs.settings_file import load_settings
from mentoring.sheet import Cell, TabEdits
from sync.google import SHEETS_SCOPE
from tests.conftest import PEOPLE, mentee, mentor, program_workbook, set_committee_cells
from tests.fakes.google_fake import FakeGoogle, loopback_session
from tests.fakes.google_program import (
    PROGRAM_GMAIL,
    ROBOT,
    SHEET_ID,
    cli_run,
    google_settings,
    response_tabs,
    rows_of,
    user_token,
)

DAY0 = date(2026, 1, 12)
COMMITTEE = "chair@sts-program.example.org"


@pytest.fixture
def fake():
    with FakeGoogle(seed=7) as google:
        yield google


def new_program(fake: FakeGoogle, folder: Path, people=PEOPLE, **options) -> Path:
    folder.mkdir(exist_ok=True)
    path = google_settings(folder, fake, **options)
    settings = load_settings(path)
    fake.add_spreadsheet(
        SHEET_ID,
        response_tabs(settings, *people, checkins=True),
        shared_with={ROBOT, COMMITTEE, PROGRAM_GMAIL},
    )
    return path


def committee_edits(
    fake: FakeGoogle, tab: str, edits: dict[str, dict[str, Cell]], key: str = "Mentee Email"
) -> None:
    """Type into a tab as a person in the browser would (USER_ENTERED), by the `key` column."""
    faults, fake.faults.rate = fake.faults.rate, 0.0
    try:
        client = gspread.Client(
            auth=None, session=loopback_session(fake, fake.grant(COMMITTEE, [SHEETS_SCOPE]))
        )
        sheet = client.open_by_key(SHEET_ID).worksheet(tab)
        header = sheet.row_values(1)
        for row_number, row in enumerate(sheet.get_all_values(), start=1):
            for column, value in edits.get(row[header.index(key)], {}).items():
                sheet.update_cell(row_number, header.index(column) + 1, value)
    finally:
        fake.faults.rate = faults


def approve(fake: FakeGoogle, settings_path: Path, emails, **also: Cell) -> None:
    tab = load_settings(settings_path).tabs.committee
    committee_edits(fake, tab, {e: {"Status": "Approved", **also} for e in emails})


def year_on_google(fake: FakeGoogle, settings_path: Path, close: bool = True) -> list[str]:
    """match, approve both pairs, introduce, the first check-ins, the reminders of those
    nobody answered, and the year closed; the summary lines."""
    said = [cli_run(settings_path, DAY0, "run")]
    approve(fake, settings_path, ["ana@m.org", "bo@m.org"])
    said += later_in_the_year(settings_path, close)
    for result in said:
        assert result.exit_code == 0, result.output
    return [line for r in said for line in r.output.splitlines()]


def later_in_the_year(settings_path: Path, close: bool = True) -> list:
    said = [
        cli_run(settings_path, DAY0, "run"),
        cli_run(settings_path, DAY0 + timedelta(30), "run"),
        cli_run(settings_path, DAY0 + timedelta(45), "run"),
    ]
    if close:
        said.append(cli_run(settings_path, DAY0 + timedelta(400), "close-year", "2026"))
    return said


def tool_tabs(settings_path: Path) -> list[str]:
    settings = load_settings(settings_path)
    t = settings.tabs
    return [t.committee, t.intake_issues, t.email_log, t.pair_health, "Past Pairs"]


def emails(messages) -> list[tuple]:
    """What people receive, without the Date header the clock sets, and without the line of
    the committee's emails that says where the spreadsheet is (an address on Google, the
    workbook's path locally)."""

    def text(m):
        lines = m.get_body(("plain",)).get_content().splitlines()
        return "\n".join(line for line in lines if not line.startswith("The spreadsheet: "))

    return sorted(
        (m["To"], m["Cc"] or "", m["Subject"], m["Message-ID"], text(m)) for m in messages
    )


def test_every_job_gives_the_same_results_on_google_as_on_the_workbook(fake, tmp_path):
    on_google = new_program(fake, tmp_path / "google")
    google_said = year_on_google(fake, on_google, close=False)

    local = tmp_path / "local"
    local.mkdir()
    local_settings = local / "settings.toml"
    local_settings.write_text(
        f'[spreadsheet]\npath = "program.xlsx"\n[email]\nfrom_address = "{PROGRAM_GMAIL}"\n',
        encoding="utf-8",
    )
    settings = load_settings(local_settings)
    linked = {settings.checkin_form.tab: [list(settings.checkin_form.questions.values())]}
    workbook = program_workbook(local / "program.xlsx", settings, *PEOPLE, extra_tabs=linked)
    local_said = [cli_run(local_settings, DAY0, "run")]
    approved = {"Status": "Approved"}
    set_committee_cells(workbook, settings, {"ana@m.org": approved, "bo@m.org": approved})
    local_said += later_in_the_year(local_settings, close=False)

    assert google_said == [line for r in local_said for line in r.output.splitlines()]
    book = openpyxl.load_workbook(workbook)
    for tab in tool_tabs(on_google)[:-1]:
        local_rows = rows_of(list(book[tab].iter_rows(values_only=True)))
        assert rows_of(fake.values(SHEET_ID, tab)) == local_rows, tab
    outbox = [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in (local / "outbox").glob("*.eml")
    ]
    assert len(outbox) == 2 + 4 + 4 + 1  # introductions, check-ins, reminders, the digest
    assert emails(fake.sent) == emails(outbox)
    later = DAY0 + timedelta(40)
    calendars = [cli_run(path, later, "calendar") for path in (on_google, local_settings)]
    assert calendars[0].stdout == calendars[1].stdout and "check-in 2" in calendars[0].stdout
    samples = [
        cli_run(path, later, "test-email", "checkin") for path in (on_google, local_settings)
    ]
    assert [r.exit_code for r in samples] == [0, 0], samples[0].output + samples[1].output
    assert len(fake.sent) == 2 + 4 + 4 + 1 + 1  # and the sample
    assert fake.sent[-1]["To"] == load_settings(on_google).program.committee_email
    real = {m["Message-ID"] for m in fake.sent[:-1]}
    assert fake.sent[-1]["Message-ID"] not in real  # a sample never passes for a real email
    closed = [cli_run(path, later, "close-year", "2026") for path in (on_google, local_settings)]
    assert closed[0].output == closed[1].output
    assert "close-year 2026: 2 pairs copied to Past Pairs" in closed[0].output
    book = openpyxl.load_workbook(workbook)
    for tab in tool_tabs(on_google):
        local_rows = rows_of(list(book[tab].iter_rows(values_only=True)))
        assert rows_of(fake.values(SHEET_ID, tab)) == local_rows, tab


def test_form_text_that_looks_like_a_formula_is_written_as_text(fake, tmp_path):
    sly = mentee("eve@m.org", name='=HYPERLINK("http://evil.example","Eve")')
    people = ([*PEOPLE[0], sly], [*PEOPLE[1], mentor("zed@z.org")])
    settings_path = new_program(fake, tmp_path, people)
    assert cli_run(settings_path, DAY0, "match").exit_code == 0
    committee = fake.values(SHEET_ID, load_settings(settings_path).tabs.committee)
    assert '=HYPERLINK("http://evil.example","Eve")' in [row[0] for row in committee]
    assert fake.formulas(SHEET_ID, load_settings(settings_path).tabs.committee) == []


def people(mentees: int, mentors: int):
    subjects = ["Chemistry", "Engineering", "Health sciences", "Physics", "Data services"]
    return (
        [mentee(f"mentee{i}@m{i % 97}.org", subjects=subjects[i % 5]) for i in range(mentees)],
        [
            mentor(f"mentor{i}@u{i % 89}.org", subjects=subjects[i % 5], capacity="2")
            for i in range(mentors)
        ],
    )


def test_match_dry_run_shows_the_pairs_and_sends_no_write_request(fake, tmp_path):
    settings_path = new_program(fake, tmp_path)
    before, start = fake.snapshot(SHEET_ID), len(fake.requests)
    result = cli_run(settings_path, DAY0, "match", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:3] == [
        "Mentee    Suggested mentor  Score  Why",
        "Ana Ruiz  Tom Ng            50     skills: Grant writing; subjects: Chemistry",
        "Bo        Uma               50     skills: Grant writing; subjects: Engineering",
    ]
    sheets = [r for r in fake.requests[start:] if r.api == "sheets"]
    assert sheets and [r.method for r in sheets] == ["GET"] * len(sheets)
    assert fake.snapshot(SHEET_ID) == before and fake.sent == []


@pytest.mark.parametrize("rows", [10, 5000])
def test_match_costs_at_most_3_requests_and_run_at_most_6_whatever_the_rows(fake, tmp_path, rows):
    mentees = rows * 3 // 5
    settings_path = new_program(fake, tmp_path, people(mentees, rows - mentees))
    fake.reset_counts()
    first = cli_run(settings_path, DAY0, "match")  # makes the committee and intake tabs
    assert first.exit_code == 0, first.output
    # An alert about what match found (a weak match among 10 rows) costs two writes more: its
    # Email Log rows as `sending`, then as `sent`. The Email Log was read with the other tabs.
    alerts = [m for m in fake.sent if m["Subject"].endswith("a look")]
    assert len(alerts) == (1 if rows == 10 else 0)
    assert fake.count("sheets") <= 3 + 2 * len(alerts)
    fake.sent.clear()
    # Half the approved pairs are new; the other half were introduced by hand a month ago,
    # so run introduces some and sends others their first check-in, in one pass.
    approved = [f"mentee{i}@m{i % 97}.org" for i in range(min(mentees, 20))]
    approve(fake, settings_path, approved[:10])
    approve(fake, settings_path, approved[10:], **{"Introduced On": "2025-12-01"})
    fake.reset_counts()
    again = cli_run(settings_path, DAY0, "run")
    assert again.exit_code == 0, again.output
    assert fake.count("sheets") <= 6
    assert len(fake.sent) == len(approved[:10]) + 2 * len(approved[10:])
    fake.reset_counts()
    assert cli_run(settings_path, DAY0, "match").exit_code == 0
    assert fake.count("sheets") <= 3


def test_a_run_through_faults_ends_as_a_clean_run_does(tmp_path):
    with FakeGoogle(seed=1) as clean:
        clean_said = year_on_google(clean, new_program(clean, tmp_path / "clean"))
        clean_tabs = {
            tab: rows_of(clean.values(SHEET_ID, tab))
            for tab in tool_tabs(tmp_path / "clean" / "settings.toml")
        }
        clean_mail = emails(clean.sent)
    with FakeGoogle(seed=2) as faulty:
        # A hang outlasts the timeout; a slow moment of a busy machine does not (a late
        # answer taken for a hang once made a digest differ, at a 0.25 s timeout).
        settings_path = new_program(faulty, tmp_path / "faulty", timeout=1.0, tries=12)
        faulty.faults.delay = 1.5
        faulty.faults.rate = 0.3
        faulty_said = year_on_google(faulty, settings_path)
        faults = sum(1 for r in faulty.requests if r.status != 200)
        assert faults >= 5  # the run did meet faults, quota and server errors among them
        assert {429, 500} <= {r.status for r in faulty.requests}
        assert {tab: rows_of(faulty.values(SHEET_ID, tab)) for tab in clean_tabs} == clean_tabs
        assert emails(faulty.sent) == clean_mail
    assert [line for line in faulty_said if ":" in line] == [
        line for line in clean_said if ":" in line
    ]


def test_when_every_request_fails_run_exits_1_and_the_spreadsheet_is_unchanged(fake, tmp_path):
    settings_path = new_program(fake, tmp_path, tries=3)
    assert cli_run(settings_path, DAY0, "run").exit_code == 0
    approve(fake, settings_path, ["ana@m.org"])
    before = fake.snapshot(SHEET_ID)
    fake.faults.always = "503"
    result = cli_run(settings_path, DAY0, "run")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "mentor-sync: run failed: opening the spreadsheet failed after 3"
    )
    assert "503" in result.stderr and "run again later" in result.stderr
    fake.faults.always = None
    assert fake.snapshot(SHEET_ID) == before
    assert fake.sent == []


WRITE_FAILS = {
    # Google's 429 proves the write was not made; its 500, like no answer, does not.
    "429": (
        "(429 RESOURCE_EXHAUSTED: Quota exceeded",
        "run again later (nothing was written)",
    ),
    "500": (
        "(500 INTERNAL: Internal error encountered.)",
        "run again later (it may or may not have been written; run again, which writes the same)",
    ),
}


@pytest.mark.parametrize("answer", list(WRITE_FAILS))
@pytest.mark.parametrize("first_run", [True, False], ids=["adding tabs", "setting cells"])
def test_a_write_that_fails_for_good_leaves_the_spreadsheet_as_it_was(
    fake, tmp_path, first_run, answer
):
    settings_path = new_program(fake, tmp_path, tries=2)
    if not first_run:
        assert cli_run(settings_path, DAY0, "match").exit_code == 0
        mentees = load_settings(settings_path).tabs.mentees
        committee_edits(fake, mentees, {"bo@m.org": {"Subject areas": "Physics"}}, "Email Address")
    before = fake.snapshot(SHEET_ID)
    fake.faults.fail_next(2, "skip")  # the tab list and the read go through ...
    fake.faults.always = answer  # ... and every try of the write fails
    result = cli_run(settings_path, DAY0, "match")
    fake.faults.always = None
    assert result.exit_code == 1
    error, outcome = WRITE_FAILS[answer]
    assert f"failed after 2 tries {error}" in result.stderr
    assert result.stderr.rstrip().endswith(outcome)
    assert fake.snapshot(SHEET_ID) == before


def _a_new_program(fake: FakeGoogle, settings_path: Path) -> None:
    """The first run adds the tool's tabs."""


def _a_column_deleted(fake: FakeGoogle, settings_path: Path) -> None:
    """After a run, someone deletes the committee tab's Alternatives, which the next adds."""
    assert cli_run(settings_path, DAY0, "match").exit_code == 0
    client = gspread.Client(
        auth=None, session=loopback_session(fake, fake.grant(COMMITTEE, [SHEETS_SCOPE]))
    )
    tab = client.open_by_key(SHEET_ID).worksheet(load_settings(settings_path).tabs.committee)
    tab.delete_columns(tab.row_values(1).index("Alternatives") + 1)


@pytest.mark.parametrize(
    "before", [_a_new_program, _a_column_deleted], ids=["adding tabs", "adding a column"]
)
def test_a_write_google_made_but_answered_500_is_not_made_twice(fake, tmp_path, before):
    settings_path = new_program(fake, tmp_path)
    before(fake, settings_path)
    fake.faults.fail_next(2, "skip", api="sheets")  # the tab list and the read go through ...
    fake.faults.fail_next(1, "500_after", api="sheets")  # ... and Google makes the write, yet 500
    result = cli_run(settings_path, DAY0, "match")
    assert result.exit_code == 0, result.output
    writes = [r.status for r in fake.requests if r.path.endswith(":batchUpdate")]
    assert writes[-1:] == [500]  # looked, found it made: not sent again
    titles = fake.tab_titles(SHEET_ID)
    assert sorted(titles) == sorted(set(titles))
    header = fake.values(SHEET_ID, load_settings(settings_path).tabs.committee)[0]
    assert header.count("Alternatives") == 1
    again = cli_run(settings_path, DAY0, "match")
    assert again.exit_code == 0 and again.output.rstrip().endswith("no changes")


@pytest.mark.parametrize(
    ("shared", "expected"),
    [
        (None, f"there is no spreadsheet {SHEET_ID}; copy its address"),
        (set(), f"share the spreadsheet with {ROBOT}"),
    ],
    ids=["404 no such spreadsheet", "403 not shared"],
)
def test_errors_that_asking_again_cannot_fix_are_not_retried(tmp_path, shared, expected):
    with FakeGoogle() as fake:
        settings_path = google_settings(tmp_path, fake)
        if shared is not None:
            tabs = response_tabs(load_settings(settings_path), *PEOPLE)
            fake.add_spreadsheet(SHEET_ID, tabs, shared_with=shared)
        result = cli_run(settings_path, DAY0, "match")
        assert result.exit_code == 1
        assert fake.count("sheets") == 1
        assert expected in result.stderr


def test_credentials_without_the_spreadsheets_scope_are_told_so(fake, tmp_path):
    settings_path = new_program(fake, tmp_path)
    token = user_token(fake, ["https://www.googleapis.com/auth/drive.readonly"], "1//narrow")
    (tmp_path / "credentials" / "service-account.json").write_text(json.dumps(token))
    result = cli_run(settings_path, DAY0, "match")
    assert result.exit_code == 1
    assert "do not allow editing spreadsheets; run mentor-sync auth sheets again" in result.stderr


def test_a_column_inserted_past_the_grid_widens_it_first(fake, tmp_path):
    fake.add_spreadsheet(SHEET_ID, {"Tab": [["a", "b"]]}, shared_with={ROBOT}, columns=2)
    settings = load_settings(google_settings(tmp_path, fake))
    sheet = open_spreadsheet(settings)
    sheet.read(["Tab"])
    sheet.write([TabEdits("Tab", {(1, 4): "d"}, insert_columns=(4,))])
    assert fake.values(SHEET_ID, "Tab") == [["a", "b", "", "d"]]


@pytest.mark.parametrize("kind", ["500_after", "timeout_after"])
def test_a_single_try_answered_5xx_or_not_at_all_may_have_written(tmp_path, kind):
    """With google.tries = 1 there is no retry to check: the one write may have been made."""
    with FakeGoogle(seed=7) as fake:
        settings_path = new_program(fake, tmp_path, timeout=0.5, tries=1)
        fake.faults.delay = 1.0
        fake.faults.writes_only, fake.faults.apis = True, ("sheets",)
        fake.faults.kinds, fake.faults.rate = (kind,), 1.0
        result = cli_run(settings_path, DAY0, "match")
    assert result.exit_code == 1
    assert result.stderr.rstrip().endswith(
        "(it may or may not have been written; run again, which writes the same)"
    )
