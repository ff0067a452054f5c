"""The matching engine behind the committee tab: rules in, an optimal slate out.

`Matcher` is the interface the committee-tab merge uses. `RuleMatcher` scores
every pair with the configured rules (mentoring.scoring), chooses the slate
that matches the most mentees and then has the highest total score
(mentoring.assignment), and names the next best mentors with free places.
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
class Pick:
    """The answer for one mentee: a mentor (or none, with the reason in `fit.why`),
    and the next best mentors who still have a free place, with their scores."""

    mentor: Applicant | None
    fit: Fit
    alternatives: tuple[tuple[Applicant, int], ...] = ()


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
        import numpy as np

        from mentoring.assignment import best_slate

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
        self.slate = best_slate(score, allowed, capacity)
        chosen = self.slate.mentor_of
        # Alternatives are mentors with a place the committee has not taken (by
        # approving, holding or choosing), even if this slate suggests them to
        # someone else: choosing one simply moves that suggestion on.
        others = _alternatives(score, allowed, chosen, capacity, self.settings.alternatives)
        picks = {}
        for i, mentee in enumerate(mentees):
            alternatives = tuple((open_mentors[j], int(score[i, j])) for j in others[i])
            if chosen[i] >= 0:
                mentor = open_mentors[chosen[i]]
                picks[mentee.email] = Pick(mentor, self.fit(mentee, mentor), alternatives)
            else:
                why = _why_none(bool(len(open_mentors)), bool(allowed[i].any()))
                picks[mentee.email] = Pick(None, Fit(0, why), alternatives)
        return picks


def _alternatives(
    score: Ints, allowed: Bools, chosen: Ints, left: Ints, count: int
) -> list[list[int]]:
    """For each mentee, the `count` best other mentors with a place `left`, best first."""
    import numpy as np

    from mentoring.assignment import top_columns

    n, m = score.shape
    if count == 0 or m == 0:
        return [[] for _ in range(n)]
    candidates = np.where(allowed & (left > 0)[None, :], score, np.int16(-1)).astype(np.int16)
    matched = chosen >= 0
    candidates[np.nonzero(matched)[0], chosen[matched]] = -1
    return [[int(j) for j in row if j >= 0] for row in top_columns(candidates, count, -1)]


def _why_none(any_free_place: bool, had_allowed_mentor: bool) -> str:
    if not any_free_place:
        return "no mentor with free capacity"
    if had_allowed_mentor:
        return (
            "no mentor with free capacity: the mentors who fit are all suggested to other mentees"
        )
    return "no mentor with free capacity who is allowed (hard rules, rejections, past partners)"
