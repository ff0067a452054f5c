"""The first matcher: its scores, its hard rules, capacity, and optimality over a greedy pass."""

from collections import Counter
from itertools import permutations, product

from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.intake import Applicant
from mentoring.matching import OverlapMatcher, _allowed_matrix, allowed
from mentoring.settings import Matching

MATCHER = OverlapMatcher(Matching(subjects_weight=1.0, skills_weight=2.0))


def person(email, subjects=(), skills=(), institution=None, capacity=1) -> Applicant:
    return Applicant(
        email=email,
        name=email.split("@")[0].title(),
        institution=institution or email.split("@")[1],
        submitted=None,
        tab="t",
        row=2,
        answers={"subjects": tuple(subjects), "skills": tuple(skills)},
        capacity=capacity,
    )


def assign(mentees, mentors, excluded=None):
    free = {m.email: m.capacity for m in mentors}
    picks = MATCHER.assign(mentees, mentors, free, excluded or {})
    return {email: (pick.mentor.email if pick.mentor else None) for email, pick in picks.items()}


def test_score_is_the_weighted_share_of_what_the_mentee_wants():
    mentee = person(
        "a@m.org", ["Chemistry", "Physics & astronomy"], ["Grant writing", "Systematic reviews"]
    )
    mentor = person(
        "t@t.org", ["Chemistry"], ["Grant writing", "Systematic reviews", "Liaison & outreach"]
    )
    fit = MATCHER.fit(mentee, mentor)
    # (1 * 1/2 + 2 * 2/2) / 3 = 0.8333
    assert fit.score == 83
    assert fit.why == "skills: Grant writing, Systematic reviews; subjects: Chemistry"


def test_a_pair_with_nothing_shared_says_so():
    fit = MATCHER.fit(person("a@m.org", ["Chemistry"]), person("t@t.org", ["Engineering"]))
    assert (fit.score, fit.why) == (0, "no shared subjects or skills")


def test_hard_rules():
    mentee = person("a@m.org", institution="The University of Iowa")
    assert not allowed(mentee, person("a@m.org", institution="Elsewhere"), ())
    assert not allowed(mentee, person("t@t.org", institution="university of iowa"), ())
    assert not allowed(mentee, person("t@t.org"), {"t@t.org"})
    assert allowed(mentee, person("t@t.org"), ())


def test_nobody_is_paired_with_themself_or_a_colleague_even_when_they_fit_best():
    mentees = [person("sam@x.org", ["Chemistry"], ["Grant writing"], institution="Rice")]
    mentors = [
        person("sam@x.org", ["Chemistry"], ["Grant writing"], institution="Other"),
        person("pat@x.org", ["Chemistry"], ["Grant writing"], institution="Rice University"),
        person("lee@y.org", [], [], institution="Purdue"),
    ]
    mentors[1] = person("pat@x.org", ["Chemistry"], ["Grant writing"], institution="rice")
    assert assign(mentees, mentors) == {"sam@x.org": "lee@y.org"}


def test_capacity_is_respected_and_spare_mentees_say_why():
    mentees = [person(f"m{i}@m.org", ["Chemistry"]) for i in range(4)]
    mentors = [
        person("a@t.org", ["Chemistry"], capacity=2),
        person("b@t.org", ["Chemistry"], capacity=1),
    ]
    picks = MATCHER.assign(mentees, mentors, {"a@t.org": 2, "b@t.org": 1}, {})
    chosen = [p.mentor.email for p in picks.values() if p.mentor]
    assert sorted(chosen) == ["a@t.org", "a@t.org", "b@t.org"]
    (left,) = [p for p in picks.values() if p.mentor is None]
    assert left.fit.why.startswith("no mentor with free capacity")


def test_no_free_capacity_at_all():
    picks = MATCHER.assign([person("m@m.org")], [person("a@t.org")], {"a@t.org": 0}, {})
    assert picks["m@m.org"].mentor is None
    assert picks["m@m.org"].fit.why == "no mentor with free capacity"


def test_rejected_mentors_are_never_suggested():
    mentees = [person("m@m.org", ["Chemistry"])]
    mentors = [person("a@t.org", ["Chemistry"]), person("b@t.org", [])]
    assert assign(mentees, mentors, {"m@m.org": ["a@t.org"]}) == {"m@m.org": "b@t.org"}


def greedy(mentees, mentors):
    """The obvious pass: best remaining pair first. Kept here to show where it goes wrong."""
    pairs = sorted(
        (
            (MATCHER.fit(a, b).score, a.email, b.email)
            for a in mentees
            for b in mentors
            if allowed(a, b, ())
        ),
        reverse=True,
    )
    chosen = {}
    for _, a, b in pairs:
        if a not in chosen and b not in chosen.values():
            chosen[a] = b
    return chosen


def total(slate, mentees, mentors):
    by_email = {p.email: p for p in [*mentees, *mentors]}
    return sum(MATCHER.fit(by_email[a], by_email[b]).score for a, b in slate.items() if b)


def test_optimal_assignment_matches_more_mentees_than_greedy():
    # Ana fits Tom best, but Tom is Bo's only possible mentor (Uma is Bo's colleague).
    ana = person("ana@m.org", ["Chemistry"], ["Grant writing"])
    bo = person("bo@b.org", ["Chemistry"], [], institution="Bo College")
    tom = person("tom@t.org", ["Chemistry"], ["Grant writing"])
    uma = person("uma@u.org", ["Chemistry"], [], institution="Bo College")
    assert greedy([ana, bo], [tom, uma]) == {"ana@m.org": "tom@t.org"}
    assert assign([ana, bo], [tom, uma]) == {"ana@m.org": "uma@u.org", "bo@b.org": "tom@t.org"}


def test_optimal_assignment_scores_higher_than_greedy_and_than_every_other_slate():
    a = person("a@m.org", ["Chemistry"], ["Grant writing"])
    b = person("b@m.org", ["Engineering", "Physics & astronomy"], ["Systematic reviews"])
    x = person("x@t.org", ["Chemistry", "Engineering"], ["Grant writing", "Systematic reviews"])
    y = person("y@t.org", [], ["Grant writing"])
    mentees, mentors = [a, b], [x, y]
    # Greedy takes a-x (100) first and leaves b with y (0); the optimum is a-y (67) + b-x (83).
    assert total(greedy(mentees, mentors), mentees, mentors) == 100
    result = assign(mentees, mentors)
    assert result == {"a@m.org": "y@t.org", "b@m.org": "x@t.org"}
    every_slate = [
        dict(zip(["a@m.org", "b@m.org"], (t.email for t in order), strict=True))
        for order in permutations(mentors)
    ]
    assert (
        total(result, mentees, mentors)
        == max(total(s, mentees, mentors) for s in every_slate)
        == 150
    )


def test_same_input_gives_the_same_slate():
    mentees = [person(f"m{i}@m.org", ["Chemistry"], ["Grant writing"]) for i in range(6)]
    mentors = [person(f"t{i}@t{i}.org", ["Chemistry"], ["Grant writing"]) for i in range(3)]
    first = assign(mentees, mentors)
    assert assign(list(reversed(mentees)), list(reversed(mentors))) == first


OPTIONS = ["Chemistry", "Engineering", "Data science", "Grant writing", "Systematic reviews"]
people_strategy = st.lists(
    st.tuples(
        st.lists(st.sampled_from(OPTIONS), max_size=4, unique=True),
        st.lists(st.sampled_from(OPTIONS), max_size=4, unique=True),
        st.sampled_from(["A", "B", "C", ""]),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=60, deadline=None)
@given(people_strategy, people_strategy, st.floats(0, 5), st.floats(0.1, 5))
def test_all_pairs_at_once_agree_with_one_pair_at_a_time(mentee_specs, mentor_specs, ws, wk):
    matcher = OverlapMatcher(Matching(subjects_weight=ws, skills_weight=wk))
    mentees = [person(f"p{i}@x.org", s, k, i_) for i, (s, k, i_) in enumerate(mentee_specs)]
    mentors = [person(f"p{i}@x.org", s, k, i_) for i, (s, k, i_) in enumerate(mentor_specs)]
    excluded = {"p0@x.org": ["p1@x.org"]}
    scores = matcher.scores(mentees, mentors)
    ok = _allowed_matrix(mentees, mentors, excluded)
    for i, a in enumerate(mentees):
        for j, b in enumerate(mentors):
            assert scores[i, j] == matcher.fit(a, b).score
            assert ok[i, j] == allowed(a, b, excluded.get(a.email, ()))


@settings(max_examples=60, deadline=None)
@given(people_strategy, people_strategy, st.lists(st.integers(0, 2), min_size=6, max_size=6))
def test_no_slate_matches_more_mentees_or_scores_higher(mentee_specs, mentor_specs, capacities):
    """Brute force over every way to give each mentee a mentor or none."""
    mentees = [person(f"m{i}@x.org", s, k, i_) for i, (s, k, i_) in enumerate(mentee_specs[:4])]
    mentors = [
        person(f"t{i}@y.org", s, k, i_, capacity=capacities[i])
        for i, (s, k, i_) in enumerate(mentor_specs[:4])
    ]
    free = {m.email: m.capacity for m in mentors}
    picks = MATCHER.assign(mentees, mentors, free, {})
    chosen = [p.mentor for p in picks.values()]
    for mentor in mentors:
        assert sum(1 for c in chosen if c and c.email == mentor.email) <= mentor.capacity
    for mentee in mentees:
        pick = picks[mentee.email]
        assert pick.mentor is None or allowed(mentee, pick.mentor, ())
    ours = (sum(1 for c in chosen if c), sum(p.fit.score for p in picks.values() if p.mentor))
    best = (0, 0)
    for slate in product([None, *mentors], repeat=len(mentees)):
        load = Counter(t.email for t in slate if t)
        if any(load[t.email] > t.capacity for t in mentors):
            continue
        if any(t and not allowed(m, t, ()) for m, t in zip(mentees, slate, strict=True)):
            continue
        value = (
            sum(1 for t in slate if t),
            sum(MATCHER.fit(m, t).score for m, t in zip(mentees, slate, strict=True) if t),
        )
        best = max(best, value)
    assert ours == best
