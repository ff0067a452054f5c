"""The ledger of what was sent (mentoring/ledger.py): the Email Log and the send journal read
together, so that no email goes twice, whatever was done to the tab."""

from __future__ import annotations

from datetime import datetime

from mentoring.ledger import (
    FAILED,
    LOG_COLUMNS,
    QUEUED,
    RESTORED,
    SENDING,
    SENT,
    STOPPED,
    Ledger,
    LogEntry,
    resend_number,
)
from mentoring.sheet import table_from_cells

TAB = "Email Log"
INTRO = "introduction | ana@m.org | tom@t.org"
ALERT = "alert | 2026-11-30"
AT = datetime(2026, 11, 2, 9, 30)


def email_log(*rows: tuple) -> object:
    """The Email Log tab holding these rows (key, kind, to, subject, status, sent at, id)."""
    grid = {(1, c): name for c, name in enumerate(LOG_COLUMNS, start=1)}
    for r, row in enumerate(rows, start=2):
        grid.update({(r, c): value for c, value in enumerate(row, start=1)})
    return table_from_cells(TAB, grid)


def sent(key: str, status: str = SENT, message_id: str = "<a.0@m.org>") -> LogEntry:
    return LogEntry(key, "introduction", "ana@m.org", "Hello", status, AT, message_id)


def test_an_email_the_log_or_the_journal_has_as_sent_is_not_sent_again():
    assert Ledger(email_log(sent(INTRO).cells()), TAB).blocks(INTRO)
    assert Ledger(email_log(), TAB, {INTRO: sent(INTRO)}).blocks(INTRO)
    assert not Ledger(email_log(), TAB, {}).blocks(INTRO)


def test_a_failed_email_is_sent_again_and_any_other_status_blocks_it():
    for status, blocks in [(FAILED, False), (SENDING, True), ("unconfirmed", True), ("done", True)]:
        row = sent(INTRO, status).cells()
        assert Ledger(email_log(row), TAB).blocks(INTRO) is blocks, status


def test_a_row_the_log_lost_is_written_back_from_the_journal():
    ledger = Ledger(email_log(), TAB, {INTRO: sent(INTRO)})
    assert ledger.to_restore() == 1 and ledger.blocks(INTRO)
    edits = ledger.record([])
    assert (edits.cells[2, 1], edits.cells[2, 5], edits.cells[2, 8]) == (INTRO, SENT, RESTORED)


def test_a_status_the_committee_typed_stays_theirs():
    ledger = Ledger(email_log(sent(INTRO, "on hold, ask Ana").cells()), TAB, {INTRO: sent(INTRO)})
    assert ledger.get(INTRO).status == "on hold, ask Ana" and ledger.to_restore() == 0


def test_an_email_a_stopped_run_never_handed_over_is_sent_again():
    mark = sent(INTRO, SENDING).cells()
    ledger = Ledger(email_log(mark), TAB, {INTRO: sent(INTRO, QUEUED)})
    assert not ledger.blocks(INTRO)
    assert [e.error for e in ledger.stopped()] == [STOPPED]


def test_resend_sends_a_pairs_email_once_more_but_never_an_alert_or_a_digest():
    rows = [sent(INTRO, "resend").cells(), sent(ALERT, "Resend").cells()]
    ledger = Ledger(email_log(*rows), TAB, {INTRO: sent(INTRO), ALERT: sent(ALERT)})
    assert not ledger.blocks(INTRO) and ledger.resends == {INTRO: 1}
    assert ledger.blocks(ALERT) and ledger.not_again == [ALERT]
    assert ledger.sent_at(INTRO) is None  # `resend` is no sending: the journal's Sent At is
    assert ledger.get(INTRO).sent_at == AT  # kept for when it goes


def test_the_sending_again_number_is_read_from_the_message_id():
    assert [resend_number(m) for m in ("<a@m.org>", "<a.0@m.org>", "<a.3@m.org>", "")] == [
        0,
        0,
        3,
        0,
    ]


def test_a_key_copied_onto_two_rows_blocks_when_either_row_does():
    rows = [sent(INTRO, FAILED).cells(), sent(INTRO).cells()]
    assert Ledger(email_log(*rows), TAB).blocks(INTRO)
    assert Ledger(email_log(*rows[::-1]), TAB).blocks(INTRO)


def test_the_daily_cap_counts_what_was_handed_over_that_day():
    rows = [sent(INTRO).cells(), sent("introduction | bo@m.org | uma@u.org", FAILED).cells()]
    assert Ledger(email_log(*rows), TAB).sent_on(AT.date()) == 1
