"""Which emails are due (mentoring/outgoing.py): every email's key says which email, which
pair and to whom, so the Email Log can tell it went; and the calendar of a pair's year."""

from __future__ import annotations

from datetime import date, timedelta

from mentoring.outgoing import (
    INTRODUCTION,
    Planned,
    checkin_key,
    checkins_due,
    introductions,
    pair_label,
    year_calendar,
)
from mentoring.pairs import MENTEE_ROLE, MENTOR_ROLE, Pair, Person
from mentoring.settings import Checkin

ANA = Person("ana@m.org", "Ana Silva", MENTEE_ROLE)
TOM = Person("tom@t.org", "Tom Wong", MENTOR_ROLE)
DAY0 = date(2026, 10, 5)
CALENDAR = [Checkin("check-in 1", 30, "checkin"), Checkin("check-in 2", 90, "checkin")]


def pair(introduced_on=DAY0, **kwargs) -> Pair:
    return Pair(ANA, TOM, row=2, introduced_on=introduced_on, **kwargs)


def test_every_key_names_the_email_the_pair_and_whom_it_went_to():
    introduction = introductions([pair(introduced_on=None)], DAY0)[0]
    assert introduction.key == "introduction | ana@m.org | tom@t.org"
    assert (
        checkin_key("check-in 1", pair(), TOM)
        == "check-in 1 | ana@m.org | tom@t.org | to tom@t.org"
    )
    reminder = Planned(
        "reminder", "reminder", pair(), (ANA,), DAY0, reminder_of="check-in 1", asked_on=DAY0
    )
    assert reminder.key == "reminder | check-in 1 | ana@m.org | tom@t.org | to ana@m.org"


def test_a_pair_is_found_in_its_keys_and_the_committees_emails_name_none():
    assert pair_label("check-in 2 | ana@m.org | tom@t.org | to ana@m.org") == (
        "ana@m.org | tom@t.org"
    )
    assert pair_label("reminder | check-in 1 | ana@m.org | tom@t.org | to ana@m.org") == (
        "ana@m.org | tom@t.org"
    )
    assert pair_label("alert | 2026-11-30") == "" and pair_label("digest | 2026-11") == ""


def test_keys_keep_the_addresses_a_pair_had_when_its_emails_went():
    corrected = pair(known_as=("ana.silva@m.org", "tom@t.org"))
    assert corrected.label == "ana.silva@m.org | tom@t.org"
    assert checkin_key("check-in 1", corrected, ANA).endswith("| to ana.silva@m.org")


def test_only_pairs_not_introduced_yet_are_introduced_to_both_at_once():
    planned = introductions([pair(introduced_on=None), pair()], DAY0)
    assert [(p.kind, p.to) for p in planned] == [(INTRODUCTION, (ANA, TOM))]


def test_a_missed_check_in_is_due_on_the_next_run_and_an_earlier_one_is_superseded():
    day = DAY0 + timedelta(days=100)  # both check-ins passed while nothing ran
    due, superseded = checkins_due([pair()], CALENDAR, day, logged=lambda key: False)
    assert sorted((p.kind, p.to[0].email) for p in due) == [
        ("check-in 2", "ana@m.org"),
        ("check-in 2", "tom@t.org"),
    ]
    assert sorted(s.planned.kind for s in superseded) == ["check-in 1", "check-in 1"]
    again, _ = checkins_due([pair()], CALENDAR, day, logged=lambda key: "check-in 2" in key)
    assert again == []


def test_nothing_is_due_before_its_day_or_for_a_pair_not_introduced():
    assert checkins_due([pair()], CALENDAR, DAY0 + timedelta(days=29), lambda k: False) == ([], [])
    assert checkins_due(
        [pair(introduced_on=None)], CALENDAR, DAY0 + timedelta(days=400), lambda k: False
    ) == ([], [])


def test_the_year_calendar_starts_a_pair_not_introduced_yet_today():
    emails = year_calendar([pair(introduced_on=None)], CALENDAR, DAY0)
    assert [(e.due - DAY0).days for e in emails] == [0, 30, 30, 90, 90]
    assert emails[0].kind == INTRODUCTION
