"""The Gmail sender: users.messages.send through google-api-python-client.

With only `gmail.send`, Gmail cannot be asked whether a message went out, so a
send that got no answer (a timeout, a lost connection) is reported as maybe
sent and never sent again. With `gmail.readonly` too, such a message is looked
up by its Message-ID (`rfc822msgid:`): found, it was sent; not found, it is
sent again. An answer that is an error (429, 5xx) means Gmail did not take it,
so it is tried again after a wait.
"""

from __future__ import annotations

import base64
import logging
from email.message import EmailMessage

import google_auth_httplib2
import httplib2
from googleapiclient.discovery import build

from mentoring.settings import Google
from sync.google import (
    READING_SCOPES,
    Credentials,
    GoogleError,
    Retry,
    TimedRequest,
    describe,
    granted_scopes,
    identity,
)
from sync.mail import SendError

log = logging.getLogger(__name__)


class GmailSender:
    name = "gmail"

    def __init__(self, creds: Credentials, google: Google, retry: Retry | None = None):
        self.creds, self.google = creds, google
        self.retry = retry or Retry.from_settings(google)
        self.account = identity(creds)
        self._service = None

    @property
    def can_search(self) -> bool:
        """Whether the credentials may look up sent mail (gmail.readonly or wider)."""
        return bool(granted_scopes(self.creds) & READING_SCOPES)

    def __enter__(self) -> GmailSender:
        """Sign in now, so a token Google no longer accepts fails the job before any send."""
        self._connect()
        return self

    def _connect(self):
        """The Gmail service, signed in; made once (a look-up may come before any send)."""
        if self._service is not None:
            return self._service
        try:
            if not self.creds.valid:
                self.retry.call(
                    "signing in to Gmail",
                    lambda: self.creds.refresh(TimedRequest(self.google.timeout)),
                )
        except GoogleError as exc:
            raise SendError(f"{exc}; run mentor-sync doctor", fatal=True) from exc
        http = google_auth_httplib2.AuthorizedHttp(
            self.creds, http=httplib2.Http(timeout=self.google.timeout)
        )
        self._service = build(
            "gmail",
            "v1",
            http=http,
            static_discovery=True,
            cache_discovery=False,
            client_options={"api_endpoint": self.google.gmail_endpoint.rstrip("/") + "/"},
        )
        return self._service

    def __exit__(self, *exc_info: object) -> None:
        service, self._service = self._service, None
        if service is not None:
            service.close()

    def send(self, message: EmailMessage, key: str) -> str:
        if self._service is None:
            raise SendError("the Gmail sender is not signed in", fatal=True)
        raw = base64.urlsafe_b64encode(message.as_bytes()).decode("ascii")
        request = self._service.users().messages().send(userId="me", body={"raw": raw})
        msgid = str(message["Message-ID"] or "")
        for attempt in range(self.retry.tries):
            try:
                request.execute(num_retries=0)
                return ""
            except Exception as exc:
                problem = describe(exc)
                if problem is None:
                    raise
                if not problem.transient:
                    raise self._refused(key, problem, attempt + 1) from exc
                unanswered = problem.status == 0
                if unanswered and not self.can_search:
                    raise self._maybe_sent(key, problem) from exc
                if attempt < self.retry.tries - 1:
                    self.retry.pause(attempt)
                if unanswered:  # look before sending it again, twice: search lags a little
                    went_out = self.confirm(key, msgid)
                    if went_out is False:
                        self.retry.pause(attempt + 1)
                        went_out = self.confirm(key, msgid)
                    if went_out:
                        return "Gmail did not answer the send, but has it in the sent mail"
                    if went_out is None:
                        raise self._maybe_sent(key, problem) from exc
                if attempt == self.retry.tries - 1:
                    raise self._refused(key, problem, attempt + 1) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def confirm(self, key: str, message_id: str) -> bool | None:
        """Whether a message with this Message-ID is in the sent mail; None without
        gmail.readonly (Gmail cannot be asked) or when Gmail cannot be reached."""
        if not self.can_search or not message_id:
            return None
        try:
            service = self._connect()  # a stopped run's emails are settled before any send
        except SendError as exc:
            log.warning("cannot tell whether %s went out: %s", key, exc)
            return None
        query = f"rfc822msgid:{message_id.strip().strip('<>')}"
        request = (
            service.users()
            .messages()
            .list(userId="me", q=query, maxResults=1, includeSpamTrash=True)
        )
        try:
            found = self.retry.call(
                f"looking up {key} in the sent mail", lambda: request.execute(num_retries=0)
            )
        except GoogleError as exc:
            log.warning("cannot tell whether %s went out: %s", key, exc)
            return None
        return bool(found.get("messages"))

    def _maybe_sent(self, key: str, problem) -> SendError:
        hint = (
            "" if self.can_search else "; with gmail.readonly granted mentor-sync could look it up"
        )
        return SendError(
            f"Gmail did not answer while sending {key} ({problem.message}), so it may have"
            f" gone out{hint}",
            maybe_sent=True,
        )

    def _refused(self, key: str, problem, tries: int) -> SendError:
        after = f" after {tries} tries" if tries > 1 else ""
        detail = f"{problem.status} {problem.reason}: {problem.message}".strip()
        if problem.status in (401, 403):
            return SendError(
                f"Gmail refused to send {key} for {self.account} ({detail}); check that the"
                " token has gmail.send (mentor-sync doctor), or run mentor-sync auth gmail",
                fatal=True,
            )
        if problem.transient:
            return SendError(f"Gmail could not send {key}{after} ({detail})", fatal=True)
        return SendError(f"Gmail refused {key} ({detail})")
