"""A program's year of check-ins, as the tests of Pair Health, reminders, the digest and
closing a year play it: the check-in form linked, answers given on chosen days, the
`checkin` job run on them."""

from __future__ import annotations

import email
from datetime import date, datetime, timedelta
from email import policy
from pathlib import Path

import openpyxl

from tests.conftest import tab_rows
from tests.fakes.commands import invoke_on

DAY0 = date(2026, 10, 5)  # both pairs are introduced on this day, after they applied
CHECKIN_HEADER = (
    "Timestamp",
    "Email Address",
    "I am the",
    "Partner's email",
    "How is the mentoring relationship going?",
    "Have you met since the last check-in?",
    "Progress on your goals",
    "Would you like someone from the committee to contact you?",
)


invoke = invoke_on  # the command line, in this process, on a day


def on(days: int) -> date:
    return DAY0 + timedelta(days=days)


def link_the_checkin_form(path: Path) -> None:
    """The check-in form's response tab, empty, as linking the form to the spreadsheet makes it."""
    book = openpyxl.load_workbook(path)
    book.create_sheet("Form Responses 3").append(CHECKIN_HEADER)
    book.save(path)


def answer(path: Path, days: int, email_: str, partner: str, rating=4, met="Yes", contact="No"):
    """One response to the check-in form, as Google Forms appends it, `days` after DAY0."""
    book = openpyxl.load_workbook(path)
    role = "Mentee" if email_ in ("ana@m.org", "bo@m.org") else "Mentor"
    when = datetime.combine(on(days), datetime.min.time()) + timedelta(hours=15)
    book["Form Responses 3"].append([when, email_, role, partner, rating, met, "", contact])
    book.save(path)


def health(path: Path) -> dict[str, dict]:
    return {row["Mentee Email"]: row for row in tab_rows(path, "Pair Health")}


def emails(outbox: Path, kind: str) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted(outbox.glob(f"{kind}*.eml"))
    ]


def text(message: email.message.EmailMessage) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def checkins(settings_file: Path, *days: int) -> None:
    for day in days:
        result = invoke(settings_file, on(day), "checkin")
        assert result.exit_code == 0, result.output
