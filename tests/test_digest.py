"""The committee's digest: new flags, unanswered check-ins and closed pairs told once, its
period, and a request to get in touch told at once."""

from __future__ import annotations

from datetime import datetime

from jobs.settings_file import load_settings
from mentoring.digest import period
from tests.conftest import set_committee_cells, tab_rows
from tests.fakes.checkin_year import (
    answer,
    checkins,
    emails,
    health,
    text,
)


def test_the_digest_tells_new_flags_unanswered_check_ins_and_closed_pairs_once(year):
    settings_file, path = year
    text_ = settings_file.read_text().replace('digest = "off"', 'digest = "monthly"')
    settings_file.write_text(text_)
    outbox = path.parent / "outbox"
    checkins(settings_file, 30)  # 2026-11-04: check-ins sent, nothing to say yet
    assert emails(outbox, "digest") == []
    answer(path, 32, "ana@m.org", "tom@t.org", rating=1, met="No")
    checkins(settings_file, 33)  # the flags of ana's answer
    [first] = emails(outbox, "digest")
    assert first["Subject"] == "STS Mentoring Program: the pairs in November 2026"
    body = text(first)
    assert (
        "- Ana Ruiz and Tom Ng (ana@m.org, tom@t.org): rating 2 or lower (mentee: 1)\n"
        "- Ana Ruiz and Tom Ng (ana@m.org, tom@t.org): have not met\n"
    ) in body
    assert "without an answer" not in body  # 3 days is not yet late
    assert f"The spreadsheet: {path}" in body
    checkins(settings_file, 34, 45)  # November again: no second digest
    assert len(emails(outbox, "digest")) == 1
    # December: the check-ins left unanswered, and bo's pair ended by the committee.
    set_committee_cells(path, load_settings(settings_file), {"bo@m.org": {"Status": "Rejected"}})
    checkins(settings_file, 60)
    second = text(emails(outbox, "digest")[1])
    assert "the pairs in December 2026" in emails(outbox, "digest")[1]["Subject"]
    assert "No new flags since the last digest." in second
    assert (
        "Check-ins still without an answer (1):\n"
        "- Tom Ng <tom@t.org>, mentor of Ana Ruiz: 'check-in 1', sent 2026-11-04\n"
    ) in second
    assert (
        "Pairs whose year closed (1):\n"
        "- bo@m.org and uma@u.org: no longer Approved in the committee tab;"
    ) in second
    assert health(path)["bo@m.org"]["State"] == "ended"
    log = {row["Key"]: row for row in tab_rows(path, "Email Log")}
    assert log["digest | 2026-12"]["Kind"] == "digest"
    assert log["digest | closed | bo@m.org | uma@u.org"]["Status"] == "sent"


def test_a_digest_period_is_a_month_or_a_week():
    assert period(datetime(2026, 12, 31, 9), "monthly") == ("digest | 2026-12", "December 2026")
    # ISO weeks: 2027-01-01 is a Friday of 2026's week 53, which began on Monday 28 December.
    assert period(datetime(2027, 1, 1, 9), "weekly") == (
        "digest | 2026-W53",
        "the week of 2026-12-28",
    )


def test_asking_the_committee_to_get_in_touch_is_told_at_once_and_once(year):
    settings_file, path = year
    outbox = path.parent / "outbox"
    checkins(settings_file, 30)
    answer(path, 31, "bo@m.org", "uma@u.org", rating=3, contact="Yes")
    checkins(settings_file, 31, 32, 40)
    [alert] = emails(outbox, "alert")
    assert alert["Subject"] == "STS Mentoring Program: 1 thing needs a look"
    assert (
        "Asked the committee to get in touch (the check-in form):\n"
        "- Bo <bo@m.org>, mentee of Uma, on 2026-11-05 (rated the relationship 3 of 5)\n"
    ) in text(alert)
    # Asking again in a later answer is a new request.
    answer(path, 41, "bo@m.org", "uma@u.org", rating=3, contact="Yes")
    checkins(settings_file, 41, 42)
    assert len(emails(outbox, "alert")) == 2


def test_the_report_reads_a_told_flag_back_from_the_key_the_digest_writes():
    from mentoring.digest import flag_key, told_flag
    from mentoring.outgoing import addressee

    assert told_flag(flag_key("ana@m.org | tom@t.org", "rating")) == (
        "ana@m.org | tom@t.org",
        "rating",
    )
    assert told_flag("digest | 2026-11") is None
    assert addressee("check-in 1 | ana@m.org | tom@t.org | to tom@t.org") == "tom@t.org"
    assert addressee("introduction | ana@m.org | tom@t.org") == ""
