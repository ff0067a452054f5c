"""Alerts: one email to the committee per problem, recorded in the Email Log."""

from __future__ import annotations

import email
from datetime import datetime
from email import policy
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jobs.cli import cli
from jobs.settings_file import load_settings
from tests.conftest import (
    add_settings,
    as_a_stopped_run_left_it,
    mentee,
    mentor,
    program_workbook,
    set_committee_cells,
    smtp_program_at,
    tab_rows,
)
from tests.fakes.google_fake import FakeGoogle
from tests.test_google_backend import new_program


def invoke(settings_path: Path, *args: str, day: str = "2026-03-02"):
    return CliRunner().invoke(
        cli, ["--config", str(settings_path), "--as-of", day, *args], prog_name="mentor-sync"
    )


def alerts_in(outbox: Path) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(outbox.glob("alert*.eml"))
    ]


def body(message: email.message.EmailMessage) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_a_job_failing_twice_in_a_row_tells_the_committee_once_per_streak(program, tmp_path):
    workbook, _ = program
    settings_path = tmp_path / "settings.toml"
    assert invoke(settings_path, "match").exit_code == 0  # the program is set up
    good = workbook.read_bytes()
    workbook.write_text("not a spreadsheet")  # as a bad copy from Google would be
    results = [invoke(settings_path, "match") for _ in range(5)]
    assert [r.exit_code for r in results] == [1] * 5
    assert "alert:" not in results[0].output  # one failure may be a passing hiccup
    assert results[1].stderr.splitlines()[-1] == (
        "alert: told mentoring-committee@example.org about 1 problem"
        " (STS Mentoring Program: 1 thing needs a look)"
    )
    assert all("alert:" not in r.output for r in results[2:])
    [alert] = alerts_in(tmp_path / "outbox")
    assert alert["To"] == "STS Mentoring Program committee <mentoring-committee@example.org>"
    text = body(alert)
    assert "A job keeps failing:\n- mentor-sync match failed 2 times in a row, the first at" in text
    assert "The last error: cannot read " in text and "not a zip file" in text
    assert "What to do: Fix what the error says; `mentor-sync doctor`" in text
    # Fixed, then broken again: a new streak is a new problem.
    workbook.write_bytes(good)
    assert invoke(settings_path, "match").exit_code == 0
    workbook.write_text("broken again")
    invoke(settings_path, "match")
    invoke(settings_path, "match")
    assert len(alerts_in(tmp_path / "outbox")) == 2


def test_a_failing_email_job_is_told_through_the_email_log(tmp_path, server):
    inbox, port = server
    settings_path, workbook, settings = smtp_program_at(tmp_path, port, ["ana@m.org"])
    text = settings_path.read_text().replace("[email]\n", "[email]\ncc_committee = false\n")
    settings_path.write_text(text)
    assert invoke(settings_path, "match").exit_code == 0  # the program is set up
    inbox.refuse = {"ana@m.org", "tom@t.org"}  # their server says the mailboxes are gone
    first, second = invoke(settings_path, "introduce"), invoke(settings_path, "introduce")
    assert (first.exit_code, second.exit_code) == (1, 1)
    assert "550 5.1.1 no such mailbox" in first.output
    rows = [r for r in tab_rows(workbook, settings.tabs.email_log) if r["Kind"] == "alert"]
    assert [(r["Status"], r["To"]) for r in rows] == [("sent", "mentoring-committee@example.org")]
    assert rows[0]["Key"].startswith("alert | introduce failing since 2026-03-02 ")
    assert rows[0]["Subject"].startswith("mentor-sync introduce failed 2 times in a row")
    [(to, alert)] = inbox.received
    assert to == ["mentoring-committee@example.org"]
    assert rows[0]["Message Id"] == alert["Message-ID"]


def test_new_intake_issues_and_weak_matches_are_told_once_each(tmp_path, settings_file):
    add_settings(settings_file, "[matching]\nmin_score = 60\n")
    settings = load_settings(settings_file)
    people = [mentee("ana@m.org"), mentee("bo@m.org", subjects="Engineering", name="")]
    workbook = program_workbook(tmp_path / "program.xlsx", settings, people, [_mentor()])
    first = invoke(settings_file, "match")
    assert first.exit_code == 0, first.output
    [alert] = alerts_in(tmp_path / "outbox")
    text = body(alert)
    assert alert["Subject"] == "STS Mentoring Program: 2 things need a look"
    assert (
        "Form responses the tool could not use (the Intake Issues tab):\n"
        "- Form Responses 1, row 3 (bo@m.org): no answer to 'Full name'"
    ) in text
    assert (
        "Suggested pairs that score below the minimum (the Committee Matches tab):\n"
        "- Ana (ana@m.org) with tom@t.org: score "
    ) in text
    assert "The spreadsheet: " + str(workbook) in text
    # Nothing new: nothing told. The committee decides the weak pair; a new issue comes in.
    assert "alert:" not in invoke(settings_file, "match").output
    set_committee_cells(workbook, settings, {"ana@m.org": {"Status": "Approved"}})
    _add_mentee(workbook, settings, mentee("cy@m.org", institution=""))
    third = invoke(settings_file, "match")
    assert "alert: told mentoring-committee@example.org about 1 problem" in third.output
    newest = alerts_in(tmp_path / "outbox")
    assert len(newest) == 2
    told = [body(m) for m in newest if "cy@m.org" in body(m)]
    assert len(told) == 1 and "bo@m.org" not in told[0]
    log = [r for r in tab_rows(workbook, settings.tabs.email_log) if r["Kind"] == "alert"]
    assert len(log) == 3 and {r["Status"] for r in log} == {"sent"}


def _mentor():
    return mentor("tom@t.org", subjects="Physics & astronomy", skills="Grant writing")


def _add_mentee(workbook: Path, settings, answers) -> None:
    """A new response at the bottom of the mentee tab, as the form adds it."""
    book = openpyxl.load_workbook(workbook)
    sheet = book[settings.mentee_form.tab]
    values = {"timestamp": datetime(2026, 3, 1, 12, 0), **answers}
    sheet.append([values.get(field, "") for field in settings.mentee_form.questions])
    book.save(workbook)


@pytest.mark.parametrize("setting", ["failures = 0", "intake_issues = false"])
def test_alerts_can_be_turned_off(tmp_path, settings_file, setting):
    add_settings(settings_file, f"[alerts]\n{setting}\nweak_matches = false\n")
    settings = load_settings(settings_file)
    people = [mentee("ana@m.org"), mentee("bo@m.org", name="")]
    workbook = program_workbook(tmp_path / "program.xlsx", settings, people, [_mentor()])
    invoke(settings_file, "match")
    workbook.write_text("broken")
    invoke(settings_file, "match")
    invoke(settings_file, "match")
    told = alerts_in(tmp_path / "outbox")
    if setting == "failures = 0":
        assert [m["Subject"] for m in told] == ["STS Mentoring Program: 1 thing needs a look"]
        assert "Intake Issues" in body(told[0])
    else:
        assert [m["Subject"] for m in told] == ["STS Mentoring Program: 1 thing needs a look"]
        assert "A job keeps failing" in body(told[0])


def test_an_alert_left_sending_by_a_crash_is_settled_and_never_sent_twice(tmp_path, settings_file):
    settings = load_settings(settings_file)
    people = [mentee("ana@m.org", name=""), mentee("bo@m.org", name="")]
    workbook = program_workbook(tmp_path / "program.xlsx", settings, people, [_mentor()])
    assert invoke(settings_file, "match").exit_code == 0
    [told] = alerts_in(tmp_path / "outbox")
    assert "2 things need a look" in told["Subject"]
    # As a run that stopped after sending, before recording it, leaves the log: both rows
    # of the one alert `sending`.
    rows = {r["Key"]: {"Status": "sending"} for r in tab_rows(workbook, "Email Log")}
    _set_log(workbook, rows)
    as_a_stopped_run_left_it(settings_file, *rows)
    assert invoke(settings_file, "introduce").exit_code == 0  # settles what was left
    assert {r["Status"] for r in tab_rows(workbook, "Email Log")} == {"sent"}
    assert "alert:" not in invoke(settings_file, "match").output
    assert [m["Message-ID"] for m in alerts_in(tmp_path / "outbox")] == [told["Message-ID"]]
    # Had it not gone out (no file in the outbox), it is sent again, once.
    for path in (tmp_path / "outbox").glob("alert*.eml"):
        path.unlink()
    _set_log(workbook, rows)
    as_a_stopped_run_left_it(settings_file, *rows)
    invoke(settings_file, "introduce")
    statuses = {r["Status"] for r in tab_rows(workbook, "Email Log")}
    assert statuses == {"failed"}
    again = invoke(settings_file, "match")
    assert "alert: told mentoring-committee@example.org about 2 problems" in again.output
    assert len(alerts_in(tmp_path / "outbox")) == 1


def _set_log(workbook: Path, edits: dict[str, dict[str, str]]) -> None:
    book = openpyxl.load_workbook(workbook)
    sheet = book["Email Log"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        for column, value in edits.get(row[0].value, {}).items():
            row[header.index(column)].value = value
    book.save(workbook)


def test_a_mistake_in_a_template_never_tells_the_committee(program, tmp_path):
    settings_path = tmp_path / "settings.toml"
    assert invoke(settings_path, "match").exit_code == 0  # set up, then a setting goes wrong
    templates = settings_path.parent / "templates"
    templates.mkdir()
    (templates / "checkin.txt").write_text("Subject: hi {{ no_such_thing }}\n\nbody\n")
    add_settings(settings_path, f'[email]\ntemplates = "{templates}"\n')
    results = [invoke(settings_path, "checkin") for _ in range(3)]
    assert [r.exit_code for r in results] == [2, 2, 2]
    assert all("alert:" not in r.output for r in results)
    assert alerts_in(tmp_path / "outbox") == []
    # Remembered all the same: status and doctor show it.
    status = invoke(settings_path, "status").output
    assert "FAILED (3 in a row)" in status and "configuration error: " in status


def test_a_credentials_file_gone_never_tells_the_committee(tmp_path):
    with FakeGoogle() as fake:
        settings_path = new_program(fake, tmp_path)
        assert invoke(settings_path, "match").exit_code == 0  # set up
        (tmp_path / "credentials" / "service-account.json").unlink()
        results = [invoke(settings_path, "match") for _ in range(3)]
        assert [r.exit_code for r in results] == [2, 2, 2]
        assert "no Google credentials file at " in results[0].stderr
        assert fake.sent == []  # Gmail, through which an alert would go, still works


def test_sorting_a_response_tab_does_not_tell_the_same_intake_issues_again(tmp_path, settings_file):
    settings = load_settings(settings_file)
    people = [mentee("ana@m.org"), mentee("bo@m.org", name=""), mentee("cy@m.org", institution="")]
    workbook = program_workbook(tmp_path / "program.xlsx", settings, people, [_mentor()])
    assert "alert: told" in invoke(settings_file, "match").output
    book = openpyxl.load_workbook(workbook)
    sheet = book[settings.mentee_form.tab]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    for number, values in enumerate(reversed(rows), start=2):
        for column, value in enumerate(values, start=1):
            sheet.cell(number, column, value)
    book.save(workbook)
    again = invoke(settings_file, "match")
    assert again.exit_code == 0 and "alert:" not in again.output
    assert len(alerts_in(tmp_path / "outbox")) == 1
