"""No network, one line: a name that does not resolve, an address that refuses or never
answers is said at once, in one sentence, after one try, through the real Google clients;
a connection that never opened proves nothing was asked, so a Gmail send that met one was
not sent; a key file that is not a key says what it is and how to get the right one."""

from __future__ import annotations

import dataclasses
import json
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import httplib2
import pytest
import requests

from jobs.backends import gmail_credentials
from jobs.settings_file import load_settings
from sync.gmail import GmailSender
from sync.google import GMAIL_SEND, UNREACHABLE, describe, load_credentials
from sync.sender import SendError
from tests.conftest import PEOPLE, own_program
from tests.fakes.google_fake import FakeGoogle
from tests.fakes.google_program import SHEET_ID, cli_run, google_settings, response_tabs
from tests.fakes.network import NO_ROUTE, hangs_up, silent_port
from tests.fakes.smtp_server import free_port

DAY = date(2026, 3, 2)
REPO = Path(__file__).resolve().parent.parent
DNS = "no network or DNS (the name did not resolve); check the connection"
REFUSED = (
    "the connection was refused (a firewall or a proxy, or a wrong google.*_endpoint?);"
    " check the connection"
)
SILENT = (
    "the connection did not open in time (no network, or a firewall that drops it);"
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


LOOPBACK = ("http://127.0.0.1:{port}", "http://127.0.0.1:{port}/token", "127.0.0.1")
WHERES = {
    "dns": ("https://sheets.invalid", "https://oauth2.invalid/token", "oauth2.invalid", DNS),
    "refused": (*LOOPBACK, REFUSED),
    "no answer": (*LOOPBACK, SILENT),  # dropped by a firewall: the connect timeout
}


@pytest.fixture(params=list(WHERES))
def offline(request, tmp_path):
    """A program whose Google cannot be reached (its name does not resolve, its address
    refuses or never answers): its settings, what a job says about it, and the (host, port)
    it would reach."""
    google, token, host, why = WHERES[request.param]
    with silent_port() as silent:
        port = {"dns": 443, "refused": closed_port(), "no answer": silent}[request.param]
        settings_path = offline_program(tmp_path, google.format(port=port), token.format(port=port))
        shown = host if request.param == "dns" else f"{host}:{port}"
        said = f"cannot reach {shown} while opening the spreadsheet: {why}"
        yield settings_path, said, (host, port)


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


# Connections that never open, and the words for why (none was asked anything).
NEVER_OPENS = {
    "no answer": "the connection did not open in time (no network, or a firewall that drops it)",
    "no route": "the connection could not be opened ([Errno ",
    "a proxy": "the proxy did not let the connection through ([Errno ",
    "a failed secure handshake": "the secure connection could not be set up (",
}


@contextmanager
def never_opening(kind: str, fake: FakeGoogle) -> Iterator[str]:
    """The address of a Gmail a connection to which never opens, as `kind` says. With "a
    proxy" it is the fake's own: the proxy is named once the sender has signed in."""
    with silent_port() if kind == "no answer" else nullcontext(0) as silent:
        yield {
            "no answer": f"http://127.0.0.1:{silent}",
            "no route": f"http://{NO_ROUTE}",
            "a proxy": fake.url,
            "a failed secure handshake": fake.url.replace("http:", "https:"),  # no TLS there
        }[kind]


def through_the_proxy(monkeypatch, url: str) -> None:
    """Requests go through the proxy at `url`, as the environment names it."""
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", url)


@pytest.mark.parametrize("readonly", [False, True], ids=["gmail.send", "gmail.readonly"])
@pytest.mark.parametrize("kind", list(NEVER_OPENS))
def test_a_gmail_send_whose_connection_never_opened_was_not_sent_and_stops_the_batch(
    tmp_path, monkeypatch, kind, readonly
):
    with FakeGoogle() as fake, never_opening(kind, fake) as endpoint:
        settings = load_settings(google_settings(tmp_path, fake, readonly=readonly, timeout=1))
        google = dataclasses.replace(settings.google, gmail_endpoint=endpoint)
        with GmailSender(gmail_credentials(settings), google) as sender:
            if kind == "a proxy":
                through_the_proxy(monkeypatch, f"http://127.0.0.1:{closed_port()}")  # refuses
            with pytest.raises(SendError) as caught:
                sender.send(_message(), "introduction | ana@m.org | tom@t.org")
        assert (fake.count("gmail"), fake.sent) == (0, [])
    said = str(caught.value)
    where = urlsplit(endpoint).netloc
    assert said.startswith(
        f"introduction | ana@m.org | tom@t.org was not sent: cannot reach {where}:"
        f" {NEVER_OPENS[kind]}"
    )
    assert said.endswith("; check the connection (the next run sends it)")
    # Not "maybe sent", so the next run sends it; the rest of the batch waits for that run.
    assert (caught.value.maybe_sent, caught.value.fatal) == (False, True)


def _message() -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@m.org", "b@m.org", "hi"
    message["Message-ID"] = "<test@m.org>"
    message.set_content("hello")
    return message


@pytest.fixture(name="hangs_up")
def hanging_up_server():
    with hangs_up() as server:
        yield server


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


def test_a_gmail_send_lost_after_the_proxy_took_it_may_have_gone(tmp_path, monkeypatch, hangs_up):
    """A proxy that read the send and then hung up may have passed it on: urllib3 calls that
    a ProxyError too, which is no proof that the connection never opened."""
    url, seen = hangs_up
    with FakeGoogle() as fake:
        settings = load_settings(google_settings(tmp_path, fake, readonly=False))
        creds = load_credentials(settings.google.gmail_token, [GMAIL_SEND], what="the test")
        with GmailSender(creds, settings.google) as sender:
            through_the_proxy(monkeypatch, url)
            with pytest.raises(SendError) as caught:
                sender.send(_message(), "introduction | ana@m.org | tom@t.org")
    assert [line.split(b" ")[0] for line in seen] == [b"POST"]  # the proxy had the send
    assert caught.value.maybe_sent
    assert "was not sent" not in str(caught.value)
