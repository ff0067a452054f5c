"""`mentor-sync resend KEY`: send an email once more, on purpose."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from jobs.program import check_tabs, email_log
from mentoring.errors import ConfigError, did_you_mean
from mentoring.ledger import FAILED, RESEND, SENT, SKIPPED, UNCONFIRMED
from mentoring.outgoing import INTRODUCTION, is_notice, sent_again_on_request
from mentoring.settings import Settings
from sync.journal import Journal
from sync.spreadsheet import Spreadsheet

INTRODUCE, CHECKIN, NOTIFY = "introduce", "checkin", "notify-unmatched"


def mark_resend(
    key: str, sheet: Spreadsheet, settings: Settings, now: datetime, journal: Journal | None
) -> str:
    """Set the Status of the email `key` to resend in the Email Log (the next run of its job
    sends it once more); the line to say. Raises ConfigError for a key of no email sent, or
    of an email that is not sent again (an alert, a digest, one not sent yet)."""
    tab = settings.tabs.email_log
    found = sheet.read([tab])
    check_tabs(sheet, found, settings, [tab])
    ledger = email_log(found.get(tab), settings, journal)
    keys = {entry.key.casefold(): entry.key for entry in ledger.entries()}
    entry = ledger.get(keys.get(" ".join(key.split()).casefold(), key))
    if entry is None:
        hint = did_you_mean(key, list(keys.values())) or "."
        raise ConfigError(
            f"no email '{key}' in the Email Log or the send journal{hint} Copy its Key from"
            " the Email Log"
        )
    if not sent_again_on_request(entry.key):
        raise ConfigError(
            f"'{entry.key}' is an email to the committee; alerts and digests are not sent"
            " again (a new problem gets a new email)"
        )
    if entry.state in (FAILED, RESEND):
        return f"resend: '{entry.key}' is {entry.state} already; the next run sends it"
    if entry.state not in (SENT, UNCONFIRMED, SKIPPED):
        raise ConfigError(
            f"'{entry.key}' is '{entry.status}' in the Email Log; a run is settling it, so run"
            " again after the next run of its job"
        )
    asked = f"asked to send again on {now:%Y-%m-%d} (mentor-sync resend)"
    sheet.write([ledger.record([replace(entry, status=RESEND, error=asked)])])
    if is_notice(entry.key):
        job = f"{NOTIFY} run (or mentor-sync run, in the days after notify.unmatched_on)"
    else:
        job = f"{INTRODUCE if entry.key.startswith(INTRODUCTION) else CHECKIN} run"
    return f"resend: '{entry.key}' is marked resend in the Email Log; the next {job} sends it"
