"""How long the email jobs take when every pair of a large program is approved at once,
with the send journal and without it.

    python benchmarks/bench_mail.py [--mentees 1000] [--mentors 500] [--repeat 9]

Writes a workbook of generated responses into a temporary folder, matches it and
approves every suggestion, once. Then, `--repeat` times for each of the two ways,
on a fresh copy of that workbook: times `introduce` (one email per pair, into an
outbox folder) and the first check-in run 30 days later (one email per person),
counting the spreadsheet writes each makes; one way with the send journal (a
new SQLite file beside the copy, as `mentor-sync` opens it) and one without
(the Email Log alone). The two ways take turns, the first of each round
alternating (A B, B A, A B, ...), so that what else the machine does falls on
both alike; the medians, and the least times (the runs the machine disturbed
least), are compared. The journal's own calls are timed apart. Prints tables
for benchmarks/README.md.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from programs import approve_every_suggestion, matched_program, parser

from jobs.backends import spreadsheet_name
from jobs.mail import CHECKIN, INTRODUCE, run_mail
from jobs.settings_file import load_templates
from mentoring.settings import Settings
from sync.journal import Journal
from sync.outbox import OutboxSender
from sync.workbook import WorkbookSpreadsheet

DAY0 = date(2026, 1, 12)
JOBS = ((INTRODUCE, DAY0), (CHECKIN, DAY0 + timedelta(days=30)))
WITHOUT, WITH = "without journal", "with journal"
# The journal's calls a run makes, timed apart.
JOURNAL_CALLS = ("entries", "pairs", "queue", "handing_over", "record", "sync", "remember_pairs")


class CountingSheet(WorkbookSpreadsheet):
    writes = 0

    def write(self, edits, later=False):
        self.writes += not later
        super().write(edits, later)


class TimedJournal(Journal):
    """The send journal, with the time spent in each of its calls added up (per call name:
    [calls, seconds])."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.spent: dict[str, list] = defaultdict(lambda: [0, 0.0])


def _timed(name: str):
    plain = getattr(Journal, name)

    def timed(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return plain(self, *args, **kwargs)
        finally:
            spent = self.spent[name]
            spent[0] += 1
            spent[1] += time.perf_counter() - start

    timed.__name__ = name
    return timed


for _name in JOURNAL_CALLS:
    setattr(TimedJournal, _name, _timed(_name))


def prepared(folder: Path, mentees: int, mentors: int) -> tuple[Settings, Path]:
    """The program, matched, with every suggestion approved: the settings and the workbook."""
    folder.mkdir(exist_ok=True)
    settings, workbook = matched_program(folder, mentees, mentors, DAY0)
    approve_every_suggestion(workbook, settings.tabs.committee)
    return settings, workbook


@dataclass
class Timing:
    """One job's run: its wall-clock and CPU seconds (the CPU time of this process, which
    what else the machine does hardly changes), what it sent and wrote, and the journal's
    calls (name: [calls, wall-clock seconds]; none without a journal)."""

    job: str
    seconds: float
    cpu: float
    sent: int
    writes: int
    calls: dict[str, list] = field(default_factory=dict)

    @property
    def journal_seconds(self) -> float:
        return sum(seconds for _, seconds in self.calls.values())


def one_year_start(folder: Path, settings: Settings, workbook: Path, journal: bool) -> list[Timing]:
    """Both jobs on a fresh copy of `workbook` in `folder`, with a new send journal (as
    `mentor-sync` opens it, beside the copy) or none."""
    folder.mkdir()
    copy = folder / workbook.name
    shutil.copy(workbook, copy)
    templates = load_templates(settings)
    results = []
    book = None
    if journal:
        book = TimedJournal(folder / "journal.sqlite3", spreadsheet_name(settings, copy))
    try:
        for job, day in JOBS:
            sheet = CountingSheet(copy)
            sender = OutboxSender(folder / "outbox")
            now = datetime(day.year, day.month, day.day, 9).astimezone()
            if book is not None:
                book.spent.clear()
            start, cpu = time.perf_counter(), time.process_time()
            report = run_mail(job, sheet, settings, templates, sender, now, journal=book)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            calls = {name: list(used) for name, used in book.spent.items()} if book else {}
            results.append(Timing(job, seconds, cpu, len(report.sent), sheet.writes, calls))
    finally:
        if book is not None:
            book.close()
    return results


def one_program(folder: Path, args, journal: bool = False) -> list[tuple[str, float, int, int]]:
    """Prepare the program in `folder` and run both jobs once: (job, seconds, sent, writes)."""
    settings, workbook = prepared(folder, args.mentees, args.mentors)
    runs = one_year_start(folder / "run", settings, workbook, journal)
    return [(t.job, t.seconds, t.sent, t.writes) for t in runs]


def main() -> None:
    args = parser(__doc__, repeat=9).parse_args()
    runs: dict[tuple[str, str], list[Timing]] = defaultdict(list)  # (way, job): by round
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        settings, workbook = prepared(folder / "program", args.mentees, args.mentors)
        for round_ in range(args.repeat):
            ways = (WITHOUT, WITH) if round_ % 2 == 0 else (WITH, WITHOUT)
            for way in ways:
                trial = folder / f"{round_}-{way.replace(' ', '-')}"
                for timing in one_year_start(trial, settings, workbook, way == WITH):
                    runs[way, timing.job].append(timing)
                shutil.rmtree(trial)
    print(
        f"\n{args.mentees} mentees x {args.mentors} mentors, every suggestion approved,"
        f" {args.repeat} rounds (with and without the send journal taking turns),"
        f" Python {sys.version.split()[0]}, {date.today()}"
    )
    print_tables(runs)


def print_tables(runs: dict[tuple[str, str], list[Timing]]) -> None:
    median = statistics.median
    print(
        "| job | emails | sheet writes | without journal: median s (min) | with journal: median s"
        " (min) | ratio: medians (mins) | CPU ratio: medians | journal's own calls: median s"
        " | share of the run |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for job, _ in JOBS:
        without, with_ = runs[WITHOUT, job], runs[WITH, job]
        plain, journaled = median(t.seconds for t in without), median(t.seconds for t in with_)
        least, least_with = min(t.seconds for t in without), min(t.seconds for t in with_)
        cpu_ratio = median(t.cpu for t in with_) / median(t.cpu for t in without)
        own = median(t.journal_seconds for t in with_)
        share = median(t.journal_seconds / t.seconds for t in with_)
        print(
            f"| {job} | {with_[0].sent} | {with_[0].writes} | {plain:.2f} ({least:.2f})"
            f" | {journaled:.2f} ({least_with:.2f}) | {journaled / plain:.2f}"
            f" ({least_with / least:.2f}) | {cpu_ratio:.2f} | {own:.3f} | {share:.1%} |"
        )
    print()
    print("| job | journal call | calls | median s | ms per call |")
    print("|---|---|---:|---:|---:|")
    for job, _ in JOBS:
        with_ = runs[WITH, job]
        for name in JOURNAL_CALLS:
            calls = with_[0].calls.get(name, [0, 0.0])[0]
            if calls:
                seconds = median(t.calls[name][1] for t in with_)
                per_call = 1000 * seconds / calls
                print(f"| {job} | {name} | {calls} | {seconds:.3f} | {per_call:.3f} |")
    print()
    for job, _ in JOBS:
        for way in (WITHOUT, WITH):
            times = ", ".join(f"{t.seconds:.2f} ({t.cpu:.2f} CPU)" for t in runs[way, job])
            print(f"{job}, {way}, each round, s: {times}")


if __name__ == "__main__":
    main()
