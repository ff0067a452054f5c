"""Reminders: one after the days without an answer, never again, and none when turned off
or when there is no check-in form."""

from __future__ import annotations

import openpyxl

from tests.conftest import add_settings, tab_rows
from tests.fakes.checkin_year import (
    answer,
    checkins,
    emails,
    health,
    on,
    text,
)


def test_one_reminder_after_the_days_without_an_answer_and_never_again(year):
    settings_file, path = year
    outbox = path.parent / "outbox"
    checkins(settings_file, 30)
    answer(path, 35, "ana@m.org", "tom@t.org")
    checkins(settings_file, 43)  # 13 days: not yet
    assert emails(outbox, "reminder") == []
    checkins(settings_file, 44, 45, 60, 90)
    reminders = emails(outbox, "reminder")
    # ana answered; tom, bo and uma did not, and get one reminder each.
    assert sorted(m["To"].addresses[0].addr_spec for m in reminders) == [
        "bo@m.org",
        "tom@t.org",
        "uma@u.org",
    ]
    assert {m["Date"].datetime.date() for m in reminders} == {on(44)}
    [to_tom] = [m for m in reminders if "tom@t.org" in m["To"]]
    assert "On November 4 we asked how it is going with Ana Ruiz" in text(to_tom)
    log = {row["Key"]: row for row in tab_rows(path, "Email Log")}
    assert log["reminder | check-in 1 | ana@m.org | tom@t.org | to tom@t.org"]["Status"] == "sent"
    # Check-in 2 goes to all; a reminder of check-in 1 is no longer due once it has.
    checkins(settings_file, 120, 121)
    assert len(emails(outbox, "reminder")) == 3


def test_reminders_can_be_turned_off(year):
    settings_file, path = year
    add_settings(settings_file, "reminders = false\n")
    checkins(settings_file, 30, 50)
    assert emails(path.parent / "outbox", "reminder") == []
    assert len(emails(path.parent / "outbox", "check-in")) == 4


def test_without_a_check_in_form_nobody_is_reminded_or_flagged_for_not_answering(year):
    settings_file, path = year
    book = openpyxl.load_workbook(path)
    del book["Form Responses 3"]  # people answer the check-ins by email
    book.save(path)
    checkins(settings_file, 30, 50, 120, 150)
    assert emails(path.parent / "outbox", "reminder") == []
    ana = health(path)["ana@m.org"]
    assert (ana["Check-ins to Mentee"], ana["Answered by Mentee"], ana["Flag"]) == (2, 0, None)
