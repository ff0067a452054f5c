"""The command line starts at once: a command loads only the heavy libraries it uses.

Each check runs in a new Python process and reads its sys.modules at the end, since this
process has long imported everything.
"""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from jobs.cli import cli
from tests.conftest import MENTEES_AND_MENTORS, add_settings, program_workbook

ENGINE = ("sklearn", "scipy", "numpy")  # scoring and assignment
TEMPLATES = ("jinja2",)  # rendering emails
GOOGLE = ("googleapiclient", "gspread", "google.auth", "google_auth_oauthlib", "httplib2")
WORKBOOK = ("openpyxl",)  # the local workbook (openpyxl imports numpy when it can)
REPORT = ("pandas", "matplotlib")  # counting and drawing the year's report
HEAVY = (*ENGINE, *TEMPLATES, *GOOGLE, "requests", *WORKBOOK, *REPORT)

# Put before the code to run: at exit, writes sys.modules into the file named first on the
# command line, which it takes off the command line the code sees.
PROBE = """\
import atexit, json, sys
modules_file = sys.argv.pop(1)
atexit.register(lambda: open(modules_file, "w").write(json.dumps(sorted(sys.modules))))
"""


def run_and_list_modules(tmp_path, code, *args):
    """Run `code` in a new Python with `args` as its command line; its output and the
    heavy libraries it imported."""
    modules_file = tmp_path / "modules.json"
    completed = subprocess.run(
        [sys.executable, "-c", PROBE + code, str(modules_file), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    modules = set(json.loads(modules_file.read_text()))
    return completed.stdout, [name for name in HEAVY if name in modules]


def test_importing_the_command_line_loads_no_heavy_library(tmp_path):
    _, heavy = run_and_list_modules(tmp_path, "import jobs.cli")
    assert heavy == []


def test_the_help_of_every_command_loads_no_heavy_library(tmp_path):
    code = (
        "from jobs.cli import main\n"
        "for command in ['', *sys.argv[1:]]:\n"
        "    sys.argv = ['mentor-sync', *command.split(), '--help']\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit:\n"
        "        pass"
    )
    said, heavy = run_and_list_modules(tmp_path, code, *cli.commands)
    assert heavy == []
    for name in ["", *cli.commands]:
        assert f"Usage: mentor-sync {name}".strip() in said


@pytest.fixture
def matched(tmp_path, settings_file, settings):
    program_workbook(tmp_path / "program.xlsx", settings, *MENTEES_AND_MENTORS)
    result = CliRunner().invoke(cli, ["--config", str(settings_file), "match"])
    assert result.exit_code == 0, result.output
    return settings_file


@pytest.mark.parametrize("command", ["status", "calendar", "cron"])
def test_commands_that_send_nothing_load_neither_the_engine_nor_the_templates(
    tmp_path, matched, command
):
    said, heavy = run_and_list_modules(
        tmp_path, "from jobs.cli import main\nmain()", "--config", str(matched), command
    )
    assert said.strip()
    assert [name for name in heavy if name not in ("numpy", *WORKBOOK)] == []


def test_a_broken_template_stops_the_email_jobs_but_not_status(tmp_path, matched):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "introduction.txt").write_text("Subject: Hi {{ mentee.name\n\nHi\n")
    add_settings(matched, '[email]\ntemplates = "mine"\n')
    status = CliRunner().invoke(cli, ["--config", str(matched), "status"])
    assert status.exit_code == 0 and "applicants: 2 mentees, 2 mentors" in status.output
    introduce = CliRunner().invoke(cli, ["--config", str(matched), "introduce", "--dry-run"])
    assert introduce.exit_code == 2
    assert introduce.output.startswith(
        "mentor-sync: configuration error: template introduction.txt, line 3:"
    )


def test_the_report_loads_pandas_and_matplotlib_and_match_no_matplotlib(tmp_path, matched):
    # (scikit-learn imports pandas itself when it is installed, so match loads pandas too.)
    command = "from jobs.cli import main\nmain()"
    _, heavy = run_and_list_modules(tmp_path, command, "--config", str(matched), "match")
    assert "matplotlib" not in heavy
    _, heavy = run_and_list_modules(tmp_path, command, "--config", str(matched), "report")
    assert set(REPORT) <= set(heavy)
