"""The interface every email sender implements: outbox folder, SMTP server, later Gmail.

A sender is used as a context manager: entering it connects (so a server that
cannot be reached fails the job before anything is marked as sending), and
leaving it disconnects.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol

from mentoring.errors import MentorSyncError


class SendError(MentorSyncError):
    """Raised when a message could not be sent.

    `maybe_sent` is True when the message may have reached the server anyway
    (the connection dropped after the message was handed over, or the server
    answered an error that does not prove it did not take it: Gmail's 5xx), so
    it must not be sent again. `fatal` is True when the sender cannot send
    anything more in this run (the connection is gone, or the server is failing),
    so the rest should wait for the next run.
    """

    def __init__(self, message: str, *, maybe_sent: bool = False, fatal: bool = False):
        super().__init__(message)
        self.maybe_sent, self.fatal = maybe_sent, fatal


class Sender(Protocol):
    """Sends finished messages; raises SendError (and nothing else) when one does not go out."""

    name: str

    def __enter__(self) -> Sender: ...

    def __exit__(self, *exc_info: object) -> None: ...

    def send(self, message: EmailMessage, key: str) -> str:
        """Send `message`; `key` is its Email Log key (the outbox names its file after it).
        Returns a note for the Email Log ("" when there is nothing to say), such as the
        recipients a server refused while it took the message for the others."""
        ...

    def confirm(self, key: str, message_id: str) -> bool | None:
        """After a run stopped mid-send: True if the message went out, False if it surely did
        not, None if this sender cannot tell."""
        ...
