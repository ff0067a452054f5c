"""A program on the loopback fake of Google: credential files, settings, and the CLI.

The credentials are real: a service-account key with a freshly made RSA key,
and an OAuth token whose refresh goes to the fake's token endpoint, so that
google-auth signs in exactly as it would against Google.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mentoring.settings import Settings
from mentoring.sheet import Cell
from sync.google import GMAIL_READONLY, GMAIL_SEND
from tests.conftest import response_rows
from tests.fakes.commands import invoke_on
from tests.fakes.google_fake import FakeGoogle

SHEET_ID = "1mentorSyncTestSpreadsheet0000000000000000"
ROBOT = "mentor-sync@sts-program.iam.gserviceaccount.com"
PROGRAM_GMAIL = "sts.mentoring@gmail.example.com"
REFRESH = "1//refresh-token-of-the-program-account"


@cache
def private_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def service_account(fake: FakeGoogle) -> dict:
    return {
        "type": "service_account",
        "project_id": "sts-program",
        "private_key_id": "0123456789abcdef",
        "private_key": private_key(),
        "client_email": ROBOT,
        "client_id": "100000000000000000001",
        "token_uri": fake.token_uri,
    }


def user_token(fake: FakeGoogle, scopes: Sequence[str], refresh: str = REFRESH) -> dict:
    fake.add_refresh_token(refresh, PROGRAM_GMAIL, list(scopes))
    return {
        "type": "authorized_user",
        "client_id": "123-test.apps.googleusercontent.com",
        "client_secret": "GOCSPX-test-secret",
        "refresh_token": refresh,
        "token_uri": fake.token_uri,
        "scopes": list(scopes),
        "account": PROGRAM_GMAIL,
    }


def oauth_client(folder: Path, token_uri: str, fake: FakeGoogle) -> None:
    """The OAuth client file of a Desktop app (google.oauth_client) in `folder`/credentials,
    signing in at the fake and getting its tokens from `token_uri`."""
    client = {
        "installed": {
            "client_id": "123-test.apps.googleusercontent.com",
            "client_secret": "GOCSPX-test-secret",
            "auth_uri": f"{fake.url}/o/oauth2/auth",
            "token_uri": token_uri,
            "redirect_uris": ["http://localhost"],
        }
    }
    (folder / "credentials" / "oauth-client.json").write_text(json.dumps(client))


def google_settings(
    folder: Path,
    fake: FakeGoogle,
    *,
    readonly: bool = True,
    timeout: float = 2.0,
    tries: int = 6,
    extra: str = "",
) -> Path:
    """Write settings for the fake, with a service account for the sheet and a Gmail token."""
    creds = folder / "credentials"
    creds.mkdir(exist_ok=True)
    (creds / "service-account.json").write_text(json.dumps(service_account(fake)))
    scopes = [GMAIL_SEND, *([GMAIL_READONLY] if readonly else [])]
    (creds / "gmail-token.json").write_text(json.dumps(user_token(fake, scopes)))
    sender = f'sender = "gmail"\nfrom_address = "{PROGRAM_GMAIL}"\n'
    path = folder / "settings.toml"
    path.write_text(
        f'[spreadsheet]\nbackend = "google"\nid = "{SHEET_ID}"\n'
        f"[email]\n{sender}"
        f'[google]\nsheets_endpoint = "{fake.url}"\ngmail_endpoint = "{fake.url}"\n'
        f"timeout = {timeout}\ntries = {tries}\nmax_backoff = 0\n"
        f"gmail_readonly = {'true' if readonly else 'false'}\n{extra}",
        encoding="utf-8",
    )
    return path


def response_tabs(
    settings: Settings,
    mentees: Sequence[Mapping[str, Cell]],
    mentors: Sequence[Mapping[str, Cell]],
    checkins: bool = False,
) -> dict[str, list[list[Cell]]]:
    """Both response tabs as the forms write them: a header row, then a row per answer; with
    `checkins`, the check-in form's tab too, as linking the form leaves it (a header only)."""
    tabs = {
        form.tab: response_rows(list(form.questions.values()), list(form.questions), people)
        for form, people in ((settings.mentee_form, mentees), (settings.mentor_form, mentors))
    }
    if checkins:
        tabs[settings.checkin_form.tab] = [list(settings.checkin_form.questions.values())]
    return tabs


cli_run = invoke_on  # the command line, in this process, on a day


def comparable(value: Cell) -> Cell:
    """A cell as both backends show it: dates as ISO text to the day, numbers as floats."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and len(value) == 19 and value[4] == "-" and value[10] == " ":
        return value[:10]  # a time of day the run took from the clock
    if isinstance(value, bool) or value is None:
        return value if value is not None else ""
    if isinstance(value, int | float):
        return float(value)
    return value


def rows_of(values: Sequence[Sequence[Cell]]) -> list[list[Cell]]:
    rows = [[comparable(v) for v in row] for row in values]
    rows = [row[: max((i + 1 for i, v in enumerate(row) if v != ""), default=0)] for row in rows]
    while rows and not rows[-1]:
        rows.pop()
    return rows
