"""Composing an email: rendering a planned email into its message, with its deterministic
Message-ID, from the committee's templates and the program's sender. (The made-up pair and
the sample emails every template is tried on are in mentoring/outgoing.py.)"""

from __future__ import annotations

from datetime import datetime

from jobs.delivery import Outgoing
from jobs.program import sender_person
from mentoring.errors import AddressError, ConfigError
from mentoring.letters import Templates, build_message, context, message_id, notice_context
from mentoring.notices import Email, Notice
from mentoring.outgoing import INTRODUCTION
from mentoring.settings import Settings


def render_message(planned: Email, settings: Settings, templates: Templates, now: datetime):
    """The finished message for `planned`, with its deterministic Message-ID; raises
    ConfigError when it cannot be built."""
    outgoing = render(planned, settings, templates, now)
    if outgoing.problem:
        raise ConfigError(outgoing.problem)
    return outgoing.message


def render(planned: Email, settings: Settings, templates: Templates, now: datetime) -> Outgoing:
    if isinstance(planned, Notice):
        values, where = notice_context(planned, settings), f"{planned.where}, "
    else:
        values = context(planned, settings, now.date())
        row = planned.pair.row
        where = f"{settings.tabs.committee} row {row}, " if row else ""
    letter = templates.render(planned.template, values)
    sender = sender_person(settings)
    domain = sender.email.rpartition("@")[2]
    msgid = message_id(planned.key, settings.program.name, domain, planned.resend)
    cc: tuple[str, ...] = ()
    if planned.kind == INTRODUCTION and settings.email.cc_committee:
        cc = tuple(e for e in [settings.program.committee_email] if e)
    try:
        message = build_message(letter, sender=sender, to=planned.to, cc=cc, msgid=msgid, when=now)
    except AddressError as exc:  # an address no message can carry: this email fails alone
        problem = f"{where}'{planned.key}' cannot be sent: {exc}; correct the address"
        return Outgoing(planned, msgid, letter.subject, None, problem)
    return Outgoing(planned, msgid, letter.subject, message)
