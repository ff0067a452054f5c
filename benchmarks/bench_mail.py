"""How long the email jobs take when every pair of a large program is approved at once.

    python benchmarks/bench_mail.py [--mentees 1000] [--mentors 500] [--repeat 3]

Writes a workbook of generated responses into a temporary folder, matches it,
approves every suggestion, then times `introduce` (one email per pair, into an
outbox folder) and the first check-in run 30 days later (one email per person),
counting the spreadsheet writes each makes. Prints a table for the README.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from programs import approve_every_suggestion, matched_program, sizes

from jobs.config import load_templates
from jobs.mail import CHECKIN, INTRODUCE, run_mail
from sync.outbox import OutboxSender
from sync.workbook import WorkbookSpreadsheet

DAY0 = date(2026, 1, 12)


class CountingSheet(WorkbookSpreadsheet):
    writes = 0

    def write(self, edits):
        self.writes += 1
        super().write(edits)


def one_program(folder: Path, args) -> list[tuple[str, float, int, int]]:
    settings, workbook = matched_program(folder, args.mentees, args.mentors, DAY0)
    approve_every_suggestion(workbook, settings.tabs.committee)
    templates = load_templates(settings)
    results = []
    for job, day in ((INTRODUCE, DAY0), (CHECKIN, DAY0 + timedelta(days=30))):
        sheet = CountingSheet(workbook)
        sender = OutboxSender(folder / "outbox")
        now = datetime(day.year, day.month, day.day, 9).astimezone()
        start = time.perf_counter()
        report = run_mail(job, sheet, settings, templates, sender, now)
        seconds = time.perf_counter() - start
        results.append((job, seconds, len(report.sent), sheet.writes))
    return results


def main() -> None:
    args = sizes(__doc__)
    runs: dict[str, list[tuple[float, int, int]]] = {}
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as folder:
            for job, seconds, sent, writes in one_program(Path(folder), args):
                runs.setdefault(job, []).append((seconds, sent, writes))
    print(
        f"\n{args.mentees} mentees x {args.mentors} mentors, every suggestion approved,"
        f" {args.repeat} runs, Python {sys.version.split()[0]}, {date.today()}"
    )
    print("| job | emails | sheet writes | median s | min s |")
    print("|---|---:|---:|---:|---:|")
    for job, values in runs.items():
        seconds = [v[0] for v in values]
        _, sent, writes = values[0]
        print(
            f"| {job} | {sent} | {writes} | {statistics.median(seconds):.2f} | {min(seconds):.2f} |"
        )


if __name__ == "__main__":
    main()
