"""One address rule: the intake takes exactly the addresses every email can carry."""

from __future__ import annotations

import email
import subprocess
import sys
from collections import Counter
from datetime import datetime
from email import policy

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from jobs.mail import INTRODUCE
from jobs.settings_file import load_settings
from mentoring.addresses import address_problem, ascii_email, is_email, normalise_email
from mentoring.answers import read_answers
from mentoring.errors import AddressError, ConfigError
from mentoring.letters import Letter, build_message
from mentoring.pairs import MENTEE_ROLE, Person
from mentoring.sheet import Row, Table
from tests.conftest import add_settings, match, mentee, mentor, program_workbook, tab_rows
from tests.test_mail import DAY0, Outbox, approve, at, read, send

FROM = Person("committee@example.org", "The Committee", "")


def intake_issues(path, settings) -> list[tuple[int, str, str]]:
    return [
        (row["Row"], row["Person"], row["Problem"])
        for row in tab_rows(path, settings.tabs.intake_issues)
    ]


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("jose@example.org.", "an email address cannot end with a period"),
        ("a..b@x.org", "an email address cannot have two periods in a row"),
        (".a@x.org", "an email address cannot start with a period"),
        ('a"b@x.org', 'it has a quotation mark ("), which is not taken in an address'),
        (
            "josé@x.org",
            "it has characters beyond plain ASCII before the @ (é), which many mail servers"
            " refuse; ask the person for an address without them",
        ),
        (
            "ana@mail.test",
            "the part after the @-sign is a special-use or reserved name that cannot be used with email",
        ),
        ("ana@localhost", "the part after the @-sign is not valid; it should have a period"),
        (
            "ana@x.invalid",
            "the part after the @-sign is a special-use or reserved name that cannot be used with email",
        ),
    ],
)
def test_an_address_no_email_could_carry_is_an_intake_issue(tmp_path, settings, address, problem):
    people = [mentee("ana@m.org"), mentee(address, name="Jo")]
    path = program_workbook(tmp_path / "program.xlsx", settings, people, [mentor("tom@t.org")])
    match(path, settings)
    assert intake_issues(path, settings) == [
        (
            3,
            f"Jo <{address.lower()}>",
            f"'{address}' is not a usable email address ({problem}); this mentee is left out"
            " until it is corrected",
        )
    ]
    mentees = {row["Mentee Email"] for row in tab_rows(path, settings.tabs.committee)}
    assert mentees == {"ana@m.org"}


@pytest.mark.parametrize(
    "address",
    [
        "ana@example.org",
        "ana@umich.example.edu",
        "sts.mentoring@gmail.example.com",
        "a+b&c=d@m.org",
        "ana@x.org",
        "ana@bücher.example.org",
    ],
)
def test_documentation_and_internationalised_domains_are_usable(address):
    assert address_problem(address) == ""


def test_an_internationalised_domain_is_one_address_however_it_was_typed(tmp_path, settings):
    people = [
        mentee("Ana@Bücher.Example.org", timestamp=datetime(2026, 9, 1), skills="Grant writing"),
        mentee("ana@xn--bcher-kva.example.org", timestamp=datetime(2026, 10, 1), name="Ana R"),
    ]
    path = program_workbook(tmp_path / "program.xlsx", settings, people, [mentor("tom@t.org")])
    match(path, settings)
    assert [row["Mentee Email"] for row in tab_rows(path, settings.tabs.committee)] == [
        "ana@bücher.example.org"
    ]
    assert intake_issues(path, settings) == [
        (
            2,
            "Ana <ana@bücher.example.org>",
            "an earlier response from ana@bücher.example.org; the latest one (row 3) is used"
            " instead",
        )
    ]
    assert ascii_email("ana@bücher.example.org") == "ana@xn--bcher-kva.example.org"


def test_an_idn_address_is_written_in_the_eml_to_header_as_it_goes_out(tmp_path, settings):
    people = ([mentee("ana@müller.example.org", name="Ana Müller")], [mentor("tom@t.org")])
    path = program_workbook(tmp_path / "program.xlsx", settings, *people)
    match(path, settings)
    approve(path, settings, "ana@müller.example.org")
    outbox = Outbox(tmp_path / "outbox")
    assert send(INTRODUCE, path, settings, at(DAY0), outbox).summary() == "introduce: 1 sent"
    [file] = outbox.folder.glob("*.eml")
    header = next(line for line in file.read_bytes().splitlines() if line.startswith(b"To:"))
    assert header == (
        b"To: Ana =?utf-8?q?M=C3=BCller?= <ana@xn--mller-kva.example.org>, Tom <tom@t.org>"
    )
    to = [a.addr_spec for a in read(file)["To"].addresses]
    assert to == ["ana@xn--mller-kva.example.org", "tom@t.org"]


def test_an_unusable_address_leaves_the_other_emails_of_the_run_to_go(tmp_path, settings):
    people = (
        [mentee("ana@m.org"), mentee("jose@example.org.", subjects="Engineering")],
        [mentor("tom@t.org"), mentor("uma@u.org", subjects="Engineering")],
    )
    path = program_workbook(tmp_path / "program.xlsx", settings, *people)
    match(path, settings)
    approve(path, settings, "ana@m.org", "jose@example.org.")
    outbox = Outbox(tmp_path / "outbox")
    assert send(INTRODUCE, path, settings, at(DAY0), outbox).summary() == "introduce: 1 sent"
    assert outbox.delivered == Counter({"introduction | ana@m.org | tom@t.org": 1})
    [(row, _, problem)] = intake_issues(path, settings)
    assert (row, problem.split(";")[0]) == (
        3,
        "'jose@example.org.' is not a usable email address (an email address cannot end with a"
        " period)",
    )


@pytest.mark.parametrize("setting", ["program.committee_email", "email.from_address", "alerts.to"])
def test_a_settings_address_follows_the_same_rule(settings_file, setting):
    table, key = setting.split(".")
    add_settings(settings_file, f'[{table}]\n{key} = "committee@example.org."\n')
    with pytest.raises(ConfigError) as raised:
        load_settings(settings_file)
    assert str(raised.value) == (
        f"setting '{setting}' is 'committee@example.org.', not a usable email address"
        " (an email address cannot end with a period)"
    )


def test_a_checkin_answer_from_an_unusable_address_says_why(tmp_path, settings):
    form = settings.checkin_form
    header = list(form.questions.values())
    values = {"timestamp": datetime(2026, 2, 1), "email": "ana@m.org.", "partner": "tom@t.org"}
    row = Row(2, tuple(values.get(field, "") for field in form.questions))
    [issue] = read_answers(Table(form.tab, tuple(header), (row,)), form).issues
    assert issue.problem == (
        "'ana@m.org.' is not a usable email address (an email address cannot end with a"
        " period); this check-in answer is not counted until it is corrected"
    )


LOCAL_PARTS = st.text(alphabet='aZ09.+-_"é ,<>@()\\\n', min_size=0, max_size=8)
DOMAINS = st.one_of(
    st.sampled_from(
        [
            "m.org",
            "M.ORG",
            "bücher.de",
            "xn--bcher-kva.de",
            "xn--zz.de",
            "mail.test",
            "localhost",
            "example.org.",
            "ex_ample.org",
            "m..org",
            "-x.org",
            "m.org\n",
            "[127.0.0.1]",
        ]
    ),
    st.text(alphabet="abü.-_1", min_size=0, max_size=12),
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    address=st.one_of(
        st.builds(lambda local, domain: f"{local}@{domain}", LOCAL_PARTS, DOMAINS),
        st.text(max_size=20),
    )
)
def test_intake_and_message_building_accept_the_same_addresses(address):
    key = normalise_email(address)  # what the intake keeps
    try:
        message = build_message(
            Letter("Hi", "Hi\n"),
            sender=FROM,
            to=[Person(key, "Jo", MENTEE_ROLE)],
            msgid="<x@example.org>",
            when=datetime(2026, 1, 12, 9),
        )
    except AddressError:
        assert not is_email(key)
        return
    assert is_email(key)
    received = email.message_from_bytes(message.as_bytes(), policy=policy.default)
    [to] = received["To"].addresses
    assert to.addr_spec == ascii_email(key) and to.addr_spec.isascii()
    assert normalise_email(to.addr_spec) == key  # read back from a form, the same person


def test_the_address_check_does_no_io():
    """email-validator asks DNS only when told to; the core never tells it to."""
    probe = (
        "import sys\n"
        "events = []\n"
        "sys.addaudithook(lambda event, args: events.append(event)"
        " if event.startswith(('socket.', 'urllib.', 'http.')) else None)\n"
        "from mentoring.addresses import address_problem\n"
        "assert address_problem('ana@bücher.example.org') == ''\n"
        "assert address_problem('jose@example.org.')\n"
        "assert not [m for m in sys.modules if m == 'dns' or m.startswith('dns.')], 'dns imported'\n"
        "assert not events, events\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True)


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Nadia Brooks <Nadia@NOAA.org> 68 (her place goes to Ana Ruiz, 74)", "nadia@noaa.org"),
        ("<bo@m.org>", "bo@m.org"),
        ("Bo <mailto:bo@m.org>", "bo@m.org"),
        ("no address <here>", "no address <here>"),
    ],
)
def test_an_address_in_angle_brackets_is_taken_from_the_text_around_it(text, address):
    assert normalise_email(text) == address
