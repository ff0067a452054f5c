"""`mentor-sync status`: the program at a glance, even when the spreadsheet or the state
file cannot be read."""

from __future__ import annotations

import re

from click.testing import CliRunner

from jobs.cli import cli
from tests.fakes.commands import invoke


def test_status_shows_the_program_at_a_glance(tmp_path):
    folder = tmp_path / "demo"
    assert CliRunner().invoke(cli, ["demo", "--dir", str(folder)]).exit_code == 0
    settings_path = folder / "settings.toml"
    result = invoke(settings_path, "status")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("STS Mentoring Program (demo), ")
    assert lines[0].endswith(" (this machine's time zone)")
    assert lines[1:6] == [
        "applicants: 57 mentees, 35 mentors; 9 rows in Intake Issues",
        "pairs: 51 Suggested (0 weak, 5 without a mentor), 6 Approved (6 introduced)",
        "pair health: 6 pairs (6 active), 2 flagged",
        lines[4],
        lines[5],
    ]
    # An alert or a digest is one email, whatever the number of its rows in the Email Log.
    sent = re.fullmatch(r"emails sent: (\d+) \((.*)\)", lines[4])
    kinds = dict(reversed(part.split(" ", 1)) for part in sent[2].split(", "))
    assert {k: v for k, v in kinds.items() if k != "digest"} == {
        "alert": "3",
        "check-in 1": "6",
        "check-in 2": "4",
        "check-in 3": "2",
        "introduction": "3",
        "reminder": "3",
    }
    assert int(sent[1]) == 21 + int(kinds["digest"])
    assert lines[5].startswith("emails due now (the next run sends them): 0; by ")
    journal = tmp_path / "demo" / "mentor-sync-journal.sqlite3"
    assert re.fullmatch(
        rf"records of what was sent: the Email Log \((\d+) rows\) and the send journal"
        rf" \(\1 entries, {re.escape(str(journal))}\)",
        lines[6],
    )
    assert lines[7] == "last runs:"
    assert (
        lines[8].startswith("  match      ")
        and " ok [daily at 07:00]: match: 57 mentees" in lines[8]
    )
    assert " ok [hourly]: introduce: 3 sent" in lines[9]
    assert " ok [daily at 09:00]: checkin: 6 sent" in lines[10]


def test_status_still_shows_the_runs_when_the_spreadsheet_cannot_be_read(program, tmp_path):
    workbook, _ = program
    settings_path = tmp_path / "settings.toml"
    workbook.write_text("broken")
    invoke(settings_path, "match")
    invoke(settings_path, "match")
    result = invoke(settings_path, "status")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].startswith("spreadsheet: cannot read it: cannot read ")
    assert lines[2] == "last runs:"
    assert " FAILED (2 in a row) [daily at 07:00]: cannot read " in lines[3]
    assert lines[4].startswith("  introduce  never run [hourly]")


def test_an_unreadable_state_file_is_set_aside_by_a_job_and_left_alone_by_status(program, tmp_path):
    settings_path = tmp_path / "settings.toml"
    state = tmp_path / "mentor-sync-state.json"
    state.write_text("{not json")
    looked = invoke(settings_path, "status")
    assert looked.exit_code == 0
    assert f"mentor-sync: the state file {state} is not readable (" in looked.stderr
    assert state.read_text() == "{not json"  # status only reads
    assert invoke(settings_path, "match").exit_code == 0
    [aside] = tmp_path.glob("mentor-sync-state.json.unreadable-*")
    assert aside.read_text() == "{not json"
    assert '"match"' in state.read_text()
