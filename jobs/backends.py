"""Which spreadsheet and which sender a run uses, as the settings name them."""

from __future__ import annotations

import os
from pathlib import Path

from mentoring.settings import Settings
from sync.base import Spreadsheet
from sync.google import GMAIL_READONLY, GMAIL_SEND, SHEETS_SCOPE, Credentials, load_credentials
from sync.mail import Sender
from sync.outbox import OutboxSender
from sync.smtp import SmtpSender
from sync.workbook import WorkbookSpreadsheet


def open_spreadsheet(settings: Settings, workbook: Path | None = None) -> Spreadsheet:
    """The configured spreadsheet, or the local `workbook` when one is given."""
    if workbook is not None or settings.spreadsheet.backend == "workbook":
        return WorkbookSpreadsheet(workbook or Path(settings.spreadsheet.path))
    from sync.gsheets import GoogleSpreadsheet  # Google's libraries load only when used

    creds = load_credentials(
        settings.google.credentials, [SHEETS_SCOPE], what="google.credentials, for the spreadsheet"
    )
    return GoogleSpreadsheet.from_settings(settings.spreadsheet.id, creds, settings.google)


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
    return [GMAIL_SEND, *([GMAIL_READONLY] if settings.google.gmail_readonly else [])]


def gmail_credentials(settings: Settings) -> Credentials:
    """The Gmail token, or in Workspace the service account acting as the delegated user."""
    google = settings.google
    if google.gmail_delegated_user:
        return load_credentials(
            google.credentials,
            gmail_scopes(settings),
            subject=google.gmail_delegated_user,
            what="google.credentials, sending as google.gmail_delegated_user",
        )
    return load_credentials(
        google.gmail_token, gmail_scopes(settings), what="google.gmail_token, for Gmail"
    )
