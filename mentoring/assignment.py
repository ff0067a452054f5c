"""The optimal slate: most mentees matched first, then the highest total score.

Small programs are solved exactly with a dense assignment over mentor places
(scipy's linear_sum_assignment). Large ones are solved on a sparse set of
candidate pairs (scipy's min_weight_full_bipartite_matching) grown by column
generation:

- The first candidates are each mentee's best mentors, each mentor's best
  mentees, and a spread of pairs across the whole list, so that everyone has a
  way in even when everyone prefers the same mentors. The slate on them is then
  made a maximum matching over every allowed pair (augmenting paths), so the
  matched count is the most possible from the first round on.
- After each exact solve on the candidates, mentor prices are taken halfway
  between the least and the greatest prices under which the slate is optimal
  on the candidates, and every pair of the full table is priced against them:
  each mentee's best few improving mentors and each mentor's best few
  improving mentees are added, and pairs far from paying their way are dropped.
- Any prices give an upper bound on the optimum (LP duality; the bipartite
  b-matching polytope is integral). When the slate is less than a point below
  the best bound, it is optimal.

Past the round limit, programs small enough are solved densely; otherwise the
slate comes with its proven distance from the optimum, and it is never worse
than a greedy pass (best remaining pair first), whose pairs are added if they
would do better.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

DENSE_LIMIT = 3_000_000  # mentees x places up to which the dense method is used
CANDIDATES = 6  # pairs per mentee (and per mentor place) in the first sparse round
SPREAD = 3  # pairs per mentee and per mentor spread across the list in the first round
ADDED_PER_MENTEE = 6  # improving pairs added per mentee and round
ADDED_PER_MENTOR = 4  # improving pairs added per mentor, round and block of mentees
KEEP = 0  # candidate pairs further than this many points from paying their way are dropped
MAX_ROUNDS = 40
# Past the round limit, programs up to this many mentees x places are solved densely.
DENSE_FALLBACK = 60_000_000
TOP_SCORE = 100
_BLOCK = 1000  # rows priced at a time
_REFUSED = np.int32(-(2**30))  # a refused pair's value in pricing: below any, with room to subtract

# Whole numbers (scores, places, indices, prices) and yes/no, by pair or by person.
Ints = npt.NDArray[np.integer[Any]]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Slate:
    """`mentor_of[i]` is mentee i's mentor index, or -1.

    The matched count is always the most possible. When the slate is not proven
    optimal, `gap` bounds how many points higher the optimal total score could be.
    """

    mentor_of: Ints
    gap: float = 0.0
    rounds: int = 1

    @property
    def exact(self) -> bool:
        return self.gap == 0.0


def best_slate(
    score: Ints, allowed: Bools, capacity: Ints, dense_limit: int = DENSE_LIMIT
) -> Slate:
    """Choose the slate; `score` is mentees x mentors (0-100), `capacity` free places per mentor."""
    n = score.shape[0]
    capacity = np.asarray(capacity, dtype=np.int64)
    places = int(capacity.sum())
    if n == 0 or places == 0 or not allowed.any():
        return Slate(np.full(n, -1))
    if n * places <= dense_limit:
        return _dense(score, allowed, capacity)
    return _column_generation(score, allowed, capacity)


def _bonus(n: int, places: int) -> int:
    # Each matched mentee is worth more than any total of scores can make up.
    return (TOP_SCORE + 1) * min(n, places) + 1


def _dense(score: Ints, allowed: Bools, capacity: Ints) -> Slate:
    n = score.shape[0]
    mentor_of_place = np.repeat(np.arange(len(capacity)), capacity)
    weight = np.where(allowed, score + 1.0 + _bonus(n, len(mentor_of_place)), 0.0)
    rows, places = linear_sum_assignment(weight[:, mentor_of_place], maximize=True)
    mentor_of = np.full(n, -1)
    chosen = weight[rows, mentor_of_place[places]] > 0
    mentor_of[rows[chosen]] = mentor_of_place[places[chosen]]
    return Slate(mentor_of)


def _column_generation(score: Ints, allowed: Bools, capacity: Ints) -> Slate:
    n, m = score.shape
    bonus = _bonus(n, int(capacity.sum()))
    rows, cols = _first_candidates(score, allowed, capacity)
    mentor_of = _solve_sparse(score, capacity, rows, cols, bonus)
    most = most_matched(allowed, capacity, mentor_of)
    # Everyone can be matched: the candidates always hold the slate, a perfect matching, so
    # the solver needs no "unmatched" columns (it is faster without them).
    everyone = bool((most >= 0).all())
    if (most >= 0).sum() > (mentor_of >= 0).sum():
        rows, cols = _merge(rows, cols, *_pairs(most), m)
        mentor_of = _solve_sparse(score, capacity, rows, cols, bonus, everyone)
    bound = np.inf
    dropped = np.zeros((n, m), dtype=bool)  # candidate pairs dropped once
    sticky = np.zeros((n, m), dtype=bool)  # dropped, then wanted again: kept from then on
    for round_number in range(1, MAX_ROUNDS + 1):
        if round_number > 1:
            mentor_of = _solve_sparse(score, capacity, rows, cols, bonus, everyone)
        prices = (
            _least_prices(score, mentor_of, capacity, rows, cols, bonus)
            + _greatest_prices(score, mentor_of, capacity, rows, cols, bonus)
        ) // 2
        prices = np.minimum(prices, bonus + TOP_SCORE)  # no dearer than any pair is worth
        new_rows, new_cols, round_bound = _price(score, allowed, capacity, mentor_of, prices, bonus)
        bound = min(bound, round_bound)
        # Totals are whole numbers: less than 1 short of the bound is optimal.
        if bound - _total(score, mentor_of, bonus) < 1:
            return Slate(mentor_of, 0.0, round_number)
        if not len(new_rows):
            break
        # A pair dropped and then wanted again stays, so that no two rounds go round in a circle.
        sticky[new_rows, new_cols] |= dropped[new_rows, new_cols]
        close = _close(score, mentor_of, prices, rows, cols, bonus) | sticky[rows, cols]
        dropped[rows[~close], cols[~close]] = True
        rows, cols = _merge(rows[close], cols[close], new_rows, new_cols, m)
    if n * int(capacity.sum()) <= DENSE_FALLBACK:
        return Slate(_dense(score, allowed, capacity).mentor_of, 0.0, round_number)
    plain = greedy(score, allowed, capacity)
    if _total(score, plain, bonus) > _total(score, mentor_of, bonus):
        rows, cols = _merge(rows, cols, *_pairs(plain), m)
        mentor_of = _solve_sparse(score, capacity, rows, cols, bonus, everyone)
    gap = bound - _total(score, mentor_of, bonus)
    return Slate(mentor_of, 0.0 if gap < 1 else gap, round_number)


def _pairs(mentor_of: Ints) -> tuple[Ints, Ints]:
    mentees = np.flatnonzero(mentor_of >= 0)
    return mentees, mentor_of[mentees]


def _merge(rows: Ints, cols: Ints, new_rows: Ints, new_cols: Ints, m: int) -> tuple[Ints, Ints]:
    return _unique(np.concatenate([rows, new_rows]), np.concatenate([cols, new_cols]), m)


def _unique(rows: Ints, cols: Ints, m: int) -> tuple[Ints, Ints]:
    """The pairs once each, by mentee then mentor."""
    pairs = np.unique(rows * m + cols)
    return pairs // m, pairs % m


def most_matched(allowed: Bools, capacity: Ints, mentor_of: Ints) -> Ints:
    """`mentor_of` grown into a maximum matching of the allowed pairs.

    Each pass searches the whole table breadth first from every unmatched
    mentee, along allowed pairs to mentors and back along the slate to their
    mentees, until it reaches mentors with a free place; the shortest paths
    that share no mentee are then flipped. When no path is left, no slate
    matches more (Berge's theorem).
    """
    mentor_of = mentor_of.copy()
    n, m = allowed.shape
    while True:
        load = np.bincount(mentor_of[mentor_of >= 0], minlength=m)
        frontier = np.flatnonzero((mentor_of < 0) & allowed.any(axis=1))
        seen_mentee = np.zeros(n, dtype=bool)
        seen_mentee[frontier] = True
        seen_mentor = np.zeros(m, dtype=bool)
        reached_from = np.full(m, -1)
        ends = np.zeros(0, dtype=np.int64)
        while len(frontier) and not len(ends):
            reach = allowed[frontier]
            new = np.flatnonzero(reach.any(axis=0) & ~seen_mentor)
            if not len(new):
                break
            reached_from[new] = frontier[reach[:, new].argmax(axis=0)]
            seen_mentor[new] = True
            ends = new[load[new] < capacity[new]]
            frontier = np.flatnonzero(np.isin(mentor_of, new) & ~seen_mentee)
            seen_mentee[frontier] = True
        if not len(ends):
            return mentor_of
        used = np.zeros(n, dtype=bool)
        for end in ends:
            path: list[tuple[int, int]] = []
            mentor = int(end)
            while True:
                mentee = int(reached_from[mentor])
                if used[mentee]:
                    path = []
                    break
                path.append((mentee, mentor))
                if mentor_of[mentee] < 0:
                    break
                mentor = int(mentor_of[mentee])
            for mentee, mentor in path:
                used[mentee] = True
                mentor_of[mentee] = mentor


def greedy(score: Ints, allowed: Bools, capacity: Ints) -> Ints:
    """The best remaining pair first (ties to the lower mentee, then the lower mentor).

    Pairs ranked this way on both sides have exactly one stable matching, and it
    is this greedy one, so it is found by deferred acceptance: every free mentee
    proposes to their next mentor, and each mentor keeps the best proposals for
    their places.
    """
    n = score.shape[0]
    ranked = np.argsort(np.where(allowed, TOP_SCORE - score, TOP_SCORE + 1), axis=1, kind="stable")
    usable = allowed.sum(axis=1)
    next_choice = np.zeros(n, dtype=np.int64)
    mentor_of = np.full(n, -1)
    holders = np.zeros(0, dtype=np.int64)  # mentees held by a mentor
    free = np.flatnonzero(usable > 0)
    while len(free):
        mentors = ranked[free, next_choice[free]]
        next_choice[free] += 1
        touched = np.unique(mentors)
        kept = holders[np.isin(mentor_of[holders], touched)]
        mentees = np.concatenate([kept, free])
        at = np.concatenate([mentor_of[kept], mentors])
        # Best first: mentor, then score (high), then mentee (low).
        order = np.lexsort((mentees, -score[mentees, at], at))
        mentees, at = mentees[order], at[order]
        rank = np.arange(len(at)) - np.searchsorted(at, at)
        accepted = rank < capacity[at]
        mentor_of[mentees] = np.where(accepted, at, -1)
        holders = np.flatnonzero(mentor_of >= 0)
        rejected = mentees[~accepted]
        free = rejected[next_choice[rejected] < usable[rejected]]
    return mentor_of


def top_columns(values: Ints, k: int, floor: int) -> Ints:
    """Per row, the columns of the `k` largest whole values above `floor`, largest first (-1: none).

    Ties go to the lower column. Repeated argmax: on small integer scores with
    many ties it is several times faster than argpartition.
    """
    work = np.array(values, dtype=np.int16, order="C")  # scores fit; rows contiguous
    found = np.full((work.shape[0], min(k, work.shape[1])), -1, dtype=np.int64)
    every_row = np.arange(work.shape[0])
    for rank in range(found.shape[1]):
        best = work.argmax(axis=1)
        good = work[every_row, best] > floor
        found[good, rank] = best[good]
        work[every_row, best] = floor
    return found


def _first_candidates(score: Ints, allowed: Bools, capacity: Ints) -> tuple[Ints, Ints]:
    """Each mentee's best mentors, each mentor's best mentees for every place they
    offer, and a spread: each mentee the mentors at its own share of the list, and
    each mentor the mentees at theirs."""
    n, m = score.shape
    masked = np.where(allowed, score, np.int16(-1)).astype(np.int16)
    per_mentor = min(n, CANDIDATES * int(capacity.max()))
    with ThreadPoolExecutor(max_workers=2) as pool:  # both sides at once
        mentee_side = pool.submit(top_columns, masked, CANDIDATES, -1)
        mentor_side = pool.submit(top_columns, masked.T, per_mentor, -1)
        by_mentee, by_mentor = mentee_side.result(), mentor_side.result()
    step = np.arange(SPREAD)
    spread_cols = (((np.arange(n) * m) // n)[:, None] + step).ravel() % m
    spread_rows = (((np.arange(m) * n) // m)[:, None] + step).ravel() % n
    rows = np.concatenate(
        [
            np.repeat(np.arange(n), by_mentee.shape[1]),
            by_mentor.ravel(),
            np.repeat(np.arange(n), SPREAD),
            spread_rows,
        ]
    )
    cols = np.concatenate(
        [
            by_mentee.ravel(),
            np.repeat(np.arange(m), by_mentor.shape[1]),
            spread_cols,
            np.repeat(np.arange(m), SPREAD),
        ]
    )
    keep = (rows >= 0) & (cols >= 0)
    keep[keep] = allowed[rows[keep], cols[keep]]
    return _unique(rows[keep], cols[keep], m)


def _solve_sparse(
    score: Ints, capacity: Ints, rows: Ints, cols: Ints, bonus: int, everyone: bool = False
) -> Ints:
    """Exact on the candidate pairs: mentees x (places + one 'unmatched' column each), or
    mentees x places when the candidates hold a slate matching `everyone`."""
    n = score.shape[0]
    first_place = np.concatenate([[0], np.cumsum(capacity)[:-1]])
    repeat = capacity[cols]
    edge_rows = np.repeat(rows, repeat)
    offset = np.arange(repeat.sum()) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    edge_places = np.repeat(first_place[cols], repeat) + offset
    # Costs are positive: a place costs (TOP_SCORE + 1 - score), staying unmatched costs more.
    edge_cost = np.repeat(TOP_SCORE + 1.0 - score[rows, cols], repeat)
    places = int(capacity.sum())
    unmatched = 0 if everyone else n
    graph = sp.csr_matrix(
        (
            np.concatenate([edge_cost, np.full(unmatched, bonus + TOP_SCORE + 1.0)]),
            (
                np.concatenate([edge_rows, np.arange(unmatched)]),
                np.concatenate([edge_places, places + np.arange(unmatched)]),
            ),
        ),
        shape=(n, places + unmatched),
    )
    matched_rows, matched_cols = min_weight_full_bipartite_matching(graph)
    mentor_of_place = np.repeat(np.arange(len(capacity)), capacity)
    mentor_of = np.full(n, -1)
    real = matched_cols < places
    mentor_of[matched_rows[real]] = mentor_of_place[matched_cols[real]]
    return mentor_of


def _least_prices(
    score: Ints, mentor_of: Ints, capacity: Ints, rows: Ints, cols: Ints, bonus: int
) -> Ints:
    """The least mentor prices v >= 0 under which the slate is optimal on the candidate pairs.

    With weight w = bonus + score, a matched mentee i at mentor j keeps u_i = w_ij - v_j,
    an unmatched one u_i = 0, and every candidate pair needs u_i + v_k >= w_ik: a
    longest-path problem over mentors, solved by Bellman-Ford.
    """
    weight = bonus + score[rows, cols].astype(np.int64)
    prices = np.zeros(len(capacity), dtype=np.int64)
    unmatched = mentor_of[rows] < 0
    np.maximum.at(prices, cols[unmatched], weight[unmatched])
    source, target, step = _moves(score, mentor_of, rows[~unmatched], cols[~unmatched])
    return _relax(prices, source, target, step, np.maximum)


def _greatest_prices(
    score: Ints, mentor_of: Ints, capacity: Ints, rows: Ints, cols: Ints, bonus: int
) -> Ints:
    """The greatest such prices: a mentor with a free place is free (v = 0), no mentee pays
    more than their pair is worth (u_i >= 0), and u_i + v_k >= w_ik on every candidate
    pair bounds v_j from above through i's mentor j."""
    matched = np.flatnonzero(mentor_of >= 0)
    at = mentor_of[matched]
    prices = np.full(len(capacity), bonus + TOP_SCORE, dtype=np.int64)
    np.minimum.at(prices, at, bonus + score[matched, at].astype(np.int64))
    prices[np.bincount(at, minlength=len(capacity)) < capacity] = 0
    held = mentor_of[rows] >= 0
    source, target, step = _moves(score, mentor_of, rows[held], cols[held])
    return np.maximum(_relax(prices, target, source, -step, np.minimum), 0)


def _moves(score: Ints, mentor_of: Ints, rows: Ints, cols: Ints) -> tuple[Ints, Ints, Ints]:
    """For candidate pairs of matched mentees: from their mentor, to the candidate, and
    what the move gains (the candidate's score less their mentor's)."""
    source = mentor_of[rows]
    step = score[rows, cols].astype(np.int64) - score[rows, source].astype(np.int64)
    return source, cols, step


def _relax(prices: Ints, source: Ints, target: Ints, step: Ints, better: np.ufunc) -> Ints:
    """Bellman-Ford: prices[target] = better(prices[target], prices[source] + step), to a
    fixpoint."""
    for _ in range(len(prices) + 1):
        updated = prices.copy()
        better.at(updated, target, prices[source] + step)
        if np.array_equal(updated, prices):
            break
        prices = updated
    return prices


def _slack(score: Ints, mentor_of: Ints, prices: Ints, bonus: int) -> Ints:
    """u_i - bonus: what mentee i gains at their mentor now, above the bonus (-bonus: unmatched)."""
    floor = np.full(len(mentor_of), -bonus, dtype=np.int64)
    matched = np.flatnonzero(mentor_of >= 0)
    at = mentor_of[matched]
    floor[matched] = score[matched, at] - prices[at]
    return floor


def _close(score: Ints, mentor_of: Ints, prices: Ints, rows: Ints, cols: Ints, bonus: int) -> Bools:
    """Which candidate pairs are the slate's or within KEEP points of paying their way."""
    short = _slack(score, mentor_of, prices, bonus)[rows] - (score[rows, cols] - prices[cols])
    on_slate: Bools = mentor_of[rows] == cols  # numpy's stubs type `==` of arrays as Any
    return (short <= KEEP) | on_slate


def _price(
    score: Ints, allowed: Bools, capacity: Ints, mentor_of: Ints, prices: Ints, bonus: int
) -> tuple[Ints, Ints, float]:
    """Price every pair at the mentor prices, in one pass over the score table.

    A pair improves the slate when score_ij - v_j exceeds what mentee i gains now.
    Returns the best few improving pairs per mentee (ties spread: mentee i prefers
    the mentors from its own share of the list on) and per mentor, and the upper
    bound of weak LP duality: any prices v >= 0 give
    sum_i max(0, max_k w_ik - v_k) + sum_k cap_k v_k >= the optimum.
    Blocks of rows are priced on two threads (numpy releases the GIL).
    """
    n, m = score.shape
    floor = _slack(score, mentor_of, prices, bonus)
    charge = (-prices).astype(np.int32)
    columns = np.arange(m)

    def price_block(start: int) -> tuple[list[Ints], list[Ints], float]:
        block = slice(start, start + _BLOCK)
        value = np.where(allowed[block], score[block] + charge, _REFUSED)
        best = value.max(axis=1).astype(np.int64)
        bound = float((bonus + np.maximum(best, -bonus)).sum())
        hot = np.flatnonzero(best > floor[block])
        if not len(hot):
            return [], [], bound
        gain = value if len(hot) == len(value) else value[hot]
        gain -= floor[block][hot, None].astype(np.int32)
        np.maximum(gain, 0, out=gain)  # > 0 improves
        found_rows, found_cols = [], []
        # Per mentee: gain first, then the mentors from the mentee's own share of the list
        # (32 bits hold both unless prices run near the bonus).
        kind = np.int32 if (int(gain.max()) + 1) * m < 2**31 else np.int64
        tie = (((hot + start) * m // n).astype(kind)[:, None] - columns.astype(kind)) - 1
        np.add(tie, m, out=tie, where=tie < 0)
        work = gain.astype(kind) * m
        work += tie
        work[gain == 0] = -1
        every = np.arange(len(hot))
        for _ in range(min(ADDED_PER_MENTEE, m)):
            choice = work.argmax(axis=1)
            good = work[every, choice] >= 0
            found_rows.append(hot[good] + start)
            found_cols.append(choice[good])
            work[every, choice] = -1
        # Per mentor, on the transposed block: argmax along rows is the fast direction.
        work = np.ascontiguousarray(gain.T)
        for _ in range(min(ADDED_PER_MENTOR, len(hot))):
            choice = work.argmax(axis=1)
            good = work[columns, choice] > 0
            found_rows.append(hot[choice[good]] + start)
            found_cols.append(columns[good])
            work[columns, choice] = 0
        return found_rows, found_cols, bound

    with ThreadPoolExecutor(max_workers=2) as pool:
        parts = list(pool.map(price_block, range(0, n, _BLOCK)))
    bound = float(capacity @ prices) + sum(p[2] for p in parts)
    empty = [np.zeros(0, dtype=np.int64)]
    new_rows = np.concatenate([r for p in parts for r in p[0]] + empty)
    new_cols = np.concatenate([c for p in parts for c in p[1]] + empty)
    return (*_unique(new_rows, new_cols, m), bound)


def _total(score: Ints, mentor_of: Ints, bonus: int) -> float:
    matched = mentor_of >= 0
    return float((bonus + score[matched, mentor_of[matched]].astype(np.int64)).sum())
