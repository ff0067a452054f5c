"""How long a committee's own settings take to make: `mentor-sync init --yes` on the new
user's workbook, and the whole path from nothing to a committee tab.

    python benchmarks/bench_init.py [--repeat 5] [--fresh-venv]

The workbook is the one tests/test_init.py plays the new user with (tests/fakes/own_forms.py:
30 mentees and 15 mentors answering other forms than the demo's). `init --yes` runs as a
fresh process of this Python on this checkout's code, as the console script does, each time
in a new folder holding only the workbook; the median and least seconds are printed.

With --fresh-venv, the whole path runs once more, each stage timed: a new virtual
environment (`python -m venv`), `pip install` of this checkout into it (from the package
index pip is set up with), then its `mentor-sync init --yes` and `mentor-sync match`.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MENTOR_SYNC = "from jobs.cli import main; main()"
COMMITTEE = "committee@ourlib.example.org"
INIT = ["init", "--yes", "--workbook", "forms.xlsx", "--committee-email", COMMITTEE]


def new_users_folder(parent: Path, name: str) -> Path:
    """A folder holding only the new user's workbook (forms.xlsx)."""
    sys.path.insert(0, str(ROOT))
    from tests.fakes.own_forms import own_forms_workbook

    folder = parent / name
    folder.mkdir()
    own_forms_workbook(folder / "forms.xlsx")
    return folder


def timed(command: list[str], folder: Path) -> float:
    """Seconds `command` takes, run in `folder`; raises CalledProcessError when it fails."""
    start = time.perf_counter()
    subprocess.run(command, cwd=folder, check=True, capture_output=True, text=True)
    return time.perf_counter() - start


def this_checkout() -> list[str]:
    """mentor-sync of this checkout, run by this Python."""
    return [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r}); {MENTOR_SYNC}"]


def time_init(parent: Path, repeat: int) -> list[float]:
    """`init --yes` `repeat` times, each in a new folder of `parent`; the seconds of each."""
    seconds = []
    for n in range(repeat):
        folder = new_users_folder(parent, f"init-{n}")
        seconds.append(timed([*this_checkout(), *INIT], folder))
        assert (folder / "settings.toml").is_file()
    return seconds


def fresh_venv_path(parent: Path) -> dict[str, float]:
    """The whole path in a new virtual environment, stage by stage, in seconds."""
    venv = parent / "venv"
    folder = new_users_folder(parent, "fresh")
    stages = {
        "python -m venv": [sys.executable, "-m", "venv", str(venv)],
        "pip install .": [str(venv / "bin" / "pip"), "install", "--quiet", str(ROOT)],
        "mentor-sync init --yes": [str(venv / "bin" / "mentor-sync"), *INIT],
        "mentor-sync match": [
            str(venv / "bin" / "mentor-sync"),
            "--config",
            "settings.toml",
            "match",
        ],
    }
    return {stage: timed(command, folder) for stage, command in stages.items()}


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--repeat", type=int, default=5)
    options.add_argument("--fresh-venv", action="store_true")
    args = options.parse_args()
    parent = Path(tempfile.mkdtemp(prefix="bench-init-"))
    try:
        seconds = time_init(parent, args.repeat)
        print(
            f"init --yes (30 mentees, 15 mentors): median {statistics.median(seconds):.2f} s,"
            f" least {min(seconds):.2f} s, {args.repeat} runs"
        )
        if args.fresh_venv:
            stages = fresh_venv_path(parent)
            for stage, took in stages.items():
                print(f"  {stage:<28} {took:7.1f} s")
            print(f"  {'fresh venv to committee tab':<28} {sum(stages.values()):7.1f} s")
    finally:
        shutil.rmtree(parent, ignore_errors=True)


if __name__ == "__main__":
    main()
