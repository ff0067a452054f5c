"""Emails from templates: Jinja2 in strict mode, built into messages with the `email` package.

A template `NAME.txt` starts with a `Subject:` line, then a blank line, then the
plain-text body; `NAME.html`, when there is one, is the HTML alternative of the
body. A placeholder the template uses but the email does not have is an error
that names it, raised while rendering, before anything is sent.

Names and subjects come from form answers, so every header value is cleaned of
line breaks and other control characters: an answer can never add a header.
However long an answer is, no line of a message is longer than the 998
characters SMTP allows: display names and subjects are shortened with an
ellipsis, and a body with a longer line goes quoted-printable.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email import policy
from email.headerregistry import Address, HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from mentoring.addresses import address_problem, ascii_domain, ascii_email
from mentoring.errors import AddressError, SettingsError, did_you_mean
from mentoring.notices import Notice
from mentoring.outgoing import INTRODUCTION, Planned
from mentoring.pairs import Person
from mentoring.settings import Settings

if TYPE_CHECKING:
    import jinja2


class _Headers(HeaderRegistry):
    """The email package's header factory, remembering what it made: the registry makes a
    new class for every header it parses, and a job parses the same From, Cc and MIME
    headers for each of its emails. Headers are immutable, so one parsed header serves
    every message that has it; what a message carries is unchanged."""

    # Headers remembered, at most: the last used. The few that repeat stay; a message's own
    # (To, Subject, Message-ID) soon go, so that a job does not keep their parse trees.
    _LIMIT = 64

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type] = {}
        self._made: dict[tuple[str, object], Any] = {}

    def __getitem__(self, name: str) -> type:
        made = self._classes.get(name.lower())
        if made is None:
            made = self._classes[name.lower()] = super().__getitem__(name)
        return made

    def __call__(self, name: str, value: Any) -> Any:
        key = (name, _header_key(value))
        try:
            header = self._made.pop(key, None)
        except TypeError:  # made of something that cannot be remembered: made anew
            return super().__call__(name, value)
        if header is None:
            header = super().__call__(name, value)
            if len(self._made) >= self._LIMIT:
                del self._made[next(iter(self._made))]  # the least recently used
        self._made[key] = header  # the most recently used now
        return header


def _header_key(value: Any) -> object:
    """What a header is made from, to remember it by: its text, or its addresses."""
    if isinstance(value, Address):
        return (Address, value.display_name, value.username, value.domain)
    if isinstance(value, list | tuple):
        return tuple(map(_header_key, value))
    return value


_HEADERS = _Headers()
# SMTP's line endings; headers are folded only past SMTP's hard limit of 998
# characters, since the standard folding at 78 puts a subject that contains a
# colon on a line of its own, which some readers show with a leading space.
MAIL_POLICY = policy.SMTP.clone(max_line_length=998, header_factory=_HEADERS)
# Bodies are encoded with MIME's own limit: quoted-printable lines of at most 76 characters
# (RFC 2045).
_BODY_POLICY = policy.SMTP.clone(max_line_length=76, header_factory=_HEADERS)
SMTP_LINE_LIMIT = 998  # characters of a line, without its CRLF (RFC 5321 and 5322)
# Longer display names and subjects are cut, with an ellipsis: an unbroken word that long
# could not be folded, and no mail program shows that much of one anyway.
NAME_LIMIT = 100
SUBJECT_LIMIT = 250
_SUBJECT = re.compile(r"\ASubject:[ \t]*(?P<subject>[^\n]*)\n[ \t]*\n", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Letter:
    subject: str
    text: str
    html: str | None = None


class Templates:
    """The email templates, by file name ("introduction.txt", "checkin.html", ...)."""

    def __init__(self, sources: Mapping[str, str]):
        self.sources = dict(sources)

    def names(self) -> list[str]:
        return sorted({name.rsplit(".", 1)[0] for name in self.sources if name.endswith(".txt")})

    def require(self, name: str, used_by: str) -> None:
        """Raise SettingsError unless the template `name` (its .txt) exists."""
        if f"{name}.txt" not in self.sources:
            raise SettingsError(
                f"{used_by} uses the template '{name}', but there is no {name}.txt"
                f"{did_you_mean(name, self.names())} (templates: {', '.join(self.names())})"
            )

    def render(self, name: str, context: Mapping[str, Any]) -> Letter:
        """The subject and bodies of template `name`; raises SettingsError naming the template
        and the problem (unknown placeholder, syntax error, no Subject line)."""
        self.require(name, "an email")
        text_env, html_env = self._environments
        text = self._render(text_env, f"{name}.txt", context)
        match = _SUBJECT.match(text)
        if not match or not clean_header(match["subject"]):
            raise SettingsError(
                f"template {name}.txt must start with a 'Subject: ...' line and a blank line"
            )
        html = None
        if f"{name}.html" in self.sources:
            html = self._render(html_env, f"{name}.html", context)
        return Letter(one_line(match["subject"], SUBJECT_LIMIT), text[match.end() :], html)

    @cached_property
    def _environments(self) -> tuple[jinja2.Environment, jinja2.Environment]:
        """Jinja2's environments for the text and the HTML bodies, made at the first render:
        the commands that render no email (status, calendar, cron, ...) never import jinja2."""
        import jinja2

        text = jinja2.Environment(
            loader=jinja2.DictLoader(self.sources),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        return text, text.overlay(autoescape=True)

    @staticmethod
    def _render(env: jinja2.Environment, file: str, context: Mapping[str, Any]) -> str:
        import jinja2

        try:
            return env.get_template(file).render(context)
        except jinja2.UndefinedError as exc:
            known = ", ".join(sorted(context))
            raise SettingsError(
                f"template {file}: {exc.message}; the placeholders an email has are: {known}"
            ) from exc
        except jinja2.TemplateSyntaxError as exc:
            raise SettingsError(f"template {file}, line {exc.lineno}: {exc.message}") from exc


def clean_header(text: str) -> str:
    """`text` on one line: control characters (line breaks among them) become spaces."""
    if text.isprintable():  # no control character, no white space but the space
        return _SPACES.sub(" ", text).strip()
    kept = "".join(
        " " if unicodedata.category(char)[0] in "CZ" and char != " " else char for char in text
    )
    return _SPACES.sub(" ", kept).strip()


def one_line(text: str, limit: int) -> str:
    """`text` cleaned as `clean_header` does, and cut to `limit` characters with an ellipsis."""
    text = clean_header(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def context(planned: Planned, settings: Settings, today: date) -> dict[str, Any]:
    """Everything a template may use for this email on `today`."""
    pair = planned.pair
    values: dict[str, Any] = {
        "program": settings.program.name,
        "committee_email": settings.program.committee_email,
        "mentee": _person(pair.mentee),
        "mentor": _person(pair.mentor),
        "shared_interests": list(pair.shared),
        "goals_worksheet": settings.links.goals_worksheet,
        "first_meeting_worksheet": settings.links.first_meeting_worksheet,
        "introduced_on": pair.introduced_on,
    }
    if planned.kind != INTRODUCTION:
        person = planned.to[0]
        partner = pair.partner_of(person)
        values.update(
            recipient=_person(person),
            partner=_person(partner),
            checkin={
                "name": planned.reminder_of or planned.kind,
                "number": planned.number,
                "days": planned.days,
                "due": planned.due,
                "asked_on": planned.asked_on or planned.due,  # the day a reminder's check-in went
            },
            days_since_introduction=(today - (pair.introduced_on or today)).days,
            checkin_form=checkin_link(settings.links.checkin_form, person, partner),
        )
    return values


def notice_context(notice: Notice, settings: Settings) -> dict[str, Any]:
    """Everything the template of a notice to someone left unmatched may use."""
    return {
        "program": settings.program.name,
        "committee_email": settings.program.committee_email,
        "recipient": _person(notice.person),
        "cohort": notice.cohort,
    }


def checkin_link(template: str, person: Person, partner: Person) -> str:
    """The check-in form's link prefilled for `person`: {email}, {partner} and {role} in the
    link (as typed, or as Google encodes them) become their values."""
    link = template
    for name, value in (("email", person.email), ("partner", partner.email), ("role", person.role)):
        for placeholder in ("{" + name + "}", "%7B" + name + "%7D", "%7b" + name + "%7d"):
            link = link.replace(placeholder, quote(value, safe="@"))
    return link


def message_id(key: str, program: str, domain: str, resend: int = 0) -> str:
    """The Message-ID of the email with this key: the same on every run, unique to the key;
    the n-th sending again on request has one of its own, "<digest.n@domain>" (see
    ledger.resend_number), so that it is not taken for the first one."""
    digest = hashlib.sha256(f"{program}\n{key}".encode()).hexdigest()[:32]
    if not domain.isascii():  # an internationalised domain, written as it goes out
        domain = ascii_domain(domain)
    again = f".{resend}" if resend else ""
    return f"<{digest}{again}@{domain or 'mentor-sync.invalid'}>"


def build_message(
    letter: Letter,
    *,
    sender: Person,
    to: Sequence[Person],
    cc: Sequence[str] = (),
    reply_to: str = "",
    msgid: str,
    when: datetime | date,
) -> EmailMessage:
    """A standard message, no line of it longer than SMTP_LINE_LIMIT.

    Raises AddressError, naming the address and its header, when an address cannot be
    used (see mentoring.addresses): that email alone cannot be built.
    """
    message = EmailMessage(policy=_BODY_POLICY)
    message["From"] = mail_address(sender.name, sender.email, "From")
    message["To"] = [mail_address(person.name, person.email, "To") for person in to]
    if cc:
        message["Cc"] = [mail_address("", email, "Cc") for email in cc]
    if reply_to:
        message["Reply-To"] = mail_address("", reply_to, "Reply-To")
    message["Subject"] = one_line(letter.subject, SUBJECT_LIMIT)
    message["Date"] = format_datetime(
        when if isinstance(when, datetime) else datetime(when.year, when.month, when.day)
    )
    message["Message-ID"] = msgid
    message.set_content(letter.text, cte=_transfer_encoding(letter.text))
    if letter.html is not None:
        message.add_alternative(letter.html, subtype="html", cte=_transfer_encoding(letter.html))
    # The bodies were encoded under MIME's limit; the headers are written under the message's.
    message.policy = MAIL_POLICY
    return message


def mail_address(name: str, email: str, header: str = "To") -> Address:
    """`email` as headers carry it (an internationalised domain in punycode), with `name`
    on one line and at most NAME_LIMIT characters. Raises AddressError when `email` cannot
    be used; `header` says where it was going."""
    problem = address_problem(email)
    if problem:
        raise AddressError(email, header, problem)
    username, _, domain = ascii_email(email).rpartition("@")
    return Address(display_name=one_line(name, NAME_LIMIT), username=username, domain=domain)


def _transfer_encoding(body: str) -> str:
    """How a body goes: as it is ("7bit", or "8bit" beyond ASCII) when every line fits in
    SMTP_LINE_LIMIT bytes, otherwise "quoted-printable", which breaks long lines and
    puts them back together for the reader. A server without 8BITMIME gets 8-bit bodies
    re-encoded by the SMTP sender."""
    data = body.encode("utf-8")
    if max(map(len, data.splitlines()), default=0) > SMTP_LINE_LIMIT:
        return "quoted-printable"
    return "7bit" if data.isascii() else "8bit"


def _person(person: Person) -> dict[str, str]:
    return {
        "name": clean_header(person.name),
        "first_name": clean_header(person.first_name),
        "email": person.email,
        "role": person.role,
        "pronouns": clean_header(person.pronouns),
        "institution": clean_header(person.institution),
    }
