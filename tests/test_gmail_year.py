"""A year of a small program's emails through the command line, on the loopback fake of
Google, with 30% of Gmail's sends answered 5xx: exactly once each with gmail.readonly,
at most once each without it (every email not delivered left `unconfirmed` for the
committee, or `failed`, to go on the next run), and the Sheets requests of each run."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import gspread
import pytest

from jobs.backends import open_journal
from jobs.settings_file import load_settings
from sync.google import SHEETS_SCOPE
from tests.conftest import mentee, mentor
from tests.fakes.google_fake import FakeGoogle, loopback_session, to_serial
from tests.fakes.google_program import SHEET_ID, cli_run
from tests.test_google_backend import COMMITTEE, approve, new_program

DAY0 = date(2026, 1, 12)
# Four pairs, each matched on its own subject, and an application the tool cannot use (an
# intake issue: the committee's first alert).
PAIRS = {"ana@m.org": "tom@t.org", "bo@m.org": "uma@t.org", "cy@m.org": "vic@t.org"}
PAIRS["di@m.org"] = "wes@t.org"
SUBJECTS = ["Chemistry", "Engineering", "Physics", "Health sciences"]
PEOPLE = (
    [mentee(e, subjects=s) for e, s in zip(PAIRS, SUBJECTS, strict=True)]
    + [{**mentee("eve@m.org"), "email": "eve at m.org"}],
    [mentor(e, capacity="1", subjects=s) for e, s in zip(PAIRS.values(), SUBJECTS, strict=True)],
)
# The jobs run every 15 days for 400 days (introductions on day 0, check-ins on days 30, 120
# and 240, the closing on 365, reminders 14 days after each, a digest a month) ...
RUN_DAYS = list(range(0, 400, 15))
# ... then daily, for at most this many days more, until no email is left `failed`.
EXTRA_DAYS = 20
# Gmail made the send, then answered an error: Google's JSON 500 ...
AFTER_500 = ("500_after",)
# ... or any 5xx, made or not (a 500/503 JSON error or the HTML 502 page).
MIXED_5XX = ("500_after", "503_after", "html502_after", "500", "503")
SENT, UNCONFIRMED, FAILED, SKIPPED = "sent", "unconfirmed", "failed", "skipped"


@dataclass
class Run:
    day: int
    exit_code: int
    sheets: int  # Sheets API requests the run made
    committee_emails: int  # alerts and digests it tried to send (each costs 2 writes)


@dataclass
class Year:
    """What a year left: the Email Log by key, the send journal's statuses, Gmail's sent
    mail counted by Message-ID, and each run."""

    log: dict[str, dict[str, str]]
    journal: dict[str, str]
    delivered: Counter
    runs: list[Run] = field(default_factory=list)
    gmail_errors: int = 0  # sends Gmail answered 5xx

    def statuses(self) -> Counter:
        return Counter(row["Status"] for row in self.log.values())

    def times_delivered(self, key: str) -> int:
        return self.delivered[bare(self.log[key]["Message Id"])]


def bare(message_id: str) -> str:
    return message_id.strip().strip("<>")


def answer_checkin(fake: FakeGoogle, settings_path: Path, day: int, person: str, contact: str):
    """One answer to the check-in form, as the form appends it to its tab on `day`."""
    settings = load_settings(settings_path)
    partner = PAIRS.get(person) or next(m for m, p in PAIRS.items() if p == person)
    role = "Mentee" if person in PAIRS else "Mentor"
    moment = datetime.combine(DAY0 + timedelta(day), time(15))
    questions = settings.checkin_form.questions
    values = {
        "timestamp": to_serial(moment),
        "email": person,
        "role": role,
        "partner": partner,
        "rating": 4,
        "met": "Yes",
        "contact": contact,
    }
    client = gspread.Client(
        auth=None, session=loopback_session(fake, fake.grant(COMMITTEE, [SHEETS_SCOPE]))
    )
    tab = client.open_by_key(SHEET_ID).worksheet(settings.checkin_form.tab)
    # The form writes the row under the last one (values.append would start a row with an
    # empty answer under its last run of cells, as Google does).
    below = len(fake.values(SHEET_ID, settings.checkin_form.tab)) + 1
    tab.update([[values.get(name, "") for name in questions]], f"A{below}", raw=True)


def committee_emails(lines: list[str]) -> int:
    """The alerts and digests a run tried to send, by the lines it logged."""
    said = [line.removeprefix("mentor-sync: ") for line in lines]
    return sum(
        1
        for line in said
        if line.startswith("alert: ")
        or (line.startswith("digest: ") and not line.startswith("digest: not sent"))
    )


def a_year(folder: Path, *, readonly: bool, kinds: tuple[str, ...], rate: float = 0.3) -> Year:
    """Run the year of the program on the fake, Gmail's sends faulted at `rate` (seeded)."""
    with FakeGoogle(seed=2026) as fake:
        settings_path = new_program(fake, folder, PEOPLE, readonly=readonly)
        fake.faults.rate, fake.faults.kinds = rate, kinds
        fake.faults.writes_only, fake.faults.apis = True, ("gmail",)  # sends, not look-ups
        runs = []

        def run(day: int) -> None:
            fake.reset_counts()
            result = cli_run(settings_path, DAY0 + timedelta(day), "run")
            assert result.exit_code in (0, 1), result.output  # 1: some emails need a look
            told = committee_emails(result.output.splitlines())
            runs.append(Run(day, result.exit_code, fake.count("sheets"), told))

        run(0)  # matches, and alerts the committee about the intake issue
        approve(fake, settings_path, list(PAIRS))
        for day in RUN_DAYS:
            if day == 45:  # Ana asks the committee to get in touch; Tom answers too
                answer_checkin(fake, settings_path, 35, "ana@m.org", "Yes")
                answer_checkin(fake, settings_path, 36, "tom@t.org", "No")
            run(day)
        log = email_log(fake, settings_path)
        for day in range(RUN_DAYS[-1] + 1, RUN_DAYS[-1] + 1 + EXTRA_DAYS):
            if not any(row["Status"] == FAILED for row in log.values()):
                break
            run(day)
            log = email_log(fake, settings_path)
        with open_journal(load_settings(settings_path)) as journal:
            statuses = {key: entry.status for key, entry in journal.entries().items()}
        delivered = Counter(bare(str(m["Message-ID"])) for m in fake.sent)
        errors = sum(
            1 for r in fake.requests if r.api == "gmail" and r.method == "POST" and r.status >= 500
        )
        return Year(log, statuses, delivered, runs, errors)


def email_log(fake: FakeGoogle, settings_path: Path) -> dict[str, dict[str, str]]:
    """The Email Log the fake holds, by key: each row's cells by column name."""
    rows = fake.values(SHEET_ID, load_settings(settings_path).tabs.email_log)
    width = len(rows[0])
    by_column = [dict(zip(rows[0], [*row, *[""] * width], strict=False)) for row in rows[1:]]
    return {row["Key"]: {k: str(v) for k, v in row.items()} for row in by_column}


@pytest.fixture(scope="module")
def years(tmp_path_factory):
    """Each year once for the module (a year takes a few seconds): (readonly, kinds) -> Year."""
    made: dict[tuple, Year] = {}

    def year(readonly: bool, kinds: tuple[str, ...]) -> Year:
        if (readonly, kinds) not in made:
            folder = tmp_path_factory.mktemp("year")
            made[readonly, kinds] = a_year(folder, readonly=readonly, kinds=kinds)
        return made[readonly, kinds]

    return year


def every_email_of_the_program(year: Year) -> None:
    """The year has the emails it should: the introductions, every check-in and closing to
    each person, reminders, digests and alerts; none lost by the Email Log or the journal."""
    kinds = Counter(row["Kind"] for row in year.log.values())
    people = 2 * len(PAIRS)
    assert kinds["introduction"] == len(PAIRS)
    assert [kinds[k] for k in ("check-in 1", "check-in 2", "check-in 3", "closing")] == [people] * 4
    assert kinds["reminder"] > 0 and kinds["alert"] > 0 and kinds["digest"] > 0
    # The journal and the Email Log tell the same story, key by key.
    assert year.journal == {key: row["Status"] for key, row in year.log.items()}
    # Nothing went out that the Email Log does not have.
    logged = {bare(row["Message Id"]) for row in year.log.values()}
    assert set(year.delivered) <= logged


@pytest.mark.parametrize("kinds", [AFTER_500, MIXED_5XX], ids=["500 after sending", "mixed 5xx"])
def test_with_gmail_readonly_every_email_of_a_year_goes_exactly_once(years, kinds):
    year = years(readonly=True, kinds=kinds)
    assert year.gmail_errors >= 10  # a year of sends met many 5xx answers
    every_email_of_the_program(year)
    assert {key: year.times_delivered(key) for key in year.log} == {key: 1 for key in year.log}
    assert year.statuses() == {SENT: len(year.log)}
    assert max(year.delivered.values()) == 1
    assert all(run.exit_code == 0 for run in year.runs)
    # Sends Gmail made and answered 5xx were found in the sent mail, not sent again.
    found = [r for r in year.log.values() if r["Error"].endswith("but has it in the sent mail")]
    assert len(found) >= 5
    # The year as it goes without a single fault: each person reminded of each of their
    # four check-ins but Ana and Tom, who answered the first; the committee told of Eve's
    # application and of Ana's request, and sent a digest every month.
    kinds_sent = Counter(row["Kind"] for row in year.log.values())
    assert (kinds_sent["reminder"], kinds_sent["alert"]) == (4 * 2 * len(PAIRS) - 2, 2)
    months = [key.partition(" | ")[2] for key in year.log if re.fullmatch(r"digest \| [-\d]+", key)]
    assert months == [f"2026-{month:02d}" for month in range(2, 13)] + ["2027-01", "2027-02"]


@pytest.mark.parametrize("kinds", [AFTER_500, MIXED_5XX], ids=["500 after sending", "mixed 5xx"])
def test_without_gmail_readonly_every_email_of_a_year_goes_at_most_once(years, kinds):
    year = years(readonly=False, kinds=kinds)
    assert year.gmail_errors >= 10
    every_email_of_the_program(year)
    assert max(year.delivered.values()) == 1  # at most once: no Message-ID went twice
    for key, row in year.log.items():
        times, status = year.times_delivered(key), row["Status"]
        assert times <= 1, key
        # Sent is confirmed: Gmail said so. Unconfirmed may have gone (with "500 after
        # sending" it always did). Failed and skipped never went out.
        assert status in (SENT, UNCONFIRMED, FAILED, SKIPPED), (key, status)
        if status == SENT:
            assert times == 1, key
        elif status in (FAILED, SKIPPED):
            assert times == 0, key
        if kinds == AFTER_500 and status == UNCONFIRMED:
            assert times == 1, key
    # Every email not delivered is one the committee is asked to check (unconfirmed), one the
    # next run sends (failed), or a check-in a later one replaced (skipped, by design).
    undelivered = [k for k in year.log if year.times_delivered(k) == 0]
    assert {year.log[k]["Status"] for k in undelivered} <= {UNCONFIRMED, FAILED, SKIPPED}
    # The extra runs let every `failed` email go again.
    assert year.statuses()[FAILED] == 0
    assert year.statuses()[UNCONFIRMED] > 0
    assert any(run.exit_code == 1 for run in year.runs)  # unconfirmed emails fail their run


def test_every_run_of_the_year_keeps_to_the_sheets_request_budget(years):
    year = years(readonly=True, kinds=AFTER_500)
    over = [
        (run.day, run.sheets, run.committee_emails)
        for run in year.runs
        if run.sheets > 6 + 2 * run.committee_emails
    ]
    assert over == []
