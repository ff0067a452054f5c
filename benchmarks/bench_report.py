"""How long `mentor-sync report` takes on a large program at the end of its year, beside
`mentor-sync match` on the same program.

    python benchmarks/bench_report.py [--mentees 1000] [--mentors 500] [--repeat 3]

Writes a workbook of generated responses into a temporary folder, matches it, approves
every suggestion as introduced 370 days ago, writes an Email Log with the whole calendar
sent to everyone and a check-in tab where three people in four answered each check-in,
and runs the check-in job once (Pair Health). Then, each round, times `mentor-sync report`
and `mentor-sync match` as new processes, taking turns (match is the baseline: the same
program, read and written once, on the same machine at the same moments), and, apart,
the report's stages in this process. Prints a table for benchmarks/README.md.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from programs import approve_every_suggestion, checkins_answered, matched_program, sizes

from jobs.mail import CHECKIN, run_mail
from jobs.report import count_year, report_tabs
from jobs.settings_file import load_templates
from mentoring.committee import INTRODUCED
from mentoring.program_report import report_tab
from sync.outbox import OutboxSender
from sync.workbook import WorkbookSpreadsheet

TODAY = date(2026, 11, 29)
INTRODUCED_ON = TODAY - timedelta(days=370)


def a_year(folder: Path, args) -> tuple[Path, dict[str, int]]:
    """The program at the end of its year; its settings file, and what it holds."""
    settings, workbook = matched_program(
        folder, args.mentees, args.mentors, TODAY, "[health]\nreminders = false\n"
    )
    approve_every_suggestion(workbook, settings.tabs.committee, {INTRODUCED: INTRODUCED_ON})
    pairs, answers = checkins_answered(workbook, settings, INTRODUCED_ON, TODAY)
    now = datetime(TODAY.year, TODAY.month, TODAY.day, 9).astimezone()
    sheet = WorkbookSpreadsheet(workbook)
    run_mail(CHECKIN, sheet, settings, load_templates(settings), OutboxSender(folder / "out"), now)
    return folder / "settings.toml", {"pairs": pairs, "answers": answers}


def command(settings_path: Path, *args: str) -> tuple[float, str]:
    cli = [sys.executable, "-c", "from jobs.cli import main; main()"]
    start = time.perf_counter()
    completed = subprocess.run(
        [*cli, "--config", str(settings_path), "--as-of", f"{TODAY:%Y-%m-%d}", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - start, completed.stderr.strip()  # its summary is logged


def stages(settings_path: Path) -> dict[str, float]:
    """The report's parts in this process: reading the workbook, counting with pandas
    (importing it included), drawing with matplotlib (importing it included)."""
    from jobs.settings_file import load_settings

    settings = load_settings(settings_path)
    times = {}
    start = time.perf_counter()
    sheet = WorkbookSpreadsheet(Path(settings.spreadsheet.path))
    found = sheet.read(report_tabs(settings))
    times["read .xlsx"] = time.perf_counter() - start
    start = time.perf_counter()
    year = count_year(sheet, found, settings, None, TODAY)
    report_tab(found.get(settings.tabs.program_report), "Program Report", year.cohort, year.figures)
    times["count (pandas)"] = time.perf_counter() - start
    start = time.perf_counter()
    from sync.charts import report_page

    report_page(settings.program.name, year, datetime.now())
    times["draw (matplotlib)"] = time.perf_counter() - start
    return times


def main() -> None:
    args = sizes(__doc__)
    runs: dict[str, list[float]] = {"report": [], "match": []}
    parts: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        settings_path, held = a_year(Path(folder), args)
        said = ""
        for round_ in range(args.repeat):
            jobs = ("report", "match") if round_ % 2 == 0 else ("match", "report")
            for job in jobs:
                seconds, output = command(settings_path, job)
                runs[job].append(seconds)
                said = output if job == "report" else said
            for name, seconds in stages(settings_path).items():
                parts.setdefault(name, []).append(seconds)
    report, match = (statistics.median(runs[job]) for job in ("report", "match"))
    print(
        f"\n{args.mentees} mentees x {args.mentors} mentors, every suggestion introduced"
        f" {(TODAY - INTRODUCED_ON).days} days ago, {held['pairs']:,} pairs,"
        f" {held['answers']:,} check-in answers, {args.repeat} rounds (report and match"
        f" taking turns), Python {sys.version.split()[0]}, {date.today()}"
    )
    print(f"report: {said.splitlines()[-1] if said else ''}")
    print("| what | median s | min s | ratio to match (medians) |")
    print("|---|---:|---:|---:|")
    rows = [
        ("mentor-sync report (new process)", runs["report"], f"{report / match:.2f}"),
        ("mentor-sync match (new process), the baseline", runs["match"], "1.00"),
        *((f"  stage: {name}", values, "") for name, values in parts.items()),
    ]
    for name, values, ratio in rows:
        print(f"| {name} | {statistics.median(values):.2f} | {min(values):.2f} | {ratio} |")


if __name__ == "__main__":
    main()
