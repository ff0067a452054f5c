"""Rendering and building messages: strict templates, no header injection, stable ids."""

from __future__ import annotations

import email
from datetime import UTC, date, datetime
from email import policy

import pytest

from jobs.mail import INTRODUCE
from mentoring.errors import AddressError, ConfigError
from mentoring.letters import (
    NAME_LIMIT,
    SMTP_LINE_LIMIT,
    SUBJECT_LIMIT,
    Letter,
    Templates,
    build_message,
    checkin_link,
    message_id,
)
from mentoring.pairs import MENTEE_ROLE, MENTOR_ROLE, Person
from tests.conftest import mentee, mentor, program_workbook
from tests.test_mail import Memory, approve, at, match, send

WHEN = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
ANA = Person("ana@m.org", "Ana Ruiz", MENTEE_ROLE)
TOM = Person("tom@t.org", "Tom Ng", MENTOR_ROLE)
FROM = Person("committee@example.org", "The Committee", "")


def parsed(message):
    return email.message_from_bytes(message.as_bytes(policy=policy.SMTP), policy=policy.default)


@pytest.mark.parametrize(
    "evil",
    [
        "Ana\r\nBcc: spy@evil.example",
        "Ana\nBcc: spy@evil.example",
        "Ana\rBcc: spy@evil.example",
        "Ana\u2028Bcc: spy@evil.example",
        "Ana\x0bBcc: spy@evil.example",
        "Ana\x85Bcc: spy@evil.example",
    ],
)
def test_a_line_break_in_a_name_or_subject_cannot_add_a_header(evil):
    letter = Letter(subject=f"Hello {evil}", text=f"Dear {evil}\n")
    message = build_message(
        letter,
        sender=FROM,
        to=[Person("ana@m.org", evil, MENTEE_ROLE), TOM],
        msgid="<x@example.org>",
        when=WHEN,
    )
    received = parsed(message)
    assert received["Bcc"] is None
    assert sorted(received.keys()) == sorted(
        [
            "From",
            "To",
            "Subject",
            "Date",
            "Message-ID",
            "MIME-Version",
            "Content-Type",
            "Content-Transfer-Encoding",
        ]
    )
    assert received["Subject"] == "Hello Ana Bcc: spy@evil.example"
    assert [a.addr_spec for a in received["To"].addresses] == ["ana@m.org", "tom@t.org"]


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("ana@m.org\r\nBcc: spy@evil.example", "contains invalid characters"),
        ("ana@m.org, spy@evil.example", "contains invalid characters: ',', '@', SPACE"),
        ("", "an email address must have an @-sign"),
        ("ana", "an email address must have an @-sign"),
        ("jose@example.org.", "an email address cannot end with a period"),
        ("a..b@x.org", "an email address cannot have two periods in a row"),
        (".a@x.org", "an email address cannot start with a period"),
        ('a"b@x.org', 'it has a quotation mark ("), which is not taken in an address'),
        ("josé@x.org", "it has characters beyond plain ASCII before the @ (é)"),
    ],
)
def test_an_address_that_cannot_be_used_is_an_address_error_naming_it(address, problem):
    with pytest.raises(AddressError) as caught:
        build_message(
            Letter("Hi", "Hi\n"),
            sender=FROM,
            to=[ANA, Person(address, "Jo", MENTEE_ROLE)],
            msgid="<x@example.org>",
            when=WHEN,
        )
    assert isinstance(caught.value, ConfigError)
    assert (caught.value.address, caught.value.header) == (address, "To")
    assert problem in caught.value.problem
    assert str(caught.value).startswith(f"the To address '{address}' is not a usable email address")
    assert str(caught.value).endswith(
        "; correct it where it was typed (the form response, the committee tab or the settings), then run again"
    )


def test_a_name_with_a_line_break_in_the_form_reaches_no_header(tmp_path, settings):
    people = (
        [mentee("ana@m.org", name="Ana\nBcc: spy@evil.example")],
        [mentor("tom@t.org", name="Tom\r\nX-Evil: 1")],
    )
    path = program_workbook(tmp_path / "program.xlsx", settings, *people)
    match(path, settings)
    approve(path, settings, "ana@m.org")
    sender = Memory()
    send(INTRODUCE, path, settings, at(date(2026, 1, 12)), sender)
    [message] = sender.messages
    received = parsed(message)
    assert received["Bcc"] is None and received["X-Evil"] is None
    assert [a.addr_spec for a in received["To"].addresses] == ["ana@m.org", "tom@t.org"]


def test_an_unknown_placeholder_is_named_with_the_ones_there_are():
    templates = Templates({"hello.txt": "Subject: Hi {{ mentee.name }}\n\n{{ mentee.nick }}\n"})
    with pytest.raises(ConfigError) as caught:
        templates.render("hello", {"mentee": {"name": "Ana"}, "program": "P"})
    assert str(caught.value) == (
        "template hello.txt: 'dict object' has no attribute 'nick';"
        " the placeholders an email has are: mentee, program"
    )


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("Hello {{ name }}\n", "must start with a 'Subject: ...' line and a blank line"),
        ("Subject: Hi\n\n{% if %}\n", "hello.txt, line 3: Expected an expression"),
        ("Subject: {{ nobody }}\n\nHi\n", "'nobody' is undefined"),
    ],
)
def test_a_broken_template_says_what_and_where(source, problem):
    with pytest.raises(ConfigError, match=problem.replace("(", r"\(")):
        Templates({"hello.txt": source}).render("hello", {"name": "Ana"})


def test_html_is_escaped_and_text_is_not():
    templates = Templates(
        {"hi.txt": "Subject: Hi\n\nDear {{ name }}\n", "hi.html": "<p>Dear {{ name }}</p>"}
    )
    letter = templates.render("hi", {"name": "Ana <b>&</b>"})
    assert letter.text == "Dear Ana <b>&</b>\n"
    assert letter.html == "<p>Dear Ana &lt;b&gt;&amp;&lt;/b&gt;</p>"


def test_message_ids_are_stable_and_unique_per_key():
    one = message_id("introduction | a@m.org | t@t.org", "Program", "example.org")
    assert one == message_id("introduction | a@m.org | t@t.org", "Program", "example.org")
    assert one != message_id("introduction | b@m.org | t@t.org", "Program", "example.org")
    assert one.startswith("<") and one.endswith("@example.org>")


def test_the_checkin_link_is_prefilled_as_typed_or_as_google_encodes_it():
    link = "https://f.example/v?usp=pp_url&entry.1=%7Bemail%7D&entry.2={partner}&entry.3={role}"
    assert checkin_link(link, ANA, TOM) == (
        "https://f.example/v?usp=pp_url&entry.1=ana@m.org&entry.2=tom@t.org&entry.3=Mentee"
    )
    assert checkin_link("https://f.example/plain", ANA, TOM) == "https://f.example/plain"
    odd = Person("a+b&c=d@m.org", "A", MENTEE_ROLE)
    assert "entry.1=a%2Bb%26c%3Dd@m.org" in checkin_link(link, odd, TOM)


LONG = {
    "ascii": "A" * 32_000,
    "accented": "é" * 32_000,
    "cjk": "日本語" * 10_667,
    "words": "Ana Ruiz " * 4_000,
}


@pytest.mark.parametrize("name", list(LONG))
def test_no_line_is_longer_than_smtp_allows_whatever_the_names(name):
    long = LONG[name]
    message = build_message(
        Letter(f"Hello {long}", f"Dear {long},\nwelcome.\n", f"<p>Dear {long},</p>\n"),
        sender=Person("committee@example.org", long, ""),
        to=[Person("ana@m.org", long, MENTEE_ROLE), TOM],
        msgid="<x@example.org>",
        when=WHEN,
    )
    data = message.as_bytes()
    assert max(len(line) for line in data.split(b"\r\n")) <= SMTP_LINE_LIMIT
    received = email.message_from_bytes(data, policy=policy.default)
    ellipsis = "\u2026"
    assert received["Subject"] == f"Hello {long}"[: SUBJECT_LIMIT - 1].rstrip() + ellipsis
    assert [a.display_name for a in received["To"].addresses] == [
        long[: NAME_LIMIT - 1].rstrip() + ellipsis,
        "Tom Ng",
    ]
    assert received["From"].addresses[0].addr_spec == "committee@example.org"
    plain, html = received.get_body(("plain",)), received.get_body(("html",))
    # The bodies keep every character, in quoted-printable lines of MIME's 76 at most.
    assert plain.get_content().replace("\r\n", "\n") == f"Dear {long},\nwelcome.\n"
    assert html.get_content().replace("\r\n", "\n") == f"<p>Dear {long},</p>\n"
    for part in (plain, html):
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
        assert max(len(line) for line in part.get_payload().splitlines()) <= 76


@pytest.mark.parametrize(
    ("text", "encoding"),
    [("Dear Ana\n", "7bit"), ("Dear Anaïs\n", "8bit"), ("Dear " + "é" * 490 + "\n", "8bit")],
)
def test_a_body_whose_lines_fit_goes_as_it_is(text, encoding):
    message = build_message(
        Letter("Hi", text), sender=FROM, to=[ANA], msgid="<x@example.org>", when=WHEN
    )
    assert message["Content-Transfer-Encoding"] == encoding
    assert message.get_content() == text


def test_a_rendered_subject_is_cut_to_the_limit():
    long = "A" * 32_000
    letter = Templates({"hi.txt": "Subject: Hi {{ name }}\n\nHi\n"}).render("hi", {"name": long})
    assert letter.subject == f"Hi {long}"[: SUBJECT_LIMIT - 1] + "\u2026"
    assert len(letter.subject) == SUBJECT_LIMIT
