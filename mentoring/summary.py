"""The slate summary printed at the end of `match`: how the slate came out, for whom."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from mentoring.committee import Outcome
from mentoring.intake import Applicant


def count(n: int, noun: str, plural: str = "") -> str:
    """`n` things in words: "1 pair", "3 pairs" (or `plural`: "2 entries")."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def slate_summary(
    outcomes: Sequence[Outcome],
    mentors: Sequence[Applicant],
    group_field: str,
    min_score: int,
    proof: str,
) -> list[str]:
    """Lines for a person: matched and unmatched, weak pairs, mentor load, mean score by group."""
    matched = [o for o in outcomes if o.mentor]
    weak = sum(o.weak for o in outcomes)
    lines = [
        f"slate: {len(matched)} of {len(outcomes)} mentees matched, "
        f"{len(outcomes) - len(matched)} unmatched, {weak} weak (score below {min_score}); {proof}"
    ]
    load = Counter(o.mentor for o in matched)
    spread = Counter(load.get(m.email, 0) for m in mentors)
    if spread:
        parts = [f"{spread[k]} with {k}" for k in range(max(spread) + 1) if spread[k]]
        lines.append("mentor load (mentees per mentor): " + ", ".join(parts))
    if group_field:
        lines.append(_by_group(outcomes, group_field))
    return lines


def _by_group(outcomes: Sequence[Outcome], field: str) -> str:
    scores: dict[str, list[int]] = {}
    sizes: Counter[str] = Counter()
    for outcome in outcomes:
        answer = outcome.mentee.answers.get(field) or "(no answer)"
        group = answer if isinstance(answer, str) else ", ".join(answer)
        sizes[group] += 1
        if outcome.mentor and outcome.score is not None:
            scores.setdefault(group, []).append(outcome.score)
    parts = []
    for group in sorted(sizes):
        values = scores.get(group, [])
        mean = f"{sum(values) / len(values):.0f}" if values else "-"
        parts.append(f"{group} {mean} ({len(values)} of {sizes[group]} matched)")
    return f"mean score by {field.replace('_', ' ')}: " + ("; ".join(parts) or "no pairs yet")


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
