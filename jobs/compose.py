"""Composing an email: the made-up pair and the sample emails every template is tried on
before a run sends anything (and `test-email` and `calendar` show), and rendering a
planned email into its message with its deterministic Message-ID."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from jobs.delivery import Outgoing
from jobs.program import sender_person
from mentoring.errors import AddressError, ConfigError
from mentoring.letters import Templates, build_message, context, message_id
from mentoring.outgoing import INTRODUCTION, REMINDER, Planned
from mentoring.pairs import MENTEE_ROLE, MENTOR_ROLE, Pair, Person
from mentoring.settings import Checkin, Settings

# A made-up pair, to render every template before a run sends anything.
SAMPLE_PAIR = Pair(
    Person("mentee@example.org", "Sam Sample", MENTEE_ROLE, "they/them", "Example University"),
    Person("mentor@example.org", "Alex Example", MENTOR_ROLE, "", "Example Institute"),
    row=0,
    introduced_on=None,
    shared=("Research data management", "Chemistry"),
)


def sample_planned(template: str, pair: Pair, settings: Settings, day: date) -> Planned:
    """An email of `template` for `pair` on `day`, as the calendar would plan it (a check-in
    template as the first check-in that uses it), to render as a sample."""
    if template == INTRODUCTION:
        return Planned(INTRODUCTION, template, pair, (pair.mentee, pair.mentor), day)
    if template == REMINDER:
        first = settings.checkins[0].name if settings.checkins else "check-in"
        asked = day - timedelta(days=settings.health.answer_within_days)
        return Planned(
            REMINDER, REMINDER, pair, (pair.mentee,), day, reminder_of=first, asked_on=asked
        )
    for number, checkin in enumerate(settings.checkins, start=1):
        if checkin.template == template:
            return checkin_planned(checkin, number, pair, day)
    return Planned(f"test {template}", template, pair, (pair.mentee,), day, 1, 30)


def checkin_planned(checkin: Checkin, number: int, pair: Pair, day: date) -> Planned:
    return Planned(checkin.name, checkin.template, pair, (pair.mentee,), day, number, checkin.days)


def render_message(planned: Planned, settings: Settings, templates: Templates, now: datetime):
    """The finished message for `planned`, with its deterministic Message-ID; raises
    ConfigError when it cannot be built."""
    outgoing = render(planned, settings, templates, now)
    if outgoing.problem:
        raise ConfigError(outgoing.problem)
    return outgoing.message


def render(planned: Planned, settings: Settings, templates: Templates, now: datetime) -> Outgoing:
    letter = templates.render(planned.template, context(planned, settings, now.date()))
    sender = sender_person(settings)
    domain = sender.email.rpartition("@")[2]
    msgid = message_id(planned.key, settings.program.name, domain, planned.resend)
    cc: tuple[str, ...] = ()
    if planned.kind == INTRODUCTION and settings.email.cc_committee:
        cc = tuple(e for e in [settings.program.committee_email] if e)
    try:
        message = build_message(letter, sender=sender, to=planned.to, cc=cc, msgid=msgid, when=now)
    except AddressError as exc:  # an address no message can carry: this email fails alone
        where = f"{settings.tabs.committee} row {planned.pair.row}, " if planned.pair.row else ""
        problem = f"{where}'{planned.key}' cannot be sent: {exc}; correct the address"
        return Outgoing(planned, msgid, letter.subject, None, problem)
    return Outgoing(planned, msgid, letter.subject, message)
