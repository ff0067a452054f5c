"""The matching engine: each rule kind by hand, hard rules, explanations, alternatives, optimality."""

import re
from collections import Counter
from contextlib import contextmanager
from itertools import product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.assignment import best_slate, greedy
from mentoring.errors import ConfigError
from mentoring.intake import Applicant
from mentoring.matching import RuleMatcher
from mentoring.rules import MatchingSettings, Rule, parse_matching
from mentoring.scoring import ScoreBoard, parse_number


def person(email, capacity=1, **answers) -> Applicant:
    return Applicant(
        email=email,
        name=email.split("@")[0].title(),
        institution=answers.get("institution", email.split("@")[1]),
        submitted=None,
        tab="t",
        row=2,
        answers={k: tuple(v) if isinstance(v, list) else v for k, v in answers.items()},
        capacity=capacity,
    )


def board(rule, mentees, mentors, **kwargs):
    return ScoreBoard([rule], mentees, mentors, **kwargs)


def rule(kind, mentee="a", mentor="b", weight=1.0, **options):
    return Rule(
        name=options.pop("name", kind),
        kind=kind,
        mentee=mentee,
        mentor=mentor,
        weight=weight,
        **options,
    )


def test_overlap_is_the_share_of_the_mentees_choices_the_mentor_offers():
    mentee = person("m@x.org", a=["Chemistry", "Physics & astronomy", "Data science"])
    mentors = [
        person("t@y.org", b=["Chemistry", "Data science", "Engineering"]),
        person("u@y.org", b=["Engineering"]),
        person("v@y.org", b=[]),
    ]
    result = board(rule("overlap", name="subjects", hard=True), [mentee], mentors)
    assert result.score.tolist() == [[67, 0, 0]]  # 2 of 3
    assert result.allowed.tolist() == [[True, False, True]]  # no answer breaks no hard rule
    assert result.why(0, 0) == "subjects: Chemistry, Data science"
    assert result.refusal(0, 1) == "hard rule 'subjects'"


def test_an_unanswered_question_scores_zero_but_breaks_no_hard_rule():
    result = board(
        rule("overlap", hard=True), [person("m@x.org", a=[])], [person("t@y.org", b=["X"])]
    )
    assert (result.score.tolist(), result.allowed.tolist()) == ([[0]], [[True]])


def test_text_similarity_is_tfidf_cosine():
    mentees = [person("m@x.org", a="Build a research data management service for chemistry")]
    mentors = [
        person("t@y.org", b="I built our research data management service"),
        person("u@y.org", b="Grant writing for engineering"),
        person("v@y.org", b=""),
    ]
    result = board(rule("text", name="goals and experience"), mentees, mentors)
    first, second, third = result.score[0].tolist()
    assert first > 40 and second == 0 and third == 0
    assert result.why(0, 0).startswith("goals and experience: ")
    assert set(result.why(0, 0).split(": ")[1].split(", ")) <= {
        "research",
        "data",
        "management",
        "service",
    }
    assert result.why(0, 1) == "nothing in common on the matching questions"


def test_text_rule_with_only_empty_answers_scores_zero():
    result = board(rule("text"), [person("m@x.org", a="")], [person("t@y.org", b="the and")])
    assert result.score.tolist() == [[0]]


def test_same_and_different():
    mentees = [person("m@x.org", a="Monthly"), person("n@x.org", a="")]
    mentors = [person("t@y.org", b="monthly"), person("u@y.org", b="Quarterly")]
    same = board(rule("same", name="meeting rhythm", hard=True), mentees, mentors)
    assert same.score.tolist() == [[100, 0], [0, 0]]
    assert same.allowed.tolist() == [[True, False], [True, True]]
    assert same.why(0, 0) == "same meeting rhythm: Monthly"
    different = board(rule("different", name="institution", hard=True), mentees, mentors)
    assert different.score.tolist() == [[0, 100], [0, 0]]
    assert different.allowed.tolist() == [[False, True], [True, True]]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("UTC-5 Eastern", -5),
        ("UTC+0 UK & Ireland", 0),
        ("UTC+10 Eastern Australia", 10),
        ("UTC+5:30", 5.5),
        ("GMT-0300", -3),
        ("UTC - 5", -5),
        ("12 years", 12),
        ("UTC\u22128", -8),
    ],
)
def test_numbers_are_read_from_answers(text, number):
    assert parse_number(text) == number


def test_an_answer_without_a_number_reads_as_unknown():
    assert np.isnan(parse_number("Other"))


def test_time_zones_wrap_around_the_clock():
    mentees = [person("m@x.org", a="UTC+13 Tonga")]
    mentors = [person("t@y.org", b="UTC-12 Baker Island")]
    result = board(
        rule("distance", name="time zones", scale=6, wrap=24, unit="h"), mentees, mentors
    )
    assert (result.score.tolist(), result.why(0, 0)) == ([[83]], "time zones: 1 h apart")


def test_a_blank_text_answer_breaks_no_hard_text_rule():
    mentees = [person("m@x.org", a=""), person("n@x.org", a="data curation")]
    mentors = [person("t@y.org", b="grant writing"), person("u@y.org", b="")]
    result = board(rule("text", hard=True), mentees, mentors)
    assert result.allowed.tolist() == [[True, True], [False, True]]


def test_distance_with_scale_and_wrap():
    mentees = [person("m@x.org", a="UTC-5 Eastern"), person("n@x.org", a="Other")]
    mentors = [
        person("t@y.org", b="UTC-6 Central"),
        person("u@y.org", b="UTC+10 Eastern Australia"),
        person("v@y.org", b="UTC+8 China"),
    ]
    result = board(
        rule("distance", name="time zones", scale=6, wrap=24, unit="h", hard=True), mentees, mentors
    )
    # 1 h apart; 15 h one way is 9 h the other way round; 13 h is 11 h round the clock.
    assert result.score.tolist() == [[83, 0, 0], [0, 0, 0]]
    assert result.allowed.tolist() == [[True, False, False], [True, True, True]]
    assert result.why(0, 0) == "time zones: 1 h apart"


def test_the_score_is_the_weighted_mean_on_a_0_to_100_scale():
    rules = [
        rule("overlap", "s", "s", weight=3, name="skills"),
        rule("same", "r", "r", weight=1, name="rhythm"),
    ]
    mentee = person("m@x.org", s=["A", "B"], r="Monthly")
    mentor = person("t@y.org", s=["A"], r="Monthly")
    result = ScoreBoard(rules, [mentee], [mentor])
    assert result.score.tolist() == [[63]]  # (3 * 1/2 + 1 * 1) / 4 = 62.5, rounded half up
    assert result.why(0, 0) == "skills: A; same rhythm: Monthly"


def test_built_in_hard_rules_oneself_and_previous_partners():
    people = [person("a@x.org", a=["X"], b=["X"]), person("b@y.org", a=["X"], b=["X"])]
    result = board(rule("overlap"), people, people, past_pairs={("a@x.org", "b@y.org")})
    assert result.allowed.tolist() == [[False, False], [True, False]]
    assert result.refusal(0, 0) == "the same person"


MATCHING = MatchingSettings(
    rules=(rule("overlap", "s", "s"),),
    min_score=0,
    alternatives=2,
    past_pairs_tab="",
    past_pairs_file="",
    summary_group="",
)


def test_assign_respects_rejections_and_lists_alternatives_with_a_free_place():
    mentees = [person("m@x.org", s=["A", "B"])]
    mentors = [
        person("t@y.org", s=["A", "B"]),
        person("u@y.org", s=["A"]),
        person("v@y.org", s=["B"]),
        person("w@y.org", s=["A", "B"], capacity=0),
    ]
    matcher = RuleMatcher(MATCHING, mentees, mentors)
    free = {m.email: m.capacity for m in mentors}
    pick = matcher.assign(mentees, mentors, free, {"m@x.org": ["t@y.org"]})["m@x.org"]
    assert pick.mentor.email == "u@y.org"  # t rejected; u and v tie at 50, u first by email
    assert [(a.mentor.email, a.score, a.goes_to) for a in pick.alternatives] == [
        ("v@y.org", 50, None)
    ]
    assert matcher.slate.exact


def test_matching_more_mentees_beats_a_higher_total():
    # Ana fits Tom best, but Tom is Bo's only possible mentor.
    score = np.array([[100, 90], [80, 0]], dtype=np.int16)
    allowed = np.array([[True, True], [True, False]])
    assert best_slate(score, allowed, np.array([1, 1])).mentor_of.tolist() == [1, 0]


def test_the_optimal_total_beats_a_greedy_pass():
    # Greedy takes 100 first and is left with 0; the optimum is 67 + 83.
    score = np.array([[100, 67], [83, 0]], dtype=np.int16)
    allowed = np.ones((2, 2), dtype=bool)
    assert best_slate(score, allowed, np.array([1, 1])).mentor_of.tolist() == [1, 0]


def test_the_same_input_gives_the_same_slate():
    mentees = [person(f"m{i}@x.org", s=["A"]) for i in range(6)]
    mentors = [person(f"t{i}@y{i}.org", s=["A"]) for i in range(3)]
    free = {m.email: 1 for m in mentors}
    first = RuleMatcher(MATCHING, mentees, mentors).assign(mentees, mentors, free, {})
    again = RuleMatcher(MATCHING, mentees[::-1], mentors[::-1]).assign(
        mentees[::-1], mentors[::-1], free, {}
    )
    assert {e: p.mentor and p.mentor.email for e, p in first.items()} == {
        e: p.mentor and p.mentor.email for e, p in again.items()
    }


def brute_force(score, allowed, capacity):
    n, m = score.shape
    best = (0, 0)
    for slate in product([-1, *range(m)], repeat=n):
        if any(j >= 0 and not allowed[i, j] for i, j in enumerate(slate)):
            continue
        load = Counter(j for j in slate if j >= 0)
        if any(load[j] > capacity[j] for j in range(m)):
            continue
        best = max(
            best,
            (
                sum(j >= 0 for j in slate),
                sum(int(score[i, j]) for i, j in enumerate(slate) if j >= 0),
            ),
        )
    return best


@st.composite
def programs(draw, max_mentees=5, max_mentors=4):
    n = draw(st.integers(1, max_mentees))
    m = draw(st.integers(1, max_mentors))
    score = np.array(
        draw(
            st.lists(st.lists(st.integers(0, 100), min_size=m, max_size=m), min_size=n, max_size=n)
        ),
        dtype=np.int16,
    )
    allowed = np.array(
        draw(st.lists(st.lists(st.booleans(), min_size=m, max_size=m), min_size=n, max_size=n))
    )
    capacity = np.array(draw(st.lists(st.integers(0, 3), min_size=m, max_size=m)))
    return score, allowed, capacity


@settings(max_examples=150, deadline=None)
@given(programs(), st.sampled_from(["dense", "sparse"]))
def test_no_slate_matches_more_or_scores_higher_and_no_rule_is_broken(program, method):
    score, allowed, capacity = program
    slate = best_slate(score, allowed, capacity, dense_limit=10**9 if method == "dense" else 0)
    chosen = slate.mentor_of
    assert all(allowed[i, j] for i, j in enumerate(chosen) if j >= 0)
    load = Counter(int(j) for j in chosen if j >= 0)
    assert all(load[j] <= capacity[j] for j in range(len(capacity)))
    ours = (int((chosen >= 0).sum()), sum(int(score[i, j]) for i, j in enumerate(chosen) if j >= 0))
    assert ours == brute_force(score, allowed, capacity)
    assert slate.exact


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_the_sparse_method_finds_the_dense_optimum_on_larger_programs(seed):
    rng = np.random.default_rng(seed)
    n, m = 60, 25
    taste = rng.random((n, 4)) @ rng.random((4, m))  # everyone agrees on the best: the hard case
    score = np.rint(100 * taste / taste.max()).astype(np.int16)
    allowed = rng.random((n, m)) > 0.2
    capacity = rng.integers(0, 4, size=m)
    dense = best_slate(score, allowed, capacity, dense_limit=10**9).mentor_of
    sparse = best_slate(score, allowed, capacity, dense_limit=0)

    def value(chosen):
        return int((chosen >= 0).sum()), int(
            sum(score[i, j] for i, j in enumerate(chosen) if j >= 0)
        )

    assert sparse.exact and value(sparse.mentor_of) == value(dense)


FORM = ["skills", "subjects", "goals"]


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (
            [{"name": "x", "kind": "similar", "mentee": "skills", "mentor": "skills", "weight": 1}],
            "matching rule 1 ('x'): unknown kind 'similar'",
        ),
        (
            [{"name": "x", "kind": "overlap", "mentee": "skils", "mentor": "skills", "weight": 1}],
            "matching rule 1 ('x'): 'skils' is not a question of the mentee form; did you mean 'skills'?",
        ),
        (
            [
                {
                    "name": "x",
                    "kind": "overlap",
                    "mentee": "skills",
                    "mentor": "skills",
                    "weight": -2,
                }
            ],
            "matching rule 1 ('x'): 'weight' cannot be negative (-2)",
        ),
        (
            [{"name": "x", "kind": "overlap", "mentee": "skills", "mentor": "skills"}],
            "matching rule 1 ('x'): 'weight' is missing",
        ),
        (
            [
                {
                    "name": "x",
                    "kind": "distance",
                    "mentee": "skills",
                    "mentor": "skills",
                    "weight": 1,
                }
            ],
            "matching rule 1 ('x'): 'scale' is missing",
        ),
        (
            [
                {
                    "name": "x",
                    "kind": "overlap",
                    "mentee": "skills",
                    "mentor": "skills",
                    "weight": 1,
                    "hrad": True,
                }
            ],
            "matching rule 1 ('x'): unknown key 'hrad'; did you mean 'hard'?",
        ),
        (
            [{"name": "x", "kind": "overlap", "mentee": "skills", "mentor": "skills", "weight": 0}],
            "at least one matching rule needs a weight above 0",
        ),
        ([], "'matching.rules' must list at least one"),
    ],
)
def test_a_bad_rule_is_a_configuration_error_naming_it(rules, message):
    with pytest.raises(ConfigError) as caught:
        parse_matching(matching_data(*rules), FORM, FORM)
    assert str(caught.value).startswith(message)


def adversarial(seed, n=60, m=25):
    rng = np.random.default_rng(seed)
    taste = rng.random((n, 4)) @ rng.random((4, m))
    score = np.rint(100 * taste / taste.max()).astype(np.int16)
    return score, rng.random((n, m)) > 0.5, rng.integers(0, 2, size=m)


def value(score, chosen):
    return int((chosen >= 0).sum()), int(sum(score[i, j] for i, j in enumerate(chosen) if j >= 0))


def test_past_the_round_limit_the_dense_method_finishes_the_job(monkeypatch):
    import mentoring.assignment as assignment

    monkeypatch.setattr(assignment, "MAX_ROUNDS", 1)
    score, allowed, capacity = adversarial(3)
    slate = best_slate(score, allowed, capacity, dense_limit=0)
    dense = best_slate(score, allowed, capacity, dense_limit=10**9)
    assert slate.exact and value(score, slate.mentor_of) == value(score, dense.mentor_of)


def test_without_the_dense_fallback_the_count_is_the_most_and_the_shortfall_is_bounded(
    monkeypatch,
):
    import mentoring.assignment as assignment

    # One round from one candidate pair per mentee, so that most slates are not proven.
    for name, limit in [("MAX_ROUNDS", 1), ("DENSE_FALLBACK", 0), ("CANDIDATES", 1), ("SPREAD", 1)]:
        monkeypatch.setattr(assignment, name, limit)
    unproven = 0
    for seed in range(20):
        score, allowed, capacity = adversarial(seed)
        slate = best_slate(score, allowed, capacity, dense_limit=0)
        unproven += not slate.exact
        ours, best = (
            value(score, slate.mentor_of),
            value(score, best_slate(score, allowed, capacity, dense_limit=10**9).mentor_of),
        )
        assert ours[0] == best[0]
        assert best[1] - ours[1] <= slate.gap
        assert ours >= value(score, greedy(score, allowed, capacity))
        if slate.exact:
            assert ours == best
    assert unproven >= 10


def python_greedy(score, allowed, capacity):
    """The plain greedy pass, one pair at a time: best remaining pair first."""
    order = np.argsort(-np.where(allowed, score, -1), axis=None, kind="stable")
    left, chosen = np.array(capacity).copy(), np.full(score.shape[0], -1)
    for flat in order:
        i, j = divmod(int(flat), score.shape[1])
        if allowed[i, j] and chosen[i] < 0 and left[j] > 0:
            chosen[i], left[j] = j, left[j] - 1
    return chosen


@st.composite
def alike_programs(draw, max_mentees=7, max_mentors=4):
    """Small programs where everyone ranks the mentors alike, or has one profile."""
    n = draw(st.integers(1, max_mentees))
    m = draw(st.integers(1, max_mentors))
    merit = draw(st.lists(st.integers(0, 60), min_size=m, max_size=m))
    if draw(st.booleans()):  # identical: one profile for all
        score = np.tile(np.array(merit, dtype=np.int16), (n, 1))
    else:  # alike: submodular in the mentee's and the mentor's merit
        lift = draw(st.lists(st.integers(0, 60), min_size=n, max_size=n))
        score = np.minimum(100, np.add.outer(lift, merit)).astype(np.int16)
    allowed = np.array(
        draw(st.lists(st.lists(st.booleans(), min_size=m, max_size=m), min_size=n, max_size=n))
    ) | draw(st.booleans())
    capacity = np.array(draw(st.lists(st.integers(0, 3), min_size=m, max_size=m)))
    return score, allowed, capacity


@contextmanager
def round_limit(rounds):
    """The sparse engine with a round limit, one first candidate per mentee and no dense
    fallback, so that small programs can end unproven too."""
    import mentoring.assignment as assignment

    names = ("MAX_ROUNDS", "DENSE_FALLBACK", "CANDIDATES", "SPREAD")
    saved = [getattr(assignment, name) for name in names]
    for name, limit in zip(names, (rounds, 0, 1, 1), strict=True):
        setattr(assignment, name, limit)
    try:
        yield
    finally:
        for name, value in zip(names, saved, strict=True):
            setattr(assignment, name, value)


@settings(max_examples=150, deadline=None)
@given(st.one_of(programs(max_mentees=6), alike_programs()), st.integers(1, 3))
def test_the_engine_matches_the_most_and_is_exact_when_it_says_so(program, rounds):
    score, allowed, capacity = program
    with round_limit(rounds):
        slate = best_slate(score, allowed, capacity, dense_limit=0)
    ours = value(score, slate.mentor_of)
    most, best_total = brute_force(score, allowed, capacity)
    assert ours[0] == most
    assert best_total - ours[1] <= slate.gap
    if slate.exact:
        assert ours[1] == best_total
    assert ours >= value(score, python_greedy(score, allowed, capacity))


@settings(max_examples=100, deadline=None)
@given(st.one_of(programs(), alike_programs()))
def test_the_fast_greedy_is_the_plain_greedy_pass(program):
    score, allowed, capacity = program
    assert greedy(score, allowed, capacity).tolist() == (
        python_greedy(score, allowed, capacity).tolist()
    )


def matching_data(*rules):
    return {
        "rules": list(rules),
        "min_score": 0,
        "alternatives": 3,
        "past_pairs_tab": "",
        "past_pairs_file": "",
        "summary_group": "",
    }


SKILLS_RULE = {"name": "x", "kind": "overlap", "mentee": "skills", "mentor": "skills", "weight": 1}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"scale": 3}, "matching rule 1 ('x'): scale only apply to distance rules"),
        ({"weight": 1e300}, "matching rule 1 ('x'): 'weight' must be 0 or between 0.001 and 1000"),
    ],
)
def test_rule_options_that_would_mislead(extra, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_matching(matching_data({**SKILLS_RULE, **extra}), FORM, FORM)


def test_two_rules_with_one_name_are_refused():
    with pytest.raises(ConfigError, match="matching rules need different names"):
        parse_matching(matching_data(SKILLS_RULE, SKILLS_RULE), FORM, FORM)


@settings(max_examples=200, deadline=None)
@given(programs(max_mentees=8, max_mentors=5), st.randoms(use_true_random=False))
def test_augmenting_paths_reach_the_largest_matching_from_any_partial_one(program, rng):
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_bipartite_matching

    from mentoring.assignment import most_matched

    _, allowed, capacity = program
    start = np.full(len(allowed), -1)
    left = capacity.copy()
    for i in rng.sample(range(len(allowed)), len(allowed)):  # a partial matching, any order
        options = [j for j in range(len(capacity)) if allowed[i, j] and left[j] > 0]
        if options and rng.random() < 0.5:
            start[i] = rng.choice(options)
            left[start[i]] -= 1
    grown = most_matched(allowed, capacity, start)
    places = np.repeat(np.arange(len(capacity)), capacity)
    largest = int(
        (maximum_bipartite_matching(csr_matrix(allowed[:, places].astype(int))) >= 0).sum()
    )
    assert int((grown >= 0).sum()) == largest
    assert all(allowed[i, j] for i, j in enumerate(grown) if j >= 0)
    assert all((grown == j).sum() <= capacity[j] for j in range(len(capacity)))
    assert all(grown[i] >= 0 for i in np.flatnonzero(start >= 0))  # nobody loses their match
