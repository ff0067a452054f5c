"""What every job goes through: the runner."""

from __future__ import annotations

import gc

from jobs import logs
from jobs.runner import Call, run_job


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
