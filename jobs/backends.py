"""Which spreadsheet and which sender a run uses, as the settings name them.

Each adapter is imported when it is chosen, so a run loads the library of its own backend
only: openpyxl for the workbook, Google's clients for Google.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from mentoring.settings import Settings
from mentoring.tool_tabs import tool_tabs
from sync.journal import Journal
from sync.outbox import OutboxSender
from sync.sender import Sender
from sync.smtp import SmtpSender
from sync.spreadsheet import Spreadsheet

SIGNED_IN = "mentor_sync_signed_in"  # when `mentor-sync auth` wrote the token (ISO time)
# How to get a service account's key, for a key file that is not one.
NEW_KEY = (
    "to get the right file, make a key of the service account (Google Cloud console > IAM &"
    " Admin > Service accounts > the account > Keys > Add key > Create new key > JSON) and"
    " save it there"
)

if TYPE_CHECKING:
    from sync.google import Credentials


def open_spreadsheet(
    settings: Settings, workbook: Path | None = None, journal: Journal | None = None
) -> Spreadsheet:
    """The configured spreadsheet, or the local `workbook` when one is given. Each finds
    the tabs the tool writes again after a rename: the workbook by markers it keeps in the
    file, Google by the sheetIds `journal` remembers."""
    roles = {name: tab.role for name, tab in tool_tabs(settings).items()}
    if workbook is not None or settings.spreadsheet.backend == "workbook":
        from sync.workbook import WorkbookSpreadsheet

        return WorkbookSpreadsheet(workbook or Path(settings.spreadsheet.path), roles)
    from sync.google import SHEETS_SCOPE, load_credentials
    from sync.gsheets import GoogleSpreadsheet

    creds = load_credentials(
        settings.google.credentials,
        [SHEETS_SCOPE],
        what="google.credentials, for the spreadsheet",
        get=f"{NEW_KEY}, or run mentor-sync auth sheets to use your own Google account",
    )
    return GoogleSpreadsheet.from_settings(
        settings.spreadsheet.id, creds, settings.google, roles, journal
    )


def spreadsheet_name(settings: Settings, workbook: Path | None = None) -> str:
    """Which spreadsheet a run works on, as the send journal tells them apart."""
    if workbook is not None or settings.spreadsheet.backend == "workbook":
        return f"workbook:{Path(workbook or settings.spreadsheet.path).resolve()}"
    return f"google:{settings.spreadsheet.id}"


def open_journal(
    settings: Settings, workbook: Path | None = None, create: bool = True
) -> Journal | None:
    """The send journal of the program (operations.journal_file), for the run's
    spreadsheet. Without `create` (status, calendar, doctor, a dry run) it is only read,
    and None when there is none yet. Raises JournalError."""
    path = Path(settings.operations.journal_file)
    if not create and not path.exists():
        return None
    return Journal(path, spreadsheet_name(settings, workbook), read_only=not create)


def make_sender(settings: Settings) -> Sender:
    """The sender the settings name (email.sender)."""
    if settings.email.sender == "smtp":
        return SmtpSender(settings.email.smtp, os.environ)
    if settings.email.sender == "gmail":
        from sync.gmail import GmailSender

        return GmailSender(gmail_credentials(settings), settings.google)
    return OutboxSender(Path(settings.email.outbox))


def gmail_scopes(settings: Settings) -> list[str]:
    """The narrowest scopes for sending: gmail.send, and gmail.readonly if the settings ask."""
    from sync.google import GMAIL_READONLY, GMAIL_SEND

    return [GMAIL_SEND, *([GMAIL_READONLY] if settings.google.gmail_readonly else [])]


def gmail_credentials(settings: Settings) -> Credentials:
    """The Gmail token, or in Workspace the service account acting as the delegated user."""
    from sync.google import load_credentials

    google = settings.google
    if google.gmail_delegated_user:
        return load_credentials(
            google.credentials,
            gmail_scopes(settings),
            subject=google.gmail_delegated_user,
            what="google.credentials, sending as google.gmail_delegated_user",
            get=NEW_KEY,
        )
    return load_credentials(
        google.gmail_token,
        gmail_scopes(settings),
        what="google.gmail_token, for Gmail",
        get="to get the right file, run mentor-sync auth gmail",
    )


def forms_credentials(settings: Settings, *, make: bool = False) -> Credentials:
    """The credentials for the Forms API, google.credentials (a token from `mentor-sync auth
    forms`, or the service account the forms are shared with), asking to read forms, or
    with `make` to make them too."""
    from sync.google import FORMS_BODY, FORMS_READONLY, SHEETS_SCOPE, load_credentials

    return load_credentials(
        settings.google.credentials,
        [SHEETS_SCOPE, FORMS_BODY if make else FORMS_READONLY],
        what="google.credentials, for the spreadsheet and the forms",
        get=f"{NEW_KEY}, or run mentor-sync auth forms to use your own Google account",
    )
