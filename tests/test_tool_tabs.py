"""The tabs the tool writes know themselves: a header pushed out of row 1 is refused (exit 2,
nothing written or sent), a renamed tab is found again or refused, never started anew.

Through the command line on real .xlsx files, to a real SMTP server on loopback; and on
the loopback fake of Google for a tab renamed there."""

from __future__ import annotations

from datetime import date, timedelta

import openpyxl
import pytest

from jobs.settings_file import load_settings
from tests.fakes.edits import (
    clear_row_1,
    deliveries,
    insert_row_above,
    invoke,
    rename_as_excel_does,
    rename_leaving_markers,
    rows_of,
    set_cells,
)

DAY0 = date(2026, 1, 12)


@pytest.fixture
def introduced(smtp_program, server):
    """Both pairs introduced on DAY0, a Note on ana's row: (settings, workbook, inbox)."""
    inbox, _ = server
    settings_path, workbook, _ = smtp_program
    set_cells(workbook, "Committee Matches", "Mentee Email", {"ana@m.org": {"Notes": "met at ALA"}})
    result = invoke(settings_path, DAY0, "introduce")
    assert result.output.splitlines()[-1] == "introduce: 2 sent", result.output
    return settings_path, workbook, inbox


@pytest.mark.parametrize("tab", ["Email Log", "Committee Matches"])
@pytest.mark.parametrize("job", ["checkin", "run", "match"])
def test_a_row_inserted_above_a_tool_tabs_header_is_refused_and_nothing_changes(
    introduced, tab, job
):
    settings_path, workbook, inbox = introduced
    insert_row_above(workbook, tab)
    before = workbook.read_bytes()
    result = invoke(settings_path, DAY0 + timedelta(30), job)
    assert result.exit_code == 2
    what = "the Email Log" if tab == "Email Log" else "the committee's matches"
    assert (
        f"tab '{tab}' ({what}) has its header in row 2, not in row 1 (a row was inserted"
        " above it, or the rows were moved); delete the rows above the header so that it is"
        " row 1 again. Nothing was written or sent"
    ) in result.output
    assert workbook.read_bytes() == before
    assert len(inbox.received) == 2


def test_a_cleared_email_log_header_is_refused(introduced):
    settings_path, workbook, inbox = introduced
    clear_row_1(workbook, "Email Log")
    before = workbook.read_bytes()
    result = invoke(settings_path, DAY0 + timedelta(30), "checkin")
    assert result.exit_code == 2
    assert (
        "row 1 of tab 'Email Log' (the Email Log) is empty, but the tab is not; put its header"
        " back in row 1 (Key, Kind, To, Subject, Status, Sent At, Message Id, Error), for"
        " example with Undo. Nothing was written or sent"
    ) in result.output
    assert workbook.read_bytes() == before and len(inbox.received) == 2


def test_once_the_blank_row_is_gone_the_run_goes_on_as_if_nothing_happened(introduced):
    settings_path, workbook, inbox = introduced
    insert_row_above(workbook, "Committee Matches")
    assert invoke(settings_path, DAY0 + timedelta(30), "run").exit_code == 2
    book = openpyxl.load_workbook(workbook)
    book["Committee Matches"].delete_rows(1)
    book.save(workbook)
    result = invoke(settings_path, DAY0 + timedelta(30), "run")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("introduce and checkin: 4 sent;")
    rows = rows_of(workbook, "Committee Matches", "Mentee Email")
    assert rows["ana@m.org"]["Notes"] == "met at ALA"
    assert {row["Status"] for row in rows.values()} == {"Approved"}
    assert set(deliveries(inbox).values()) == {1}


def test_an_email_log_renamed_in_another_case_is_the_email_log(introduced):
    settings_path, workbook, inbox = introduced
    rename_leaving_markers(workbook, "Email Log", "email log")
    result = invoke(settings_path, DAY0 + timedelta(30), "checkin")
    assert result.output.splitlines()[-1].startswith("checkin: 4 sent;"), result.output
    tabs = openpyxl.load_workbook(workbook).sheetnames
    assert "email log" in tabs and not {"Email Log", "Email Log1"} & set(tabs)
    assert len(rows_of(workbook, "email log", "Key")) == 6
    assert set(deliveries(inbox).values()) == {1}


def test_an_email_log_renamed_in_excel_is_found_by_its_marker(introduced):
    settings_path, workbook, inbox = introduced
    rename_as_excel_does(workbook, "Email Log", "Sent emails")
    result = invoke(settings_path, DAY0 + timedelta(30), "checkin")
    assert result.exit_code == 0, result.output
    assert (
        "the tab 'Email Log' is now named 'Sent emails'; mentor-sync found it by its marker"
        " and uses it (set the tab's name in the settings to say so)"
    ) in result.output
    assert "Email Log" not in openpyxl.load_workbook(workbook).sheetnames
    assert len(rows_of(workbook, "Sent emails", "Key")) == 6
    assert len(inbox.received) == 6 and set(deliveries(inbox).values()) == {1}


def test_a_committee_tab_renamed_in_excel_keeps_its_texts(introduced):
    settings_path, workbook, _ = introduced
    rename_as_excel_does(workbook, "Committee Matches", "Matches 2026")
    result = invoke(settings_path, DAY0 + timedelta(1), "match")
    assert result.exit_code == 0, result.output
    assert "Committee Matches" not in openpyxl.load_workbook(workbook).sheetnames
    rows = rows_of(workbook, "Matches 2026", "Mentee Email")
    assert rows["ana@m.org"]["Notes"] == "met at ALA"
    assert rows["ana@m.org"]["Status"] == "Approved"


@pytest.mark.parametrize(
    ("tab", "renamed", "command", "message"),
    [
        (  # a close name
            "Email Log",
            "Email Logs",
            "checkin",
            "no tab 'Email Log' (the Email Log), but tab 'Email Logs' has its columns; if it is"
            " that tab renamed, rename it back, or set tabs.email_log in the settings to 'Email"
            " Logs'. Nothing was written or sent",
        ),
        (  # where its marker cannot follow
            "Committee Matches",
            "2026 program",
            "run",
            "no tab 'Committee Matches' (the committee's matches), but tab '2026 program' has its"
            " columns; if it is that tab renamed, rename it back, or set tabs.committee in the"
            " settings to '2026 program'. Nothing was written or sent",
        ),
    ],
    ids=["close name", "marker cannot follow"],
)
def test_a_tool_tab_renamed_without_its_marker_is_refused(
    introduced, tab, renamed, command, message
):
    settings_path, workbook, inbox = introduced
    rename_leaving_markers(workbook, tab, renamed)
    before = workbook.read_bytes()
    result = invoke(settings_path, DAY0 + timedelta(30), command)
    assert result.exit_code == 2
    assert message in result.output
    assert workbook.read_bytes() == before and len(inbox.received) == 2


@pytest.mark.parametrize("other", ["Email  log", "email log "])
def test_a_second_tab_named_like_a_tool_tab_is_refused(introduced, other):
    settings_path, workbook, _ = introduced
    book = openpyxl.load_workbook(workbook)
    book.create_sheet(other)
    book.save(workbook)
    result = invoke(settings_path, DAY0 + timedelta(30), "checkin")
    assert result.exit_code == 2
    assert f"there are 2 tabs named like 'Email Log' (Email Log, {other})" in result.output


def test_two_tabs_named_alike_are_refused(introduced):
    settings_path, workbook, _ = introduced
    book = openpyxl.load_workbook(workbook)
    book["Email Log"].title = "Email  Log"  # one more space
    book.create_sheet("email log ")
    book.save(workbook)
    result = invoke(settings_path, DAY0 + timedelta(30), "checkin")
    assert result.exit_code == 2
    assert "there are 2 tabs named like 'Email Log' (" in result.output


def test_on_google_a_renamed_email_log_is_found_by_its_sheet_id(tmp_path):
    import gspread

    from sync.google import SHEETS_SCOPE
    from tests.fakes.google_fake import FakeGoogle, loopback_session
    from tests.fakes.google_program import SHEET_ID, cli_run
    from tests.test_google_backend import COMMITTEE, approve, new_program

    with FakeGoogle(seed=5) as fake:
        settings_path = new_program(fake, tmp_path)
        assert cli_run(settings_path, DAY0, "match").exit_code == 0
        approve(fake, settings_path, ["ana@m.org", "bo@m.org"])
        assert cli_run(settings_path, DAY0, "introduce").exit_code == 0
        assert len(fake.sent) == 2
        person = gspread.Client(
            auth=None, session=loopback_session(fake, fake.grant(COMMITTEE, [SHEETS_SCOPE]))
        )
        log = load_settings(settings_path).tabs.email_log
        person.open_by_key(SHEET_ID).worksheet(log).update_title("Sent mail")
        result = cli_run(settings_path, DAY0 + timedelta(30), "checkin")
        assert result.exit_code == 0, result.output
        assert "the tab 'Email Log' is now named 'Sent mail'" in result.output
        assert log not in fake.tab_titles(SHEET_ID)
        assert len(fake.sent) == 6
        keys = [row[0] for row in fake.values(SHEET_ID, "Sent mail")[1:]]
        assert len(keys) == len(set(keys)) == 6
