"""How long each job takes against its floor, side by side.

    python benchmarks/bench_jobs.py [--mentees 1000] [--mentors 500] [--repeat 5]

The floor of a job is what no job can do without: a new Python process that imports the
command line and the libraries the job uses, loads the workbook once and saves it once.
Three programs are written into a temporary folder, and each run works on a fresh copy:

- match: the generated program, not matched yet (the first match writes every row);
- run: the program matched, every suggestion approved, nobody introduced yet (the match
  finds nothing to change, then 400 introductions go, the daily cap);
- checkin: every suggestion introduced 150 days ago, check-ins 1 and 2 sent to everyone
  and three answers in four given (bench_health.py's program): Pair Health, the
  reminders of the unanswered (up to the daily cap) and the committee's digest.

Each round runs each job and its floor as new processes, taking turns (the first of each
pair alternating), so what else this shared machine does falls on both alike; medians
are compared as ratios. The workbook's loads and saves of each job are counted once, in
this process, by wrapping sync/workbook.py's two functions. Prints a table for the
benchmarks/README.md.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bench_health import INTRODUCED_ON, TODAY, half_a_year
from click.testing import CliRunner
from programs import approve_every_suggestion, matched_program, parser

import sync.workbook
from jobs.cli import cli
from jobs.demo_data import program_tabs
from jobs.settings_file import load_settings
from mentoring.committee import INTRODUCED
from sync.workbook import create_workbook

# What each job imports beyond the command line, for its floor to import too.
LIBRARIES = {
    "match": ("sklearn.feature_extraction.text", "scipy.optimize", "scipy.sparse", "openpyxl"),
    "run": ("sklearn.feature_extraction.text", "scipy.optimize", "jinja2", "openpyxl"),
    "checkin": ("jinja2", "openpyxl"),
}
FLOOR = """
import importlib, sys
import jobs.cli
for name in sys.argv[3:]:
    importlib.import_module(name)
import openpyxl
book = openpyxl.load_workbook(sys.argv[1])
book.save(sys.argv[2])
"""


def programs(folder: Path, mentees: int, mentors: int) -> dict[str, tuple[Path, date]]:
    """A settings file for each job's program (its workbook beside it), and its day."""
    made = {}
    for job in LIBRARIES:
        home = folder / job
        home.mkdir()
        settings_text = "[email]\ndaily_cap = 400\n"
        if job == "match":
            (home / "settings.toml").write_text('[spreadsheet]\npath = "bench.xlsx"\n')
            settings = load_settings(home / "settings.toml")
            tabs = program_tabs(settings, mentees=mentees, mentors=mentors, quirks=False)
            create_workbook(Path(settings.spreadsheet.path), tabs)
            made[job] = (home / "settings.toml", TODAY)
            continue
        settings, workbook = matched_program(home, mentees, mentors, TODAY, settings_text)
        if job == "run":
            approve_every_suggestion(workbook, settings.tabs.committee)
        else:
            approve_every_suggestion(workbook, settings.tabs.committee, {INTRODUCED: INTRODUCED_ON})
            half_a_year(workbook, settings)
        made[job] = (home / "settings.toml", TODAY)
    return made


def fresh_copy(settings_path: Path) -> Path:
    """The program's folder copied, so that every run starts from the same files."""
    copy = settings_path.parent.with_name(settings_path.parent.name + "-run")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(settings_path.parent, copy)
    return copy / "settings.toml"


def job_seconds(job: str, settings_path: Path, day: date) -> float:
    settings = fresh_copy(settings_path)
    command = [sys.executable, "-m", "jobs", "--config", str(settings), "--as-of", str(day), job]
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False)
    return time.perf_counter() - start


def floor_seconds(job: str, settings_path: Path) -> float:
    settings = fresh_copy(settings_path)
    workbook = settings.parent / "bench.xlsx"
    saved = settings.parent / ".saved.xlsx"
    command = [sys.executable, "-c", FLOOR, str(workbook), str(saved), *LIBRARIES[job]]
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    return time.perf_counter() - start


def loads_and_saves(job: str, settings_path: Path, day: date) -> tuple[int, int, str]:
    """The workbook's loads and saves of one run of the job, and its summary line."""
    counts = {"load": 0, "save": 0}
    load, save = sync.workbook.open_workbook, sync.workbook.save_atomically

    def counted_load(*args, **kwargs):
        counts["load"] += 1
        return load(*args, **kwargs)

    def counted_save(*args, **kwargs):
        counts["save"] += 1
        return save(*args, **kwargs)

    sync.workbook.open_workbook, sync.workbook.save_atomically = counted_load, counted_save
    try:
        settings = fresh_copy(settings_path)
        result = CliRunner().invoke(cli, ["--config", str(settings), "--as-of", str(day), job])
    finally:
        sync.workbook.open_workbook, sync.workbook.save_atomically = load, save
    said = [line for line in result.output.splitlines() if line.startswith(f"{job}:")]
    last = result.output.strip().splitlines()[-1] if result.output.strip() else ""
    return counts["load"], counts["save"], (said or [last])[-1]


def main() -> None:
    args = parser(__doc__, repeat=5).parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        made = programs(Path(temporary), args.mentees, args.mentors)
        times: dict[str, dict[str, list[float]]] = {j: {"job": [], "floor": []} for j in made}
        for round_ in range(args.repeat):
            for job, (settings_path, day) in made.items():
                order = ("job", "floor") if round_ % 2 == 0 else ("floor", "job")
                for which in order:
                    seconds = (
                        job_seconds(job, settings_path, day)
                        if which == "job"
                        else floor_seconds(job, settings_path)
                    )
                    times[job][which].append(seconds)
        counted = {job: loads_and_saves(job, *made[job]) for job in made}
    print(
        f"\n{args.mentees} mentees x {args.mentors} mentors, {args.repeat} rounds (each job"
        f" and its floor taking turns), Python {sys.version.split()[0]}, {date.today()}"
    )
    print("| job | workbook loads | saves | job median s | floor median s | ratio | what it did |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for job in made:
        run, floor = (statistics.median(times[job][w]) for w in ("job", "floor"))
        loads, saves, said = counted[job]
        print(
            f"| {job} | {loads} | {saves} | {run:.2f} | {floor:.2f} | {run / floor:.2f} |"
            f" {said[:90]} |"
        )
    for job in made:
        print(f"{job}, each round, job/floor s: ", end="")
        print(", ".join(f"{a:.2f}/{b:.2f}" for a, b in zip(*times[job].values(), strict=True)))


if __name__ == "__main__":
    main()
