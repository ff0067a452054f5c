"""The send journal: what was sent is remembered outside the spreadsheet, so an older copy
of the workbook saved back, a deleted row or a journal-less machine never sends an email
twice; and sending again is a deliberate act (Status `resend`, or `mentor-sync resend`).

Through the command line, on real .xlsx files, to a real SMTP server on loopback: each
email's deliveries are counted by its Message-ID."""

from __future__ import annotations

import json
import os
import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from jobs.cli import cli
from tests.fakes.edits import deliveries, invoke, rows_of, set_cells

DAY0 = date(2026, 1, 12)
ANA_INTRO = "introduction | ana@m.org | tom@t.org"
TOM_CHECKIN = "check-in 1 | ana@m.org | tom@t.org | to tom@t.org"


def last_line(result) -> str:
    assert result.exit_code in (0, 1), result.output
    return result.output.splitlines()[-1]


def email_log(workbook: Path) -> dict[str, dict]:
    return rows_of(workbook, "Email Log", "Key")


def introduced_on(workbook: Path) -> dict[str, object]:
    rows = rows_of(workbook, "Committee Matches", "Mentee Email")
    return {email: row["Introduced On"] for email, row in rows.items()}


def test_an_older_copy_saved_over_the_workbook_after_a_run_sends_nothing_again(
    smtp_program, server
):
    inbox, _ = server
    settings_path, workbook, _ = smtp_program
    older = workbook.read_bytes()  # someone has it open in Excel ...
    assert last_line(invoke(settings_path, DAY0, "introduce")) == "introduce: 2 sent"
    workbook.write_bytes(older)  # ... and saves it after the run
    again = invoke(settings_path, DAY0 + timedelta(1), "introduce")
    assert last_line(again) == (
        "introduce: 0 sent, 2 Email Log rows written back from the send journal"
    )
    assert sorted(deliveries(inbox).values()) == [1, 1]
    assert {row["Status"] for row in email_log(workbook).values()} == {"sent"}
    # Introduced On, lost with the older copy, is dated from when the introductions went.
    assert {day.date() for day in introduced_on(workbook).values()} == {DAY0}
    checkins = invoke(settings_path, DAY0 + timedelta(30), "checkin")
    assert last_line(checkins).startswith("checkin: 4 sent;")
    assert len(inbox.received) == 6 and set(deliveries(inbox).values()) == {1}


def test_an_older_copy_saved_while_the_emails_go_out_is_written_over_truthfully(
    smtp_program, server
):
    inbox, _ = server
    settings_path, workbook, _ = smtp_program
    older = workbook.read_bytes()
    inbox.gate = threading.Event()  # the server holds the first email until the gate opens
    said = {}
    job = threading.Thread(target=lambda: said.update(run=invoke(settings_path, DAY0, "introduce")))
    job.start()
    assert inbox.arrived.wait(30)
    workbook.write_bytes(older)  # saved by someone while the emails go out
    inbox.gate.set()
    job.join(60)
    assert last_line(said["run"]) == "introduce: 2 sent"
    assert {row["Status"] for row in email_log(workbook).values()} == {"sent"}
    assert {day.date() for day in introduced_on(workbook).values()} == {DAY0}
    again = invoke(settings_path, DAY0 + timedelta(1), "introduce")
    assert last_line(again) == "introduce: 0 sent"
    assert sorted(deliveries(inbox).values()) == [1, 1]


def test_a_deleted_email_log_row_is_written_back_and_not_sent_again(smtp_program, server):
    inbox, _ = server
    settings_path, workbook, _ = smtp_program
    invoke(settings_path, DAY0, "introduce")
    set_cells(workbook, "Email Log", "Key", {ANA_INTRO: {"Key": None, "Status": None}})
    again = invoke(settings_path, DAY0 + timedelta(1), "introduce")
    assert (
        last_line(again) == "introduce: 0 sent, 1 Email Log row written back from the send journal"
    )
    assert email_log(workbook)[ANA_INTRO]["Error"] == (
        "written back from the send journal (the Email Log had lost it)"
    )
    assert len(inbox.received) == 2


def test_a_lost_journal_learns_again_from_the_email_log_and_status_says_so(smtp_program, server):
    inbox, _ = server
    settings_path, workbook, settings = smtp_program
    older = workbook.read_bytes()
    invoke(settings_path, DAY0, "introduce")
    journal = Path(settings.operations.journal_file)
    assert journal.stat().st_mode & 0o777 == 0o600
    for leftover in journal.parent.glob(journal.name + "*"):
        leftover.unlink()  # a new machine, or a CI runner that lost its cache
    status = invoke(settings_path, DAY0, "status").output
    assert (
        f"records of what was sent: the Email Log (2 rows); no send journal at {journal}"
        " yet, so the Email Log alone says what was sent (the next job makes one)"
    ) in status
    assert last_line(invoke(settings_path, DAY0 + timedelta(1), "introduce")) == (
        "introduce: 0 sent"
    )
    assert len(inbox.received) == 2
    status = invoke(settings_path, DAY0 + timedelta(1), "status").output
    assert (
        "records of what was sent: the Email Log (2 rows) and the send journal (2 entries,"
    ) in status
    # The journal has learned them: an older copy saved back now sends nothing again.
    workbook.write_bytes(older)
    again = invoke(settings_path, DAY0 + timedelta(2), "introduce")
    assert last_line(again) == (
        "introduce: 0 sent, 2 Email Log rows written back from the send journal"
    )
    assert len(inbox.received) == 2


def test_resend_in_status_sends_an_email_once_more_under_its_own_message_id(smtp_program, server):
    inbox, _ = server
    settings_path, workbook, _ = smtp_program
    invoke(settings_path, DAY0, "introduce")
    first = email_log(workbook)[ANA_INTRO]["Message Id"]
    set_cells(workbook, "Email Log", "Key", {ANA_INTRO: {"Status": "Resend"}})
    asked = workbook.read_bytes()
    again = invoke(settings_path, DAY0 + timedelta(1), "introduce")
    assert last_line(again) == "introduce: 1 sent"
    row = email_log(workbook)[ANA_INTRO]
    assert (row["Status"], row["Error"]) == ("sent", "sent again on 2026-01-13 on request (1 time)")
    # It keeps the day it went first: the pair's year still counts from its introduction.
    assert row["Sent At"].date() == DAY0 and introduced_on(workbook)["ana@m.org"].date() == DAY0
    assert row["Message Id"] == first.replace("@", ".1@")
    assert deliveries(inbox) == {first: 1, row["Message Id"]: 1, **_bo(inbox)}
    assert last_line(invoke(settings_path, DAY0 + timedelta(2), "introduce")) == (
        "introduce: 0 sent"
    )
    # An older copy with the request in it, saved back: the request was done already.
    workbook.write_bytes(asked)
    later = invoke(settings_path, DAY0 + timedelta(3), "introduce")
    assert (
        last_line(later) == "introduce: 0 sent, 1 Email Log row written back from the send journal"
    )
    assert email_log(workbook)[ANA_INTRO]["Status"] == "sent"
    assert len(inbox.received) == 3


def _bo(inbox) -> dict[str, int]:
    return {str(m["Message-ID"]): 1 for _, m in inbox.received if "bo@m.org" in str(m["To"])}


def test_the_resend_command_marks_the_email_and_the_next_run_sends_it(smtp_program, server):
    inbox, _ = server
    settings_path, workbook, _ = smtp_program
    invoke(settings_path, DAY0, "introduce")
    invoke(settings_path, DAY0 + timedelta(30), "checkin")
    assert len(inbox.received) == 6
    marked = invoke(settings_path, DAY0 + timedelta(31), "resend", TOM_CHECKIN.upper())
    assert marked.exit_code == 0, marked.output
    assert marked.output.splitlines()[-1] == (
        f"resend: '{TOM_CHECKIN}' is marked resend in the Email Log; the next checkin run sends it"
    )
    assert email_log(workbook)[TOM_CHECKIN]["Status"] == "resend"
    again = invoke(settings_path, DAY0 + timedelta(31), "checkin")
    assert last_line(again).startswith("checkin: 1 sent;")
    [(to, message)] = inbox.received[6:]
    assert to == ["tom@t.org"] and "check-in" in message["Subject"]
    assert last_line(invoke(settings_path, DAY0 + timedelta(32), "checkin")).startswith(
        "checkin: 0 sent;"
    )


def test_the_resend_command_refuses_what_it_cannot_send_again(smtp_program, server):
    settings_path, workbook, _ = smtp_program
    invoke(settings_path, DAY0, "introduce")
    before = workbook.read_bytes()
    typo = invoke(settings_path, DAY0, "resend", "introduction | ana@m.org | tom@t.or")
    assert typo.exit_code == 2
    assert (
        "no email 'introduction | ana@m.org | tom@t.or' in the Email Log or the send journal;"
        " did you mean 'introduction | ana@m.org | tom@t.org'? Copy its Key from the Email Log"
    ) in typo.output
    assert workbook.read_bytes() == before
    invoke(settings_path, DAY0, "resend", "no such key")
    state = json.loads(Path(settings_path.parent / "mentor-sync-state.json").read_text())
    assert set(state["jobs"]) == {"introduce"}  # not remembered as a job's run


def test_a_journal_that_cannot_be_opened_stops_the_job_before_anything_is_sent(
    smtp_program, server
):
    inbox, _ = server
    settings_path, workbook, settings = smtp_program
    Path(settings.operations.journal_file).write_bytes(b"not a database, but its name" * 100)
    before = workbook.read_bytes()
    result = invoke(settings_path, DAY0, "introduce")
    assert result.exit_code == 2
    assert f"cannot open the send journal {settings.operations.journal_file}" in result.output
    assert "if the file is damaged, move it aside and run again" in result.output
    assert inbox.received == [] and workbook.read_bytes() == before


def test_a_copy_of_the_spreadsheet_sends_nothing_the_program_sent(smtp_program, server, tmp_path):
    inbox, _ = server
    settings_path, workbook, _ = smtp_program
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(workbook.read_bytes())  # made before the introductions went
    invoke(settings_path, DAY0, "introduce")
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(settings_path),
            "--workbook",
            str(copy),
            "--as-of",
            "2026-01-13",
            "introduce",
        ],
    )
    assert last_line(result) == (
        "introduce: 0 sent, 2 Email Log rows written back from the send journal"
    )
    assert len(inbox.received) == 2
    assert {day.date() for day in introduced_on(copy).values()} == {DAY0}


def test_leftovers_of_a_killed_run_are_removed(smtp_program, server):
    settings_path, workbook, settings = smtp_program
    outbox = Path(settings.email.outbox)
    outbox.mkdir(parents=True, exist_ok=True)
    leftovers = [workbook.parent / ".mentor-sync-k1d2x.xlsx", outbox / ".mentor-sync-half"]
    for path in leftovers:
        path.write_bytes(b"half")
        old = path.stat().st_mtime - 3600
        os.utime(path, (old, old))
    fresh = workbook.parent / ".mentor-sync-now.xlsx"
    fresh.write_bytes(b"being written")
    result = invoke(settings_path, DAY0, "match")
    assert result.exit_code == 0, result.output
    assert not any(path.exists() for path in leftovers)
    assert fresh.exists()  # too young to be a leftover: maybe another tool is writing it


def test_resend_on_an_alerts_row_tells_nothing_again_and_says_why(smtp_program, server):
    inbox, _ = server
    settings_path, workbook, _ = smtp_program
    book = openpyxl.load_workbook(workbook)
    book["Form Responses 1"].append([datetime(2026, 1, 2, 9), "", "Nameless Applicant"])
    book.save(workbook)
    assert invoke(settings_path, DAY0, "match").exit_code == 0
    [(_, alert)] = inbox.received
    assert "needs a look" in str(alert["Subject"])
    [key] = [k for k in email_log(workbook) if k.startswith("alert |")]
    set_cells(workbook, "Email Log", "Key", {key: {"Status": "resend"}})
    assert invoke(settings_path, DAY0 + timedelta(1), "match").exit_code == 0
    result = invoke(settings_path, DAY0 + timedelta(1), "introduce")
    assert (
        f"the Email Log asks to send '{key}' again, but alerts and digests are not sent again"
        " (a new problem gets a new email); write sent in its Status"
    ) in " ".join(result.output.split())
    assert [str(m["Subject"]) for _, m in inbox.received].count(str(alert["Subject"])) == 1


def test_an_introduced_on_cleared_by_mistake_is_dated_back_and_its_check_ins_go_on_time(
    smtp_program, server
):
    inbox, _ = server
    settings_path, workbook, _ = smtp_program
    invoke(settings_path, DAY0, "introduce")
    set_cells(workbook, "Committee Matches", "Mentee Email", {"ana@m.org": {"Introduced On": None}})
    result = invoke(settings_path, DAY0 + timedelta(30), "checkin")
    assert last_line(result).startswith("checkin: 4 sent;")
    assert introduced_on(workbook)["ana@m.org"].date() == DAY0
    assert len(inbox.received) == 6 and set(deliveries(inbox).values()) == {1}


def test_an_earlier_check_in_sent_again_keeps_its_day_and_skips_nothing(smtp_program, server):
    inbox, _ = server
    settings_path, workbook, _ = smtp_program
    invoke(settings_path, DAY0, "introduce")
    invoke(settings_path, DAY0 + timedelta(30), "checkin")
    invoke(settings_path, DAY0 + timedelta(120), "checkin")
    assert len(inbox.received) == 10
    invoke(settings_path, DAY0 + timedelta(121), "resend", TOM_CHECKIN)
    again = invoke(settings_path, DAY0 + timedelta(121), "checkin")
    assert last_line(again).startswith("checkin: 1 sent; Pair Health"), again.output
    row = email_log(workbook)[TOM_CHECKIN]
    assert (row["Status"], row["Sent At"].date()) == ("sent", DAY0 + timedelta(30))
    health = rows_of(workbook, "Pair Health", "Mentee Email")["ana@m.org"]
    assert health["Check-ins to Mentor"] == 2
    assert len(inbox.received) == 11 and set(deliveries(inbox).values()) == {1}
