"""The first matcher: overlap of subject areas and skills, optimal over mentor slots.

`Matcher` is the interface the committee-tab merge uses; the full engine
replaces `OverlapMatcher` behind it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy.optimize import linear_sum_assignment

from mentoring.intake import Applicant, institution_key
from mentoring.settings import Matching


@dataclass(frozen=True)
class Fit:
    """How well a mentor suits a mentee: a 0-100 score and a line saying why."""

    score: int
    why: str


@dataclass(frozen=True)
class Pick:
    """The matcher's answer for one mentee: a mentor and their fit, or a reason there is none."""

    mentor: Applicant | None
    fit: Fit


class Matcher(Protocol):
    def scores(self, mentees: Sequence[Applicant], mentors: Sequence[Applicant]) -> np.ndarray:
        """`score` for every pair at once, as a mentees x mentors array of whole numbers."""
        w_subjects, w_skills = self.weights.subjects_weight, self.weights.skills_weight
        subjects, wanted_subjects = _overlap(mentees, mentors, "subjects")
        skills, wanted_skills = _overlap(mentees, mentors, "skills")
        share = (
            w_subjects * subjects / np.maximum(1, wanted_subjects)[:, None]
            + w_skills * skills / np.maximum(1, wanted_skills)[:, None]
        ) / (w_subjects + w_skills)
        return np.round(100 * share)

    def fit(self, mentee: Applicant, mentor: Applicant) -> Fit:
        """Score and explain a pair, allowed or not (used for committee overrides)."""
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


def allowed(mentee: Applicant, mentor: Applicant, excluded: Collection[str]) -> bool:
    """Rules no score outweighs: not oneself, not a rejected mentor, not one's institution."""
    if mentee.email == mentor.email or mentor.email in excluded:
        return False
    mine, theirs = institution_key(mentee.institution), institution_key(mentor.institution)
    return not (mine and mine == theirs)


class OverlapMatcher:
    """Scores the share of the mentee's subjects and wanted skills that the mentor covers."""

    def __init__(self, weights: Matching):
        self.weights = weights

    def score(self, mentee: Applicant, mentor: Applicant) -> int:
        w_subjects, w_skills = self.weights.subjects_weight, self.weights.skills_weight
        wanted_subjects, wanted_skills = mentee.items("subjects"), mentee.items("skills")
        subjects = len(set(wanted_subjects) & set(mentor.items("subjects")))
        skills = len(set(wanted_skills) & set(mentor.items("skills")))
        share = (
            w_subjects * subjects / max(1, len(wanted_subjects))
            + w_skills * skills / max(1, len(wanted_skills))
        ) / (w_subjects + w_skills)
        return round(100 * share)

    def scores(self, mentees: Sequence[Applicant], mentors: Sequence[Applicant]) -> np.ndarray:
        """`score` for every pair at once, as a mentees x mentors array of whole numbers."""
        w_subjects, w_skills = self.weights.subjects_weight, self.weights.skills_weight
        subjects, wanted_subjects = _overlap(mentees, mentors, "subjects")
        skills, wanted_skills = _overlap(mentees, mentors, "skills")
        share = (
            w_subjects * subjects / np.maximum(1, wanted_subjects)[:, None]
            + w_skills * skills / np.maximum(1, wanted_skills)[:, None]
        ) / (w_subjects + w_skills)
        return np.round(100 * share)

    def fit(self, mentee: Applicant, mentor: Applicant) -> Fit:
        subjects = _shared(mentee.items("subjects"), mentor.items("subjects"))
        skills = _shared(mentee.items("skills"), mentor.items("skills"))
        parts = []
        if skills:
            parts.append("skills: " + ", ".join(skills))
        if subjects:
            parts.append("subjects: " + ", ".join(subjects))
        return Fit(self.score(mentee, mentor), "; ".join(parts) or "no shared subjects or skills")

    def assign(
        self,
        mentees: Sequence[Applicant],
        mentors: Sequence[Applicant],
        free: Mapping[str, int],
        excluded: Mapping[str, Collection[str]],
    ) -> dict[str, Pick]:
        mentees = sorted(mentees, key=lambda m: m.email)
        open_mentors = sorted(
            (m for m in mentors if free.get(m.email, 0) > 0), key=lambda m: m.email
        )
        slots = [m for m in open_mentors for _ in range(free[m.email])]
        picks: dict[str, Pick] = {}
        if not slots:
            none = Fit(0, "no mentor with free capacity")
            return {mentee.email: Pick(None, none) for mentee in mentees}

        scores = self.scores(mentees, open_mentors)
        # +1 keeps a zero-score allowed pair above a forbidden one (0).
        weight = np.where(_allowed_matrix(mentees, open_mentors, excluded), scores + 1.0, 0.0)
        # Matching more mentees always beats a higher total: every allowed pair
        # is worth more than any sum of score differences can make up.
        bonus = 101.0 * min(len(mentees), len(slots)) + 1.0
        mentor_of_slot = np.repeat(
            np.arange(len(open_mentors)), [free[m.email] for m in open_mentors]
        )
        slot_weight = np.where(weight > 0, weight + bonus, 0.0)[:, mentor_of_slot]
        rows, cols = linear_sum_assignment(slot_weight, maximize=True)
        for i, slot in zip(rows, cols, strict=True):
            j = int(mentor_of_slot[slot])
            if weight[i, j] > 0:
                picks[mentees[i].email] = Pick(
                    open_mentors[j], self.fit(mentees[i], open_mentors[j])
                )
        for i, mentee in enumerate(mentees):
            if mentee.email not in picks:
                picks[mentee.email] = Pick(None, Fit(0, _why_none(bool(weight[i].any()))))
        return picks


def _overlap(
    mentees: Sequence[Applicant], mentors: Sequence[Applicant], field: str
) -> tuple[np.ndarray, np.ndarray]:
    """How many items of `field` each pair shares, and how many each mentee chose."""
    vocabulary: dict[str, int] = {}
    for person in (*mentees, *mentors):
        for item in person.items(field):
            vocabulary.setdefault(item, len(vocabulary))
    wanted = _indicator(mentees, field, vocabulary)
    offered = _indicator(mentors, field, vocabulary)
    return wanted @ offered.T, wanted.sum(axis=1)


def _indicator(
    people: Sequence[Applicant], field: str, vocabulary: Mapping[str, int]
) -> np.ndarray:
    chosen = np.zeros((len(people), max(1, len(vocabulary))))
    for row, person in enumerate(people):
        chosen[row, [vocabulary[item] for item in set(person.items(field))]] = 1.0
    return chosen


def _allowed_matrix(
    mentees: Sequence[Applicant],
    mentors: Sequence[Applicant],
    excluded: Mapping[str, Collection[str]],
) -> np.ndarray:
    """`allowed` for every pair at once, as a boolean mentees x mentors array."""

    def keys(people, key):
        return np.array([key(p) for p in people], dtype=object)

    mine = keys(mentees, lambda p: institution_key(p.institution))
    theirs = keys(mentors, lambda p: institution_key(p.institution))
    same_place = (mine[:, None] == theirs[None, :]) & (mine != "")[:, None]
    same_person = keys(mentees, lambda p: p.email)[:, None] == keys(mentors, lambda p: p.email)
    ok = ~(same_place | same_person)
    column = {mentor.email: j for j, mentor in enumerate(mentors)}
    for i, mentee in enumerate(mentees):
        for email in excluded.get(mentee.email, ()):
            if email in column:
                ok[i, column[email]] = False
    return ok


def _why_none(had_allowed_mentor: bool) -> str:
    if had_allowed_mentor:
        return (
            "no mentor with free capacity: the mentors who fit are all suggested to other mentees"
        )
    return "no mentor with free capacity who is allowed (not at the same institution, not rejected)"


def _shared(wanted: Sequence[str], offered: Sequence[str]) -> list[str]:
    offered_set = set(offered)
    return [item for item in wanted if item in offered_set]
