"""Secrets stay secret: a password typed where the NAME of its environment variable belongs
is refused without being repeated, on the screen, in the log, in the state file or in an
alert, and the files the jobs keep are their owner's alone."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from jobs import logs, runner
from jobs.cli import cli
from jobs.runner import Call, run_job
from jobs.settings_file import load_settings
from tests.conftest import add_settings

SECRET = "Hunter2-Pa55w0rd!"
# A part of it that no message shows by chance: what tomllib quotes is one character.
PART = "Pa55w0rd"

# The ways a committee puts the password itself into the settings (lines added to the
# [email.smtp] table, or tables of their own), and what the error says instead of it.
WAYS = [
    pytest.param(
        f'password_env = "{SECRET}"\n',
        "setting 'email.smtp.password_env' is not the name of an environment variable",
        id="the password for its variable's name",
    ),
    pytest.param(
        f'username_env = "{SECRET}"\n',
        "setting 'email.smtp.username_env' is not the name of an environment variable",
        id="the login for its variable's name",
    ),
    pytest.param(
        f'password_env = ["{SECRET}"]\n',
        "setting 'email.smtp.password_env' must be text (the value is not repeated here",
        id="in a list",
    ),
    pytest.param(
        f'password_env = {{ value = "{SECRET}" }}\n',
        "setting 'email.smtp.password_env' must be text (the value is not repeated here",
        id="in a table",
    ),
    pytest.param(
        f'pasword_env = "{SECRET}"\n',
        "unknown setting 'email.smtp.pasword_env'; did you mean 'password_env'?",
        id="under a misspelt name",
    ),
    pytest.param(
        f'password = "{SECRET}"\n',
        "unknown setting 'email.smtp.password'; did you mean 'password_env'?",
        id="under a name of its own",
    ),
    pytest.param(
        f'[emial.smtp]\npassword_env = "{SECRET}"\n',
        "unknown setting 'emial'; did you mean 'email'?",
        id="in a misspelt table",
    ),
    pytest.param(
        f"password_env = {SECRET}\n",
        "is not valid TOML: Invalid value (at line",
        id="without quotes",
    ),
    pytest.param(
        f'password_env = "{SECRET}\n',
        "is not valid TOML: Illegal character",
        id="without its closing quote",
    ),
    pytest.param(
        f'password_env = "MENTOR_SYNC_SMTP_PASSWORD"\npassword_env = "{SECRET}"\n',
        "is not valid TOML: Cannot overwrite a value (at line",
        id="given twice",
    ),
    pytest.param(
        f'[google]\ngmail_token = ["{SECRET}"]\n',
        "setting 'google.gmail_token' must be text (the value is not repeated here",
        id="in another setting named for a secret",
    ),
]


def invoke(settings_path: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(settings_path), *args], prog_name="mentor-sync")


@pytest.mark.parametrize(("lines", "error"), WAYS)
def test_a_secret_in_the_settings_is_refused_and_repeated_nowhere(
    program, server, tmp_path, capsys, lines, error
):
    inbox, port = server
    settings_path = tmp_path / "settings.toml"
    add_settings(
        settings_path,
        '[email]\nsender = "smtp"\n'
        f'[email.smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\ntimeout = 5\n',
    )
    known = load_settings(settings_path)
    # A committee member edits the settings while the scheduler runs on `known`.
    add_settings(settings_path, lines)
    commands = [invoke(settings_path, "--verbose", *args) for args in (["match"], ["cron"])]
    doctor = invoke(settings_path, "doctor")
    assert [result.exit_code for result in [*commands, doctor]] == [2, 2, 1]
    assert error in commands[0].stderr and error in doctor.stdout
    logs.configure(verbose=True, quiet=False)  # tracebacks too
    try:
        for _ in range(2):  # remembered, but never alerted: it is a configuration error
            call = Call(settings_path, known=known, verbose=True)
            assert run_job("match", runner.match(), call) == 2
    finally:
        logs.close()
    state = (tmp_path / "mentor-sync-state.json").read_text()
    assert error in state and inbox.received == []
    said = [
        *(text for result in [*commands, doctor] for text in (result.stdout, result.stderr)),
        capsys.readouterr().err,
        (tmp_path / "mentor-sync.log").read_text(),
        state,
    ]
    assert [text for text in said if SECRET in text or PART in text] == []


@pytest.mark.parametrize(
    ("lines", "login"),
    [
        ("", ("MENTOR_SYNC_SMTP_USERNAME", "MENTOR_SYNC_SMTP_PASSWORD")),
        ('[email.smtp]\nusername_env = "SMTP_USER"\npassword_env = "smtp_pass_2"\n', None),
        # No login on purpose: the password's variable then needs no name either.
        ('[email.smtp]\nusername_env = ""\npassword_env = ""\n', ("", "")),
    ],
)
def test_the_login_settings_are_names_of_environment_variables(settings_file, lines, login):
    add_settings(settings_file, lines)
    smtp = load_settings(settings_file).email.smtp
    assert (smtp.username_env, smtp.password_env) == (login or ("SMTP_USER", "smtp_pass_2"))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_log_and_state_files_are_made_for_their_owner_alone(program, tmp_path):
    settings_path = tmp_path / "settings.toml"
    assert invoke(settings_path, "match").exit_code == 0
    log, state = tmp_path / "mentor-sync.log", tmp_path / "mentor-sync-state.json"
    assert (mode(log), mode(state)) == (0o600, 0o600)


def test_a_log_and_a_state_file_that_others_can_read_are_tightened(program, tmp_path):
    settings_path = tmp_path / "settings.toml"
    invoke(settings_path, "match")
    log, state = tmp_path / "mentor-sync.log", tmp_path / "mentor-sync-state.json"
    old_log = tmp_path / "mentor-sync.log.1"
    old_log.write_text("what an older mentor-sync logged\n")
    for path, wide in ((log, 0o644), (state, 0o664), (old_log, 0o644)):
        path.chmod(wide)  # as an older mentor-sync left them
    assert invoke(settings_path, "match").exit_code == 0
    assert (mode(log), mode(state), mode(old_log)) == (0o600, 0o600, 0o600)
    assert log.read_text().count(" INFO match: ") == 2  # tightened, not started afresh


def test_a_state_file_set_aside_is_kept_for_its_owner_alone(program, tmp_path):
    state = tmp_path / "mentor-sync-state.json"
    state.write_text("{not json")
    state.chmod(0o644)
    assert invoke(tmp_path / "settings.toml", "match").exit_code == 0
    [aside] = tmp_path.glob("mentor-sync-state.json.unreadable-*")
    assert aside.read_text() == "{not json"
    assert (mode(aside), mode(state)) == (0o600, 0o600)
