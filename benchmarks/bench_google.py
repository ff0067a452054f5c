"""The jobs on the Google backend: wall time and Sheets API requests, against the loopback
fake of Google, through the real gspread and googleapiclient clients.

    python benchmarks/bench_google.py [--mentees 3000] [--mentors 2000] [--approve 200]

Puts generated responses in the fake spreadsheet, then times `match` (the first
run, which adds the committee and intake tabs, and a second one), and `run`
after the committee approved `--approve` suggestions (introductions through the
fake Gmail). The fake answers on loopback at once, so the times are mentor-sync's
own and the client libraries'; Google adds its latency (often 0.2-1 s a request)
to each of the few requests counted here. Prints a table for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from jobs.cli import cli
from jobs.demo_data import program_tabs
from jobs.settings_file import load_settings
from mentoring.committee import MENTOR_EMAIL, STATUS
from mentoring.sheet import TabEdits, cell, is_blank
from sync.google import SHEETS_SCOPE, Retry
from sync.gsheets import GoogleSpreadsheet

# The loopback fake of Google lives with the tests, beside this folder.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.fakes.google_fake import FakeGoogle, loopback_session
from tests.fakes.google_program import ROBOT, SHEET_ID, google_settings

DAY0 = date(2026, 1, 12)
COMMITTEE = "chair@example.org"


def timed(fake: FakeGoogle, settings_path: Path, command: str) -> tuple[float, int, str]:
    fake.reset_counts()
    start = time.perf_counter()
    result = CliRunner().invoke(
        cli, ["--config", str(settings_path), "--as-of", f"{DAY0:%Y-%m-%d}", command]
    )
    seconds = time.perf_counter() - start
    if result.exit_code:
        raise SystemExit(f"{command} failed: {result.output}")
    return seconds, fake.count("sheets"), result.stderr.splitlines()[-1]  # the job's line


def approve(fake: FakeGoogle, tab: str, count: int) -> None:
    """Approve the first `count` suggestions, as the committee would, outside the timing."""
    session = loopback_session(fake, fake.grant(COMMITTEE, [SHEETS_SCOPE]))
    sheet = GoogleSpreadsheet(SHEET_ID, session, timeout=30, retry=Retry())
    table = sheet.read([tab])[tab]
    status, mentor = table.column(STATUS), table.column(MENTOR_EMAIL)
    rows = [r.number for r in table.rows if not is_blank(cell(r, mentor))][:count]
    sheet.write([TabEdits(tab, {(number, status + 1): "Approved" for number in rows})])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentees", type=int, default=3000)
    parser.add_argument("--mentors", type=int, default=2000)
    parser.add_argument("--approve", type=int, default=200)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder, FakeGoogle() as fake:
        settings_path = google_settings(Path(folder), fake, timeout=60)
        settings = load_settings(settings_path)
        tabs = program_tabs(settings, mentees=args.mentees, mentors=args.mentors, quirks=False)
        fake.add_spreadsheet(SHEET_ID, tabs, shared_with={ROBOT, COMMITTEE})
        rows.append(("match (first: adds 2 tabs)", *timed(fake, settings_path, "match")))
        rows.append(("match (again)", *timed(fake, settings_path, "match")))
        approve(fake, settings.tabs.committee, args.approve)
        rows.append(("run (match + introductions)", *timed(fake, settings_path, "run")))
    print(
        f"\n{args.mentees} mentees x {args.mentors} mentors on the Google fake,"
        f" {args.approve} approved, Python {sys.version.split()[0]}, {date.today()}"
    )
    print("| job | Sheets requests | seconds | summary |")
    print("|---|---:|---:|---|")
    for job, seconds, requests, summary in rows:
        print(f"| {job} | {requests} | {seconds:.2f} | {summary} |")


if __name__ == "__main__":
    main()
