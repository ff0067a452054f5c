"""The Gmail sender: users.messages.send through google-api-python-client.

Gmail's send is not idempotent, and neither a 5xx answer (JSON "Backend Error"
or an HTML 502 page) nor no answer at all (a timeout, a lost connection) proves
that Gmail did not send the message: it has answered 500 to sends it made. So
such a send is "maybe sent". With `gmail.readonly` granted, the message is
looked up by its Message-ID (`rfc822msgid:`) before any second try: found, it
was sent; not found (twice, as search lags), it is sent again, as many times as
`google.tries` allows; a look-up that fails leaves it maybe sent. With only
`gmail.send`, Gmail cannot be asked, so it is reported maybe sent at once and
never sent again automatically.

Only answers that prove Gmail did not take the message are simply tried again
after a wait: 429 and the rate-limit 403s. 400 (a message Gmail cannot use) is
not sent; 401 and other 403s stop the batch (the token cannot send), and so does
a connection that never opened (no network, a firewall, a proxy, a failed secure
handshake: sync/google.py) and a sign-in that fails: that message was not sent, and
the next run sends it. The sign-in is renewed before each send (an access token
lasts an hour, a batch may outlast it), so that a sign-in that fails is never taken
for a send with no answer.

Each request goes once (sync/google.py, `discovery_client`): a send whose connection is
lost before the answer is maybe sent, never sent again behind our back.
"""

from __future__ import annotations

import base64
import logging
from email.message import EmailMessage
from urllib.parse import urlsplit

from mentoring.settings import Google
from sync.google import (
    READING_SCOPES,
    UNREACHABLE,
    CallProblem,
    Credentials,
    GoogleError,
    Retry,
    describe,
    discovery_client,
    granted_scopes,
    identity,
    signed_in,
    unreachable,
)
from sync.sender import SendError

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
        self._sign_in()
        self._service = discovery_client(
            "gmail", "v1", self.creds, self.google.gmail_endpoint, self.google.timeout
        )
        return self._service

    def _sign_in(self, key: str = "") -> None:
        """Sign in, or renew the sign-in, unless the access token is good for a few minutes
        more; raises SendError (fatal: nothing more can be sent) saying that the email
        `key` was not sent when it fails."""
        try:
            signed_in(self.creds, self.google.timeout, self.retry, "Gmail")
        except GoogleError as exc:
            advice = "" if unreachable(exc) else "; run mentor-sync doctor"
            said = f"{key} was not sent: {exc} (the next run sends it)" if key else f"{exc}{advice}"
            raise SendError(said, fatal=True) from exc

    def __exit__(self, *exc_info: object) -> None:
        service, self._service = self._service, None
        if service is not None:
            service.close()

    def send(self, message: EmailMessage, key: str) -> str:
        """Send `message` once; returns a note when Gmail's answer was an error but the sent
        mail has it. Raises SendError: `maybe_sent` when Gmail may have sent it and cannot
        be asked (it is not sent again), `fatal` when the rest of the batch should wait."""
        if self._service is None:
            raise SendError("the Gmail sender is not signed in", fatal=True)
        self._sign_in(key)
        raw = base64.urlsafe_b64encode(message.as_bytes()).decode("ascii")
        request = self._service.users().messages().send(userId="me", body={"raw": raw})
        msgid = str(message["Message-ID"] or "")
        for attempt in range(self.retry.tries):
            try:
                request.execute(num_retries=0)
                return ""
            except Exception as exc:
                problem = describe(exc, urlsplit(self.google.gmail_endpoint).netloc)
                if problem is None:
                    raise
                last = attempt == self.retry.tries - 1
                if not problem.transient:
                    raise self._refused(key, problem, attempt + 1) from exc
                if problem.maybe_done:  # a 5xx or no answer: Gmail may have sent it
                    went_out = self._look_up(key, msgid, attempt)
                    if went_out:
                        return _found(problem)
                    if went_out is None:
                        raise self._maybe_sent(key, problem, message) from exc
                elif not last:  # 429 or a rate-limit 403: Gmail did not take it
                    self.retry.pause(attempt)
                if last:
                    raise self._refused(key, problem, attempt + 1) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _look_up(self, key: str, message_id: str, attempt: int) -> bool | None:
        """After a send Gmail may have made: whether the sent mail has it, asked twice with a
        pause before each (Gmail's search lags a moment behind a send); None when Gmail
        cannot be asked (no gmail.readonly) or the look-up itself fails."""
        if not self.can_search:
            return None
        self.retry.pause(attempt)
        went_out = self.confirm(key, message_id)
        if went_out is False:
            self.retry.pause(attempt + 1)
            went_out = self.confirm(key, message_id)
        return went_out

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

    def _maybe_sent(self, key: str, problem: CallProblem, message: EmailMessage) -> SendError:
        if problem.status == 0:
            what = f"Gmail did not answer while sending {key} ({problem.message})"
        else:
            answered = f"{problem.status} {problem.reason}".strip()
            what = (
                f"Gmail answered {answered} while sending {key} ({problem.message}), an"
                " answer it also gives after sending"
            )
        if self.can_search:
            what += ", and looking it up in the sent mail failed too"
        msgid = str(message["Message-ID"] or "").strip().strip("<>")
        search = f" (search for rfc822msgid:{msgid})" if msgid else ""
        advice = (
            ""
            if self.can_search
            else ". With gmail.readonly granted (google.gmail_readonly = true, then"
            " mentor-sync auth gmail) mentor-sync looks such an email up itself"
        )
        # A 5xx, or a look-up that failed after every try, says Gmail is failing now: the
        # next emails would most likely get the same answer, each one more `unconfirmed` row
        # for the committee to check by hand. They wait for the next run instead. A single
        # lost answer (a timeout) may be this one connection's bad luck: the batch goes on.
        return SendError(
            f"{what}; it may have gone out, so it is not sent again: look for it in the sent"
            f" mail of {_mailbox(message, self.account)}{search}{advice}",
            maybe_sent=True,
            fatal=problem.status != 0 or self.can_search,
        )

    def _refused(self, key: str, problem: CallProblem, tries: int) -> SendError:
        if problem.reason == UNREACHABLE:
            return SendError(
                f"{key} was not sent: cannot reach {problem.host}: {problem.message}; check"
                " the connection (the next run sends it)",
                fatal=True,
            )
        after = f" after {tries} tries" if tries > 1 else ""
        detail = _detail(problem)
        if problem.status in (401, 403):
            return SendError(
                f"Gmail refused to send {key} for {self.account} ({detail}); check that the"
                " token has gmail.send (mentor-sync doctor), or run mentor-sync auth gmail",
                fatal=True,
            )
        if problem.transient:
            return SendError(
                f"Gmail could not send {key}{after} ({detail}); the next run tries it again",
                fatal=True,
            )
        return SendError(f"Gmail refused {key} ({detail})")


def _detail(problem: CallProblem) -> str:
    """The problem as the Email Log says it (429 RESOURCE_EXHAUSTED: Quota exceeded); no
    status when no answer came."""
    said = " ".join(str(part) for part in (problem.status, problem.reason) if part)
    return f"{said}: {problem.message}" if said else problem.message


def _found(problem: CallProblem) -> str:
    """The Email Log's note for a send Gmail answered badly but made all the same."""
    if problem.status == 0:
        return "Gmail did not answer the send, but has it in the sent mail"
    return f"Gmail answered {problem.status} to the send, but has it in the sent mail"


def _mailbox(message: EmailMessage, account: str) -> str:
    """The address whose sent mail holds `message`: its From, else the signed-in account."""
    sender = message["From"]
    addresses = getattr(sender, "addresses", ()) if sender is not None else ()
    return addresses[0].addr_spec if addresses else account
