"""`mentor-sync calendar` and `mentor-sync test-email`: see the year's emails before they go."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from jobs.compose import render_message
from jobs.program import read_pairs, sender_person, spreadsheet_link
from mentoring.addresses import address_problem
from mentoring.alerts import ALERT, Problem, alert_context, intake_issues
from mentoring.digest import DIGEST, Digest, digest_context, waiting_line
from mentoring.errors import ConfigError
from mentoring.intake import IntakeIssue
from mentoring.ledger import Ledger
from mentoring.letters import Templates, build_message, mail_address, message_id
from mentoring.notices import TEMPLATES, Email, sample_notice
from mentoring.outgoing import INTRODUCTION, SAMPLE_PAIR, Planned, sample_planned, year_calendar
from mentoring.pairs import Pair, Person
from mentoring.settings import Settings
from mentoring.summary import aligned
from sync.journal import Journal
from sync.sender import Sender
from sync.spreadsheet import Spreadsheet


def calendar_lines(
    sheet: Spreadsheet, settings: Settings, today: date, journal: Journal | None = None
) -> list[str]:
    """Every email of the year for the approved pairs, by date, with where each one stands
    (from the Email Log and the send `journal`, when there is one)."""
    tabs = settings.tabs
    past = [settings.matching.past_pairs_tab] if settings.matching.past_pairs_tab else []
    found = sheet.read([tabs.mentees, tabs.mentors, tabs.committee, tabs.email_log, *past])
    sent = journal.entries() if journal is not None else None
    ledger = Ledger(found.get(tabs.email_log), tabs.email_log, sent)
    known = journal.pairs() if journal is not None else ()
    pairs = read_pairs(sheet, settings, found, today, ledger, known)
    emails = year_calendar(pairs.pairs, settings.checkins, today)
    rows = [("Date", "Email", "Pair", "To", "Status")]
    for email in emails:
        rows.append(
            (
                f"{email.due:%Y-%m-%d}",
                email.kind,
                email.pair.short_names,
                ", ".join(person.email for person in email.to),
                _standing(email, ledger, today),
            )
        )
    lines = aligned(rows)
    lines += [f"  check: {problem}" for problem in pairs.problems]
    introduced = sum(1 for pair in pairs.pairs if pair.introduced_on is not None)
    lines.append(
        f"calendar: {len(emails)} emails for {len(pairs.pairs)} approved pairs"
        f" ({introduced} introduced); today is {today:%Y-%m-%d}"
    )
    return lines


def _standing(email: Planned, ledger: Ledger, today: date) -> str:
    entry = ledger.get(email.key)
    if entry is not None and entry.status:
        when = f" {entry.sent_at:%Y-%m-%d}" if entry.sent_at else ""
        return f"{entry.status}{when}"
    if email.kind == INTRODUCTION:
        return "next run" if email.pair.introduced_on is None else "introduced (not by mentor-sync)"
    return "due (next run)" if email.due <= today else "planned"


def send_test_email(
    template: str,
    to: str,
    sheet: Spreadsheet,
    settings: Settings,
    templates: Templates,
    sender: Sender,
    now: datetime,
) -> str:
    """Render `template` for the first approved pair (or a made-up one) and send it to `to`
    alone, marked as a test; nothing is logged. Returns what was sent."""
    templates.require(template, "test-email")
    problem = address_problem(to)
    if problem:
        raise ConfigError(f"--to '{to}' is not a usable email address ({problem})")
    pair = _sample_pair(sheet, settings, now.date())
    key = f"test {template} | to {to} | {now:%Y-%m-%d %H%M%S}"
    if template in (ALERT, DIGEST):
        letter = templates.render(template, _committee_sample(template, pair, settings, now))
        from_ = sender_person(settings)
        message = build_message(
            letter,
            sender=from_,
            to=(Person(to, "", ""),),
            msgid=message_id(key, settings.program.name, from_.email.rpartition("@")[2]),
            when=now,
        )
    else:
        message = render_message(_sample(template, pair, settings, now), settings, templates, now)
        # Its own Message-ID: a sample must never pass for the real email when Gmail is asked
        # whether that went out.
        domain = str(message["Message-ID"]).rpartition("@")[2].rstrip(">")
        for header in ("To", "Cc", "Message-ID"):
            del message[header]
        message["To"] = mail_address("", to)
        message["Message-ID"] = message_id(key, settings.program.name, domain)
    subject = f"[test] {message['Subject']}"
    message.replace_header("Subject", subject)
    with sender:
        sender.send(message, key)
    return f"test-email: sent '{subject}' to {to} through the {sender.name} sender"


def _sample(template: str, pair: Pair, settings: Settings, now: datetime) -> Email:
    """An email of `template` for `pair`: the notice to its mentee or mentor for the
    templates of the notices to the unmatched, else as the calendar would plan it."""
    kinds = {name: kind for kind, name in TEMPLATES.items()}
    if template in kinds:
        return sample_notice(kinds[template], pair, str(now.year))
    return sample_planned(template, pair, settings, now.date())


def _committee_sample(template: str, pair: Pair, settings: Settings, now: datetime) -> dict:
    """What the alert or the digest template is given, with made-up problems of `pair`."""
    link = spreadsheet_link(settings)
    if template == ALERT:
        issue = IntakeIssue(
            settings.tabs.mentees,
            12,
            f"{pair.mentee.name} <{pair.mentee.email}>",
            "no answer to 'Institution or organization'; this mentee is left out until the"
            " row has one",
        )
        return alert_context(intake_issues([issue]), settings.program.name, link, now)
    asked = now - timedelta(days=settings.health.answer_within_days + 3)
    first = settings.checkins[0].name if settings.checkins else "check-in"
    digest = Digest(
        Problem("sample", "period", "a sample"),
        f"{now:%B %Y}",
        (Problem("sample", "new flag", f"{pair.names}: rating 2 or lower (mentee: 2)"),),
        (),
        (waiting_line(pair, pair.mentor, first, asked),),
    )
    return digest_context(digest, settings.program.name, link, now)


def _sample_pair(sheet: Spreadsheet, settings: Settings, today: date) -> Pair:
    tabs = settings.tabs
    try:
        found = sheet.read([tabs.mentees, tabs.mentors, tabs.committee])
        pairs = read_pairs(sheet, settings, found, today).pairs
    except ConfigError:
        pairs = ()
    return pairs[0] if pairs else SAMPLE_PAIR
