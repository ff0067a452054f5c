"""The slate summary printed at the end of `match`: how the slate came out, for whom."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from mentoring.choice_cost import ChoicesCost
from mentoring.committee import Outcome
from mentoring.intake import Applicant

# A group fares clearly worse when its matched mentees' mean score is this many points below
# the mean of everyone else matched. On the default rules (weights adding up to 10), 10 points is a
# whole rule of weight 1, such as time zones, or a third of the skills rule: a difference the
# committee would see reading the pairs. Below it, one different pair in a small group moves
# its mean that far (a pair 50 points apart moves the mean of 5 by 10).
FAIRNESS_GAP = 10
# ... and at least this many of the group are matched: with fewer, a mean is one or two pairs.
FAIRNESS_MATCHED = 5


def count(n: int, noun: str, plural: str = "") -> str:
    """`n` things in words: "1 pair", "3 pairs" (or `plural`: "2 entries")."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def slate_summary(
    outcomes: Sequence[Outcome],
    mentors: Sequence[Applicant],
    group_field: str,
    min_score: int,
    proof: str,
    cost: ChoicesCost | None = None,
) -> list[str]:
    """Lines for a person: matched and unmatched, weak pairs, what the committee's choices
    cost, mentor load, mean score by group, and any group that fares clearly worse."""
    matched = [o for o in outcomes if o.mentor]
    weak = sum(o.weak for o in outcomes)
    lines = [
        f"slate: {len(matched)} of {len(outcomes)} mentees matched, "
        f"{len(outcomes) - len(matched)} unmatched, {weak} weak (score below {min_score}); {proof}"
    ]
    if cost is not None:
        lines.append(cost_line(cost))
    load = Counter(o.mentor for o in matched)
    spread = Counter(load.get(m.email, 0) for m in mentors)
    if spread:
        parts = [f"{spread[k]} with {k}" for k in range(max(spread) + 1) if spread[k]]
        lines.append("mentor load (mentees per mentor): " + ", ".join(parts))
    if group_field:
        scores, sizes = _groups(outcomes, group_field)
        lines.append(_by_group(scores, sizes, group_field))
        lines += _fairness(scores, sizes, group_field)
    return lines


def cost_line(cost: ChoicesCost) -> str:
    """What the committee's choices change against the unconstrained best, in words: "committee
    choices cost 12 points in total and 1 mentee matched against the unconstrained best"."""
    changes = [
        ("cost" if change > 0 else "gain", f"{count(abs(change), noun)} {where}")
        for change, noun, where in (
            (cost.points, "point", "in total"),
            (cost.mentees, "mentee", "matched"),
        )
        if change
    ]
    said = "cost nothing"
    if changes:
        (verb, first), *rest = changes
        said = f"{verb} {first}" + "".join(
            f" and {'' if other == verb else other + ' '}{what}" for other, what in rest
        )
    line = f"committee choices {said} against the unconstrained best"
    if cost.gap:
        line += f" (itself not proven optimal: it could score up to {cost.gap:.0f} points more)"
    return line


_NO_ANSWER = "(no answer)"


def _groups(outcomes: Sequence[Outcome], field: str) -> tuple[dict[str, list[int]], Counter[str]]:
    """The matched scores and the number of mentees, by answer to `field`."""
    scores: dict[str, list[int]] = {}
    sizes: Counter[str] = Counter()
    for outcome in outcomes:
        answer = outcome.mentee.answers.get(field) or _NO_ANSWER
        group = answer if isinstance(answer, str) else ", ".join(answer)
        sizes[group] += 1
        if outcome.mentor and outcome.score is not None:
            scores.setdefault(group, []).append(outcome.score)
    return scores, sizes


def _by_group(scores: dict[str, list[int]], sizes: Counter[str], field: str) -> str:
    parts = []
    for group in sorted(sizes):
        values = scores.get(group, [])
        mean = f"{sum(values) / len(values):.0f}" if values else "-"
        parts.append(f"{group} {mean} ({len(values)} of {sizes[group]} matched)")
    return f"mean score by {field.replace('_', ' ')}: " + ("; ".join(parts) or "no pairs yet")


def _fairness(scores: dict[str, list[int]], sizes: Counter[str], field: str) -> list[str]:
    """A line for each group whose mean score is clearly below everyone else's (FAIRNESS_GAP,
    FAIRNESS_MATCHED), worst first; those who left the question blank are not a group."""
    found = []
    for group, values in scores.items():
        others = [score for other, v in scores.items() if other != group for score in v]
        if group == _NO_ANSWER or len(values) < FAIRNESS_MATCHED or not others:
            continue
        mean, theirs = sum(values) / len(values), sum(others) / len(others)
        if theirs - mean >= FAIRNESS_GAP:
            unmatched = sizes[group] - len(values)
            found.append(
                (
                    mean - theirs,
                    f"fairness: {group} ({field.replace('_', ' ')}) fares clearly worse: a mean"
                    f" score of {mean:.0f} against {theirs:.0f} for the others, and"
                    f" {unmatched} of {sizes[group]} unmatched; look at what its members ask"
                    " for that the mentors do not offer",
                )
            )
    return [line for _, line in sorted(found)]


def proposed_pairs(outcomes: Sequence[Outcome]) -> list[str]:
    """The pairs a match proposes, as a table for a person (mentee, suggested mentor, score,
    why), then the mentees it leaves without a mentor and why; the rows the committee set
    (Approved, Hold, a mentor of its own) are its own, and left out."""
    proposed = [o for o in outcomes if not o.reviewed]
    rows = [("Mentee", "Suggested mentor", "Score", "Why")]
    rows += [
        (_name(o.mentee), o.mentor_name or o.mentor or "", f"{o.score}", o.why)
        for o in proposed
        if o.mentor
    ]
    lines = aligned(rows) if len(rows) > 1 else ["proposed pairs: none"]
    unmatched = [o for o in proposed if not o.mentor]
    if unmatched:
        lines.append(f"without a mentor ({len(unmatched)}):")
        lines += [f"  {_name(o.mentee)}: {o.why}" for o in unmatched]
    return lines


def _name(person: Applicant) -> str:
    return person.name or person.email


def aligned(rows: Sequence[Sequence[str]]) -> list[str]:
    """`rows` (as many cells each) as lines, each column but the last as wide as its widest
    cell."""
    widths = [max(map(len, column)) for column in zip(*rows, strict=True)][:-1]
    return [
        "  ".join([*(c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)), row[-1]])
        for row in rows
    ]
