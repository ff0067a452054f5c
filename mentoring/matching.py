"""The matching engine behind the committee tab: rules in, an optimal slate out.

`Matcher` is the interface the committee-tab merge uses. `RuleMatcher` scores
every pair with the configured rules (mentoring.scoring), chooses the slate
that matches the most mentees and then has the highest total score
(mentoring.assignment), and names the next best mentors for each mentee with
what choosing one would cost: a free place, or the mentee this slate gives it to.
It also solves the program as if the committee had chosen nothing, the
unconstrained best that the committee's choices are weighed against.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from mentoring.intake import Applicant
from mentoring.rules import MatchingSettings

# numpy, scipy and scikit-learn load with the engine, when a program is scored, not with
# every command that reads the committee tab (the imports are in RuleMatcher's methods).
if TYPE_CHECKING:
    from mentoring.assignment import Bools, Ints, Slate


@dataclass(frozen=True)
class Fit:
    """How a mentor suits a mentee: a 0-100 score, a line saying why, any hard rule it breaks."""

    score: int
    why: str
    refusal: str = ""


@dataclass(frozen=True)
class Alternative:
    """Another mentor for a mentee, with the pair's score, and what choosing them costs:
    nothing when they have a free place (`goes_to` None), else the place this slate
    gives to `goes_to`, whose pair scores `goes_to_score`."""

    mentor: Applicant
    score: int
    goes_to: Applicant | None = None
    goes_to_score: int = 0


@dataclass(frozen=True)
class Pick:
    """The answer for one mentee: a mentor (or none, with the reason in `fit.why`),
    and the next best mentors with a place the committee has not taken."""

    mentor: Applicant | None
    fit: Fit
    alternatives: tuple[Alternative, ...] = ()


@dataclass(frozen=True)
class BestPairs:
    """The unconstrained best: the slate when the committee has chosen nothing.

    `pairs` has each matched mentee's mentor email and score, by mentee email; `gap`
    bounds how many points higher the optimal total could be (0 when proven optimal).
    """

    pairs: Mapping[str, tuple[str, int]]
    gap: float = 0.0

    @property
    def total(self) -> int:
        return sum(score for _, score in self.pairs.values())


class Matcher(Protocol):
    def fit(self, mentee: Applicant, mentor: Applicant) -> Fit:
        """Score and explain a pair, allowed or not (used for the committee's own choices)."""
        ...

    def assign(
        self,
        mentees: Sequence[Applicant],
        mentors: Sequence[Applicant],
        free: Mapping[str, int],
        excluded: Mapping[str, Collection[str]],
    ) -> dict[str, Pick]:
        """Suggest a mentor for each mentee, by mentee email.

        `free` is each mentor's remaining capacity by email; `excluded` lists,
        by mentee email, the mentor emails that mentee must not get.
        """
        ...

    def best_pairs(
        self,
        mentees: Sequence[Applicant],
        mentors: Sequence[Applicant],
        excluded: Mapping[str, Collection[str]],
    ) -> BestPairs:
        """The slate `assign` suggests when every mentor's places are free (their capacity)."""
        ...


class RuleMatcher:
    """Scores the whole program once; `fit` and `assign` read from that table."""

    def __init__(
        self,
        settings: MatchingSettings,
        mentees: Sequence[Applicant],
        mentors: Sequence[Applicant],
        past_pairs: Collection[tuple[str, str]] = (),
    ):
        from mentoring.scoring import ScoreBoard

        self.settings = settings
        self.board = ScoreBoard(settings.rules, mentees, mentors, past_pairs)
        self.slate: Slate | None = None

    def fit(self, mentee: Applicant, mentor: Applicant) -> Fit:
        i, j = self.board.row[mentee.email], self.board.column[mentor.email]
        refusal = "" if self.board.allowed[i, j] else self.board.refusal(i, j)
        return Fit(int(self.board.score[i, j]), self.board.why(i, j), refusal)

    def assign(
        self,
        mentees: Sequence[Applicant],
        mentors: Sequence[Applicant],
        free: Mapping[str, int],
        excluded: Mapping[str, Collection[str]],
    ) -> dict[str, Pick]:
        problem = self._problem(mentees, mentors, free, excluded)
        self.slate = problem.solve()
        chosen = self.slate.mentor_of
        # Alternatives are mentors with a place the committee has not taken (by approving,
        # holding or choosing), even if this slate gives it to someone else: each says so.
        holder = _place_holders(problem.score, chosen, problem.capacity)
        others = _alternatives(
            problem.score, problem.allowed, chosen, holder < 0, self.settings.alternatives
        )
        picks = {}
        for i, mentee in enumerate(problem.mentees):
            alternatives = tuple(_alternative(problem, i, j, holder[j]) for j in others[i])
            if chosen[i] >= 0:
                mentor = problem.mentors[chosen[i]]
                picks[mentee.email] = Pick(mentor, self.fit(mentee, mentor), alternatives)
            else:
                why = _why_none(bool(problem.mentors), bool(problem.allowed[i].any()))
                picks[mentee.email] = Pick(None, Fit(0, why), alternatives)
        return picks

    def best_pairs(
        self,
        mentees: Sequence[Applicant],
        mentors: Sequence[Applicant],
        excluded: Mapping[str, Collection[str]],
    ) -> BestPairs:
        problem = self._problem(mentees, mentors, {m.email: m.capacity for m in mentors}, excluded)
        slate = problem.solve()
        pairs = {
            mentee.email: (problem.mentors[j].email, int(problem.score[i, j]))
            for i, (mentee, j) in enumerate(zip(problem.mentees, slate.mentor_of, strict=True))
            if j >= 0
        }
        return BestPairs(pairs, slate.gap)

    def _problem(
        self,
        mentees: Sequence[Applicant],
        mentors: Sequence[Applicant],
        free: Mapping[str, int],
        excluded: Mapping[str, Collection[str]],
    ) -> _Problem:
        """The mentees and the mentors with a free place, in email order, and their pairs'
        scores and verdicts, with each mentee's `excluded` mentors refused."""
        import numpy as np

        mentees = sorted(mentees, key=lambda m: m.email)
        open_mentors = sorted(
            (m for m in mentors if free.get(m.email, 0) > 0), key=lambda m: m.email
        )
        rows = np.array([self.board.row[m.email] for m in mentees], dtype=np.int64)
        cols = np.array([self.board.column[m.email] for m in open_mentors], dtype=np.int64)
        score = self.board.score[np.ix_(rows, cols)]
        allowed = self.board.allowed[np.ix_(rows, cols)]
        position = {m.email: j for j, m in enumerate(open_mentors)}
        for i, mentee in enumerate(mentees):
            for email in excluded.get(mentee.email, ()):
                if email in position:
                    allowed[i, position[email]] = False
        capacity = np.array([free[m.email] for m in open_mentors], dtype=np.int64)
        return _Problem(mentees, open_mentors, score, allowed, capacity)


@dataclass(frozen=True)
class _Problem:
    """What one solve is about: `score` and `allowed` are mentees x mentors, `capacity`
    each mentor's free places."""

    mentees: Sequence[Applicant]
    mentors: Sequence[Applicant]
    score: Ints
    allowed: Bools
    capacity: Ints

    def solve(self) -> Slate:
        from mentoring.assignment import best_slate

        return best_slate(self.score, self.allowed, self.capacity)


def _alternative(problem: _Problem, i: int, j: int, holder: int) -> Alternative:
    """Mentor j for mentee i: free (`holder` -1), or taking the place of `holder`."""
    mentor, score = problem.mentors[j], int(problem.score[i, j])
    if holder < 0:
        return Alternative(mentor, score)
    return Alternative(mentor, score, problem.mentees[holder], int(problem.score[holder, j]))


def _alternatives(
    score: Ints, allowed: Bools, chosen: Ints, free: Bools, count: int
) -> list[list[int]]:
    """For each mentee, the `count` best other allowed mentors, best first (ties: email
    order); when none of them has a place this slate leaves free, the best mentor who has
    one comes last, so that the choice that displaces nobody is always in view."""
    import numpy as np

    from mentoring.assignment import top_columns

    n, m = score.shape
    if count == 0 or m == 0:
        return [[] for _ in range(n)]
    candidates = np.where(allowed, score, np.int16(-1)).astype(np.int16)
    matched = chosen >= 0
    candidates[np.nonzero(matched)[0], chosen[matched]] = -1
    best = top_columns(candidates, count, -1)
    listed_free = ((best >= 0) & free[np.maximum(best, 0)]).any(axis=1)
    free_candidates = np.where(free[None, :], candidates, np.int16(-1))
    best_free = top_columns(free_candidates, 1, -1)[:, 0]
    best_free[listed_free] = -1
    return [
        [int(j) for j in (*row, extra) if j >= 0]
        for row, extra in zip(best, best_free, strict=True)
    ]


def _place_holders(score: Ints, chosen: Ints, capacity: Ints) -> Ints:
    """For each mentor, -1 when this slate leaves them a free place; else their mentee whose
    pair scores least (ties: email order), the one whose place a choice would most likely take."""
    import numpy as np

    mentees = np.flatnonzero(chosen >= 0)
    at = chosen[mentees]
    order = np.lexsort((mentees, score[mentees, at], at))
    mentees, at = mentees[order], at[order]
    first = np.ones(len(at), dtype=bool)
    first[1:] = at[1:] != at[:-1]
    holder = np.full(len(capacity), -1)
    holder[at[first]] = mentees[first]
    holder[np.bincount(at, minlength=len(capacity)) < capacity] = -1
    return holder


def _why_none(any_free_place: bool, had_allowed_mentor: bool) -> str:
    if not any_free_place:
        return "no mentor with free capacity"
    if had_allowed_mentor:
        return (
            "no mentor with free capacity: the mentors who fit are all suggested to other mentees"
        )
    return "no mentor with free capacity who is allowed (hard rules, rejections, past partners)"
