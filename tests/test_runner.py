"""What every job goes through: the runner."""

from __future__ import annotations

import gc

import pytest

from jobs import logs
from jobs.runner import Call, run_job
from tests.conftest import PEOPLE, add_settings, program_workbook, tab_rows
from tests.fakes.commands import invoke


def test_the_cycle_collector_is_paused_for_a_job_and_runs_again_after_it(program, tmp_path):
    seen = []

    def work(session):
        seen.append(gc.isenabled())
        raise RuntimeError("a bug")  # the collector runs again after a failed job too

    logs.configure(verbose=False, quiet=True)
    try:
        assert gc.isenabled()
        run_job("match", work, Call(tmp_path / "settings.toml"))
        assert gc.isenabled()
    finally:
        logs.close()
    assert seen == [False]


def test_the_cycle_collector_runs_again_when_a_job_is_interrupted(program, tmp_path):
    class Interrupted(BaseException):
        """As a Ctrl-C would: no job handler catches it."""

    def work(session):
        raise Interrupted

    logs.configure(verbose=False, quiet=True)
    try:
        with pytest.raises(Interrupted):
            run_job("match", work, Call(tmp_path / "settings.toml"))
        assert gc.isenabled()
    finally:
        logs.close()


def test_run_keeps_the_matchs_suggestions_when_the_emails_cannot_start(
    tmp_path, settings_file, settings
):
    workbook = program_workbook(tmp_path / "program.xlsx", settings, *PEOPLE)
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "introduction.txt").write_text("Subject: Hi {{ mentee.name\n\nHi\n")
    add_settings(settings_file, '[email]\ntemplates = "mine"\n')
    result = invoke(settings_file, "run")
    assert result.exit_code == 2, result.output
    assert "template introduction.txt, line 3" in result.output
    rows = tab_rows(workbook, settings.tabs.committee)
    assert {r["Mentee Email"]: r["Suggested Mentor Email"] for r in rows} == {
        "ana@m.org": "tom@t.org",
        "bo@m.org": "uma@u.org",
    }
