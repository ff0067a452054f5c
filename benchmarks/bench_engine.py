"""Speed, memory and quality of the matching engine on generated and adversarial programs.

    python benchmarks/bench_engine.py              # speed and memory, quality, adversarial
    python benchmarks/bench_engine.py --quality-only
    python benchmarks/bench_engine.py --adversarial-only [--dense-all]

Speed: scoring (every rule over every pair) and assignment (the optimal slate)
for 1,000 mentees x 500 mentors and 10,000 x 5,000, every mentor taking 2
mentees; each size runs in a fresh process so its peak memory is its own.

Quality: on the same kind of program, the total score as a share of the
optimum and the share of mentees matched, for the engine, a greedy pass (best
remaining pair first) and the stable hospital-resident matching of the
`matching` package (pip install 'mentor-sync[benchmark]'), mentee-optimal.

Adversarial: the assignment alone (the score table made first) on three kinds of
program at 1,000 x 500 and 10,000 x 5,000, every mentor taking 2 mentees:
"generated" (the scored generated program), "alike" (everyone prefers the same
mentors: score = 100 (1 - exp(-(a_i + q_j))), submodular, 5% of pairs refused)
and "identical" (one profile for all: every mentee has the first generated
mentee's scores). Each is run by the engine, by the greedy pass (best remaining
pair first) and by dense linear_sum_assignment over mentor places where it fits
(at 10,000 x 5,000 only for "generated" unless --dense-all: on "alike" it ran
for more than 10 minutes). Checks that the engine matched the most possible
(no augmenting path over the full table, and the dense count where known) and
scored at least the greedy total, and prints times as ratios.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from jobs.demo_data import program_tabs
from jobs.settings_file import load_settings
from mentoring.intake import read_responses
from mentoring.matching import RuleMatcher
from mentoring.sheet import Row, Table

SIZES = ((1_000, 500), (10_000, 5_000))
QUALITY_SIZES = ((200, 100), (1_000, 500))
STABLE_LIST = 10


def applicants(mentees: int, mentors: int, seed: int = 7):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "settings.toml"
        path.write_text("")
        settings = load_settings(path)
    tabs = program_tabs(settings, mentees, mentors, seed=seed, quirks=False, capacity=2)
    tables = {
        name: Table(
            name, tuple(rows[0]), tuple(Row(n, tuple(r)) for n, r in enumerate(rows[1:], 2))
        )
        for name, rows in tabs.items()
    }
    responses = read_responses(
        tables[settings.tabs.mentees], tables[settings.tabs.mentors], settings
    )
    return settings, responses


def one_size(mentees: int, mentors: int) -> dict:
    settings, responses = applicants(mentees, mentors)
    start = time.perf_counter()
    matcher = RuleMatcher(settings.matching, responses.mentees, responses.mentors)
    scored = time.perf_counter()
    free = {m.email: m.capacity for m in responses.mentors}
    picks = matcher.assign(responses.mentees, responses.mentors, free, {})
    done = time.perf_counter()
    return {
        "size": f"{mentees:,} x {mentors:,}",
        "scoring": scored - start,
        "assignment": done - scored,
        "total": done - start,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "matched": sum(p.mentor is not None for p in picks.values()),
        "proof": "optimal" if matcher.slate.exact else f"within {matcher.slate.gap:.0f}",
        "rounds": matcher.slate.rounds,
    }


def greedy(score, allowed, capacity):
    order = np.argsort(-np.where(allowed, score, -1), axis=None, kind="stable")
    left, chosen = capacity.copy(), np.full(score.shape[0], -1)
    for flat in order:
        i, j = divmod(int(flat), score.shape[1])
        if not allowed[i, j]:
            break
        if chosen[i] < 0 and left[j] > 0:
            chosen[i], left[j] = j, left[j] - 1
    return chosen


def stable(score, allowed, capacity):
    from matching.games import HospitalResident  # the benchmark extra

    n, m = score.shape
    # Each mentee ranks their STABLE_LIST best mentors (the package deep-copies its
    # object graph, which complete lists make too deep); mentors rank who listed them.
    prefs = {
        i: [int(j) for j in np.argsort(-score[i], kind="stable") if allowed[i, j]][:STABLE_LIST]
        for i in range(n)
    }
    listed = {j: [i for i in range(n) if j in prefs[i]] for j in range(m)}
    mentor_prefs = {
        j: sorted(who, key=lambda i, j=j: (-score[i, j], i)) for j, who in listed.items()
    }
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))
    warnings.simplefilter("ignore")  # it warns for every mentor nobody listed
    game = HospitalResident.create_from_dictionaries(
        {f"m{i}": [f"t{j}" for j in p] for i, p in prefs.items()},
        {f"t{j}": [f"m{i}" for i in p] for j, p in mentor_prefs.items()},
        {f"t{j}": int(capacity[j]) for j in range(m)},
    )
    chosen = np.full(n, -1)
    for mentor, residents in game.solve(optimal="resident").items():
        for resident in residents:
            chosen[int(resident.name[1:])] = int(mentor.name[1:])
    return chosen


def _dense_optimum(score, allowed, capacity) -> tuple[int, int]:
    """Matched count and total score of the optimum, straight from scipy, over mentor places."""
    from scipy.optimize import linear_sum_assignment

    places = np.repeat(np.arange(score.shape[1]), capacity)
    bonus = 101.0 * min(score.shape[0], len(places)) + 1
    weight = np.where(allowed, score + 1.0 + bonus, 0.0)[:, places]
    rows, cols = linear_sum_assignment(weight, maximize=True)
    chosen = weight[rows, cols] > 0
    return int(chosen.sum()), int(score[rows[chosen], places[cols[chosen]]].sum())


def quality(mentees: int, mentors: int) -> list[tuple[str, float, float]]:
    settings, responses = applicants(mentees, mentors, seed=11)
    matcher = RuleMatcher(settings.matching, responses.mentees, responses.mentors)
    score, allowed = matcher.board.score, matcher.board.allowed
    capacity = np.array([m.capacity for m in matcher.board.mentors])
    free = {m.email: m.capacity for m in responses.mentors}
    matcher.assign(responses.mentees, responses.mentors, free, {})
    rows = {m.email: i for i, m in enumerate(matcher.board.mentees)}
    engine = np.full(score.shape[0], -1)
    for i, j in enumerate(matcher.slate.mentor_of):  # assign() sorts by email, like the board
        engine[rows[sorted(rows)[i]]] = j
    optimum = _dense_optimum(score, allowed, capacity)
    if optimum[0] != int((engine >= 0).sum()):
        raise SystemExit("the engine matched fewer mentees than the dense optimum")
    optimum = optimum[1]
    results = []
    methods = [("engine", engine), ("greedy", greedy(score, allowed, capacity))]
    try:
        methods.append(("stable (matching, mentee-optimal)", stable(score, allowed, capacity)))
    except ImportError:
        results.append(("stable: pip install 'mentor-sync[benchmark]'", float("nan"), float("nan")))
    for name, chosen in methods:
        total = sum(int(score[i, j]) for i, j in enumerate(chosen) if j >= 0)
        results.append((name, total / optimum, float((chosen >= 0).mean())))
    return results


def adversarial_program(kind: str, mentees: int, mentors: int):
    """The score table, allowed pairs and capacities of one adversarial program."""
    if kind == "alike":
        rng = np.random.default_rng(5)
        lift, merit = rng.random(mentees) * 1.5, rng.random(mentors) * 1.5
        score = np.rint(100 * (1 - np.exp(-np.add.outer(lift, merit)))).astype(np.int16)
        return score, rng.random((mentees, mentors)) > 0.05, np.full(mentors, 2)
    settings, responses = applicants(mentees, mentors)
    board = RuleMatcher(settings.matching, responses.mentees, responses.mentors).board
    capacity = np.array([m.capacity for m in board.mentors])
    if kind == "identical":
        return np.tile(board.score[0], (mentees, 1)), np.ones_like(board.allowed), capacity
    return board.score, board.allowed, capacity


def _value(score, chosen) -> tuple[int, int]:
    rows = np.flatnonzero(chosen >= 0)
    return len(rows), int(score[rows, chosen[rows]].astype(np.int64).sum())


def adversarial(dense_all: bool) -> None:
    from mentoring.assignment import best_slate, most_matched
    from mentoring.assignment import greedy as fast_greedy

    print(
        "\n| program | engine s | slate | matched (max) | engine total / greedy"
        " | greedy s | dense LSA s | engine / dense time | engine / generated time |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    generated_seconds = {}
    for mentees, mentors in SIZES:
        for kind in ("generated", "alike", "identical"):
            score, allowed, capacity = adversarial_program(kind, mentees, mentors)
            start = time.perf_counter()
            slate = best_slate(score, allowed, capacity)
            engine = time.perf_counter() - start
            start = time.perf_counter()
            plain = fast_greedy(score, allowed, capacity)
            greedy_seconds = time.perf_counter() - start
            ours, theirs = _value(score, slate.mentor_of), _value(score, plain)
            most = int((most_matched(allowed, capacity, slate.mentor_of) >= 0).sum())
            dense = "not run"
            dense_ratio = ""
            if mentees < 10_000 or kind == "generated" or dense_all:
                start = time.perf_counter()
                count, _ = _dense_optimum(score, allowed, capacity)
                seconds = time.perf_counter() - start
                most = max(most, count)
                dense, dense_ratio = f"{seconds:.2f}", f"{engine / seconds:.2f}"
            if ours[0] != most or ours[1] < theirs[1]:
                raise SystemExit(f"{kind} {mentees}: matched {ours} of {most}, greedy {theirs}")
            if kind == "generated":
                generated_seconds[mentees] = engine
            proof = "optimal" if slate.exact else f"within {slate.gap:.0f} points"
            print(
                f"| {kind} {mentees:,} x {mentors:,} | {engine:.2f} |"
                f" {proof} ({slate.rounds} rounds) | {ours[0]:,} ({most:,}) |"
                f" {ours[1] / theirs[1]:.3f} | {greedy_seconds:.2f} | {dense} | {dense_ratio} |"
                f" {engine / generated_seconds[mentees]:.2f} |",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", nargs=2, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--quality-only", action="store_true")
    parser.add_argument("--adversarial-only", action="store_true")
    parser.add_argument("--dense-all", action="store_true", help="dense LSA at 10,000 x 5,000 too")
    args = parser.parse_args()
    if args.adversarial_only:
        adversarial(args.dense_all)
        return
    if args.one:
        print(json.dumps(one_size(*args.one)))
        return
    if not args.quality_only:
        print(
            "| program (2 places per mentor) | scoring s | assignment s | total s"
            " | peak memory MB | matched | slate |"
        )
        print("|---|---:|---:|---:|---:|---:|---|")
        for mentees, mentors in SIZES:
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(mentees), str(mentors)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            r = json.loads(out)
            print(
                f"| {r['size']} | {r['scoring']:.2f} | {r['assignment']:.2f} | {r['total']:.2f} |"
                f" {r['peak_mb']:.0f} | {r['matched']:,} | {r['proof']} ({r['rounds']} rounds) |"
            )
    print("\n| program | method | total score / optimum | mentees matched |")
    print("|---|---|---:|---:|")
    for mentees, mentors in QUALITY_SIZES:
        for name, ratio, share in quality(mentees, mentors):
            print(f"| {mentees:,} x {mentors:,} | {name} | {ratio:.3f} | {share:.1%} |")
    if not args.quality_only:
        adversarial(args.dense_all)


if __name__ == "__main__":
    main()
