"""How long the Pair Health tab takes for a large program halfway through its year.

    python benchmarks/bench_health.py [--mentees 1000] [--mentors 500] [--repeat 3]

Writes a workbook of generated responses into a temporary folder, matches it,
approves every suggestion as introduced 150 days ago, writes an Email Log with
check-ins 1 and 2 sent to everyone and a check-in tab where three people in
four answered each, then times the `checkin` job (nothing left to send: the
time is reading the tabs, giving each answer its pair, assessing every pair and
writing the Pair Health tab) and, apart, the assessment and the tab alone.
Prints a table for benchmarks/README.md.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from programs import approve_every_suggestion, matched_program, sizes

from jobs.mail import CHECKIN, run_mail
from jobs.program import checkin_answers, read_pairs
from jobs.settings_file import load_templates
from mentoring.committee import INTRODUCED
from mentoring.health import assess_pairs, health_tab
from mentoring.ledger import LOG_COLUMNS, SENT, Ledger
from mentoring.outgoing import checkin_key
from mentoring.sheet import TabEdits
from sync.outbox import OutboxSender
from sync.workbook import WorkbookSpreadsheet

TODAY = date(2026, 11, 29)
INTRODUCED_ON = TODAY - timedelta(days=150)


def half_a_year(workbook: Path, settings, seed: int = 7) -> tuple[int, int]:
    """The Email Log and the check-in tab of 150 days; returns (pairs, answers)."""
    sheet = WorkbookSpreadsheet(workbook)
    tabs = settings.tabs
    found = sheet.read([tabs.mentees, tabs.mentors, tabs.committee])
    pairs = read_pairs(sheet, settings, found, TODAY).pairs
    rng = random.Random(seed)
    log = [list(LOG_COLUMNS)]
    form = settings.checkin_form.questions
    answers = [list(form.values())]
    for pair in pairs:
        for person in (pair.mentee, pair.mentor):
            partner = pair.partner_of(person)
            for checkin in settings.checkins[:2]:
                sent = datetime.combine(
                    INTRODUCED_ON + timedelta(checkin.days), datetime.min.time()
                )
                key = checkin_key(checkin.name, pair, person)
                log.append([key, checkin.name, person.email, "", SENT, sent, "", ""])
                if rng.random() < 0.75:
                    when = sent + timedelta(days=rng.randint(0, 10), hours=rng.randint(8, 20))
                    # Most pairs do well: one answer in ten says they have not met or rates
                    # 2, one in twenty asks the committee to get in touch.
                    met = rng.choice(("Yes",) * 9 + ("No",))
                    contact = rng.choice(("No",) * 19 + ("Yes",))
                    answers.append(
                        [
                            when,
                            person.email,
                            person.role,
                            partner.email,
                            rng.choice((2, 3, 4, 4, 4, 5, 5, 5, 5, 5)),
                            met,
                            "",
                            contact,
                        ]
                    )
    WorkbookSpreadsheet(workbook).write(
        [
            TabEdits(
                name, {(r, c): v for r, row in enumerate(rows, 1) for c, v in enumerate(row, 1)}
            )
            for name, rows in ((tabs.email_log, log), (tabs.checkins, answers))
        ]
    )
    return len(pairs), len(answers) - 1


def one_program(folder: Path, args) -> dict[str, float | int]:
    settings, workbook = matched_program(
        folder, args.mentees, args.mentors, TODAY, "[health]\nreminders = false\n"
    )
    approve_every_suggestion(workbook, settings.tabs.committee, {INTRODUCED: INTRODUCED_ON})
    pairs, answers = half_a_year(workbook, settings)
    now = datetime(TODAY.year, TODAY.month, TODAY.day, 9).astimezone()
    start = time.perf_counter()
    report = run_mail(
        CHECKIN,
        WorkbookSpreadsheet(workbook),
        settings,
        load_templates(settings),
        OutboxSender(folder / "outbox"),
        now,
    )
    job = time.perf_counter() - start
    sheet = WorkbookSpreadsheet(workbook)
    t = settings.tabs
    found = sheet.read([t.mentees, t.mentors, t.committee, t.email_log, t.checkins, t.pair_health])
    start = time.perf_counter()
    read = read_pairs(sheet, settings, found, TODAY).pairs
    given = checkin_answers(sheet, settings, found, read)
    ledger = Ledger(found[t.email_log], t.email_log)
    healths = assess_pairs(read, given, ledger, settings, TODAY)
    health_tab(found.get(t.pair_health), t.pair_health, healths)
    core = time.perf_counter() - start
    flagged = sum(1 for h in report.healths if h.flags)
    return {"pairs": pairs, "answers": answers, "job": job, "core": core, "flagged": flagged}


def main() -> None:
    args = sizes(__doc__)
    runs = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as folder:
            runs.append(one_program(Path(folder), args))
    first = runs[0]
    print(
        f"\n{args.mentees} mentees x {args.mentors} mentors, every suggestion introduced 150 days"
        f" ago, {args.repeat} runs, Python {sys.version.split()[0]}, {date.today()}"
    )
    print("| pairs | check-in answers | flagged | checkin job median s | pairs + answers + tab s |")
    print("|---:|---:|---:|---:|---:|")
    job = statistics.median(r["job"] for r in runs)
    core = statistics.median(r["core"] for r in runs)
    counts = f"| {first['pairs']:,} | {first['answers']:,} | {first['flagged']:,}"
    print(f"{counts} | {job:.2f} | {core:.2f} |")


if __name__ == "__main__":
    main()
