"""The command line: exit codes, one-line messages, the demo."""

import email
import os
import subprocess
import sys
from collections import Counter
from email import policy
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner

from jobs.cli import cli
from tests.conftest import (
    MENTEES_AND_MENTORS,
    PEOPLE,
    mentee,
    program_workbook,
    set_committee_cells,
    tab_rows,
)

ROOT = Path(__file__).resolve().parents[1]
MENTOR_SYNC = [sys.executable, "-c", "from jobs.cli import main; main()"]


def invoke(*args, cwd=None):
    return CliRunner().invoke(cli, list(args), prog_name="mentor-sync")


@pytest.fixture
def configured(tmp_path, settings_file, settings):
    program_workbook(tmp_path / "program.xlsx", settings, *MENTEES_AND_MENTORS)
    return settings_file


def test_match_prints_a_summary_line(configured):
    result = invoke("--config", str(configured), "match")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "slate: 2 of 2 mentees matched, 0 unmatched, 0 weak (score below 35); optimal",
        "mentor load (mentees per mentor): 2 with 1",
        "mean score by career stage: (no answer) 50 (2 of 2 matched)",
        "match: 2 mentees, 2 suggested, 0 without a mentor, 0 intake issues; 28 cells changed",
    ]
    again = invoke("--config", str(configured), "run")
    assert again.output.splitlines()[-2:] == [
        "match: 2 mentees, 2 suggested, 0 without a mentor, 0 intake issues; no changes",
        "introduce and checkin: 0 sent",
    ]


def test_workbook_option_runs_against_another_file(tmp_path, configured, settings):
    other = program_workbook(tmp_path / "other.xlsx", settings, *MENTEES_AND_MENTORS)
    result = invoke(
        "--config", str(configured), "--workbook", str(other), "--as-of", "2027-01-15", "match"
    )
    assert result.exit_code == 0, result.output
    assert settings.tabs.committee in openpyxl.load_workbook(other).sheetnames
    assert (
        settings.tabs.committee not in openpyxl.load_workbook(tmp_path / "program.xlsx").sheetnames
    )


def test_missing_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("match")
    assert result.exit_code == 2
    assert result.stderr == (
        "mentor-sync: configuration error: no settings file at settings.toml; run"
        " 'mentor-sync init' to write one from your forms' responses, pass --config PATH, or"
        " run 'mentor-sync demo' to try the tool on sample data\n"
    )


@pytest.mark.parametrize(
    ("there", "read"),
    [
        (["settings.toml"], "settings.toml"),
        (["config/settings.toml"], "config/settings.toml"),
        (["settings.toml", "config/settings.toml"], "settings.toml"),
    ],
)
def test_without_config_the_settings_are_this_folders(tmp_path, monkeypatch, there, read):
    """settings.toml in this folder (init writes it there), else config/settings.toml, as
    before; --config names any other."""
    monkeypatch.chdir(tmp_path)
    for name in there:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text('[spreadsheet]\npath = "nowhere.xlsx"\n', encoding="utf-8")
    result = invoke("match")
    # The workbook is sought beside the settings file that was read.
    beside = Path(read).parent / "nowhere.xlsx"
    assert result.exit_code == 2
    assert result.stderr.startswith(f"mentor-sync: configuration error: no workbook at {beside};")


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[program]\nnmae = "X"\n',
            "unknown setting 'program.nmae'; did you mean 'name'? (known here: name, committee_email, time_zone)",
        ),
        (
            '[intake]\ndefault_capacity = "two"\n',
            "setting 'intake.default_capacity' must be a whole number, not 'two'",
        ),
        (
            '[spreadsheet]\nbackend = "excel"\n',
            "setting 'spreadsheet.backend' is 'excel'; use one of: workbook",
        ),
        (
            '[[matching.rules]]\nname = "skills"\nkind = "overlap"\nmentee = "skills"\nmentor = "skills"\nweight = -1\n',
            "matching rule 1 ('skills'): 'weight' cannot be negative (-1)",
        ),
        (
            '[email]\nsender = "gmial"\n',
            "setting 'email.sender' is 'gmial'; use one of: outbox, smtp",
        ),
        (
            '[[checkins]]\nname = "first"\ndays = 0\ntemplate = "checkin"\n',
            "[[checkins]] 1 ('first'): days must be 1 to 3660 (days after the introduction)",
        ),
        (
            '[[checkins]]\nname = "first"\ndays = 30\ntemplate = "chekin"\n',
            "the check-in 'first' uses the template 'chekin', but there is no chekin.txt;"
            " did you mean 'checkin'?",
        ),
        (
            '[email]\nshared_interests = ["skils"]\n',
            "'email.shared_interests' names 'skils', which is not a question of the mentee form;"
            " did you mean 'skills'?",
        ),
        (
            '[tabs]\nemail_log = "Intake Issues"\n',
            "tabs.intake_issues and tabs.email_log both name",
        ),
        (
            "[program\n",
            "is not valid TOML: Expected ']' at the end of a table declaration (at line 1, column 9)",
        ),
    ],
)
def test_bad_settings_name_the_key(tmp_path, toml, message):
    path = tmp_path / "settings.toml"
    path.write_text(toml)
    result = invoke("--config", str(path), "match")
    assert result.exit_code == 2
    assert result.stderr.startswith("mentor-sync: configuration error: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_renamed_header_is_a_configuration_error(tmp_path, configured, settings):
    book = openpyxl.load_workbook(tmp_path / "program.xlsx")
    sheet = book[settings.tabs.mentors]
    for cell in sheet[1]:
        if cell.value == "Skills you can share":
            cell.value = "Skills you could share"
    book.save(tmp_path / "program.xlsx")
    result = invoke("--config", str(configured), "match")
    assert result.exit_code == 2
    assert result.stderr == (
        "mentor-sync: configuration error: tab 'Form Responses 2' has no column 'Skills you can"
        " share' (mentor_form.questions.skills); did you mean 'Skills you could share'? If the"
        " question was reworded in the form, put its new text in the settings:"
        ' [mentor_form.questions] skills = "..."; if your form does not ask this, set it to ""'
        " there and take it out of the rule 'skills'\n"
    )


def test_a_renamed_tab_is_a_configuration_error(tmp_path, configured, settings):
    book = openpyxl.load_workbook(tmp_path / "program.xlsx")
    book[settings.tabs.mentees].title = "Form Responses 1 (mentees)"
    book.save(tmp_path / "program.xlsx")
    result = invoke("--config", str(configured), "match")
    assert result.exit_code == 2
    assert (
        "no tab 'Form Responses 1' (mentee responses) in the spreadsheet; did you mean"
        in result.stderr
    )
    assert "set tabs.mentees in the settings" in result.stderr


@pytest.mark.parametrize(
    "tab",
    [
        "Committee Matches",
        "Email Log",
        "Pair Health",
        "Intake Issues",
    ],
)
def test_a_copy_of_a_tool_tab_beside_it_is_not_taken_for_the_tab_renamed(
    tmp_path, settings_file, settings, tab
):
    linked = {settings.checkin_form.tab: [list(settings.checkin_form.questions.values())]}
    workbook = program_workbook(
        tmp_path / "program.xlsx", settings, *MENTEES_AND_MENTORS, extra_tabs=linked
    )
    config = ("--config", str(settings_file), "--as-of", "2026-01-12")
    assert invoke(*config, "run").exit_code == 0  # makes the tool tabs
    set_committee_cells(workbook, settings, {"ana@m.org": {"Status": "Approved"}})
    assert invoke(*config, "run").exit_code == 0  # one introduction; Pair Health has a row
    book = openpyxl.load_workbook(workbook)
    book.copy_worksheet(book[tab]).title = f"Copy of {tab}"  # a committee's snapshot
    book.save(workbook)
    said = {job: invoke(*config, job) for job in ("match", "introduce", "checkin", "run")}
    assert {job: r.exit_code for job, r in said.items()} == dict.fromkeys(said, 0), {
        job: r.stderr for job, r in said.items() if r.exit_code
    }


def test_missing_workbook_says_how_to_start(tmp_path, settings_file):
    result = invoke("--config", str(settings_file), "match")
    assert result.exit_code == 2
    assert "no workbook at" in result.stderr and "mentor-sync demo" in result.stderr


def test_an_unreadable_workbook_fails_the_job(tmp_path, settings_file):
    (tmp_path / "program.xlsx").write_text("not a spreadsheet")
    result = invoke("--config", str(settings_file), "match")
    assert result.exit_code == 1
    assert result.stderr.startswith("mentor-sync: match failed: cannot read ")
    assert "Traceback" not in result.stderr
    verbose = invoke("--config", str(settings_file), "--verbose", "match")
    assert verbose.exit_code == 1 and "Traceback" in verbose.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--as-of", "28/11/2026", "match"],
            "Invalid value for '--as-of': 28/11/2026 is not a date (YYYY-MM-DD)",
        ),
        (
            ["checkin", "--as-of", "2026-13-01"],
            "Invalid value for '--as-of': 2026-13-01 is not a date (YYYY-MM-DD)",
        ),
        (
            ["match", "--as-of", "3026-01-01"],
            "Invalid value for '--as-of': 3026-01-01 is not a day a program runs on; give a day"
            " from 1970-01-01 to 2999-12-31",
        ),
        (
            ["--as-of", "2026-12-01", "checkin", "--as-of", "2026-12-02"],
            "--as-of is given twice: 2026-12-01 before 'checkin' and 2026-12-02 after it;"
            " give it once",
        ),
        (["frob"], "No such command 'frob'."),
        (["match", "--bogus"], "No such option '--bogus'. Did you mean '--verbose'?"),
    ],
)
def test_usage_errors_are_one_line(configured, args, message):
    result = invoke("--config", str(configured), *args)
    assert result.exit_code == 2
    assert result.stderr == f"mentor-sync: usage error: {message} (see mentor-sync --help)\n"


def test_every_command_takes_the_options_of_every_command_after_its_name():
    for name, command in cli.commands.items():
        arguments = [
            param.type.choices[0] if isinstance(param.type, click.Choice) else "2026"
            for param in command.params
            if isinstance(param, click.Argument)
        ]
        after = ["--workbook", "w.xlsx", "-v", "-q", "--config", "c.toml", "--as-of", "2026-13-01"]
        result = invoke(name, *arguments, *after)
        # Every option was known (an unknown one is refused first); the date was read too.
        assert (result.exit_code, result.stderr) == (
            2,
            "mentor-sync: usage error: Invalid value for '--as-of': 2026-13-01 is not a date"
            " (YYYY-MM-DD) (see mentor-sync --help)\n",
        ), name


def test_options_after_the_command_do_what_they_do_before_it(approved, tmp_path, settings):
    config = str(approved)
    assert invoke("--config", config, "--as-of", "2026-01-12", "introduce").exit_code == 0
    before = invoke("--config", config, "--as-of", "2026-02-11", "checkin", "--dry-run")
    after = invoke("checkin", "--dry-run", "--as-of", "2026-02-11", "--config", config)
    assert after.exit_code == 0, after.output
    assert after.output == before.output
    assert "checkin: 2 would be sent" in after.output
    # The same value on both sides is no conflict.
    both = invoke("--as-of", "2026-02-11", "checkin", "--as-of", "2026-02-11", "--config", config)
    assert both.exit_code == 0, both.output
    assert both.output.splitlines()[-1].startswith("checkin: 2 sent")
    other = program_workbook(tmp_path / "other.xlsx", settings, *MENTEES_AND_MENTORS)
    quiet = invoke("match", "--workbook", str(other), "-q", "--config", config)
    assert (quiet.exit_code, quiet.output) == (0, "")
    assert settings.tabs.committee in openpyxl.load_workbook(other).sheetnames


def test_verbose_after_the_command_shows_the_traceback(tmp_path, settings_file):
    (tmp_path / "program.xlsx").write_text("not a workbook")
    result = invoke("match", "--config", str(settings_file), "-v")
    assert result.exit_code == 1 and "Traceback" in result.stderr


def test_match_dry_run_shows_the_proposed_pairs_and_writes_nothing(
    tmp_path, settings_file, settings
):
    mentees, mentors = PEOPLE
    also = mentee("cy@m.org", name="Cy Li", subjects="Engineering")
    workbook = program_workbook(tmp_path / "program.xlsx", settings, [*mentees, also], mentors)
    before = workbook.read_bytes()
    result = invoke("--config", str(settings_file), "match", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Mentee    Suggested mentor  Score  Why",
        "Ana Ruiz  Tom Ng            50     skills: Grant writing; subjects: Chemistry",
        "Bo        Uma               50     skills: Grant writing; subjects: Engineering",
        "without a mentor (1):",
        "  Cy Li: no mentor with free capacity: the mentors who fit are all suggested to other"
        " mentees",
        "slate: 2 of 3 mentees matched, 1 unmatched, 0 weak (score below 35); optimal",
        "mentor load (mentees per mentor): 2 with 1",
        "mean score by career stage: (no answer) 50 (2 of 3 matched)",
        "match: 3 mentees, 2 suggested, 1 without a mentor, 0 intake issues; 33 cells would"
        " change (dry run: nothing written)",
    ]
    assert workbook.read_bytes() == before
    # No state file, no send journal: nothing happened to remember.
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "mentor-sync.lock",
        "mentor-sync.log",
        "program.xlsx",
        "settings.toml",
    ]


def test_no_command_shows_the_help():
    result = invoke()
    assert result.exit_code == 0
    assert "Commands:" in result.stdout and "match" in result.stdout


def test_demo_makes_a_program_and_reuses_it(tmp_path):
    folder = tmp_path / "demo"
    first = invoke("demo", "--dir", str(folder))
    assert first.exit_code == 0, first.output
    assert f"wrote {folder / 'mentoring.xlsx'}" in first.output
    lines = first.output.splitlines()
    summary = [line for line in lines if line.startswith(("match:", "introduce:"))]
    assert summary == [
        "match: 57 mentees, 52 suggested, 5 without a mentor, 7 intake issues; 453 cells changed",
        # Again with the check-in answers: two of them belong to no pair.
        "match: 57 mentees, 46 suggested, 6 kept as the committee set them, 5 without a mentor,"
        " 9 intake issues; 26 cells changed",
        "introduce: 3 sent",
    ]
    # The check-in job replayed on five days of the year, then today's run.
    checkins = [line for line in lines if line.startswith("checkin:")]
    assert len(checkins) == 6
    assert checkins[-1] == "checkin: 6 sent; Pair Health: 6 pairs, 2 flagged"
    # The committee is told once about the intake issues and weak matches, about a mentee
    # who asked it to get in touch, then about the two check-in answers of no pair.
    assert (
        "alert: told mentoring-committee@example.org about 7 problems"
        " (STS Mentoring Program (demo): 7 things need a look)"
    ) in lines
    assert (
        "alert: told mentoring-committee@example.org about 1 problem"
        " (STS Mentoring Program (demo): 1 thing needs a look)"
    ) in lines
    assert (
        "alert: told mentoring-committee@example.org about 2 problems"
        " (STS Mentoring Program (demo): 2 things need a look)"
    ) in lines
    workbook = folder / "mentoring.xlsx"
    flags = "; ".join(str(row["Flag"]) for row in tab_rows(workbook, "Pair Health"))
    for flag in (
        "no answer to the last 2 check-ins",
        "rating 2 or lower",
        "have not met",
        "asked the committee to get in touch",
    ):
        assert flag in flags
    issues = [
        row for row in tab_rows(workbook, "Intake Issues") if row["Tab"] == "Form Responses 3"
    ]
    assert len(issues) == 2
    kinds = Counter(path.name.split("_")[0] for path in (folder / "outbox").glob("*.eml"))
    assert kinds["introduction"] == 3 and kinds["alert"] == 3 and kinds["reminder"] == 3
    assert kinds["check-in"] == 12 and kinds["digest"] >= 1
    sent = sum(kinds.values())
    second = invoke("demo", "--dir", str(folder))
    assert f"reusing {folder / 'mentoring.xlsx'}" in second.output
    # The approved rows are now the committee's: nothing changes.
    assert "6 kept as the committee set them" in second.output
    assert "no changes" in second.output
    assert "introduce: 0 sent" in second.output
    assert "checkin: 0 sent; Pair Health: 6 pairs, 2 flagged" in second.output
    assert "alert:" not in second.output
    assert len(list((folder / "outbox").glob("*.eml"))) == sent


def test_the_console_entry_point_runs(tmp_path):
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from jobs.cli import main; main()",
            "--config",
            "nowhere.toml",
            "match",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stderr.startswith(
        "mentor-sync: configuration error: no settings file at nowhere.toml"
    )


def test_every_command_has_help():
    for name, command in cli.commands.items():
        assert command.help, f"command {name} has no help text"


@pytest.fixture
def approved(configured, tmp_path, settings):
    invoke("--config", str(configured), "match")
    set_committee_cells(tmp_path / "program.xlsx", settings, {"ana@m.org": {"Status": "Approved"}})
    return configured


def test_as_of_walks_a_pair_through_introduction_and_check_ins(approved, tmp_path):
    def run(day, *args):
        result = invoke("--config", str(approved), "--as-of", day, *args)
        assert result.exit_code == 0, result.output
        return result.output.splitlines()

    before = (tmp_path / "program.xlsx").read_bytes()
    preview = run("2026-01-12", "run", "--dry-run")
    # The pairs the match would propose; Ana's, approved, is the committee's.
    assert preview[:2] == [
        "Mentee  Suggested mentor  Score  Why",
        "Bo      Uma               50     skills: Grant writing; subjects: Engineering",
    ]
    assert preview[-3:] == [
        "match: 2 mentees, 1 suggested, 1 kept as the committee set them, 0 without a mentor,"
        " 0 intake issues; 2 cells would change (dry run: nothing written)",
        "would send introduction to ana@m.org, tom@t.org: STS Mentoring Program:"
        " introducing Ana (mentee) and Tom (mentor)",
        "introduce and checkin: 1 would be sent (dry run: nothing sent or logged)",
    ]
    assert (tmp_path / "program.xlsx").read_bytes() == before
    assert not (tmp_path / "outbox").exists()
    assert run("2026-01-12", "introduce")[-1] == "introduce: 1 sent"
    health = "; Pair Health: 1 pair, 0 flagged"
    assert run("2026-02-10", "checkin")[-1] == "checkin: 0 sent" + health
    assert run("2026-02-11", "checkin")[-1] == "checkin: 2 sent" + health
    assert run("2026-02-12", "run")[-1] == "introduce and checkin: 0 sent" + health
    calendar = run("2026-02-12", "calendar")
    assert calendar[:3] == [
        "Date        Email         Pair       To                    Status",
        "2026-01-12  introduction  Ana & Tom  ana@m.org, tom@t.org  sent 2026-01-12",
        "2026-02-11  check-in 1    Ana & Tom  ana@m.org             sent 2026-02-11",
    ]
    assert calendar[5] == "2026-05-12  check-in 2    Ana & Tom  tom@t.org             planned"
    assert calendar[-1] == (
        "calendar: 9 emails for 1 approved pairs (1 introduced); today is 2026-02-12"
    )
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 3


def test_test_email_goes_to_the_committee_only_and_is_not_logged(approved, tmp_path, settings):
    result = invoke("--config", str(approved), "test-email", "checkin")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "test-email: sent '[test] STS Mentoring Program: how is it going with Tom? (check-in 1)'"
        f" to {settings.program.committee_email} through the outbox sender\n"
    )
    [file] = (tmp_path / "outbox").glob("*.eml")
    message = email.message_from_bytes(file.read_bytes(), policy=policy.default)
    assert message["To"] == settings.program.committee_email and message["Cc"] is None
    assert (
        settings.tabs.email_log not in openpyxl.load_workbook(tmp_path / "program.xlsx").sheetnames
    )
    bad = invoke("--config", str(approved), "test-email", "checkin", "--to", "nobody")
    assert (bad.exit_code, bad.stderr) == (
        2,
        "mentor-sync: configuration error: --to 'nobody' is not a usable email address"
        " (an email address must have an @-sign)\n",
    )
    missing = invoke("--config", str(approved), "test-email", "welcome")
    assert "the template 'welcome', but there is no welcome.txt" in missing.stderr


@pytest.mark.parametrize(
    ("template", "subject", "says"),
    [
        ("reminder", "a reminder: how is it going with Tom?", "This is the only reminder."),
        ("alert", "1 thing needs a look", "Form responses the tool could not use"),
        ("digest", "the pairs in ", "(ana@m.org, tom@t.org): rating 2 or lower (mentee: 2)"),
    ],
)
def test_test_email_renders_every_kind_of_email(approved, tmp_path, template, subject, says):
    result = invoke("--config", str(approved), "test-email", template)
    assert result.exit_code == 0, result.output
    [file] = (tmp_path / "outbox").glob("*.eml")
    message = email.message_from_bytes(file.read_bytes(), policy=policy.default)
    assert message["Subject"].startswith(f"[test] STS Mentoring Program: {subject}")
    assert says in message.get_body(("plain",)).get_content()


@pytest.mark.parametrize("command", ["match", "notify-unmatched"])
def test_a_reader_that_goes_away_ends_the_printing_not_the_command(
    tmp_path, settings_file, settings, command
):
    """`mentor-sync ... | head` closes the pipe: the rest of the table goes nowhere, and the
    command neither fails nor says BrokenPipeError."""
    program_workbook(tmp_path / "program.xlsx", settings, *PEOPLE)
    invoke("--config", str(settings_file), "match")  # so that notify-unmatched has a slate
    running = subprocess.Popen(
        [*MENTOR_SYNC, "--config", "settings.toml", command, "--dry-run"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert running.stdout is not None
    running.stdout.close()  # the reader is gone before the first line
    _, stderr = running.communicate(timeout=120)
    assert running.returncode == 0, stderr
    assert "BrokenPipe" not in stderr and "unexpected" not in stderr
