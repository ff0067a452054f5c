"""No network, one line: a name that does not resolve or an address that refuses is said at
once, in one sentence, after one try, through the real Google clients; a key file that is
not a key says what it is and how to get the right one."""

from __future__ import annotations

import dataclasses
import json
import shutil
import socket
import threading
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import httplib2
import pytest
import requests

from jobs.settings_file import load_settings
from sync.gmail import GmailSender
from sync.google import GMAIL_SEND, UNREACHABLE, describe, load_credentials
from sync.sender import SendError
from tests.conftest import PEOPLE, own_program
from tests.fakes.google_fake import FakeGoogle
from tests.fakes.google_program import SHEET_ID, cli_run, google_settings, response_tabs
from tests.fakes.smtp_server import free_port

DAY = date(2026, 3, 2)
REPO = Path(__file__).resolve().parent.parent
DNS = "no network or DNS (the name did not resolve); check the connection"
REFUSED = (
    "the connection was refused (a firewall or a proxy, or a wrong google.*_endpoint?);"
    " check the connection"
)


@pytest.fixture
def lookups(monkeypatch):
    """The (host, port) of every connection the program starts, in order: each starts with
    a look-up of its name (socket.getaddrinfo), which answers as before."""
    asked: list[tuple[str, int]] = []
    look_up = socket.getaddrinfo

    def counted(host, port, *args, **kwargs):
        asked.append((host, int(port)))
        return look_up(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", counted)
    return asked


def offline_program(folder: Path, google: str, token: str) -> Path:
    """A Google program whose Sheets and Gmail addresses are `google` and whose files sign
    in at `token`, with six tries of each call, as the defaults give."""
    with FakeGoogle() as fake:
        path = google_settings(folder, fake, tries=6)
        url = fake.url
    own_program(path)
    path.write_text(path.read_text().replace(url, google), encoding="utf-8")
    for file in (folder / "credentials").glob("*.json"):
        file.write_text(file.read_text().replace(f"{url}/token", token), encoding="utf-8")
    return path


def closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused."""
    return free_port()


WHERES = {
    "dns": ("https://sheets.invalid", "https://oauth2.invalid/token", "oauth2.invalid", DNS),
    "refused": ("http://127.0.0.1:{port}", "http://127.0.0.1:{port}/token", "127.0.0.1", REFUSED),
}


@pytest.fixture(params=["dns", "refused"])
def offline(request, tmp_path):
    """A program whose Google cannot be reached (its name does not resolve, or its address
    refuses): its settings, what a job says about it, and the (host, port) it would reach."""
    google, token, host, why = WHERES[request.param]
    port = closed_port() if request.param == "refused" else 443
    settings_path = offline_program(tmp_path, google.format(port=port), token.format(port=port))
    shown = f"{host}:{port}" if request.param == "refused" else host
    return settings_path, f"cannot reach {shown} while opening the spreadsheet: {why}", (host, port)


def test_a_job_without_network_says_so_in_one_line_after_one_try(offline, lookups):
    settings_path, said, reached = offline
    result = cli_run(settings_path, DAY, "match")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"mentor-sync: match failed: {said}"]
    assert [asked for asked in lookups if asked[0] == reached[0]] == [reached]


def test_doctor_without_network_is_one_finding_and_tries_once(offline, lookups):
    settings_path, said, reached = offline
    result = cli_run(settings_path, DAY, "doctor")
    assert result.exit_code == 1
    fixes = [line for line in result.stdout.splitlines() if line.startswith("fix: ")]
    assert fixes == [f"fix: {said}"]
    assert result.stderr == ""
    # Gmail signs in at the same address: not tried again once Google cannot be reached.
    assert [asked for asked in lookups if asked[0] == reached[0]] == [reached]


def test_gmail_unreachable_for_a_send_says_it_was_not_sent_and_stops_the_batch(tmp_path):
    port = closed_port()
    with FakeGoogle() as fake:
        settings = load_settings(google_settings(tmp_path, fake, readonly=False))
        google = dataclasses.replace(settings.google, gmail_endpoint=f"http://127.0.0.1:{port}")
        creds = load_credentials(settings.google.gmail_token, [GMAIL_SEND], what="the test")
        with GmailSender(creds, google) as sender, pytest.raises(SendError) as caught:
            sender.send(_message(), "introduction | ana@m.org | tom@t.org")
    assert str(caught.value) == (
        f"introduction | ana@m.org | tom@t.org was not sent: cannot reach 127.0.0.1:{port}:"
        f" {REFUSED} (the next run sends it)"
    )
    assert (caught.value.maybe_sent, caught.value.fatal) == (False, True)


def _message() -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@m.org", "b@m.org", "hi"
    message["Message-ID"] = "<test@m.org>"
    message.set_content("hello")
    return message


@pytest.fixture
def hangs_up():
    """A loopback server that reads each request, then closes the connection without a word
    (a connection lost mid-answer): the URL, and the request lines it read."""
    server = socket.create_server(("127.0.0.1", 0))
    seen: list[bytes] = []

    def serve():
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with connection:
                seen.append(connection.recv(65536).split(b"\r\n")[0])

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", seen
    server.close()


@pytest.mark.parametrize("client", ["requests", "httplib2"])
def test_a_connection_lost_mid_answer_is_still_tried_again_and_may_have_been_done(hangs_up, client):
    url, _ = hangs_up
    try:
        if client == "requests":
            requests.post(f"{url}/send", data=b"x", timeout=5)
        else:
            httplib2.Http(timeout=5).request(f"{url}/send", "POST", body=b"x")
    except Exception as exc:
        problem = describe(exc)
    assert problem is not None and problem.reason != UNREACHABLE
    assert problem.transient and problem.maybe_done


def test_a_gmail_send_whose_connection_is_lost_goes_once_and_may_have_gone(tmp_path, hangs_up):
    url, seen = hangs_up
    with FakeGoogle() as fake:
        settings = load_settings(google_settings(tmp_path, fake, readonly=False))
        google = dataclasses.replace(settings.google, gmail_endpoint=url)
        creds = load_credentials(settings.google.gmail_token, [GMAIL_SEND], what="the test")
        with GmailSender(creds, google) as sender, pytest.raises(SendError) as caught:
            sender.send(_message(), "introduction | ana@m.org | tom@t.org")
    # httplib2 would have sent it again by itself: twice, had Gmail taken the first.
    assert seen == [b"POST /gmail/v1/users/me/messages/send?alt=json HTTP/1.1"]
    assert caught.value.maybe_sent
    assert "Gmail did not answer while sending introduction | ana@m.org | tom@t.org" in str(
        caught.value
    )


def unusable_files(tmp_path: Path) -> dict[str, Path]:
    """Files a committee may have put where the service-account key belongs."""
    example = json.loads((REPO / "credentials.example.json").read_text())
    files = {
        "the example file": REPO / "credentials.example.json",
        "its placeholder key": None,
        "a PEM key": None,
    }
    placeholder = tmp_path / "placeholder.json"
    placeholder.write_text(json.dumps(example["service-account.json"]))
    files["its placeholder key"] = placeholder
    pem = tmp_path / "key.pem"
    pem.write_text("-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\n")
    files["a PEM key"] = pem
    return files


KEY_STEPS = (
    "to get the right file, make a key of the service account (Google Cloud console > IAM &"
    " Admin > Service accounts > the account > Keys > Add key > Create new key > JSON) and"
    " save it there, or run mentor-sync auth sheets to use your own Google account"
)


@pytest.mark.parametrize(
    ("name", "what"),
    [
        (
            "the example file",
            "is a copy of credentials.example.json, which shows the shape of the credentials"
            " files with placeholders and holds no key",
        ),
        (
            "its placeholder key",
            "is a service-account key file whose private key is not a key (a placeholder)",
        ),
        (
            "a PEM key",
            "is a PEM key alone, not the JSON key file Google gives (with the key, the service"
            " account's email and more)",
        ),
    ],
)
def test_a_key_file_that_is_not_a_key_says_what_it_is_and_how_to_get_one(tmp_path, name, what):
    with FakeGoogle() as fake:
        settings_path = google_settings(tmp_path, fake)
        key = tmp_path / "credentials" / "service-account.json"
        shutil.copy(unusable_files(tmp_path)[name], key)
        fake.add_spreadsheet(SHEET_ID, response_tabs(load_settings(settings_path), *PEOPLE))
        result = cli_run(settings_path, DAY, "match")
    assert result.exit_code == 2
    assert result.stderr == f"mentor-sync: configuration error: {key} {what}; {KEY_STEPS}\n"
    assert "cryptography" not in result.output and "PEM file" not in result.output
