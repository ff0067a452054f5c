"""The benchmark scripts still run (on tiny programs), so benchmarks/README.md's figures can
be remade."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
# As when a script runs (`python benchmarks/bench_mail.py`): its folder is on the path, so
# the scripts find what they share (benchmarks/programs.py).
sys.path.insert(0, str(BENCHMARKS))


def load(name):
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_the_engine_benchmark_measures_a_small_program():
    result = load("bench_engine").one_size(40, 20)
    assert result["matched"] == 40 and result["proof"] == "optimal"


def test_the_quality_comparison_puts_the_engine_at_the_optimum():
    rows = {name: (ratio, share) for name, ratio, share in load("bench_engine").quality(30, 15)}
    assert rows["engine"] == (1.0, 1.0)
    assert rows["greedy"][0] <= 1.0


@pytest.mark.parametrize("kind", ["generated", "alike", "identical"])
def test_the_adversarial_programs_are_what_they_say(kind):
    score, allowed, capacity = load("bench_engine").adversarial_program(kind, 40, 20)
    assert score.shape == allowed.shape == (40, 20) and capacity.shape == (20,)
    if kind == "identical":
        assert (score == score[0]).all()
    if kind == "alike":  # everyone ranks the mentors in the same order
        order = np.argsort(-score.sum(axis=0), kind="stable")
        assert (np.diff(score[:, order].astype(int), axis=1) <= 0).all()


@pytest.mark.filterwarnings("ignore")
def test_the_match_benchmark_module_loads():
    assert callable(load("bench_match").main)


def test_the_match_benchmark_weighs_the_choices_of_a_committee(monkeypatch, capsys):
    argv = ["bench_match", "--mentees", "20", "--mentors", "10", "--repeat", "1"]
    monkeypatch.setattr(sys, "argv", argv)
    bench = load("bench_match")
    bench.main()
    out, err = capsys.readouterr()
    rows = {line.split(" | ")[0].lstrip("| ").rstrip() for line in out.splitlines()}
    assert {name.strip() for name in bench.WEIGHING} <= rows
    assert "weighing the committee's choices (the second solve, " in out
    # The command matched a slate the committee had set: its summary weighs it.
    assert "committee choices cost" in err


@pytest.mark.parametrize("journal", [False, True], ids=["without journal", "with journal"])
def test_the_mail_benchmark_sends_every_email_of_a_small_program(tmp_path, journal):
    class Sizes:
        mentees, mentors = 20, 10

    results = {
        job: (sent, writes)
        for job, _, sent, writes in load("bench_mail").one_program(tmp_path, Sizes, journal)
    }
    introduced, _ = results["introduce"]
    assert introduced > 0 and results == {
        "introduce": (introduced, 2),
        "checkin": (2 * introduced, 2),
    }


def test_the_mail_benchmark_compares_the_jobs_with_and_without_the_journal(monkeypatch, capsys):
    argv = ["bench_mail", "--mentees", "20", "--mentors", "10", "--repeat", "2"]
    monkeypatch.setattr(sys, "argv", argv)
    load("bench_mail").main()
    rows = [line.split(" | ") for line in capsys.readouterr().out.splitlines()]
    jobs = {row[0].lstrip("| "): row for row in rows if len(row) == 9}
    emails = int(jobs["introduce"][1])
    assert emails > 0 and (jobs["checkin"][1], jobs["checkin"][2]) == (str(2 * emails), "2")
    calls = {
        (row[0].lstrip("| "), row[1]): int(row[2])
        for row in rows
        if len(row) == 5 and row[2].isdigit()
    }
    # The journal marks each email just before it is handed over, and records it after.
    assert calls["introduce", "handing_over"] == emails
    assert calls["checkin", "queue"] == 1 and calls["checkin", "sync"] == 1


def test_the_google_benchmark_counts_the_requests_of_a_small_program(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["bench_google", "--mentees", "20", "--mentors", "10"])
    load("bench_google").main()
    table = capsys.readouterr().out
    assert "| match (first: adds 2 tabs) | 3 |" in table
    assert "| run (match + introductions) | 6 |" in table


def test_the_health_benchmark_assesses_every_pair_of_a_small_program(tmp_path):
    class Sizes:
        mentees, mentors = 30, 15

    result = load("bench_health").one_program(tmp_path, Sizes)
    assert result["pairs"] > 0 and result["answers"] > 0
    assert 0 <= result["flagged"] <= result["pairs"]


def test_the_report_benchmark_makes_a_year_and_times_the_reports_stages(tmp_path):
    class Sizes:
        mentees, mentors = 30, 15

    bench = load("bench_report")
    settings_path, held = bench.a_year(tmp_path, Sizes)
    assert held["pairs"] > 0 and held["answers"] > 0
    assert list(bench.stages(settings_path)) == [
        "read .xlsx",
        "count (pandas)",
        "draw (matplotlib)",
    ]


def test_the_startup_benchmark_puts_each_command_beside_python_c_pass():
    bench = load("bench_startup")
    found = [
        bench.Command("python -c pass", ["-c", "pass"]),
        bench.mentor_sync("help", None, "--help"),
    ]
    bench.measure(found, repeat=2)
    rows = [line.split(" | ") for line in bench.table(found)[2:]]
    assert [len(c.seconds) for c in found] == [2, 2]
    assert [row[0].lstrip("| ") for row in rows] == ["python -c pass", "help"]
    assert rows[0][-1] == "1.0 (1.0) |"


def test_the_startup_benchmark_names_the_packages_a_command_imports():
    bench = load("bench_startup")
    imports = dict(bench.slowest_imports(bench.Command("email", ["-c", "import email.message"])))
    assert "email" in imports and "jobs" not in imports


def test_the_init_benchmark_runs_init_on_the_new_users_workbook(tmp_path):
    seconds = load("bench_init").time_init(tmp_path, 1)
    assert len(seconds) == 1
    assert (tmp_path / "init-0" / "settings.toml").is_file()
