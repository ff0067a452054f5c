"""Committee cells read safely: a formula saved without its value, or a date no pair can
have started on, holds its own row (no emails, its Pair Health row kept) and says what to
fix; every other pair goes on. And the small things: --as-of out of range, a disk that
fills up during the save. Through the command line on real .xlsx files."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from datetime import date, timedelta

import openpyxl
import pytest

from tests.conftest import tab_rows
from tests.fakes.edits import formula_as_excel_saves_it, invoke, rows_of, set_cells

DAY0 = date(2026, 1, 12)
STATUS_FORMULA = '=IF(1=1,"Approved","Hold")'
COMMITTEE = "mentoring-committee@example.org"


def said(result) -> str:
    assert result.exit_code in (0, 1), result.output
    return " ".join(result.output.split())


@pytest.fixture
def introduced(smtp_program, server):
    """Both pairs introduced on DAY0 and checked in on day 30: (settings, workbook, inbox)."""
    inbox, _ = server
    settings_path, workbook, _ = smtp_program
    assert invoke(settings_path, DAY0, "introduce").exit_code == 0
    assert invoke(settings_path, DAY0 + timedelta(30), "checkin").exit_code == 0
    assert len(inbox.received) == 6
    return settings_path, workbook, inbox


def test_a_status_formula_without_its_value_holds_its_row_and_says_so(introduced):
    settings_path, workbook, inbox = introduced
    set_cells(
        workbook, "Committee Matches", "Mentee Email", {"ana@m.org": {"Status": STATUS_FORMULA}}
    )
    before = rows_of(workbook, "Pair Health", "Mentee Email")["ana@m.org"]
    result = invoke(settings_path, DAY0 + timedelta(120), "run")
    text = said(result)
    assert (
        f"Committee Matches row 2: Status is a formula ({STATUS_FORMULA}) whose value is not"
        " saved in the workbook, so mentor-sync cannot tell what it says; type the value"
        " instead (mentor-sync saves the workbook without the values of formulas, so a"
        " formula's value is known only until its next save). Until then this row keeps what"
        " it had: no emails, and its Pair Health row stays as it was"
    ) in text
    # Bo's pair goes on: check-in 2 to both; nothing for Ana's pair.
    late = [to for to, _ in inbox.received[6:] if to != [COMMITTEE]]
    assert sorted(late) == [["bo@m.org"], ["uma@u.org"]]
    [issue] = [r for r in tab_rows(workbook, "Intake Issues") if r["Tab"] == "Committee Matches"]
    assert issue["Problem"].startswith(f"Status is a formula ({STATUS_FORMULA}) whose value")
    health = rows_of(workbook, "Pair Health", "Mentee Email")["ana@m.org"]
    assert health == before  # not "ended", not rewritten
    row = rows_of(workbook, "Committee Matches", "Mentee Email")["ana@m.org"]
    assert row["Status"] == STATUS_FORMULA  # the committee's formula is theirs
    assert row["Why"].startswith("Status is a formula whose value is not saved in the workbook")


def test_a_status_formula_saved_by_excel_works_for_the_whole_run_that_reads_it(
    smtp_program, server
):
    inbox, _ = server
    settings_path, workbook, _ = smtp_program
    key = ("Mentee Email", "ana@m.org")
    set_cells(workbook, "Committee Matches", "Mentee Email", {"bo@m.org": {"Status": "Hold"}})
    formula_as_excel_saves_it(
        workbook, "Committee Matches", key, "Status", STATUS_FORMULA, "Approved"
    )
    # `run` matches first, and its save keeps the formula but not the value; the email
    # step of the same run still reads the value Excel saved.
    result = invoke(settings_path, DAY0, "run")
    assert said(result).endswith("introduce and checkin: 1 sent; Pair Health: 1 pair, 0 flagged")
    assert [to for to, _ in inbox.received] == [
        ["ana@m.org", "tom@t.org", "mentoring-committee@example.org"]
    ]
    assert rows_of(workbook, "Committee Matches", "Mentee Email")["ana@m.org"]["Status"] == (
        STATUS_FORMULA
    )


def test_an_introduction_date_no_pair_can_have_stops_nothing_else(introduced):
    settings_path, workbook, inbox = introduced
    far = date(9999, 12, 20)
    set_cells(workbook, "Committee Matches", "Mentee Email", {"ana@m.org": {"Introduced On": far}})
    for command in ("calendar", "status"):
        result = invoke(settings_path, DAY0 + timedelta(120), command)
        assert result.exit_code == 0, result.output
        assert "Introduced On 9999-12-20 cannot be the day this pair was introduced" in said(result)
    result = invoke(settings_path, DAY0 + timedelta(120), "run")
    assert (
        "Committee Matches row 2: Introduced On 9999-12-20 cannot be the day this pair was"
        " introduced; write that day as YYYY-MM-DD (no emails for this pair until then)"
    ) in said(result)
    late = sorted(to for to, _ in inbox.received[6:] if to != [COMMITTEE])
    assert late == [["bo@m.org"], ["uma@u.org"]]
    assert rows_of(workbook, "Pair Health", "Mentee Email")["ana@m.org"]["State"] == "active"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1969-12-31"])
def test_as_of_out_of_range_is_a_usage_error(introduced, day):
    settings_path, _, _ = introduced
    result = invoke(settings_path, DAY0, "--as-of", day, "status")
    assert result.exit_code == 2
    assert result.output == (
        f"mentor-sync: usage error: Invalid value for '--as-of': {day} is not a day a program"
        " runs on; give a day from 1970-01-01 to 2999-12-31 (see mentor-sync --help)\n"
    )


def _small_files():
    # The child may write 64 KiB per file: enough for the journal and the log, not the workbook.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def test_a_disk_that_fills_up_during_the_save_is_one_line_and_loses_nothing(introduced):
    settings_path, workbook, _ = introduced
    book = openpyxl.load_workbook(workbook)
    notes = book.create_sheet("Our own jottings")  # a tab of the committee's: a bigger file
    for number in range(3000):
        notes.append([number, os.urandom(32).hex()])
    book.save(workbook)
    before = workbook.read_bytes()
    assert len(before) > 64 * 1024
    done = subprocess.run(
        [sys.executable, "-m", "jobs", "--config", str(settings_path), "match"],
        capture_output=True,
        text=True,
        preexec_fn=_small_files,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith(f"mentor-sync: match failed: cannot save {workbook} (")
    assert line.endswith("File too large); run again")
    assert workbook.read_bytes() == before
    assert not list(workbook.parent.glob(".mentor-sync-*"))


def test_a_year_mistyped_in_introduced_on_does_not_send_the_closing_email(introduced):
    settings_path, workbook, inbox = introduced
    typo = date(DAY0.year - 1, DAY0.month, DAY0.day)  # the introduction went on DAY0
    set_cells(workbook, "Committee Matches", "Mentee Email", {"ana@m.org": {"Introduced On": typo}})
    result = invoke(settings_path, DAY0 + timedelta(31), "run")
    assert (
        f"Committee Matches row 2: Introduced On {typo} is not the day the introduction went"
        f" ({DAY0}, in the Email Log); the check-ins count from {DAY0}: correct Introduced On"
    ) in said(result)
    # No closing email, no check-in out of turn: only the committee is told (Intake Issues).
    assert [to for to, _ in inbox.received[6:]] == [[COMMITTEE]]
    assert (
        rows_of(workbook, "Committee Matches", "Mentee Email")["ana@m.org"]["Introduced On"].date()
        == typo
    )


@pytest.mark.parametrize("status", ["Aproved", "Hold"])
def test_an_introduced_pair_on_hold_or_with_a_mistyped_status_is_not_told_as_closed(
    introduced, status
):
    settings_path, workbook, inbox = introduced
    set_cells(workbook, "Committee Matches", "Mentee Email", {"ana@m.org": {"Status": status}})
    before = rows_of(workbook, "Pair Health", "Mentee Email")["ana@m.org"]
    result = invoke(settings_path, DAY0 + timedelta(120), "checkin")
    typo = (
        "Committee Matches row 2: Status 'Aproved' is not one of Suggested, Approved, Rejected,"
        " Hold; this introduced pair keeps what it had (no emails, its Pair Health row as it"
        " was) until it is corrected"
    )
    assert (typo in said(result)) == (status == "Aproved")
    assert sorted(to for to, _ in inbox.received[6:]) == [["bo@m.org"], ["uma@u.org"]]
    assert rows_of(workbook, "Pair Health", "Mentee Email")["ana@m.org"] == before
    assert "closed" not in " ".join(str(m["Subject"]) for _, m in inbox.received)


def test_an_introduced_on_after_today_waits_and_keeps_its_pair_health_row(smtp_program, server):
    inbox, _ = server
    settings_path, workbook, _ = smtp_program
    by_hand = {"bo@m.org": {"Introduced On": DAY0}}  # introduced by the committee, by hand
    set_cells(workbook, "Committee Matches", "Mentee Email", by_hand)
    invoke(settings_path, DAY0, "introduce")
    invoke(settings_path, DAY0 + timedelta(30), "checkin")
    assert len(inbox.received) == 5
    typo = DAY0 + timedelta(365)  # the year typed one too many
    set_cells(workbook, "Committee Matches", "Mentee Email", {"bo@m.org": {"Introduced On": typo}})
    before = rows_of(workbook, "Pair Health", "Mentee Email")["bo@m.org"]
    result = invoke(settings_path, DAY0 + timedelta(120), "checkin")
    assert (
        f"Committee Matches row 3: Introduced On {typo} is after today; the pair gets no"
        " emails until then, and Pair Health keeps its row as it was (correct the date if it"
        " is a typing mistake)"
    ) in said(result)
    assert sorted(to for to, _ in inbox.received[5:]) == [["ana@m.org"], ["tom@t.org"]]
    assert rows_of(workbook, "Pair Health", "Mentee Email")["bo@m.org"] == before


def test_a_sent_at_typed_over_in_the_email_log_does_not_move_the_pairs_year(introduced):
    settings_path, workbook, inbox = introduced
    key = "introduction | ana@m.org | tom@t.org"
    typo = date(DAY0.year - 1, DAY0.month, DAY0.day)
    set_cells(workbook, "Email Log", "Key", {key: {"Sent At": typo}})
    set_cells(workbook, "Committee Matches", "Mentee Email", {"ana@m.org": {"Introduced On": None}})
    result = invoke(settings_path, DAY0 + timedelta(31), "run")
    assert result.exit_code == 0, result.output
    assert (
        rows_of(workbook, "Committee Matches", "Mentee Email")["ana@m.org"]["Introduced On"].date()
        == DAY0
    )
    assert [to for to, _ in inbox.received[6:]] == []  # no closing email out of turn
