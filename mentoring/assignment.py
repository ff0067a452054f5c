"""The optimal slate: most mentees matched first, then the highest total score.

Small programs are solved exactly with a dense assignment over mentor places
(scipy's linear_sum_assignment). Large ones are solved on a sparse set of
candidate pairs (scipy's min_weight_full_bipartite_matching) grown by column
generation: after each solve, dual prices for the mentors are derived from the
slate, and every pair of the full score table is priced against them. When no
pair can improve the slate, it is optimal for the full problem (LP duality; the
bipartite b-matching polytope is integral). If the round limit is reached
first, the slate comes with a proven upper bound on how much better the
optimum could be.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

DENSE_LIMIT = 3_000_000  # mentees x places up to which the dense method is used
CANDIDATES = 6  # pairs per mentee (and per mentor place) in the first sparse round
ADDED_PER_ROUND = 12  # improving pairs added per mentee and round
MAX_ROUNDS = 12
# Past the round limit, programs up to this many mentees x places are solved densely.
DENSE_FALLBACK = 60_000_000
TOP_SCORE = 100
_BLOCK = 1000  # rows priced at a time


@dataclass(frozen=True)
class Slate:
    """`mentor_of[i]` is mentee i's mentor index, or -1.

    When the slate is not proven optimal, `more_mentees` bounds how many more
    mentees could be matched and, when that is 0, `gap` how many points higher
    the optimal total score could be.
    """

    mentor_of: np.ndarray
    gap: float = 0.0
    rounds: int = 1
    more_mentees: int = 0  # how many more mentees an optimal slate might match (0: proven none)

    @property
    def exact(self) -> bool:
        return self.gap == 0.0 and self.more_mentees == 0


def best_slate(
    score: np.ndarray, allowed: np.ndarray, capacity: np.ndarray, dense_limit: int = DENSE_LIMIT
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


def _bonus(n: int, places: int) -> float:
    # Each matched mentee is worth more than any total of scores can make up.
    return float((TOP_SCORE + 1) * min(n, places) + 1)


def _dense(score, allowed, capacity) -> Slate:
    n = score.shape[0]
    mentor_of_place = np.repeat(np.arange(len(capacity)), capacity)
    weight = np.where(allowed, score + 1.0 + _bonus(n, len(mentor_of_place)), 0.0)
    rows, places = linear_sum_assignment(weight[:, mentor_of_place], maximize=True)
    mentor_of = np.full(n, -1)
    chosen = weight[rows, mentor_of_place[places]] > 0
    mentor_of[rows[chosen]] = mentor_of_place[places[chosen]]
    return Slate(mentor_of)


def _column_generation(score, allowed, capacity) -> Slate:
    n, m = score.shape
    bonus = _bonus(n, int(capacity.sum()))
    rows, cols = _first_candidates(score, allowed, capacity)
    for round_number in range(1, MAX_ROUNDS + 1):
        mentor_of = _solve_sparse(score, capacity, rows, cols, bonus)
        prices = _mentor_prices(score, mentor_of, capacity, rows, cols, bonus)
        new_rows, new_cols, bound = _price(score, allowed, capacity, mentor_of, prices, bonus)
        gap = max(0.0, bound - _total(score, mentor_of, bonus))
        if gap < 1.0:  # totals are whole numbers, so less than 1 short means optimal
            return Slate(mentor_of, 0.0, round_number)
        if not len(new_rows):
            break
        pairs = np.unique(np.concatenate([rows * m + cols, new_rows * m + new_cols]))
        rows, cols = pairs // m, pairs % m
    if n * int(capacity.sum()) <= DENSE_FALLBACK:
        return Slate(_dense(score, allowed, capacity).mentor_of, 0.0, round_number)
    # Each matched mentee is worth at least `bonus`, so the bound caps the count too.
    matched = int((mentor_of >= 0).sum())
    more = max(0, int(bound // bonus) - matched)
    points = gap if more == 0 else float("inf")
    return Slate(mentor_of, points, round_number, more)


def top_columns(values: np.ndarray, k: int, floor: int) -> np.ndarray:
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


def _first_candidates(score, allowed, capacity):
    """Each mentee's best mentors, and each mentor's best mentees for every place they offer."""
    n, m = score.shape
    masked = np.where(allowed, score, np.int16(-1)).astype(np.int16)
    per_mentor = min(n, CANDIDATES * int(capacity.max()))
    with ThreadPoolExecutor(max_workers=2) as pool:  # both sides at once
        mentee_side = pool.submit(top_columns, masked, CANDIDATES, -1)
        mentor_side = pool.submit(top_columns, masked.T, per_mentor, -1)
        by_mentee, by_mentor = mentee_side.result(), mentor_side.result()
    rows = np.concatenate([np.repeat(np.arange(n), by_mentee.shape[1]), by_mentor.ravel()])
    cols = np.concatenate([by_mentee.ravel(), np.repeat(np.arange(m), by_mentor.shape[1])])
    keep = (rows >= 0) & (cols >= 0)
    pairs = np.unique(rows[keep] * m + cols[keep])
    return pairs // m, pairs % m


def _solve_sparse(score, capacity, rows, cols, bonus) -> np.ndarray:
    """Exact on the candidate pairs: mentees x (places + one 'unmatched' column each)."""
    n = score.shape[0]
    first_place = np.concatenate([[0], np.cumsum(capacity)[:-1]])
    repeat = capacity[cols]
    edge_rows = np.repeat(rows, repeat)
    offset = np.arange(repeat.sum()) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    edge_places = np.repeat(first_place[cols], repeat) + offset
    # Costs are positive: a place costs (TOP_SCORE + 1 - score), staying unmatched costs more.
    edge_cost = np.repeat(TOP_SCORE + 1.0 - score[rows, cols], repeat)
    places = int(capacity.sum())
    graph = sp.csr_matrix(
        (
            np.concatenate([edge_cost, np.full(n, bonus + TOP_SCORE + 1.0)]),
            (
                np.concatenate([edge_rows, np.arange(n)]),
                np.concatenate([edge_places, places + np.arange(n)]),
            ),
        ),
        shape=(n, places + n),
    )
    matched_rows, matched_cols = min_weight_full_bipartite_matching(graph)
    mentor_of_place = np.repeat(np.arange(len(capacity)), capacity)
    mentor_of = np.full(n, -1)
    real = matched_cols < places
    mentor_of[matched_rows[real]] = mentor_of_place[matched_cols[real]]
    return mentor_of


def _mentor_prices(score, mentor_of, capacity, rows, cols, bonus) -> np.ndarray:
    """The least mentor prices v >= 0 under which the slate is optimal on the candidate pairs.

    With weight w = bonus + score, a matched mentee i at mentor j keeps u_i = w_ij - v_j,
    an unmatched one u_i = 0, and every candidate pair needs u_i + v_k >= w_ik: a
    longest-path problem over mentors, solved by Bellman-Ford.
    """
    m = len(capacity)
    weight = bonus + score[rows, cols].astype(np.float64)
    prices = np.zeros(m)
    unmatched = mentor_of[rows] < 0
    np.maximum.at(prices, cols[unmatched], weight[unmatched])
    matched = ~unmatched
    source = mentor_of[rows[matched]]
    target = cols[matched]
    step = score[rows[matched], target].astype(np.float64) - score[rows[matched], source].astype(
        np.float64
    )
    for _ in range(m + 1):
        updated = prices.copy()
        np.maximum.at(updated, target, prices[source] + step)
        if np.array_equal(updated, prices):
            break
        prices = updated
    return prices


def _utilities(score, mentor_of, prices, bonus) -> np.ndarray:
    matched = mentor_of >= 0
    utility = np.zeros(len(mentor_of))
    utility[matched] = bonus + score[matched, mentor_of[matched]] - prices[mentor_of[matched]]
    return utility


def _price(score, allowed, capacity, mentor_of, prices, bonus):
    """Price every pair at the mentor prices, in one pass over the score table.

    Returns the pairs that would improve the slate (the best few per mentee), and
    the upper bound of weak LP duality: any prices v >= 0 give
    sum_i max(0, max_k w_ik - v_k) + sum_k cap_k v_k >= the optimum.
    Blocks of rows are priced on two threads (numpy releases the GIL).
    """
    utility = _utilities(score, mentor_of, prices, bonus)
    offset = bonus - prices

    def price_block(start: int):
        block = slice(start, start + _BLOCK)
        value = np.where(allowed[block], score[block] + offset[None, :], -np.inf)
        best = float(np.maximum(value.max(axis=1, initial=-np.inf), 0.0).sum())
        value -= utility[block, None]
        r, c = np.nonzero(value > 1e-9)
        # The best few per mentee: sort by mentee, then by gain, and keep the first of each.
        order = np.lexsort((-value[r, c], r))
        r, c = r[order], c[order]
        keep = np.arange(len(r)) - np.searchsorted(r, r) < ADDED_PER_ROUND
        return r[keep] + start, c[keep], best

    with ThreadPoolExecutor(max_workers=2) as pool:
        parts = list(pool.map(price_block, range(0, score.shape[0], _BLOCK)))
    bound = float(capacity @ prices) + sum(part[2] for part in parts)
    return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]), bound)


def _total(score, mentor_of, bonus) -> float:
    matched = mentor_of >= 0
    return float((bonus + score[matched, mentor_of[matched]]).sum())
