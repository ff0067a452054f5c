"""Loading settings: the committee's file over the documented defaults, and clear errors."""

import pytest

from jobs.settings_file import default_settings_text, load_settings
from mentoring.errors import SettingsError


def settings_from(tmp_path, text):
    path = tmp_path / "settings.toml"
    path.write_text(text)
    return load_settings(path)


def test_an_own_file_changes_only_what_it_names(tmp_path):
    settings = settings_from(
        tmp_path,
        '[tabs]\nmentees = "Mentee applications"\n'
        '[mentee_form.questions]\ntime_zone = "Timezone"\npronouns = ""\n',
    )
    assert settings.tabs.mentees == settings.mentee_form.tab == "Mentee applications"
    assert settings.tabs.mentors == "Form Responses 2"
    assert settings.mentee_form.questions["time_zone"] == "Timezone"
    assert (
        "pronouns" not in settings.mentee_form.questions
    )  # "" means the form has no such question
    assert settings.mentee_form.questions["skills"] == "Skills you want to develop"


def test_the_workbook_path_is_relative_to_the_settings_file(tmp_path):
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "settings.toml"
    path.write_text('[spreadsheet]\npath = "data/program.xlsx"\n')
    assert load_settings(path).spreadsheet.path == str(tmp_path / "sub" / "data" / "program.xlsx")


def test_the_shipped_defaults_are_complete_and_valid(tmp_path):
    (tmp_path / "settings.toml").write_text(default_settings_text())
    settings = load_settings(tmp_path / "settings.toml")
    assert "Tenure, promotion & publishing" in settings.checkboxes["skills"]
    assert (
        settings.mentor_form.questions["capacity"] == "How many mentees can you take on this year?"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[tabz]\n", "unknown setting 'tabz'; did you mean 'tabs'?"),
        ("[tabs]\nmentees = 1\n", "setting 'tabs.mentees' must be text, not 1"),
        (
            '[intake]\ndate_order = "dmy"\n',
            "setting 'intake.date_order' is 'dmy'; use one of: auto, month-first, day-first",
        ),
        (
            "[intake]\ndefault_capacity = 9\n",
            "setting 'intake.default_capacity' must be between 0 and intake.max_capacity",
        ),
        (
            '[mentee_form]\nrequired = ["nmae"]\n',
            "'mentee_form.required' names 'nmae', which is not in mentee_form.questions; did you mean 'name'?",
        ),
        (
            '[mentee_form.questions]\nemail = ""\n',
            "setting 'mentee_form.questions.email' cannot be empty",
        ),
        (
            "[mentor_form.questions]\ncapacity = 3\n",
            "setting 'mentor_form.questions.capacity' must be the question's header text",
        ),
        (
            '[checkboxes]\nskills = "Grant writing"\n',
            "setting 'checkboxes.skills' must be a list, not 'Grant writing'",
        ),
        ("[checkboxes]\nskills = [1, 2]\n", "setting 'checkboxes.skills' must be a list of texts"),
        (
            "[matching]\nmin_score = 101\n",
            "setting 'matching.min_score' must be a whole number from 0 to 100",
        ),
        # Misspellings and slips that would lose data:
        (
            '[mentee_form.questions]\ntime_zome = "Timezone"\n',
            "unknown setting 'mentee_form.questions.time_zome'; did you mean 'time_zone'?",
        ),
        (
            '[checkboxes]\nskils = ["Grant writing"]\n',
            "unknown setting 'checkboxes.skils'; did you mean 'skills'?",
        ),
        (
            '[tabs]\nintake_issues = "Form Responses 2"\n',
            "settings tabs.mentors and tabs.intake_issues both name the tab 'Form Responses 2'; each needs a tab of its own",
        ),
        (
            '[[checkins]]\nname = "Reminder"\ndays = 10\ntemplate = "checkin"\n',
            "[[checkins]] 1 is named 'Reminder', which the Email Log uses for other emails",
        ),
        (
            '[health]\ndigest = "daily"\n',
            "setting 'health.digest' is 'daily'; use one of: monthly, weekly, off",
        ),
        ("[health]\nlow_rating = 6\n", "setting 'health.low_rating' must be between 0"),
        ("[health]\nanswer_within_days = 0\n", "setting 'health.answer_within_days' must be"),
        (
            '[checkin_form.questions]\npartner = ""\n',
            "setting 'checkin_form.questions.partner' cannot be empty",
        ),
        (
            '[tabs]\npair_health = "Committee Matches"\n',
            "settings tabs.committee and tabs.pair_health both name the tab 'Committee Matches'",
        ),
        (
            '[tabs]\nprogram_report = "past pairs"\n',
            "settings tabs.program_report and matching.past_pairs_tab both name the tab"
            " 'Past Pairs'; each needs a tab of its own",
        ),
        (
            '[matching]\npast_pairs_tab = "Committee Matches "\n',
            "settings tabs.committee and matching.past_pairs_tab both name the tab"
            " 'Committee Matches'; each needs a tab of its own",
        ),
        (
            "[matching]\nsubjects_weight = 2\n",
            "unknown setting 'matching.subjects_weight' (known here: min_score",
        ),
        # The login's settings name environment variables; a value that is not a name is
        # refused without being repeated (it may be the password itself).
        (
            '[email.smtp]\npassword_env = "my password"\n',
            "setting 'email.smtp.password_env' is not the name of an environment variable (the"
            " value is not repeated here, in case it is the password itself); it must be the NAME"
            " of the environment variable that holds the SMTP password: letters, digits and _,"
            ' such as MENTOR_SYNC_SMTP_PASSWORD. Write password_env = "MENTOR_SYNC_SMTP_PASSWORD"'
            " and set MENTOR_SYNC_SMTP_PASSWORD where the jobs run (mentor-sync cron shows how)",
        ),
        (
            '[email.smtp]\nusername_env = "committee@example.org"\n',
            "setting 'email.smtp.username_env' is not the name of an environment variable (the"
            " value is not repeated here, in case it is the user name itself); it must be the"
            " NAME of the environment variable that holds the SMTP user name",
        ),
        (
            '[email.smtp]\npassword_env = "2FA_CODE"\n',
            "setting 'email.smtp.password_env' is not the name of an environment variable",
        ),
        (
            '[email.smtp]\npassword_env = ""\n',
            "setting 'email.smtp.password_env' is empty, but username_env names a login; it must"
            " be the NAME of the environment variable that holds the SMTP password",
        ),
        ("[email.smtp]\npassword_env = 42\n", "setting 'email.smtp.password_env' must be text"),
    ],
)
def test_bad_settings_are_named(tmp_path, text, message):
    with pytest.raises(SettingsError) as caught:  # never an alert to the committee
        settings_from(tmp_path, text)
    assert str(caught.value).startswith(message)


def test_a_settings_file_that_is_not_utf8(tmp_path):
    (tmp_path / "settings.toml").write_bytes(
        '[program]\nname = "Programme d\'été"\n'.encode("latin-1")
    )
    with pytest.raises(SettingsError, match="is not UTF-8 text"):
        load_settings(tmp_path / "settings.toml")
