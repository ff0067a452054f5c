"""What the committee's choices cost: whom they displace, and what they change in the slate.

The committee fixes rows by approving a pair, holding it or naming a mentor of its
own (Committee Mentor Email). Each such row holds a place of its mentor. Against
the unconstrained best (the slate the engine suggests when every row is open and
every mentor has all their places), a choice can take a place that slate gives to
another mentee. That mentee is displaced when they are worse off for it (unmatched now,
or with a lower score than the unconstrained best gives them), and their Why says by
which row; a mentee moved to an equal or better mentor is not. The slate summary states
the change in total score and in matched count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from mentoring.matching import BestPairs


@dataclass(frozen=True)
class Choice:
    """A committee row that holds a place of `mentor` (an email).

    `mentee` is who the committee reads on the row; `current` the email of the current
    mentee whose row it is ("" for a second row of a mentee, or a mentee who withdrew);
    `how` the committee choice that set it: "Committee Mentor Email", "Approved", ...
    """

    row: int
    mentee: str
    current: str
    mentor: str
    how: str


@dataclass(frozen=True)
class ChoicesCost:
    """The unconstrained best less this slate: `points` of total score and `mentees`
    matched (negative when the committee's choices do better, say by filling a mentor
    past their capacity). `gap` bounds how far the unconstrained best itself could be
    from optimal (0 when proven)."""

    points: int
    mentees: int
    gap: float = 0.0


def displaced(
    choices: Iterable[Choice],
    best: BestPairs,
    suggested: Mapping[str, tuple[str, int]],
    room: Mapping[str, int],
) -> dict[str, tuple[str, Choice]]:
    """The open mentees whose place in the unconstrained best a committee choice took,
    leaving them worse off.

    `suggested` has this slate's mentor email and score ("", 0 for none) by open mentee
    email, in the tab's order, and `room` the places it leaves free by mentor email. A
    mentee is displaced from mentor T when the unconstrained best gives them T, this
    slate does not and fills T's places, a committee row holds T where the unconstrained
    best would not put its mentee, and this slate leaves the mentee unmatched or scoring
    less than with T. Returns, by mentee email, T and the choice (one choice per
    displaced mentee, in row order).
    """
    takers: dict[str, list[Choice]] = {}
    for choice in sorted(choices, key=lambda c: c.row):
        if best.pairs.get(choice.current, ("", 0))[0] != choice.mentor:
            takers.setdefault(choice.mentor, []).append(choice)
    found: dict[str, tuple[str, Choice]] = {}
    for email, (mentor, score) in suggested.items():
        lost, had = best.pairs.get(email, ("", 0))
        if not lost or lost == mentor or room.get(lost, 0) > 0 or not takers.get(lost):
            continue
        if mentor and score >= had:  # moved to an equal or better mentor: nothing lost
            continue
        found[email] = (lost, takers[lost].pop(0))
    return found


def displaced_note(mentor_name: str, choice: Choice) -> str:
    """Why's words for a displaced mentee."""
    return (
        f"{mentor_name} would be suggested here, but the committee gave the place to"
        f" {choice.mentee} ({choice.how}, row {choice.row})"
    )


def choices_cost(best: BestPairs, pairs: Sequence[int | None]) -> ChoicesCost:
    """The cost of the committee's choices, from this slate's `pairs`: one score per matched
    mentee (None for a pair the engine cannot score, counted as matched)."""
    total = sum(score or 0 for score in pairs)
    return ChoicesCost(best.total - total, len(best.pairs) - len(pairs), best.gap)
