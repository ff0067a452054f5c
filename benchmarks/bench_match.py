"""How long `mentor-sync match` takes on a large program, stage by stage.

    python benchmarks/bench_match.py [--mentees 1000] [--mentors 500] [--repeat 3]

Writes a workbook of generated responses into a temporary folder, then times
the whole command as a person runs it (a new process, first run and a second
run with nothing to change), and the stages in-process. Prints a table; the
figures in benchmarks/README.md come from it.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from programs import sizes

from jobs.demo_data import program_tabs
from jobs.settings_file import load_settings
from mentoring.committee import update_committee_tab
from mentoring.intake import read_responses
from mentoring.matching import RuleMatcher
from sync.workbook import WorkbookSpreadsheet, create_workbook


def timed(action, *args):
    start = time.perf_counter()
    result = action(*args)
    return time.perf_counter() - start, result


def score_and_assign(settings, responses):
    matcher = RuleMatcher(settings.matching, responses.mentees, responses.mentors)
    return update_committee_tab(None, settings.tabs.committee, responses, matcher)


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

    print(
        f"\n{args.mentees} mentees x {args.mentors} mentors, {args.repeat} runs,"
        f" Python {sys.version.split()[0]}, {date.today()}"
    )
    print(f"| {'what':<45} | median s | min s |")
    print(f"|{'-' * 47}|---------:|------:|")
    for name, values in rows:
        print(f"| {name:<45} | {statistics.median(values):8.2f} | {min(values):5.2f} |")


if __name__ == "__main__":
    main()
