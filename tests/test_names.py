"""What the emails call a person: the first name of a name as typed in a form ("Müller, Zoë",
"@Noor"), or the answer to the form's preferred-name question when it asks one."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from jobs.mail import INTRODUCE
from jobs.settings_file import load_settings
from mentoring.names import called, first_name
from tests.conftest import add_settings, match, mentee, mentor, program_memory
from tests.test_mail import Memory, approve, at, send


@pytest.mark.parametrize(
    ("name", "first"),
    [
        ("Ana Ruiz", "Ana"),
        ("Müller, Zoë", "Zoë"),
        ("de la Cruz, María José", "María"),
        ("Ruiz, Ana, PhD", "Ana"),
        ("Ana Ruiz, PhD", "Ana"),
        ("Tom Ng, Jr.", "Tom"),
        ("@Noor", "Noor"),
        ("  @ Noor Quinn", "Noor"),
        ("=Dr. Aiko Wong", "Aiko"),
        ("Prof Kim", "Kim"),
        ("Kim,", "Kim"),
        ("Zoe\u0308 Brooks", "Zoe\u0308"),  # a letter's accent, typed as a mark, stays
        ("Anne-Marie O'Neil", "Anne-Marie"),
        ("李小龙", "李小龙"),
        ("Dr.", "Dr"),
        ("  ", ""),
    ],
)
def test_the_first_name_of_a_name_as_typed(name, first):
    assert first_name(name) == first


@hypothesis_settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
@example("Müller, Zoë")
@example(", ,@ Zoë")
@example("PhD, MD")
@example("Dr. Jr")
def test_a_first_name_is_never_empty_and_has_no_comma_nor_leading_symbol(name):
    first = first_name(name)
    if any(char.isalpha() for char in name):
        assert first, name
        assert first[0].isalpha(), name
        assert "," not in first and "\uff0c" not in first, name
        assert first in name  # a part of what was typed, nothing made up
    else:
        assert first == name.strip()


@pytest.mark.parametrize(
    ("preferred", "greeted"),
    [
        ("", "Zoë"),
        ("Zo", "Zo"),
        ("  @Mary Ann ", "Mary Ann"),
        ("Zee, please", "Zee"),
        ("--", "Zoë"),
    ],
)
def test_a_preferred_name_answered_is_the_name_greeted(preferred, greeted):
    assert called("Müller, Zoë", preferred) == greeted


def introduction_greeting(settings, mentees, mentors) -> str:
    """The greeting line of the first mentee's introduction to their suggested mentor."""
    sheet = program_memory(settings, mentees, mentors)
    match(sheet, settings)
    approve(sheet, settings, mentees[0]["email"])
    sender = Memory()
    send(INTRODUCE, sheet, settings, at(date(2026, 1, 12)), sender)
    [message] = sender.messages
    lines = message.get_body(("plain",)).get_content().splitlines()
    return next(line for line in lines if line.startswith("Dear "))


def test_an_introduction_greets_each_by_the_first_name_the_form_gave(settings):
    zoe, noor = mentee("zoe@m.org", name="Müller, Zoë"), mentor("noor@t.org", name="@Noor")
    assert introduction_greeting(settings, [zoe], [noor]) == "Dear Zoë and Noor,"


def test_a_preferred_name_question_greets_by_its_answer_when_there_is_one(settings_file):
    question = '"What should we call you?"'
    add_settings(
        settings_file,
        f"[mentee_form.questions]\npreferred_name = {question}\n"
        f"[mentor_form.questions]\npreferred_name = {question}\n",
    )
    settings = load_settings(settings_file)
    zoe = mentee("zoe@m.org", name="Müller, Zoë", preferred_name="Zo")
    tom = mentor("tom@t.org", name="Thomas Ng", preferred_name="")
    assert introduction_greeting(settings, [zoe], [tom]) == "Dear Zo and Thomas,"
