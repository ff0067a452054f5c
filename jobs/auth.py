"""`mentor-sync auth gmail|sheets|forms`: sign in once in a browser and keep the token.

`forms` is `sheets` with Google Forms as well (forms.body: reading the forms' questions and
making the check-in form, for `mentor-sync init`); both write google.credentials, the one
file the spreadsheet and the forms are reached with.

The token file is written with mode 0600 (only its owner may read it) and
swapped in whole. It holds a refresh token, with which google-auth gets a new
access token unattended; `mentor-sync doctor` says when it will stop working.
"""

from __future__ import annotations

import json
import webbrowser
from datetime import datetime
from pathlib import Path

import requests
from google_auth_oauthlib.flow import InstalledAppFlow, WSGITimeoutError
from oauthlib.oauth2.rfc6749.errors import OAuth2Error

from jobs.backends import SIGNED_IN, gmail_scopes
from mentoring.errors import ConfigError
from mentoring.settings import Settings
from sync.files import replace_file
from sync.google import FORMS_BODY, SHEETS_SCOPE, granted_scopes

WHAT = {
    "gmail": "sending the program's email",
    "sheets": "editing the spreadsheet",
    "forms": "editing the spreadsheet and the program's Google Forms",
}
SCOPES = {"sheets": [SHEETS_SCOPE], "forms": [SHEETS_SCOPE, FORMS_BODY]}


def sign_in(
    settings: Settings, service: str, now: datetime, *, open_browser: bool = True, browser=None
) -> str:
    """Run Google's sign-in for `service`, write the token file, and say what was written."""
    google = settings.google
    client = Path(google.oauth_client)
    if not client.is_file():
        raise ConfigError(
            f"no OAuth client file at {client}; in the Google Cloud console create an OAuth"
            " client of type Desktop app, download its JSON there (or set google.oauth_client)"
        )
    scopes = gmail_scopes(settings) if service == "gmail" else SCOPES[service]
    target = Path(google.gmail_token if service == "gmail" else google.credentials)
    if _is_service_account(target):
        raise ConfigError(
            f"{target} is a service-account key, which mentor-sync auth would overwrite; to sign"
            " in as yourself instead, set google.credentials to another file first (for"
            ' example "credentials/sheets-token.json")'
        )
    try:
        flow = InstalledAppFlow.from_client_secrets_file(str(client), scopes=scopes)
    except ValueError as exc:
        raise ConfigError(f"{client} is not an OAuth client file of a Desktop app ({exc})") from exc
    if open_browser:
        try:
            webbrowser.get(browser)
        except webbrowser.Error:
            open_browser = False  # a server without a browser: the address is printed instead
    # requests-oauthlib exchanges the code without a timeout; give it ours.
    flow.oauth2session.mount("https://", _Patient(google.timeout))
    flow.oauth2session.mount("http://", _Patient(google.timeout))
    try:
        creds = _run(flow, open_browser, browser, service)
    except WSGITimeoutError as exc:
        raise ConfigError("nobody signed in within 10 minutes; run mentor-sync auth again") from exc
    except requests.RequestException as exc:
        raise ConfigError(
            f"cannot reach Google's sign-in to finish ({exc}); run mentor-sync auth {service} again"
        ) from exc
    except OAuth2Error as exc:
        raise ConfigError(
            f"Google did not sign mentor-sync in ({exc.error}: {exc.description or 'no reason'});"
            f" run mentor-sync auth {service} again"
        ) from exc
    missing = set(scopes) - granted_scopes(creds)
    if missing:
        raise ConfigError(
            f"Google granted {', '.join(sorted(granted_scopes(creds)))} but not"
            f" {', '.join(sorted(missing))}; run mentor-sync auth {service} again and allow"
            " every permission it asks for"
        )
    token = {"type": "authorized_user", **json.loads(creds.to_json())}
    token["scopes"] = sorted(granted_scopes(creds))  # what was granted, for doctor to check
    token[SIGNED_IN] = now.isoformat(timespec="seconds")
    write_secret(target, json.dumps(token, indent=2) + "\n")
    return f"wrote {target} (readable only by you), allowing {', '.join(sorted(scopes))}"


def _run(flow: InstalledAppFlow, open_browser: bool, browser, service: str):
    return flow.run_local_server(
        host="localhost",
        port=0,
        open_browser=open_browser,
        browser=browser,
        access_type="offline",
        prompt="consent",
        authorization_prompt_message=(
            f"Sign in as the Google account for {WHAT[service]}; if no browser opens, open: {{url}}"
        ),
        success_message="mentor-sync is signed in; you may close this window.",
        timeout_seconds=600,
    )


class _Patient(requests.adapters.HTTPAdapter):
    """A transport that gives every request a timeout when the caller gave none."""

    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout

    def send(self, request, *args, **kwargs):
        kwargs["timeout"] = kwargs.get("timeout") or self.timeout
        return super().send(request, *args, **kwargs)


def _is_service_account(path: Path) -> bool:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("type") == "service_account"
    except (OSError, ValueError, AttributeError):
        return False


def write_secret(path: Path, text: str) -> None:
    """Write `text` to `path` readable by its owner only, swapping the file in whole."""
    replace_file(path, text.encode("utf-8"), mode=0o600)
