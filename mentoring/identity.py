"""Which pair is which, when the committee corrects an address or changes a mentor.

A pair's emails are keyed by its two addresses ("check-in 2 | ana@m.org | tom@t.org |
to tom@t.org"), so an address corrected after the introduction would look like a new
pair: the latest check-in would go again and Pair Health would start from zero. And a
mentor changed without clearing Introduced On would look like a pair introduced on that
day: it would get "check-in 3" at once, without an introduction.

So an introduced pair with no email of its own yet is compared with the pairs that had
emails before (the send journal remembers their people's names; the Email Log knows
their addresses and the day of their introduction):
- the same committee row (the same mentee) and the same Introduced On, with a mentor of
  the same name at a new address, is the same pair: its emails keep the keys of its
  first address (`Pair.known_as`), and nothing goes twice;
- the same mentee and Introduced On with another mentor is a new pair: it is introduced
  (Introduced On then becomes the day of its introduction), and the committee is told;
- a mentee's address corrected (the same mentor, Introduced On and name) is the same pair.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from mentoring.pairs import Pair, RowProblem


@dataclass(frozen=True)
class KnownPair:
    """A pair introduced in an earlier run: `label` its addresses as last seen, `identity`
    the addresses its emails are keyed by, and its people's names."""

    label: str
    identity: str
    mentee_name: str
    mentor_name: str
    introduced_on: date | None

    @property
    def emails(self) -> tuple[str, str]:
        return _emails(self.label)


@dataclass(frozen=True)
class Identified:
    pairs: tuple[Pair, ...]
    problems: tuple[RowProblem, ...]  # each pair whose mentor changed, or address
    # Pairs found to be an earlier pair at a new address, with the day it was introduced:
    # their Introduced On (lost, say with an older copy saved back) is written again.
    dated: tuple[tuple[Pair, date], ...] = ()
    # Mentees of rows left out: the same two people as another Approved row's pair.
    held: tuple[str, ...] = ()


def identify(
    pairs: Sequence[Pair],
    known: Sequence[KnownPair],
    introduced: Mapping[str, date | None],
    tab: str,
) -> Identified:
    """The pairs, each known by the addresses of its first emails, or taken as not yet
    introduced when its mentor changed since the introduction on its Introduced On day.

    `known` are the pairs of earlier runs (from the send journal; none without it);
    `introduced` has every pair label the Email Log or the journal has emails under, with
    the day its introduction was sent (None when there is none); `tab` names the committee
    tab in the lines for the committee.
    """
    by_label = {k.label: k for k in known}
    current = {p.label for p in pairs}
    earlier = [k for k in known if k.label not in current]
    earlier += [
        KnownPair(label, label, "", "", day)
        for label, day in introduced.items()
        if label not in current and label not in by_label and day is not None
    ]
    found: list[Pair] = []
    problems: list[RowProblem] = []
    dated: list[tuple[Pair, date]] = []
    held: list[str] = []
    by_mentor: dict[str, list[Pair]] = {}
    for pair in pairs:
        by_mentor.setdefault(pair.mentor.email, []).append(pair)
    had = [k for k in earlier if k.identity in introduced or k.introduced_on]
    for pair in pairs:
        twin = _twin(pair, by_mentor[pair.mentor.email], by_label, introduced)
        if twin is not None:
            held.append(pair.mentee.email)
            problems.append(_twins(pair, twin, tab))
            continue
        if pair.label in by_label:
            found.append(_known_as(pair, by_label[pair.label].identity))
            continue
        if pair.label in introduced:
            found.append(pair)
            continue
        if pair.introduced_on is None:
            same = _same_people(pair, had)
            if same is None:
                found.append(pair)
                continue
            pair = replace(_known_as(pair, same.identity), introduced_on=same.introduced_on)
            found.append(pair)
            dated += [(pair, same.introduced_on)] if same.introduced_on else []
            problems.append(_same_pair(pair, same, tab))
            continue
        same, changed = _before(pair, earlier)
        if same is not None:
            found.append(_known_as(pair, same.identity))
        elif changed is not None:
            found.append(replace(pair, introduced_on=None))
            problems.append(_new_mentor(pair, changed, tab))
        else:
            found.append(pair)  # introduced by hand on that day: its check-ins count from it
    return Identified(tuple(found), tuple(problems), tuple(dated), tuple(held))


def dated_as_sent(
    pairs: Sequence[Pair], sent: Mapping[str, date], today: date, tab: str
) -> tuple[list[Pair], list[RowProblem]]:
    """The pairs with the day their introduction went, where mentor-sync sent it (`sent`,
    by pair label): Introduced On typed otherwise (a year mistyped would send the closing
    email at once) is not used, and a line says so. And a line for an Introduced On after
    `today`, whose check-ins wait until then."""
    found, problems = [], []
    for pair in pairs:
        went = sent.get(pair.label)
        if went is not None and pair.introduced_on is not None and pair.introduced_on != went:
            text = (
                f"Introduced On {pair.introduced_on:%Y-%m-%d} is not the day the introduction"
                f" went ({went:%Y-%m-%d}, in the Email Log); the check-ins count from"
                f" {went:%Y-%m-%d}: correct Introduced On"
            )
            problems.append(RowProblem(tab, pair.row, pair.mentee.email, text))
            pair = replace(pair, introduced_on=went)
        elif pair.introduced_on is not None and pair.introduced_on > today:
            text = (
                f"Introduced On {pair.introduced_on:%Y-%m-%d} is after today; the pair gets no"
                " emails until then, and Pair Health keeps its row as it was (correct the date"
                " if it is a typing mistake)"
            )
            problems.append(RowProblem(tab, pair.row, pair.mentee.email, text))
        found.append(pair)
    return found, problems


def remembered(pairs: Sequence[Pair]) -> list[KnownPair]:
    """What the journal keeps of the approved pairs, for the next run's `identify`."""
    return [
        KnownPair(
            f"{p.mentee.email} | {p.mentor.email}",
            p.label,
            p.mentee.name,
            p.mentor.name,
            p.introduced_on,
        )
        for p in pairs
    ]


def _before(pair: Pair, earlier: Sequence[KnownPair]) -> tuple[KnownPair | None, KnownPair | None]:
    """(the same pair at an earlier address, a pair of this mentee whose mentor changed)."""
    changed = None
    for old in earlier:
        if old.introduced_on != pair.introduced_on:
            continue
        mentee, mentor = old.emails
        if mentee == pair.mentee.email and mentor != pair.mentor.email:
            if _same_name(old.mentor_name, pair.mentor.name):
                return old, None
            changed = changed or old
        elif (
            mentor == pair.mentor.email
            and mentee != pair.mentee.email
            and _same_name(old.mentee_name, pair.mentee.name)
        ):
            return old, None
    return None, changed


def _twin(
    pair: Pair,
    same_mentor: Sequence[Pair],
    known: Mapping[str, KnownPair],
    introduced: Mapping[str, date | None],
) -> Pair | None:
    """Another Approved row's pair of the same two people (the mentee at another address),
    when `pair` is the newcomer of the two: no email of its own yet, while the other has.
    `same_mentor` are the pairs with `pair`'s mentor, in the order of the rows."""
    if pair.label in known or pair.label in introduced or pair.introduced_on is not None:
        return None
    for other in same_mentor:
        if (
            other is not pair
            and other.mentee.email != pair.mentee.email
            and _same_name(other.mentee.name, pair.mentee.name)
        ):
            return other
    return None


def _twins(pair: Pair, twin: Pair, tab: str) -> RowProblem:
    text = (
        f"{pair.mentee.name} and {pair.mentor.name} are a pair already in row {twin.row}"
        f" ({twin.mentee.email}); if {pair.mentee.name}'s address changed, set that row to"
        " Rejected (the pair keeps its year under the new address). No emails for this row"
        " until then"
    )
    return RowProblem(tab, pair.row, pair.mentee.email, text)


def _same_people(pair: Pair, earlier: Sequence[KnownPair]) -> KnownPair | None:
    """An earlier pair of the same two people, one of them at another address now."""
    for old in earlier:
        mentee, mentor = old.emails
        if mentee == pair.mentee.email and _same_name(old.mentor_name, pair.mentor.name):
            return old
        if mentor == pair.mentor.email and _same_name(old.mentee_name, pair.mentee.name):
            return old
    return None


def _same_pair(pair: Pair, old: KnownPair, tab: str) -> RowProblem:
    mentee, mentor = old.emails
    went = (
        f"introduced on {old.introduced_on:%Y-%m-%d}"
        if old.introduced_on
        else "whose introduction is in the Email Log"
    )
    text = (
        f"{pair.mentee.name} and {pair.mentor.name} are the pair of {mentee} and {mentor},"
        f" {went}; mentor-sync does not introduce them again (it writes that day in"
        " Introduced On). Check which address is right"
    )
    return RowProblem(tab, pair.row, pair.mentee.email, text)


def _known_as(pair: Pair, identity: str) -> Pair:
    emails = _emails(identity)
    return (
        pair if emails == (pair.mentee.email, pair.mentor.email) else replace(pair, known_as=emails)
    )


def _new_mentor(pair: Pair, old: KnownPair, tab: str) -> RowProblem:
    was = old.emails[1] + (f" ({old.mentor_name})" if old.mentor_name else "")
    text = (
        f"the mentor is now {pair.mentor.email} ({pair.mentor.name}), not {was}, who was"
        f" introduced on {pair.introduced_on:%Y-%m-%d}; mentor-sync introduces"
        f" {pair.mentee.name} and {pair.mentor.name} as a new pair, and Introduced On becomes"
        " the day it goes (to keep the earlier pair, put its mentor back)"
    )
    return RowProblem(tab, pair.row, pair.mentee.email, text)


def _same_name(before: str, now: str) -> bool:
    folded = " ".join(before.casefold().split())
    return bool(folded) and folded == " ".join(now.casefold().split())


def _emails(label: str) -> tuple[str, str]:
    mentee, _, mentor = label.partition(" | ")
    return mentee, mentor
