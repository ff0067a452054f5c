"""Scores for every mentee-mentor pair at once, from the rules, and a line saying why.

Every rule is evaluated as a whole mentees x mentors array (numpy, with
scikit-learn for text), so scoring thousands of people stays fast; a pair's
explanation is worked out only for the pairs the committee will read.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from mentoring.intake import Applicant, institution_key
from mentoring.rules import Rule, parse_number

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

ALL = slice(None)
_ROWS_AT_ONCE = 1000  # mentee rows scored at a time, which bounds memory

# A rule's 0-1 values, and its verdicts, by pair; the mentor columns asked about.
Floats = npt.NDArray[np.float32]
Bools = npt.NDArray[np.bool_]
Columns = slice | list[int]


class ScoreBoard:
    """The 0-100 score and the hard-rule verdict of every pair of the given people.

    `score[i, j]` and `allowed[i, j]` are for `mentees[i]` and `mentors[j]`.
    `allowed` already excludes a person with themself and `past_pairs`
    (mentee email, mentor email); rejections are applied by the caller.
    """

    def __init__(
        self,
        rules: Sequence[Rule],
        mentees: Sequence[Applicant],
        mentors: Sequence[Applicant],
        past_pairs: Collection[tuple[str, str]] = (),
    ) -> None:
        self.mentees, self.mentors = list(mentees), list(mentors)
        self.rules = [_evaluator(rule, self.mentees, self.mentors) for rule in rules]
        shape = (len(self.mentees), len(self.mentors))
        self.allowed = np.ones(shape, dtype=bool)
        self.score = np.zeros(shape, dtype=np.int16)
        scale = np.float32(100.0 / sum(rule.rule.weight for rule in self.rules))

        def score_rows(start: int) -> None:
            rows = slice(start, start + _ROWS_AT_ONCE)
            total = np.zeros((len(range(*rows.indices(shape[0]))), shape[1]), dtype=np.float32)
            for evaluator in self.rules:
                evaluator.accumulate(total, self.allowed, rows)
            total *= scale
            total += np.float32(0.5)  # round half up, as a person would: 62.5 is 63
            self.score[rows] = np.floor(total, out=total)

        # Blocks of rows on two threads: numpy and scipy release the GIL while they work.
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(score_rows, range(0, shape[0], _ROWS_AT_ONCE)))
        self.row = {m.email: i for i, m in enumerate(self.mentees)}
        self.column = {m.email: j for j, m in enumerate(self.mentors)}
        for i, mentee in enumerate(self.mentees):
            j = self.column.get(mentee.email)
            if j is not None:
                self.allowed[i, j] = False
        self.past_pairs = set(past_pairs)
        for mentee_email, mentor_email in self.past_pairs:
            row, column = self.row.get(mentee_email), self.column.get(mentor_email)
            if row is not None and column is not None:
                self.allowed[row, column] = False

    def why(self, i: int, j: int) -> str:
        """What made the pair, rule by rule, for the rules that scored."""
        parts = [part for rule in self.rules if (part := rule.explain(i, j))]
        return "; ".join(parts) or "nothing in common on the matching questions"

    def refusal(self, i: int, j: int) -> str:
        """Which hard rules the pair breaks, in words ("" when none does)."""
        if self.mentees[i].email == self.mentors[j].email:
            return "the same person"
        if (self.mentees[i].email, self.mentors[j].email) in self.past_pairs:
            return "a previous pair (Past Pairs)"
        broken = [rule.rule.name for rule in self.rules if rule.rule.hard and not rule.passes(i, j)]
        return ", ".join(f"hard rule '{name}'" for name in broken)


class _Evaluator(ABC):
    """One rule over all pairs: its 0-1 values, whether each pair passes it, and why it scored."""

    def __init__(
        self, rule: Rule, mentees: Sequence[Applicant], mentors: Sequence[Applicant]
    ) -> None:
        self.rule = rule
        self.mentees, self.mentors = mentees, mentors

    def accumulate(self, total: Floats, allowed: Bools, rows: slice) -> None:
        """Add this rule's weighted values for `rows` to `total` (those rows only)."""
        if self.rule.weight:
            total += np.float32(self.rule.weight) * self.values(rows)
        if self.rule.hard:
            allowed[rows] &= self.passing(rows)

    @abstractmethod
    def values(self, rows: slice, cols: Columns = ALL) -> Floats:
        """The rule's 0-1 value for these mentee rows x mentor columns, as float32."""

    @abstractmethod
    def passing(self, rows: slice, cols: Columns = ALL) -> Bools:
        """Whether each pair passes the rule (matters when the rule is hard)."""

    def passes(self, i: int, j: int) -> bool:
        return bool(self.passing(slice(i, i + 1), [j])[0, 0])

    def explain(self, i: int, j: int) -> str:
        if self.rule.weight <= 0 or self.pair_value(i, j) <= 0:
            return ""
        return self.describe(i, j)

    def pair_value(self, i: int, j: int) -> float:
        """`values` for one pair; kinds override it where a scalar path is much faster."""
        return float(self.values(slice(i, i + 1), [j])[0, 0])

    def describe(self, i: int, j: int) -> str:
        return self.rule.name


class _Overlap(_Evaluator):
    def __init__(
        self, rule: Rule, mentees: Sequence[Applicant], mentors: Sequence[Applicant]
    ) -> None:
        super().__init__(rule, mentees, mentors)
        vocabulary: dict[str, int] = {}
        for person, field in [
            *((m, rule.mentee) for m in mentees),
            *((m, rule.mentor) for m in mentors),
        ]:
            for item in person.items(field):
                vocabulary.setdefault(item, len(vocabulary))
        self.wanted = _indicator(mentees, rule.mentee, vocabulary)
        self.offered = _indicator(mentors, rule.mentor, vocabulary)
        self.share: Floats = self.wanted / np.maximum(self.wanted.sum(axis=1), 1)[:, None]
        self.offered_sets = [frozenset(m.items(rule.mentor)) for m in mentors]

    def values(self, rows: slice, cols: Columns = ALL) -> Floats:
        return self.share[rows] @ self.offered[cols].T

    def pair_value(self, i: int, j: int) -> float:
        return float(self.share[i] @ self.offered[j])

    def passing(self, rows: slice, cols: Columns = ALL) -> Bools:
        # An unanswered question never breaks a hard rule, on either side.
        # (numpy's stubs type `==` of arrays as Any)
        chose_nothing: Bools = (self.wanted[rows].sum(axis=1) == 0)[:, None]
        offered_nothing: Bools = (self.offered[cols].sum(axis=1) == 0)[None, :]
        return (self.wanted[rows] @ self.offered[cols].T > 0) | chose_nothing | offered_nothing

    def describe(self, i: int, j: int) -> str:
        offered = self.offered_sets[j]
        shared = [item for item in self.mentees[i].items(self.rule.mentee) if item in offered]
        return f"{self.rule.name}: {', '.join(shared)}"


class _Text(_Evaluator):
    def __init__(
        self, rule: Rule, mentees: Sequence[Applicant], mentors: Sequence[Applicant]
    ) -> None:
        # scikit-learn (and the parts of scipy it imports) loads only for a text rule.
        from sklearn.feature_extraction.text import TfidfVectorizer

        super().__init__(rule, mentees, mentors)
        left = [_text(m, rule.mentee) for m in mentees]
        right = [_text(m, rule.mentor) for m in mentors]
        self.vectorizer: TfidfVectorizer | None = TfidfVectorizer(
            stop_words="english", sublinear_tf=True, dtype=np.float32
        )
        try:
            self.vectorizer.fit(left + right)
        except ValueError:  # every answer empty, or only stop words: nothing to compare
            self.vectorizer = None
            return
        self.left = self.vectorizer.transform(left).tocsr()
        self.right = self.vectorizer.transform(right).T.tocsc()
        # Sparse x dense is much faster than sparse x sparse for a whole block of rows.
        self.right_dense = self.right.toarray()

    def passing(self, rows: slice, cols: Columns = ALL) -> Bools:
        values = self.values(rows, cols)
        if self.vectorizer is None:
            return np.ones_like(values, dtype=bool)
        # An unanswered question (no words left to compare) never breaks a hard rule.
        silent_left = (np.diff(self.left.indptr)[rows] == 0)[:, None]
        silent_right = (np.diff(self.right.indptr)[cols] == 0)[None, :]
        passed: Bools = (values > 0) | silent_left | silent_right  # scipy's parts are untyped
        return passed

    def values(self, rows: slice, cols: Columns = ALL) -> Floats:
        if self.vectorizer is None:
            count = len(range(*rows.indices(len(self.mentees))))
            return np.zeros((count, len(np.arange(len(self.mentors))[cols])), dtype=np.float32)
        if isinstance(cols, list) and rows.stop == rows.start + 1 and len(cols) == 1:
            return np.array(
                [[min(1.0, sum(self._shared(rows.start, cols[0]).values()))]], dtype=np.float32
            )  # one pair: skip sparse-matrix overhead
        product: Floats = self.left[rows] @ self.right_dense[:, cols]  # scipy's: untyped
        return np.minimum(product, np.float32(1.0))

    def _shared(self, i: int, j: int) -> dict[int, float]:
        """Term index -> its share of the pair's cosine similarity."""
        left, right = self.left, self.right
        terms = dict(
            zip(
                left.indices[left.indptr[i] : left.indptr[i + 1]],
                left.data[left.indptr[i] : left.indptr[i + 1]],
                strict=True,
            )
        )
        span = slice(right.indptr[j], right.indptr[j + 1])
        return {
            int(t): float(terms[t] * w)
            for t, w in zip(right.indices[span], right.data[span], strict=True)
            if t in terms
        }

    def describe(self, i: int, j: int) -> str:
        assert self.vectorizer is not None  # without one, no pair scores: none is described
        shared = self._shared(i, j)
        words = self.vectorizer.get_feature_names_out()
        top = sorted(shared, key=lambda t: (-shared[t], t))[:3]
        return f"{self.rule.name}: {', '.join(words[t] for t in top)}"


class _Same(_Evaluator):
    equal_scores = True

    def __init__(
        self, rule: Rule, mentees: Sequence[Applicant], mentors: Sequence[Applicant]
    ) -> None:
        super().__init__(rule, mentees, mentors)
        codes: dict[str, int] = {"": -1}
        self.left = np.array([codes.setdefault(_key(m, rule.mentee), len(codes)) for m in mentees])
        self.right = np.array([codes.setdefault(_key(m, rule.mentor), len(codes)) for m in mentors])

    def _compare(self, rows: slice, cols: Columns) -> tuple[Bools, Bools]:
        left, right = self.left[rows][:, None], self.right[cols][None, :]
        known = (left >= 0) & (right >= 0)
        return known, (left == right) & known

    def values(self, rows: slice, cols: Columns = ALL) -> Floats:
        known, equal = self._compare(rows, cols)
        return (equal if self.equal_scores else known & ~equal).astype(np.float32)

    def pair_value(self, i: int, j: int) -> float:
        left, right = int(self.left[i]), int(self.right[j])
        known = left >= 0 and right >= 0
        return float(known and (left == right) == self.equal_scores)

    def passing(self, rows: slice, cols: Columns = ALL) -> Bools:
        known, equal = self._compare(rows, cols)
        same: Bools = equal == self.equal_scores  # numpy's stubs type `==` of arrays as Any
        return ~known | same

    def describe(self, i: int, j: int) -> str:
        return f"same {self.rule.name}: {self.mentees[i].answers.get(self.rule.mentee, '')}"


class _Different(_Same):
    equal_scores = False

    def describe(self, i: int, j: int) -> str:
        return f"different {self.rule.name}"


class _Distance(_Evaluator):
    def __init__(
        self, rule: Rule, mentees: Sequence[Applicant], mentors: Sequence[Applicant]
    ) -> None:
        super().__init__(rule, mentees, mentors)
        self.left = np.array([_number(m, rule.mentee) for m in mentees], dtype=np.float32)
        self.right = np.array([_number(m, rule.mentor) for m in mentors], dtype=np.float32)

        # Answers take few distinct values (time zones, years): score each pair of
        # distinct values once, then look the table up.
        self.left_values, self.left_index = np.unique(self.left, return_inverse=True)
        self.right_values, self.right_index = np.unique(self.right, return_inverse=True)
        self.table = self._closeness(self.left_values[:, None], self.right_values[None, :])

    def _gap(self, left: Floats, right: Floats) -> Floats:
        gap: Floats = np.abs(left - right)
        if not self.rule.wrap:
            return gap
        gap = np.fmod(gap, np.float32(self.rule.wrap))  # UTC+13 and UTC-12 are 1 h apart
        nearer: Floats = np.minimum(gap, np.float32(self.rule.wrap) - gap)  # numpy's stubs: Any
        return nearer

    def _closeness(self, left: Floats, right: Floats) -> Floats:
        closeness = 1.0 - self._gap(left, right) / np.float32(self.rule.scale)
        clipped: Floats = np.nan_to_num(np.clip(closeness, 0.0, 1.0, out=closeness), copy=False)
        return clipped  # (numpy's stubs type the ufuncs' results here as Any)

    def apart(self, rows: slice, cols: Columns = ALL) -> Floats:
        return self._gap(self.left[rows][:, None], self.right[cols][None, :])

    def values(self, rows: slice, cols: Columns = ALL) -> Floats:
        return self.table[np.ix_(self.left_index[rows], self.right_index[cols])]

    def pair_gap(self, i: int, j: int) -> float:
        return float(self._gap(self.left[i : i + 1], self.right[j : j + 1])[0])

    def pair_value(self, i: int, j: int) -> float:
        gap = self.pair_gap(i, j)
        return 0.0 if math.isnan(gap) else min(1.0, max(0.0, 1.0 - gap / self.rule.scale))

    def passing(self, rows: slice, cols: Columns = ALL) -> Bools:
        gap = self.apart(rows, cols)
        with np.errstate(invalid="ignore"):
            return np.isnan(gap) | (gap <= self.rule.scale)

    def describe(self, i: int, j: int) -> str:
        gap = self.pair_gap(i, j)
        unit = f" {self.rule.unit}" if self.rule.unit else ""
        if gap == 0:
            return f"{self.rule.name}: the same"
        return f"{self.rule.name}: {gap:g}{unit} apart"


_KINDS: dict[str, Callable[[Rule, Sequence[Applicant], Sequence[Applicant]], _Evaluator]] = {
    "overlap": _Overlap,
    "text": _Text,
    "same": _Same,
    "different": _Different,
    "distance": _Distance,
}


def _evaluator(
    rule: Rule, mentees: Sequence[Applicant], mentors: Sequence[Applicant]
) -> _Evaluator:
    return _KINDS[rule.kind](rule, mentees, mentors)


def _indicator(people: Sequence[Applicant], field: str, vocabulary: dict[str, int]) -> Floats:
    chosen = np.zeros((len(people), max(1, len(vocabulary))), dtype=np.float32)
    for row, person in enumerate(people):
        chosen[row, [vocabulary[item] for item in set(person.items(field))]] = 1.0
    return chosen


def _text(person: Applicant, field: str) -> str:
    answer = person.answers.get(field, "")
    return answer if isinstance(answer, str) else " ".join(sorted(answer))


def _key(person: Applicant, field: str) -> str:
    return institution_key(_text(person, field))


def _number(person: Applicant, field: str) -> float:
    return parse_number(_text(person, field))
