"""`mentor-sync doctor` against the loopback fake of Google (and the SMTP login in the
environment): each problem a committee meets when setting up, explained in plain words, and
no secret printed."""

from __future__ import annotations

import json
from datetime import date

import openpyxl
import pytest
from click.testing import CliRunner

from jobs.cli import cli
from jobs.settings_file import load_settings
from sync.google import GMAIL_READONLY
from tests.conftest import (
    PEOPLE,
    add_settings,
    mentee,
    mentor,
    own_program,
    program_workbook,
    set_committee_cells,
    tab_rows,
)
from tests.fakes.commands import invoke
from tests.fakes.google_fake import FakeGoogle
from tests.fakes.google_program import (
    REFRESH,
    ROBOT,
    SHEET_ID,
    cli_run,
    google_settings,
    private_key,
    response_tabs,
    user_token,
)

TODAY = date(2026, 11, 28)


@pytest.fixture
def fake():
    with FakeGoogle() as google:
        yield google


def setup(fake, folder, *, edit=None, shared=None):
    """Settings for the fake and the spreadsheet; `edit(settings, tabs)` changes the tabs
    first, as a committee might have."""
    settings_path = google_settings(folder, fake)
    own_program(settings_path)
    settings = load_settings(settings_path)
    tabs = response_tabs(settings, *PEOPLE)
    if edit is not None:
        edit(settings, tabs)
    fake.add_spreadsheet(SHEET_ID, tabs, title="STS Mentoring 2026", shared_with=shared or {ROBOT})
    return settings_path, settings


def doctor(settings_path):
    result = cli_run(settings_path, TODAY, "doctor")
    for secret in (private_key().splitlines()[1], REFRESH, "GOCSPX-test-secret"):
        assert secret not in result.output
    return result


def fixes(result) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith("fix: ")]


def test_a_good_setup_has_nothing_to_fix(fake, tmp_path):
    settings_path, _ = setup(fake, tmp_path)
    result = doctor(settings_path)
    assert result.exit_code == 0, result.output
    assert fixes(result) == []
    lines = result.stdout.splitlines()
    assert "ok: opened the Google spreadsheet 'STS Mentoring 2026', which has 2 tabs" in lines
    assert "note: no tab 'Committee Matches' yet; the first run makes it" in lines
    assert (
        "note: no tab 'Form Responses 3' (the check-in form's responses) yet; link the"
        " check-in form to the spreadsheet (in the form: Responses > Link to Sheets), and set"
        " tabs.checkins to the tab's name"
    ) in lines
    assert (
        "ok: signed in to Gmail as sts.mentoring@gmail.example.com;"
        " emails are sent from sts.mentoring@gmail.example.com"
    ) in lines
    assert lines[-1] == "doctor: nothing to fix"


def test_a_missing_credentials_file(fake, tmp_path):
    settings_path, settings = setup(fake, tmp_path)
    (tmp_path / "credentials" / "service-account.json").unlink()
    result = doctor(settings_path)
    assert result.exit_code == 1
    assert fixes(result) == [
        f"fix: no Google credentials file at {settings.google.credentials} (google.credentials,"
        " for the spreadsheet); make it as docs/google.md ('Setting up Google') says, or point the"
        " settings (the [google] section) at it"
    ]


def test_a_spreadsheet_not_shared_with_the_service_account(fake, tmp_path):
    settings_path, _ = setup(fake, tmp_path, shared={"someone.else@example.org"})
    [fix] = fixes(doctor(settings_path))
    assert f"may not open spreadsheet {SHEET_ID}; share the spreadsheet with {ROBOT}" in fix


def test_a_missing_tab_is_named_with_the_closest_one(fake, tmp_path):
    def rename(settings, tabs):
        tabs["Form Responses 1a"] = tabs.pop(settings.tabs.mentees)

    settings_path, _ = setup(fake, tmp_path, edit=rename)
    assert fixes(doctor(settings_path)) == [
        "fix: no tab 'Form Responses 1' (the mentee form's responses) in the spreadsheet;"
        " did you mean 'Form Responses 1a'? Set tabs.mentees in the settings to the name of"
        " the form's response tab",
        # A tab of that name may as well be the check-in form's.
        "fix: no tab 'Form Responses 3' (the check-in form's responses); did you mean"
        " 'Form Responses 1a'? If so, set tabs.checkins in the settings to its name",
    ]


def test_a_renamed_header_names_the_setting_to_change(fake, tmp_path):
    def reword(settings, tabs):
        header = tabs[settings.tabs.mentees][0]
        header[header.index("Full name")] = "Your full name"

    settings_path, _ = setup(fake, tmp_path, edit=reword)
    assert fixes(doctor(settings_path)) == [
        "fix: tab 'Form Responses 1' has no column 'Full name' (mentee_form.questions.name);"
        " did you mean 'Your full name'? If the question was reworded in the form, put its"
        ' new text in the settings: [mentee_form.questions] name = "..."'
    ]


def test_a_gmail_token_that_cannot_send(fake, tmp_path):
    settings_path, settings = setup(fake, tmp_path)
    token = user_token(fake, [GMAIL_READONLY])
    (tmp_path / "credentials" / "gmail-token.json").write_text(json.dumps(token))
    assert fixes(doctor(settings_path)) == [
        f"fix: the Gmail token {settings.google.gmail_token} does not allow sending mail (it"
        f" has: {GMAIL_READONLY}); run mentor-sync auth gmail and allow 'Send email on your"
        " behalf'"
    ]


def test_an_expired_gmail_token(fake, tmp_path):
    settings_path, _ = setup(fake, tmp_path)
    fake.revoke(REFRESH)
    [fix] = fixes(doctor(settings_path))
    assert fix.startswith("fix: signing in to Gmail failed (401 REFRESH: Google no longer")
    assert "tokens of an OAuth app left in Testing stop after 7 days" in fix
    assert fix.endswith("run mentor-sync auth gmail")


def test_a_token_signed_in_recently_warns_of_the_testing_limit(fake, tmp_path):
    settings_path, _ = setup(fake, tmp_path)
    path = tmp_path / "credentials" / "gmail-token.json"
    token = json.loads(path.read_text())
    token["mentor_sync_signed_in"] = "2026-11-23T10:00:00+00:00"
    path.write_text(json.dumps(token))
    result = doctor(settings_path)
    assert result.exit_code == 0
    assert (
        "note: if your OAuth app is in Testing, the Gmail token expires in 2 days (2026-11-30):"
        " publish the app (OAuth consent screen > Publish app) or re-run mentor-sync auth"
        " gmail every week"
    ) in result.stdout.splitlines()


def test_bad_settings_are_the_first_thing_to_fix(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('[spreadsheet]\nbackend = "google"\nid = "not an id"\n')
    result = cli_run(path, TODAY, "doctor")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith(
        "fix: the settings: setting 'spreadsheet.id' must name the Google spreadsheet"
    )


USER, PASSWORD = "MENTOR_SYNC_SMTP_USERNAME", "MENTOR_SYNC_SMTP_PASSWORD"
HOW = "in the shell that runs the jobs; for cron or systemd, as mentor-sync cron shows"


@pytest.mark.parametrize(
    ("environment", "finding"),
    [
        (
            {USER: None, PASSWORD: None},
            f"fix: the environment variable {USER} (email.smtp.username_env) is not set, so"
            " mentor-sync would send through the SMTP server smtp.example.org:587 without"
            f" logging in. Set {USER} to the SMTP user name and {PASSWORD} to its password"
            f" (export {USER}=... and export {PASSWORD}=... {HOW}); or, if the server needs no"
            ' login, set username_env = "" in [email.smtp]',
        ),
        (
            {USER: "login-7731", PASSWORD: None},
            f"fix: the environment variable {PASSWORD} (email.smtp.password_env) is not set,"
            f" though {USER} is: the SMTP login needs both. Set it: export {PASSWORD}=... {HOW}",
        ),
        (
            {USER: "login-7731", PASSWORD: "Hunter2-Pa55w0rd!"},
            "ok: emails go through the SMTP server smtp.example.org:587, logging in with"
            f" {USER} and {PASSWORD} (both set here; jobs run by cron or systemd need them too:"
            " see mentor-sync cron)",
        ),
    ],
    ids=["no login set", "no password set", "both set"],
)
def test_the_smtp_login_is_checked_by_name_never_shown(program, tmp_path, environment, finding):
    settings_path = tmp_path / "settings.toml"
    add_settings(
        settings_path, '[email]\nsender = "smtp"\n[email.smtp]\nhost = "smtp.example.org"\n'
    )
    own_program(settings_path)
    result = CliRunner().invoke(
        cli, ["--config", str(settings_path), "doctor"], env=environment, prog_name="mentor-sync"
    )
    assert finding in result.stdout.splitlines()
    assert result.exit_code == (1 if finding.startswith("fix:") else 0)
    assert "Hunter2" not in result.output and "login-7731" not in result.output


def test_a_server_without_a_login_is_said_so(program, tmp_path):
    settings_path = tmp_path / "settings.toml"
    add_settings(settings_path, '[email]\nsender = "smtp"\n[email.smtp]\nusername_env = ""\n')
    own_program(settings_path)
    result = CliRunner().invoke(
        cli, ["--config", str(settings_path), "doctor"], env={USER: None, PASSWORD: None}
    )
    assert result.exit_code == 0, result.output
    assert (
        'ok: emails go through the SMTP server localhost:587 without logging in (username_env = "")'
    ) in result.stdout.splitlines()


def test_doctor_names_the_times_and_a_job_that_keeps_failing(program, tmp_path):
    workbook, _ = program
    settings_path = tmp_path / "settings.toml"
    own_program(settings_path)
    good = workbook.read_bytes()
    workbook.write_text("broken")
    invoke(settings_path, "match")
    invoke(settings_path, "match")
    workbook.write_bytes(good)
    lines = invoke(settings_path, "doctor").stdout.splitlines()
    assert (
        f"ok: the jobs log to {tmp_path / 'mentor-sync.log'}; times (this machine's time zone):"
        " match daily at 07:00, introduce hourly, checkin daily at 09:00"
    ) in lines
    [note] = [line for line in lines if line.startswith("note: match")]
    assert note.startswith("note: match failed its last 2 runs: cannot read ")
    assert lines[-1] == "doctor: nothing to fix"


# What the jobs would make of the settings and the tabs: content, not only presence.


def workbook_program(folder, settings_file, mentees, mentors, extra=""):
    """A workbook program of these people, with its own name and addresses (and `extra`
    settings): the settings' path."""
    add_settings(settings_file, extra)
    own_program(settings_file)
    program_workbook(folder / "program.xlsx", load_settings(settings_file), mentees, mentors)
    return settings_file


def doctor_fixes(settings_path) -> list[str]:
    result = invoke(settings_path, "doctor")
    assert result.exit_code == (1 if fixes(result) else 0), result.output
    return fixes(result)


def test_the_demos_sample_names_and_addresses_are_things_to_fix(program, tmp_path):
    assert doctor_fixes(tmp_path / "settings.toml") == [
        "fix: setting 'program.name' is still the sample's 'STS Mentoring Program', which the"
        " emails show; set it to your program's name",
        "fix: setting 'email.from_name' is still the sample's 'STS Mentoring Committee', which"
        ' the emails show; set it to your committee\'s name (or "")',
        "fix: setting 'program.committee_email' is a sample address,"
        " mentoring-committee@example.org, where no mail arrives; set it to the address the"
        " emails should use",
    ]


def test_an_empty_name_or_committee_address_names_the_setting(program, tmp_path):
    settings_path = tmp_path / "settings.toml"
    settings_path.write_text(
        '[program]\nname = ""\ncommittee_email = ""\n'
        '[spreadsheet]\npath = "program.xlsx"\n[email]\nfrom_name = "Riverside"\n'
        'from_address = "mentoring@riverside-library.org"\n'
    )
    assert doctor_fixes(settings_path) == [
        "fix: setting 'program.name' is empty, so the emails would say \"Welcome to the !\";"
        " set it to your program's name",
        "fix: setting 'program.committee_email' is empty, but the emails name it (and come"
        " from it, unless email.from_address is set) and the committee's alerts go to it; set"
        " it to the committee's address",
    ]


def test_a_job_that_would_send_without_a_committee_address_names_the_setting(program, tmp_path):
    workbook, settings = program
    settings_path = tmp_path / "settings.toml"
    add_settings(settings_path, '[program]\ncommittee_email = ""\n')
    set_committee_cells(workbook, settings, {"ana@m.org": {"Status": "Approved"}})
    result = invoke(settings_path, "introduce")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "mentor-sync: configuration error: setting 'program.committee_email' is empty, but the"
        " emails name it (and come from it, unless email.from_address is set) and the"
        " committee's alerts go to it; set it to the committee's address"
    ]
    assert not (tmp_path / "outbox").exists()


OTHER_SKILLS = ["Cataloguing, Metadata", "Metadata", "Archives", "Grant writing, Metadata"]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (
            OTHER_SKILLS,
            [
                "fix: skills (mentee_form, tab 'Form Responses 1'): 75% of 4 answers fit none"
                " of the 10 options in [checkboxes] skills; copy the form's options there,"
                " exactly as the form words them"
            ],
        ),
        # One person's "Other:" answer is what the form allows.
        (
            [
                "Grant writing",
                "Systematic reviews",
                "Knitting",
                "Grant writing, Liaison & outreach",
            ],
            [],
        ),
    ],
    ids=["another form's options", "one Other: answer"],
)
def test_checkbox_answers_that_fit_no_option_are_counted_per_question(
    tmp_path, settings_file, answers, expected
):
    mentees = [mentee(f"m{n}@m.org", skills=skills) for n, skills in enumerate(answers)]
    settings_path = workbook_program(tmp_path, settings_file, mentees, [mentor("tom@t.org")])
    assert doctor_fixes(settings_path) == expected


@pytest.mark.parametrize(
    "extra",
    [
        "[checkboxes]\nsubjects = []\n",
        # A question that is no checkbox question in the defaults, in a rule of its own.
        '[[matching.rules]]\nname = "subjects"\nkind = "overlap"\nmentee = "career_stage"\n'
        'mentor = "position"\nweight = 1\n',
    ],
    ids=["options emptied", "a question without options"],
)
def test_an_overlap_rule_over_a_question_without_options_is_a_problem(
    tmp_path, settings_file, extra
):
    fields = ["career_stage", "position"] if "career_stage" in extra else ["subjects"]
    people = [mentee("ana@m.org"), mentor("tom@t.org")]
    settings_path = workbook_program(tmp_path, settings_file, people[:1], people[1:], extra)
    assert doctor_fixes(settings_path) == [
        f"fix: the rule 'subjects' (overlap) compares the options chosen in {field}, but"
        f" [checkboxes] lists none for {field}: each answer is taken whole, so the rule scores"
        f" only people who ticked exactly the same options; list the form's options in"
        f" [checkboxes] {field}"
        for field in fields
    ]


def test_every_missing_header_is_named_at_once_with_its_setting_and_how_to_switch_it_off(
    program, tmp_path
):
    workbook, settings = program
    settings_path = tmp_path / "settings.toml"
    own_program(settings_path)
    book = openpyxl.load_workbook(workbook)
    renamed = {
        settings.mentee_form.tab: {"Subject areas": "Subjects", "Pronouns": "Your pronouns"},
        settings.mentor_form.tab: {"Time zone": "Your time zone"},
    }
    for tab, names in renamed.items():
        for cell in book[tab][1]:
            cell.value = names.get(cell.value, cell.value)
    book.save(workbook)
    off = 'if your form does not ask this, set it to "" there'
    expected = [
        "fix: tab 'Form Responses 1' has no column 'Pronouns' (mentee_form.questions.pronouns);"
        " did you mean 'Your pronouns'? If the question was reworded in the form, put its new"
        f' text in the settings: [mentee_form.questions] pronouns = "..."; {off}',
        "fix: tab 'Form Responses 1' has no column 'Subject areas'"
        " (mentee_form.questions.subjects); did you mean 'Subjects'? If the question was"
        " reworded in the form, put its new text in the settings: [mentee_form.questions]"
        f" subjects = \"...\"; {off} and take it out of the rule 'subjects',"
        " email.shared_interests",
        "fix: tab 'Form Responses 2' has no column 'Time zone' (mentor_form.questions.time_zone);"
        " did you mean 'Your time zone'? If the question was reworded in the form, put its new"
        f' text in the settings: [mentor_form.questions] time_zone = "..."; {off} and take it'
        " out of the rule 'time zones'",
    ]
    assert doctor_fixes(settings_path) == expected
    # The match names them all at once too, in one line.
    result = invoke(settings_path, "match")
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("mentor-sync: configuration error: " + expected[0][5:] + " Also: ")
    assert line.endswith(" Also: " + expected[1][5:] + " Also: " + expected[2][5:])


def test_a_committee_mentor_email_one_typo_from_a_mentors_is_named_with_its_row(program, tmp_path):
    workbook, settings = program
    settings_path = tmp_path / "settings.toml"
    own_program(settings_path)
    typed = {"ana@m.org": "tom@t.og", "bo@m.org": "uma@gmail.com"}  # a typo; another domain
    set_committee_cells(
        workbook, settings, {e: {"Committee Mentor Email": a} for e, a in typed.items()}
    )
    rows = {
        row["Mentee Email"]: n for n, row in enumerate(tab_rows(workbook, "Committee Matches"), 2)
    }
    assert doctor_fixes(settings_path) == [
        f"fix: tab 'Committee Matches' row {rows[mentee]}: Committee Mentor Email '{address}' is"
        f" no mentor's address; did you mean '{mentor}'? Correct it in the tab (until then that"
        " mentee has no mentor)"
        for mentee, address, mentor in [
            ("ana@m.org", "tom@t.og", "tom@t.org"),
            ("bo@m.org", "uma@gmail.com", "uma@u.org"),
        ]
    ]


@pytest.mark.parametrize(
    ("lock", "editor"),
    [
        ("~$program.xlsx", "Excel"),
        ("~$ogram.xlsx", "Excel"),
        (".~lock.program.xlsx#", "LibreOffice"),
    ],
)
def test_an_editors_lock_file_beside_the_workbook_says_to_close_it(program, tmp_path, lock, editor):
    settings_path = tmp_path / "settings.toml"
    own_program(settings_path)
    (tmp_path / lock).write_text("someone,host,2026-03-02")
    assert doctor_fixes(settings_path) == [
        f"fix: program.xlsx is open in {editor} (its lock file {lock} is beside it); close it"
        " before the jobs run, or their saves are refused or saved over. If nobody has it open,"
        " the lock file is left from a crash: delete it"
    ]


def test_a_spreadsheet_google_cannot_read_now_says_so_without_mentioning_writes(fake, tmp_path):
    settings_path, _ = setup(fake, tmp_path)
    settings_path.write_text(settings_path.read_text().replace("tries = 6", "tries = 1"))
    fake.faults.always = "503"
    [fix] = fixes(doctor(settings_path))
    fake.faults.always = None
    assert fix.startswith("fix: opening the spreadsheet failed (503 UNAVAILABLE")
    assert fix.endswith("; run again later")
    assert "written" not in fix


def test_a_tool_tab_whose_header_moved_is_a_fix_without_the_jobs_refusal(program, tmp_path):
    workbook, settings = program
    settings_path = tmp_path / "settings.toml"
    own_program(settings_path)
    book = openpyxl.load_workbook(workbook)
    book[settings.tabs.committee].insert_rows(1)  # a row inserted above the header
    book.save(workbook)
    assert doctor_fixes(settings_path) == [
        "fix: tab 'Committee Matches' (the committee's matches) has its header in row 2, not"
        " in row 1 (a row was inserted above it, or the rows were moved); delete the rows above"
        " the header so that it is row 1 again"
    ]
