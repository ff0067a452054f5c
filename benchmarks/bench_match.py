"""How long `mentor-sync match` takes on a large program, stage by stage.

    python benchmarks/bench_match.py [--mentees 1000] [--mentors 500] [--repeat 3]

Writes a workbook of generated responses into a temporary folder, then times
the whole command as a person runs it (a new process, first run and a second
run with nothing to change), and the stages in-process. Then the committee
names its first alternative on every tenth row, matches again and approves
every suggestion, and the command is timed again, with the in-process stage both ways: weighing the
committee's choices against the unconstrained best (a second solve of the whole
program) and without it; the ratio of the two is the second solve's cost.
Prints a table; the figures in benchmarks/README.md come from it.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from programs import approve_every_suggestion, sizes

from jobs.demo_data import program_tabs
from jobs.settings_file import load_settings
from mentoring.committee import ALTERNATIVES, MENTOR_EMAIL, OVERRIDE, update_committee_tab
from mentoring.intake import read_responses
from mentoring.matching import BestPairs, RuleMatcher
from mentoring.sheet import TabEdits, Table, cell
from sync.workbook import WorkbookSpreadsheet, create_workbook

CHOSEN_EVERY = 10  # the committee names another mentor on one row in this many
MERGES = 5  # each merge is timed this many times a round, the two kinds taking turns
# The rows of the table that make the second solve's ratio.
WEIGHING = (
    "  stage: committee tab merge, choices weighed",
    "  stage: committee tab merge, choices not weighed",
    "mentor-sync match, committee choices (new process)",
)


def timed(action, *args):
    start = time.perf_counter()
    result = action(*args)
    return time.perf_counter() - start, result


class UnweighedMatcher:
    """An engine's scores and slate without the second solve: every committee choice looks
    free."""

    def __init__(self, engine: RuleMatcher) -> None:
        self.engine = engine

    def fit(self, mentee, mentor):
        return self.engine.fit(mentee, mentor)

    def assign(self, mentees, mentors, free, excluded):
        return self.engine.assign(mentees, mentors, free, excluded)

    def best_pairs(self, mentees, mentors, excluded):
        return BestPairs({})


def score_and_assign(settings, responses):
    matcher = RuleMatcher(settings.matching, responses.mentees, responses.mentors)
    return update_committee_tab(None, settings.tabs.committee, responses, matcher)


def choose_as_a_committee(workbook: Path, tab: str, settings_path: Path) -> None:
    """On every tenth row with a suggestion, name in Committee Mentor Email its best
    alternative that no other such row names (so that no mentor goes past their capacity);
    match again; then approve every suggestion, as a committee does."""
    sheet = WorkbookSpreadsheet(workbook)
    table: Table = sheet.read([tab])[tab]
    mentor, alternatives = table.column(MENTOR_EMAIL), table.column(ALTERNATIVES)
    override = table.column(OVERRIDE)
    cells, named = {}, set()
    for row in [row for row in table.rows if cell(row, mentor)][::CHOSEN_EVERY]:
        listed = re.findall(r"<([^>]+)>", str(cell(row, alternatives) or ""))
        chosen = next((email for email in listed if email not in named), None)
        if chosen:
            named.add(chosen)
            cells[row.number, override + 1] = chosen
    sheet.write([TabEdits(tab, cells)])
    command(settings_path)
    approve_every_suggestion(workbook, tab)


def command(settings_path: Path) -> float:
    seconds, completed = timed(
        lambda: subprocess.run(
            [
                sys.executable,
                "-c",
                "from jobs.cli import main; main()",
                "--config",
                str(settings_path),
                "match",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    )
    print(f"    {completed.stdout.strip()}", file=sys.stderr)
    return seconds


def main() -> None:
    args = sizes(__doc__)

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        settings_path = Path(folder) / "settings.toml"
        settings_path.write_text('[spreadsheet]\npath = "bench.xlsx"\n')
        settings = load_settings(settings_path)
        workbook = Path(settings.spreadsheet.path)
        tabs = program_tabs(settings, mentees=args.mentees, mentors=args.mentors, quirks=False)

        first, again, stages = [], [], {"read .xlsx": [], "intake": [], "score + assign": []}
        for _ in range(args.repeat):
            create_workbook(workbook, tabs)
            first.append(command(settings_path))
            again.append(command(settings_path))

            tab_names = [settings.tabs.mentees, settings.tabs.mentors]
            seconds, found = timed(WorkbookSpreadsheet(workbook).read, tab_names)
            stages["read .xlsx"].append(seconds)
            seconds, responses = timed(read_responses, *(found[t] for t in tab_names), settings)
            stages["intake"].append(seconds)
            seconds, _ = timed(score_and_assign, settings, responses)
            stages["score + assign"].append(seconds)

        rows.append(("mentor-sync match, first run (new process)", first))
        rows.append(("mentor-sync match, second run, no changes", again))
        rows.extend((f"  stage: {name}", values) for name, values in stages.items())
        rows.extend(committee_choices(args.repeat, settings, settings_path, workbook, tabs))

    print(
        f"\n{args.mentees} mentees x {args.mentors} mentors, {args.repeat} runs,"
        f" Python {sys.version.split()[0]}, {date.today()}"
    )
    print(f"| {'what':<52} | median s | min s |")
    print(f"|{'-' * 54}|---------:|------:|")
    for name, values in rows:
        print(f"| {name:<52} | {statistics.median(values):8.2f} | {min(values):5.2f} |")
    weighed, unweighed, whole = (dict(rows)[name] for name in WEIGHING)
    stage = statistics.median(weighed) / statistics.median(unweighed)
    second_solve = statistics.median(weighed) - statistics.median(unweighed)
    command_ratio = statistics.median(whole) / (statistics.median(whole) - second_solve)
    print(
        f"\nweighing the committee's choices (the second solve, {second_solve:.3f} s):"
        f" {stage:.2f} x the merge without it, {command_ratio:.2f} x the command without it"
    )


def committee_choices(repeat, settings, settings_path, workbook, tabs):
    """The rows of the table for a program whose suggestions the committee approved, one in
    ten with a mentor of its choosing: the command, the scoring, and the committee tab's
    merge with and without the second solve (on the same scores, taking turns)."""
    whole, scoring, weighed, unweighed = [], [], [], []
    tab_names = [settings.tabs.mentees, settings.tabs.mentors, settings.tabs.committee]
    for _ in range(repeat):
        create_workbook(workbook, tabs)
        command(settings_path)
        choose_as_a_committee(workbook, settings.tabs.committee, settings_path)
        whole.append(command(settings_path))
        found = WorkbookSpreadsheet(workbook).read(tab_names)
        responses = read_responses(found[tab_names[0]], found[tab_names[1]], settings)
        committee = found[settings.tabs.committee]
        seconds, engine = timed(
            RuleMatcher, settings.matching, responses.mentees, responses.mentors
        )
        scoring.append(seconds)
        for _ in range(MERGES):
            for matcher, times in ((engine, weighed), (UnweighedMatcher(engine), unweighed)):
                merge = (committee, settings.tabs.committee, responses, matcher)
                times.append(timed(update_committee_tab, *merge)[0])
    return [
        (WEIGHING[2], whole),
        ("  stage: scoring", scoring),
        (WEIGHING[0], weighed),
        (WEIGHING[1], unweighed),
    ]


if __name__ == "__main__":
    main()
