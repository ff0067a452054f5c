"""How long `mentor-sync` takes to start, beside `python -c pass`.

    python benchmarks/bench_startup.py [--repeat 21] [--before REF] [--imports]

Makes the demo program in a temporary folder (`mentor-sync demo --dir`), then
times fresh processes of the same Python: `python -c pass`, `mentor-sync
--help`, `status` and `match` on the demo (a second match, with nothing to
change). The commands take turns, the first of each round moving on by one
(A B C D, B C D A, ...), so that what else the machine does falls on all alike;
one round before them is not counted (it fills the disk cache). Prints the
median and least seconds, the median CPU seconds, and each median as a ratio to
`python -c pass`'s.

`--before REF` also runs the mentor-sync commands on the code of the git
commit REF (unpacked with `git archive` into the temporary folder), in the same
rounds, so that before and after are measured side by side. `--imports` lists,
for each command, the packages slowest to import (`python -X importtime`).

mentor-sync runs as `python -c "from jobs.cli import main; main()" ...`, as the
console script does, with the working directory at the root of the code, so
that this code (or REF's) is the one imported.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MENTOR_SYNC = "from jobs.cli import main; main()"
TOP_IMPORTS = 8  # how many of each command's slowest imports --imports lists
STARTUP = ("encodings", "site", "jobs", "mentoring", "sync", "config")  # Python, the program


@dataclass
class Command:
    name: str
    args: list[str]
    code: Path = ROOT  # the working directory: the root of the code it runs
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def run(self, python_options: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *python_options, *self.args],
            cwd=self.code,
            capture_output=True,
            text=True,
            check=True,
        )

    def time_once(self) -> None:
        before = _children_cpu()
        start = time.perf_counter()
        self.run()
        self.seconds.append(time.perf_counter() - start)
        self.cpu.append(_children_cpu() - before)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def mentor_sync(name: str, settings: Path | None, *args: str, code: Path = ROOT) -> Command:
    config = ["--config", str(settings)] if settings else []
    return Command(name, ["-c", MENTOR_SYNC, *config, *args], code)


def commands(settings: Path, before: Path | None, ref: str) -> list[Command]:
    """python -c pass, then each mentor-sync command (and, with `before`, each on REF's code)."""
    found = [Command("python -c pass", ["-c", "pass"])]
    codes = [(ROOT, "")] + ([(before, f" (before: {ref})")] if before else [])
    for code, label in codes:
        found += [
            mentor_sync(f"mentor-sync --help{label}", None, "--help", code=code),
            mentor_sync(f"mentor-sync status{label}", settings, "status", code=code),
            mentor_sync(f"mentor-sync match{label}", settings, "--quiet", "match", code=code),
        ]
    return found


def measure(found: list[Command], repeat: int) -> None:
    """One uncounted round, then `repeat` rounds, each starting one command further on."""
    for command in found:
        command.run()
    for round_ in range(repeat):
        turn = round_ % len(found)
        for command in found[turn:] + found[:turn]:
            command.time_once()


def table(found: list[Command]) -> list[str]:
    median = statistics.median
    base, base_cpu = median(found[0].seconds), median(found[0].cpu)
    lines = [
        "| command | median s | min s | median CPU s | ratio to python -c pass: median (CPU) |",
        "|---|---:|---:|---:|---:|",
    ]
    for command in found:
        seconds, cpu = median(command.seconds), median(command.cpu)
        lines.append(
            f"| {command.name} | {seconds:.3f} | {min(command.seconds):.3f} | {cpu:.3f}"
            f" | {seconds / base:.1f} ({cpu / base_cpu:.1f}) |"
        )
    return lines


def slowest_imports(command: Command) -> list[tuple[str, float]]:
    """The packages `command` imports, slowest first, in seconds, each with what it imports
    (so the times overlap: scipy's is within scikit-learn's when scikit-learn imports it)."""
    stderr = command.run(("-X", "importtime")).stderr
    lines = [line for line in stderr.splitlines() if line.startswith("import time:")]
    seconds: dict[str, float] = defaultdict(float)
    # A module is listed after what it imports, indented one step less: read from the end,
    # so that a module's importer is the nearest line above it on the stack.
    stack: list[tuple[int, str]] = []
    for line in reversed(lines[1:]):  # the first line is the header
        _, cumulative, name = line.split("|")
        depth = len(name) - len(name.lstrip())
        package = name.strip().split(".")[0]
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if not stack or stack[-1][1] != package:  # where the program enters the package
            seconds[package] += int(cumulative) / 1e6
        stack.append((depth, package))
    ranked = sorted(seconds.items(), key=lambda item: -item[1])
    return [(package, s) for package, s in ranked if package not in STARTUP][:TOP_IMPORTS]


def make_demo(folder: Path) -> Path:
    """The demo program in `folder`; its settings file."""
    subprocess.run(
        [sys.executable, "-c", MENTOR_SYNC, "--quiet", "demo", "--dir", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return folder / "settings.toml"


def unpack(ref: str, folder: Path) -> Path:
    """The code of git commit `ref`, unpacked into `folder`."""
    folder.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", ref],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--before", metavar="REF", help="also run the code of this git commit")
    parser.add_argument("--imports", action="store_true", help="list the slowest imports")
    return parser.parse_args()


def main() -> None:
    args = options()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        settings = make_demo(folder / "demo")
        before = unpack(args.before, folder / "before") if args.before else None
        found = commands(settings, before, args.before or "")
        measure(found, args.repeat)
        imports = {c.name: slowest_imports(c) for c in found[1:]} if args.imports else {}
    print(
        f"\nthe demo program, {args.repeat} rounds (the commands taking turns),"
        f" Python {sys.version.split()[0]}, {date.today()}"
    )
    print("\n".join(table(found)))
    for name, slowest in imports.items():
        listed = ", ".join(f"{package} {seconds:.3f}" for package, seconds in slowest)
        print(f"\n{name}: slowest imports (s, each with what it imports): {listed}")


if __name__ == "__main__":
    main()
