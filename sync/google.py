"""What the Google adapters share: credentials, one retry policy, and plain-words errors.

Retries are ours, not the client libraries': 429 and 5xx answers (whatever
their body), lost connections and timeouts are tried again after a capped,
jittered exponential wait, a bounded number of times, and so are the 403s that
mean "slow down" (rateLimitExceeded, userRateLimitExceeded); 400, 401, 404 and
every other 403 never are, since asking again cannot change the answer. Nor is a connection
that never opened (the name did not resolve, the address refused it or never
answered, no route to it, a proxy that did not let it through, a secure connection
whose handshake failed): that is no network, a wrong address, a proxy or a firewall,
which seconds of waiting do not mend, so it is said at once in one sentence. A 5xx,
like no answer, does not prove that Google did not do what was asked (Gmail has
answered 500 to a send it had made): a call that must not be done twice checks
before trying again (`CallProblem.maybe_done`). A connection that never opened, and
a sign-in that failed before the call, prove that nothing was asked.
"""

from __future__ import annotations

import json
import random
import socket
import ssl
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import google.auth.exceptions
import google.auth.transport.requests
import gspread.exceptions
import httplib2
import requests
import urllib3.exceptions
from google.auth.transport.requests import AuthorizedSession
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account
from googleapiclient.errors import HttpError

from mentoring.errors import MentorSyncError, SettingsError
from mentoring.settings import Google

SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"
GMAIL_SEND = "https://www.googleapis.com/auth/gmail.send"
GMAIL_READONLY = "https://www.googleapis.com/auth/gmail.readonly"
FORMS_READONLY = "https://www.googleapis.com/auth/forms.body.readonly"  # reading a form
FORMS_BODY = "https://www.googleapis.com/auth/forms.body"  # reading and making forms
# Scopes that include sending or reading mail, for tokens made by other tools.
SENDING_SCOPES = {
    GMAIL_SEND,
    "https://www.googleapis.com/auth/gmail.compose",
    "https://www.googleapis.com/auth/gmail.modify",
    "https://mail.google.com/",
}
READING_SCOPES = {
    GMAIL_READONLY,
    "https://www.googleapis.com/auth/gmail.modify",
    "https://mail.google.com/",
}
Credentials = service_account.Credentials | user_credentials.Credentials
T = TypeVar("T")
# CallProblem.reason of a connection that never opened: nothing was asked of Google.
UNREACHABLE = "UNREACHABLE"
# CallProblem.reason of a sign-in (renewing the access token) that failed before the call
# was made: nothing was asked of the API either.
SIGN_IN = "SIGN_IN"
NOTHING_ASKED = frozenset({UNREACHABLE, SIGN_IN})


class GoogleError(MentorSyncError):
    """A Google API call failed for good; `status` is the HTTP status, 0 for no answer;
    `detail` is Google's own message."""

    def __init__(self, message: str, status: int = 0, reason: str = "", detail: str = ""):
        super().__init__(message)
        self.status, self.reason, self.detail = status, reason, detail


class NoAnswerError(GoogleError):
    """The last try got no answer (a timeout or a lost connection): it may have been done."""


def unreachable(exc: BaseException) -> bool:
    """Whether `exc` (a GoogleError, or what wraps one) says Google could not be reached at
    all: no network, or an address that refuses."""
    return any(isinstance(e, GoogleError) and e.reason == UNREACHABLE for e in _chain(exc))


@dataclass
class Retry:
    """Try a call up to `tries` times, waiting min(2**n + jitter, cap) seconds in between."""

    tries: int = 6
    cap: float = 64.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random
    waited: list[float] = field(default_factory=list)

    @classmethod
    def from_settings(cls, google: Google) -> Retry:
        return cls(tries=google.tries, cap=google.max_backoff)

    def call(
        self,
        what: str,
        call: Callable[[], T],
        on_retry: Callable[[CallProblem], None] | None = None,
    ) -> T:
        """`call()`, tried again on a transient failure; raises GoogleError after the last try.

        `what` names the call in messages ("reading the spreadsheet"). `on_retry`
        runs before each new try (to check whether an unanswered write was done).
        """
        for attempt in range(self.tries):
            try:
                return call()
            except Exception as exc:
                problem = describe(exc)
                if problem is None:
                    raise
                if not problem.transient or attempt == self.tries - 1:
                    raise _final(what, problem, attempt + 1) from exc
                self.pause(attempt)
                if on_retry is not None:
                    on_retry(problem)
        raise AssertionError("unreachable")  # pragma: no cover

    def pause(self, attempt: int) -> None:
        """Wait before try `attempt + 2`: 1, 2, 4, ... seconds plus up to 1 s, at most `cap`."""
        wait = min(2**attempt + self.jitter(), self.cap)
        self.waited.append(wait)
        self.sleep(wait)


@dataclass(frozen=True)
class CallProblem:
    """What went wrong with one call, in the terms the retry policy needs."""

    status: int  # 0 when there was no answer
    reason: str  # Google's status word (RESOURCE_EXHAUSTED) or what happened instead
    message: str
    transient: bool
    host: str = ""  # for a connection that never opened (UNREACHABLE): where it went

    @property
    def maybe_done(self) -> bool:
        """Whether Google may have done it all the same: no answer came, or its servers
        failed (a 5xx, JSON or an HTML page), perhaps after doing it. 429 and other 4xx
        answers prove it was not done, and so do a connection that never opened and a
        sign-in that failed before the call (NOTHING_ASKED)."""
        return (self.status == 0 and self.reason not in NOTHING_ASKED) or self.status >= 500


def describe(exc: BaseException, host: str = "") -> CallProblem | None:
    """The CallProblem behind an exception from gspread, googleapiclient or the network; None
    for anything else (a bug, which is not retried). `host` names where the call went when
    the exception does not say (httplib2's refused connections)."""
    never_started = _never_started(exc, host)
    if never_started is not None:
        return never_started
    if isinstance(exc, gspread.exceptions.APIError):
        return _answered(exc.response.status_code, exc.response.text)
    if isinstance(exc, HttpError):
        return _answered(int(exc.resp.status), exc.content)
    if isinstance(exc, requests.Timeout | TimeoutError):
        return CallProblem(0, "TIMEOUT", "no answer in time", transient=True)
    if isinstance(exc, requests.ConnectionError | ConnectionError | httplib2.HttpLib2Error):
        return CallProblem(0, "CONNECTION", f"the connection failed ({exc})", transient=True)
    if isinstance(exc, google.auth.exceptions.RefreshError):
        return CallProblem(401, "REFRESH", _refresh_message(exc), transient=False)
    if isinstance(exc, google.auth.exceptions.TransportError):  # renewing the token, first
        return CallProblem(0, SIGN_IN, f"cannot reach Google's sign-in ({exc})", transient=True)
    if isinstance(exc, OSError):  # httplib2 lets socket errors through
        return CallProblem(0, "CONNECTION", f"the connection failed ({exc})", transient=True)
    return None


def _never_started(exc: BaseException, host: str) -> CallProblem | None:
    """A connection that never opened, so no request went: not transient in the way a 5xx
    is (said at once), and proof that nothing was done."""
    chain = list(_chain(exc))
    why = _why_never_opened(chain)
    if not why:
        return None
    where = _host(chain) or host or "Google"
    return CallProblem(0, UNREACHABLE, why, transient=False, host=where)


def _why_never_opened(chain: list[BaseException]) -> str:
    """Why the connection never opened, in plain words; "" when it opened (or nobody can
    tell: a timeout or a lost connection once the request may have gone)."""
    if any(isinstance(e, urllib3.exceptions.ProxyError) for e in chain):
        # urllib3 also calls a connection lost after the request went through the proxy a
        # ProxyError (it forgets the proxy was reached when the connection closes), so only
        # a proxy that could not be reached, or refused the tunnel, proves nothing went.
        if not (_tunnel_refused(chain) or any(isinstance(e, _NOT_OPENED) for e in chain)):
            return ""
        return (
            f"the proxy did not let the connection through ({_first_os_error(chain)}); check"
            " the proxy the environment names (HTTPS_PROXY, HTTP_PROXY)"
        )
    if any(isinstance(e, socket.gaierror) for e in chain):
        return "no network or DNS (the name did not resolve)"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "the connection was refused (a firewall or a proxy, or a wrong google.*_endpoint?)"
    opening = [e for e in chain if isinstance(e, urllib3.exceptions.ConnectTimeoutError)]
    if opening and not isinstance(opening[0], urllib3.exceptions.NewConnectionError):
        return "the connection did not open in time (no network, or a firewall that drops it)"
    if opening:
        return f"the connection could not be opened ({_first_os_error(chain)}; no network?)"
    if _handshake_failed(chain):
        return (
            f"the secure connection could not be set up ({_first_os_error(chain)}; a proxy"
            " or firewall that inspects traffic, or a wrong google.*_endpoint?)"
        )
    return ""


# What proves a connection never opened, wherever it stands in a chain of causes.
_NOT_OPENED = (
    socket.gaierror,
    ConnectionRefusedError,
    urllib3.exceptions.NewConnectionError,
    urllib3.exceptions.ConnectTimeoutError,
)


def _tunnel_refused(chain: list[BaseException]) -> bool:
    """Whether a proxy refused to open the tunnel (http.client's "Tunnel connection failed:
    407 ..."), before any request went through it."""
    for exc in chain:
        if isinstance(exc, OSError) and exc.__traceback__ is not None:
            frames = traceback.extract_tb(exc.__traceback__)
            if frames and frames[-1].name == "_tunnel":
                return True
    return False


def _handshake_failed(chain: list[BaseException]) -> bool:
    """Whether the handshake that opens a secure connection failed (a certificate refused,
    a server that does not speak TLS, a connection reset meanwhile), before any request
    went. An SSL error or a reset later, mid-answer, may come after the request was taken."""
    for exc in chain:
        if isinstance(exc, ssl.SSLCertVerificationError):
            return True
        if isinstance(exc, OSError) and exc.__traceback__ is not None:
            frames = traceback.extract_tb(exc.__traceback__)
            if frames and frames[-1].name == "do_handshake":  # ssl.SSLSocket.do_handshake
                return True
    return False


def _first_os_error(chain: list[BaseException]) -> str:
    """The system's words for the innermost OSError in `chain` ("[Errno 113] No route to
    host"), or the last exception's."""
    errors = [e for e in chain if isinstance(e, OSError)]
    return str(errors[-1] if errors else chain[-1])


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and the exceptions behind it, as the libraries chain or wrap them."""
    seen: set[int] = set()
    at: BaseException | None = exc
    while at is not None and id(at) not in seen:
        seen.add(id(at))
        yield at
        reason = getattr(at, "reason", None)  # urllib3's MaxRetryError holds its cause here
        behind = at.__cause__ or at.__context__
        at = behind or (reason if isinstance(reason, BaseException) else None)


def _host(chain: list[BaseException]) -> str:
    """The host a failed request was for, from the first exception that says."""
    for exc in chain:
        request = getattr(exc, "request", None)  # requests' exceptions carry the request
        url = getattr(request, "url", None)
        if isinstance(url, str) and url:
            return urlsplit(url).netloc
        if isinstance(exc, httplib2.ServerNotFoundError):
            return str(exc).rpartition(" ")[2]  # "Unable to find the server at HOST"
    return ""


# 403s that mean "slow down" (Gmail's per-user and per-project rate limits), not "no".
RATE_LIMITS = {"userRateLimitExceeded", "rateLimitExceeded", "RATE_LIMIT_EXCEEDED"}


def _answered(status: int, body: bytes | str) -> CallProblem:
    reason, message, reasons = "", "", set()
    try:
        error = json.loads(body)["error"]
        reason, message = str(error.get("status", "")), str(error.get("message", ""))
        reasons = {str(e.get("reason", "")) for e in error.get("errors", []) or []}
        reasons |= {str(d.get("reason", "")) for d in error.get("details", []) or []}
    except (ValueError, KeyError, TypeError, AttributeError):
        message = "an answer that is not Google's usual error (an HTML page)"
    if reasons & {"SERVICE_DISABLED", "accessNotConfigured"}:
        reason = "SERVICE_DISABLED"
    transient = status == 429 or status >= 500 or (status == 403 and bool(reasons & RATE_LIMITS))
    return CallProblem(status, reason, message, transient)


def _refresh_message(exc: google.auth.exceptions.RefreshError) -> str:
    text = str(exc)
    if "invalid_grant" in text:
        return (
            "Google no longer accepts the saved sign-in (the token expired or was revoked;"
            " tokens of an OAuth app left in Testing stop after 7 days)"
        )
    return f"Google refused the sign-in ({text})"


def _final(what: str, problem: CallProblem, tries: int) -> GoogleError:
    if problem.reason == UNREACHABLE:
        said = f"cannot reach {problem.host} while {what}: {problem.message}; check the connection"
        return GoogleError(said, 0, UNREACHABLE, problem.message)
    after = f" after {tries} tries" if tries > 1 else ""
    detail = f"{problem.status} {problem.reason}: " if problem.status else ""
    parts = [f"{what} failed{after} ({detail}{problem.message})"]
    if problem.status in _ADVICE:
        parts.append(_ADVICE[problem.status])
    if problem.transient:
        parts.append("run again later")
    kind = NoAnswerError if problem.status == 0 and problem.maybe_done else GoogleError
    return kind("; ".join(parts), problem.status, problem.reason, problem.message)


_ADVICE = {
    400: "Google could not use what mentor-sync asked for; run mentor-sync doctor, which"
    " checks the tabs and headers, and report the message if doctor finds nothing",
    429: "Google's per-minute quota is used up (by another tool of the same Cloud project?)",
    401: "sign in again (mentor-sync auth, or a new service-account key), then run"
    " mentor-sync doctor",
    403: "check that the spreadsheet is shared with the account mentor-sync uses and that"
    " the API is enabled (mentor-sync doctor says which)",
    404: "check spreadsheet.id in the settings",
}


def load_credentials(
    path: str, scopes: list[str], *, subject: str = "", what: str, get: str = ""
) -> Credentials:
    """The credentials in `path`: a service-account key, or an OAuth token (authorized user).

    Raises SettingsError naming the file and what to do when it is missing or not one of
    those; `get` says how to get the right file ("to get the right file, run ...").
    """
    file = Path(path)
    if not file.is_file():
        raise SettingsError(
            f"no Google credentials file at {file} ({what}); make it as docs/google.md"
            " ('Setting up Google') says, or point the settings (the [google] section) at it"
        )
    fix = get or "see credentials.example.json for the shape of each"
    info = _credentials_json(file, fix)
    kind = str(info.get("type"))
    try:
        if kind == "service_account":
            found = service_account.Credentials.from_service_account_info(info, scopes=scopes)
            return found.with_subject(subject) if subject else found
        if kind == "authorized_user":
            found = user_credentials.Credentials.from_authorized_user_info(info)
            # google-auth puts Google's token endpoint in place of the file's; keep the file's.
            return found.with_token_uri(info["token_uri"]) if info.get("token_uri") else found
    except KeyError as exc:
        raise SettingsError(f"{file} is a {_KINDS[kind]} without {exc}; {fix}") from exc
    except ValueError as exc:
        raise SettingsError(f"{file} {_not_usable(kind, info, exc)}; {fix}") from exc
    if "installed" in info or "web" in info:
        raise SettingsError(
            f"{file} is an OAuth client file, not a sign-in; run 'mentor-sync auth' with it"
            " (google.oauth_client) to make the token file"
        )
    if "service-account.json" in info:
        raise SettingsError(
            f"{file} is a copy of credentials.example.json, which shows the shape of the"
            f" credentials files with placeholders and holds no key; {fix}"
        )
    raise SettingsError(
        f'{file} is neither a service-account key nor an OAuth token (its "type" is'
        f" {info.get('type')!r}); {fix}"
    )


_KINDS = {"service_account": "service-account key file", "authorized_user": "OAuth token file"}


def _credentials_json(file: Path, fix: str) -> dict:
    """The JSON object in a credentials file; SettingsError saying what the file is instead."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(
            f"cannot read {file} as a JSON credentials file ({exc}); {fix}"
        ) from exc
    if text.lstrip().startswith("-----BEGIN"):
        raise SettingsError(
            f"{file} is a PEM key alone, not the JSON key file Google gives (with the key, the"
            f" service account's email and more); {fix}"
        )
    try:
        info = json.loads(text)
    except ValueError as exc:
        raise SettingsError(f"{file} is not a JSON credentials file ({exc}); {fix}") from exc
    if not isinstance(info, dict):
        raise SettingsError(f"{file} is not a JSON credentials file (not a JSON object); {fix}")
    return info


def _not_usable(kind: str, info: dict, exc: ValueError) -> str:
    """What is wrong with a credentials file the client library refused, in plain words
    (a service-account key whose private key is a placeholder gives a cryptography error)."""
    if kind == "service_account" and "private_key" in info:
        key = str(info["private_key"])
        why = "a placeholder" if "PLACEHOLDER" in key.upper() else "cut short or changed"
        return f"is a service-account key file whose private key is not a key ({why})"
    return f"is a {_KINDS[kind]} that cannot be used ({exc})"


class TimedRequest(google.auth.transport.requests.Request):
    """google-auth's transport for signing in, with our timeout instead of its 120 s."""

    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout

    def __call__(self, url, method="GET", body=None, headers=None, timeout=None, **kwargs):
        return super().__call__(url, method, body, headers, timeout=self.timeout, **kwargs)


def identity(creds: Credentials) -> str:
    """Who the credentials act as, for messages: the service account's or the user's email."""
    email = getattr(creds, "service_account_email", "") or getattr(creds, "account", "")
    return email or "the signed-in Google account"


def signed_in(creds: Credentials, timeout: float, retry: Retry, what: str) -> None:
    """Sign in now unless the credentials hold a valid access token; raises GoogleError
    ("signing in to `what` failed ...") when Google does not sign them in."""
    if not creds.valid:
        retry.call(f"signing in to {what}", lambda: creds.refresh(TimedRequest(timeout)))


def discovery_client(api: str, version: str, creds: Credentials, endpoint: str, timeout: float):
    """google-api-python-client's service for `api`, made from the discovery document the
    library ships (no request for it), sending to `endpoint` (settings google.*_endpoint)
    with our timeout. Its own retries stay off: calls go through `Retry`, and each request
    is sent once (`OnceHttp`)."""
    from googleapiclient.discovery import build  # heavy; only the Gmail and Forms paths need it

    session = AuthorizedSession(creds, refresh_timeout=timeout, auth_request=TimedRequest(timeout))
    http = OnceHttp(session, timeout)
    return build(
        api,
        version,
        http=http,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": endpoint.rstrip("/") + "/"},
    )


class OnceHttp:
    """What google-api-python-client asks of an httplib2.Http, over a requests session that
    sends each request once. httplib2 sends a request again by itself when the connection
    closes before the answer: a Gmail send it had taken went out twice (one send, two
    POSTs, against a server that read it and hung up), and a form would be made twice."""

    def __init__(self, session: requests.Session, timeout: float):
        self.session, self.timeout = session, timeout

    def request(self, uri, method="GET", body=None, headers=None, **_httplib2_options):
        answer = self.session.request(
            method, uri, data=body, headers=headers, timeout=self.timeout, allow_redirects=False
        )
        response = httplib2.Response({"status": str(answer.status_code), **answer.headers})
        response.reason = answer.reason or ""
        return response, answer.content

    def close(self) -> None:
        self.session.close()


def granted_scopes(creds: Credentials) -> set[str]:
    """The scopes a credential carries (for a token: those the person granted)."""
    return set(getattr(creds, "granted_scopes", None) or creds.scopes or ())
