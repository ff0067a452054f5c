"""Introductions and check-ins: due on the right day, sent once, logged, never twice."""

from __future__ import annotations

import dataclasses
import email
from collections import Counter
from datetime import date, datetime, timedelta
from email import policy
from pathlib import Path

import pytest

from jobs.mail import CHECKIN, INTRODUCE, run_mail
from jobs.settings_file import load_settings, load_templates
from mentoring.errors import ConfigError
from sync.outbox import OutboxSender
from sync.sender import SendError
from tests.conftest import (
    PEOPLE,
    committee_by_email,
    match,
    mentee,
    mentor,
    program_memory,
    program_workbook,
    set_committee_cells,
    spreadsheet,
    tab_rows,
)
from tests.fakes.edits import invoke

DAY0 = date(2026, 1, 12)


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour).astimezone()


class Outbox(OutboxSender):
    """The real outbox sender, counting what it delivers (across runs) for the tests."""

    def __init__(self, folder: Path, delivered: Counter | None = None):
        super().__init__(folder)
        self.delivered = Counter() if delivered is None else delivered

    def send(self, message, key):
        super().send(message, key)
        self.delivered[key] += 1


class Memory:
    """A sender that, like SMTP, cannot tell afterwards whether a message went out."""

    name = "memory"

    def __init__(self, delivered: Counter | None = None, fail: dict | None = None):
        self.delivered = Counter() if delivered is None else delivered
        self.messages: list = []
        self.fail = fail or {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def send(self, message, key):
        for fragment, error in self.fail.items():
            if fragment in key:
                raise error
        self.delivered[key] += 1
        self.messages.append(message)

    def confirm(self, key, message_id):
        return None


def approve(program, settings, *emails, **cells):
    set_committee_cells(program, settings, {e: {"Status": "Approved", **cells} for e in emails})


def send(job, program, settings, now, sender, dry_run=False):
    return run_mail(
        job, spreadsheet(program), settings, load_templates(settings), sender, now, dry_run
    )


def log(program, settings):
    return {row["Key"]: row for row in tab_rows(program, settings.tabs.email_log)}


@pytest.fixture
def program(request, tmp_path, settings):
    """A matched program of PEOPLE: (in memory, settings), or (workbook path, settings) for a
    test marked `workbook`."""
    if request.node.get_closest_marker("workbook"):
        sheet = program_workbook(tmp_path / "program.xlsx", settings, *PEOPLE)
    else:
        sheet = program_memory(settings, *PEOPLE)
    match(sheet, settings)
    return sheet, settings


def read(path: Path):
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def test_only_approved_rows_are_introduced_in_one_email_to_both(program, tmp_path):
    sheet, settings = program
    approve(sheet, settings, "ana@m.org")
    set_committee_cells(sheet, settings, {"bo@m.org": {"Status": "Hold"}})
    outbox = Outbox(tmp_path / "outbox")
    report = send(INTRODUCE, sheet, settings, at(DAY0), outbox)
    assert report.summary() == "introduce: 1 sent"
    [file] = outbox.folder.glob("*.eml")
    message = read(file)
    assert message["To"] == "Ana Ruiz <ana@m.org>, Tom Ng <tom@t.org>"
    assert message["Cc"] == settings.program.committee_email
    assert "Dear Ana and Tom," in message.get_body(("plain",)).get_content()
    assert message.get_body(("html",)) is not None
    rows = committee_by_email(sheet, settings)
    assert rows["ana@m.org"]["Introduced On"].date() == DAY0
    assert rows["bo@m.org"]["Introduced On"] is None
    [entry] = log(sheet, settings).values()
    assert entry["Key"] == "introduction | ana@m.org | tom@t.org"
    assert (entry["Status"], entry["Message Id"]) == ("sent", message["Message-ID"])
    again = send(INTRODUCE, sheet, settings, at(DAY0 + timedelta(days=1)), outbox)
    assert again.summary() == "introduce: 0 sent"
    assert outbox.delivered == Counter({entry["Key"]: 1})


def test_a_pair_goes_through_the_year_each_email_exactly_once(program, tmp_path):
    sheet, settings = program
    approve(sheet, settings, "ana@m.org", "bo@m.org")
    outbox = Outbox(tmp_path / "outbox")
    send(INTRODUCE, sheet, settings, at(DAY0), outbox)
    skipped_week = {DAY0 + timedelta(days=d) for d in range(27, 35)}  # check-in 1 is day 30
    for offset in range(0, 400, 1):
        day = DAY0 + timedelta(days=offset)
        if day not in skipped_week and (offset % 7 == 0 or offset in _EDGES):
            send(CHECKIN, sheet, settings, at(day), outbox)
    # Two introductions and 4 emails to 4 people. No check-in form is linked to this
    # spreadsheet, so answers cannot be known and nobody is reminded (tests/test_reminders.py).
    assert len(outbox.delivered) == 2 + 2 * 2 * 4
    assert set(outbox.delivered.values()) == {1}
    sent = {key: row["Sent At"].date() for key, row in log(sheet, settings).items()}
    assert sent["check-in 1 | ana@m.org | tom@t.org | to tom@t.org"] == DAY0 + timedelta(35)
    assert sent["check-in 2 | ana@m.org | tom@t.org | to ana@m.org"] == DAY0 + timedelta(120)
    assert sent["closing | bo@m.org | uma@u.org | to uma@u.org"] == DAY0 + timedelta(365)
    assert {row["Status"] for row in log(sheet, settings).values()} == {"sent"}


# Runs on the days each email falls due, besides the weekly ones.
_EDGES = {29, 30, 119, 120, 121, 240, 364, 365, 366}


def test_a_program_started_mid_year_sends_only_the_latest_check_in(program, tmp_path):
    sheet, settings = program
    approve(sheet, settings, "ana@m.org", **{"Introduced On": DAY0})
    outbox = Outbox(tmp_path / "outbox")
    report = send(CHECKIN, sheet, settings, at(DAY0 + timedelta(days=130)), outbox)
    assert report.summary() == (
        "checkin: 2 sent, 2 skipped as a later check-in was due; Pair Health: 1 pair, 0 flagged"
    )
    entries = log(sheet, settings)
    assert entries["check-in 1 | ana@m.org | tom@t.org | to ana@m.org"]["Status"] == "skipped"
    assert entries["check-in 2 | ana@m.org | tom@t.org | to ana@m.org"]["Status"] == "sent"
    assert not send(INTRODUCE, sheet, settings, at(DAY0 + timedelta(131)), outbox).sent


def test_check_ins_go_to_each_person_with_their_own_prefilled_link(tmp_path):
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(
        '[spreadsheet]\npath = "program.xlsx"\n[links]\n'
        'checkin_form = "https://forms.example/viewform?entry.1=%7Bemail%7D&entry.2={partner}'
        '&entry.3={role}"\n',
        encoding="utf-8",
    )
    settings = load_settings(settings_file)
    sheet = program_memory(settings, *PEOPLE)
    match(sheet, settings)
    approve(sheet, settings, "ana@m.org", **{"Introduced On": DAY0})
    outbox = Outbox(tmp_path / "outbox")
    send(CHECKIN, sheet, settings, at(DAY0 + timedelta(days=30)), outbox)
    bodies = {
        read(f)["To"]: read(f).get_body(("plain",)).get_content()
        for f in outbox.folder.glob("*.eml")
    }
    assert set(bodies) == {"Ana Ruiz <ana@m.org>", "Tom Ng <tom@t.org>"}
    assert "entry.1=ana@m.org&entry.2=tom@t.org&entry.3=Mentee" in bodies["Ana Ruiz <ana@m.org>"]
    assert "entry.1=tom@t.org&entry.2=ana@m.org&entry.3=Mentor" in bodies["Tom Ng <tom@t.org>"]
    assert "introduced you to Tom Ng,\r\nyour mentor in" in bodies["Ana Ruiz <ana@m.org>"]


def test_the_daily_cap_defers_the_rest_to_the_next_run(tmp_path):
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(
        '[spreadsheet]\npath = "program.xlsx"\n[email]\ndaily_cap = 2\n', encoding="utf-8"
    )
    settings = load_settings(settings_file)
    people = ([mentee(f"e{i}@m.org") for i in range(3)], [mentor(f"r{i}@t.org") for i in range(3)])
    sheet = program_memory(settings, *people)
    match(sheet, settings)
    approve(sheet, settings, *(f"e{i}@m.org" for i in range(3)))
    outbox = Outbox(tmp_path / "outbox")
    first = send(INTRODUCE, sheet, settings, at(DAY0), outbox)
    assert first.summary() == "introduce: 2 sent, 1 wait for the next run (daily cap of 2 reached)"
    later = send(INTRODUCE, sheet, settings, at(DAY0, hour=15), outbox)
    assert later.summary() == "introduce: 0 sent, 1 wait for the next run (daily cap of 2 reached)"
    assert send(INTRODUCE, sheet, settings, at(DAY0 + timedelta(1)), outbox).summary() == (
        "introduce: 1 sent"
    )
    assert sum(outbox.delivered.values()) == len(outbox.delivered) == 3
    introduced = {r["Introduced On"].date() for r in committee_by_email(sheet, settings).values()}
    assert introduced == {DAY0, DAY0 + timedelta(1)}


def test_a_failed_send_is_logged_and_tried_again_next_run(program, tmp_path):
    sheet, settings = program
    approve(sheet, settings, "ana@m.org", "bo@m.org")
    refused = SendError("the server refused ana@m.org: 550 no such user")
    sender = Memory(fail={"ana@m.org": refused})
    report = send(INTRODUCE, sheet, settings, at(DAY0), sender)
    assert report.summary() == "introduce: 1 sent, 1 failed, to try again next run"
    row = log(sheet, settings)["introduction | ana@m.org | tom@t.org"]
    assert (row["Status"], row["Error"]) == ("failed", str(refused))
    assert committee_by_email(sheet, settings)["ana@m.org"]["Introduced On"] is None
    sender.fail = {}
    assert send(INTRODUCE, sheet, settings, at(DAY0 + timedelta(1)), sender).sent
    assert log(sheet, settings)["introduction | ana@m.org | tom@t.org"]["Error"] is None
    assert set(sender.delivered.values()) == {1}


def test_a_lost_connection_leaves_the_email_unconfirmed_and_the_rest_for_later(program, tmp_path):
    sheet, settings = program
    approve(sheet, settings, "ana@m.org", "bo@m.org")
    dropped = SendError("connection lost", maybe_sent=True, fatal=True)
    sender = Memory(fail={"ana@m.org": dropped})
    report = send(INTRODUCE, sheet, settings, at(DAY0), sender)
    assert len(report.unconfirmed) == len(report.failed) == 1
    statuses = {key.split(" | ")[1]: row["Status"] for key, row in log(sheet, settings).items()}
    assert statuses == {"ana@m.org": "unconfirmed", "bo@m.org": "failed"}
    sender.fail = {}
    again = send(INTRODUCE, sheet, settings, at(DAY0 + timedelta(1)), sender)
    assert [line.split(":")[0] for line in again.sent] == [
        "sent introduction to bo@m.org, uma@u.org"
    ]
    assert any("'unconfirmed' in the Email Log" in p for p in again.problems)


def test_a_template_error_stops_the_run_before_anything_is_sent(program, tmp_path):
    sheet, settings = program
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "introduction.txt").write_text(
        "Subject: Hello {{ mentee.name }}\n\nDear {{ mentee.nickname }}\n", encoding="utf-8"
    )
    (tmp_path / "settings.toml").write_text(
        '[spreadsheet]\npath = "program.xlsx"\n[email]\ntemplates = "mine"\n', encoding="utf-8"
    )
    settings = load_settings(tmp_path / "settings.toml")
    approve(sheet, settings, "ana@m.org", "bo@m.org")
    sender = Memory()
    with pytest.raises(ConfigError, match=r"introduction\.txt: .*'nickname'"):
        send(INTRODUCE, sheet, settings, at(DAY0), sender)
    assert not sender.delivered
    assert settings.tabs.email_log not in sheet.tab_names()


@pytest.mark.workbook
def test_a_dry_run_lists_what_would_go_out_and_changes_nothing(program, tmp_path):
    path, settings = program
    approve(path, settings, "ana@m.org")
    before = path.read_bytes()
    sender = Memory()
    report = send(INTRODUCE, path, settings, at(DAY0), sender, dry_run=True)
    assert report.would_send == [
        "would send introduction to ana@m.org, tom@t.org: STS Mentoring Program:"
        " introducing Ana Ruiz (mentee) and Tom Ng (mentor)"
    ]
    assert "dry run: nothing sent or logged" in report.summary()
    assert path.read_bytes() == before and not sender.delivered


def test_an_unreadable_introduction_date_sends_nothing_and_says_so(program, tmp_path):
    sheet, settings = program
    approve(sheet, settings, "ana@m.org", **{"Introduced On": "last spring"})
    sender = Memory()
    for job in (INTRODUCE, CHECKIN):
        report = send(job, sheet, settings, at(DAY0 + timedelta(400)), sender)
        assert report.problems == (
            f"{settings.tabs.committee} row 2: Introduced On 'last spring' is not a date;"
            " write it as YYYY-MM-DD (no emails for this pair until then)",
        )
    assert not sender.delivered


def test_introduced_on_cleared_by_mistake_is_restored_from_the_log(program, tmp_path):
    sheet, settings = program
    approve(sheet, settings, "ana@m.org")
    sender = Memory()
    send(INTRODUCE, sheet, settings, at(DAY0), sender)
    set_committee_cells(sheet, settings, {"ana@m.org": {"Introduced On": None}})
    send(INTRODUCE, sheet, settings, at(DAY0 + timedelta(3)), sender)
    assert committee_by_email(sheet, settings)["ana@m.org"]["Introduced On"].date() == DAY0
    assert set(sender.delivered.values()) == {1}


def test_the_log_is_written_in_two_batches_whatever_the_number_of_emails(tmp_path, settings):
    people = (
        [mentee(f"e{i}@m.org") for i in range(12)],
        [mentor(f"r{i}@t.org") for i in range(12)],
    )
    sheet = program_memory(settings, *people)
    match(sheet, settings)
    approve(sheet, settings, *(f"e{i}@m.org" for i in range(12)))
    for job, day in ((INTRODUCE, DAY0), (CHECKIN, DAY0 + timedelta(30))):
        before = sheet.writes
        report = run_mail(job, sheet, settings, load_templates(settings), Memory(), at(day))
        assert (len(report.sent), sheet.writes - before) == (12 if job == INTRODUCE else 24, 2)


def test_a_broken_template_of_later_in_the_year_stops_todays_run(program, tmp_path):
    sheet, settings = program
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "closing.txt").write_text("Subject: Thank you, {{ mentee.nmae }}\n\nBye\n")
    settings = dataclasses.replace(
        settings, email=dataclasses.replace(settings.email, templates=str(folder))
    )
    with pytest.raises(ConfigError, match="closing"):
        run_mail(
            INTRODUCE,
            sheet,
            settings,
            load_templates(settings),
            OutboxSender(tmp_path / "outbox"),
            datetime(2026, 1, 12, 9).astimezone(),
        )
    assert not (tmp_path / "outbox").exists()


@pytest.mark.workbook
@pytest.mark.parametrize("own_html", [False, True], ids=["txt-only", "txt-and-html"])
def test_an_own_introduction_txt_without_an_html_is_sent_as_text_only(program, tmp_path, own_html):
    path, settings = program
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "introduction.txt").write_text(
        "Subject: Meet {{ mentor.name }}\n\nOur own words for {{ mentee.name }}.\n",
        encoding="utf-8",
    )
    if own_html:
        (folder / "introduction.html").write_text("<p>Our own HTML</p>\n", encoding="utf-8")
    (tmp_path / "settings.toml").write_text(
        '[spreadsheet]\npath = "program.xlsx"\n[email]\ntemplates = "mine"\n', encoding="utf-8"
    )
    settings = load_settings(tmp_path / "settings.toml")
    approve(path, settings, "ana@m.org")
    result = invoke(tmp_path / "settings.toml", DAY0, "introduce")  # the command line
    assert result.output.splitlines()[-1] == "introduce: 1 sent", result.output
    [file] = (tmp_path / "outbox").glob("introduction*.eml")
    message = read(file)
    assert message["Subject"] == "Meet Tom Ng"
    assert message.get_body(("plain",)).get_content().strip() == "Our own words for Ana Ruiz."
    html = message.get_body(("html",))
    if own_html:
        assert html.get_content().strip() == "<p>Our own HTML</p>"
    else:
        assert html is None and message.get_content_type() == "text/plain"
    # The built-in check-in, which the folder does not touch, keeps its HTML.
    assert {"checkin.txt", "checkin.html"} <= set(load_templates(settings).sources)
