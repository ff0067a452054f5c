"""A run killed at any step of the send loop: the next run sends each email once, never twice."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from jobs.mail import INTRODUCE, run_mail
from jobs.settings_file import load_templates
from sync.journal import Journal
from sync.workbook import WorkbookSpreadsheet
from tests.conftest import committee_by_email
from tests.fakes.crashes import CrashingSender, CrashingSheet, Killed
from tests.test_mail import DAY0, Memory, Outbox, approve, at, log

MENTEES = ("ana@m.org", "bo@m.org")


# Every step of one run that introduces two pairs: the write that marks them
# sending, each send, and the write of the outcomes; before and after each.
STEPS = [
    (where, number, after)
    for where, numbers in (("write", (1, 2)), ("send", (1, 2)))
    for number in numbers
    for after in (False, True)
]


def step_id(step):
    where, number, after = step
    return f"{'after' if after else 'before'}-{where}-{number}"


@pytest.fixture
def approved(program):
    path, settings = program
    approve(path, settings, *MENTEES)
    return path, settings


def crash_then_run_again(path, settings, make_sender, step, journal=None):
    where, number, after = step
    sheet = CrashingSheet(WorkbookSpreadsheet(path), number if where == "write" else 0, after)
    sender = make_sender()
    if where == "send":
        sender = CrashingSender(sender, number, after)
    templates = load_templates(settings)
    with pytest.raises(Killed):
        run_mail(INTRODUCE, sheet, settings, templates, sender, at(DAY0), journal=journal)
    for later in (1, 2):
        sheet = WorkbookSpreadsheet(path)
        when = at(DAY0 + timedelta(later))
        run_mail(INTRODUCE, sheet, settings, templates, make_sender(), when, journal=journal)


@pytest.mark.parametrize("step", STEPS, ids=step_id)
def test_the_outbox_sender_ends_with_every_email_sent_exactly_once(approved, tmp_path, step):
    path, settings = approved
    delivered: Counter = Counter()
    crash_then_run_again(path, settings, lambda: Outbox(tmp_path / "outbox", delivered), step)
    keys = {
        f"introduction | {e} | {m}"
        for e, m in zip(MENTEES, ("tom@t.org", "uma@u.org"), strict=True)
    }
    assert delivered == Counter(dict.fromkeys(keys, 1))
    assert {key: row["Status"] for key, row in log(path, settings).items()} == dict.fromkeys(
        keys, "sent"
    )
    assert all(row["Introduced On"] for row in committee_by_email(path, settings).values())


@pytest.mark.parametrize("step", STEPS, ids=step_id)
def test_a_sender_that_cannot_tell_never_sends_twice(approved, step):
    path, settings = approved
    delivered: Counter = Counter()
    crash_then_run_again(path, settings, lambda: Memory(delivered), step)
    statuses = {key: row["Status"] for key, row in log(path, settings).items()}
    assert set(delivered.values()) <= {1}
    assert len(statuses) == 2 and set(statuses.values()) <= {"sent", "unconfirmed"}
    for key, status in statuses.items():
        if status == "sent":
            assert delivered[key] == 1  # "sent" is never said of an email that did not go
    introduced = committee_by_email(path, settings)
    for key, status in statuses.items():
        mentee = key.split(" | ")[1]
        assert bool(introduced[mentee]["Introduced On"]) == (status == "sent")


@pytest.mark.parametrize("step", STEPS, ids=step_id)
def test_with_the_journal_only_the_email_in_flight_is_unconfirmed(approved, tmp_path, step):
    """With the send journal, a sender that cannot tell leaves `unconfirmed` only the email
    that was being handed over when the run was killed; the emails of the batch it never
    reached go on the next run, and nothing goes twice."""
    path, settings = approved
    delivered: Counter = Counter()
    with Journal(tmp_path / "journal.sqlite3", "workbook:test") as journal:
        crash_then_run_again(path, settings, lambda: Memory(delivered), step, journal)
    statuses = {key: row["Status"] for key, row in log(path, settings).items()}
    keys = sorted(statuses)
    where, number, after = step
    # Killed inside the send, before or after the server took it: the journal had marked it
    # as being handed over, and the sender cannot say whether it went.
    in_flight = {keys[number - 1]} if where == "send" else set()
    assert {k for k, s in statuses.items() if s == "unconfirmed"} == in_flight
    assert {k for k, s in statuses.items() if s == "sent"} == set(keys) - in_flight
    assert delivered == Counter({key: 1 for key in keys if key not in in_flight or after})
