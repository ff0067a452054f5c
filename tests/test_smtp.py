"""The SMTP sender against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import email
import logging
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from mentoring.errors import ConfigError
from mentoring.letters import SMTP_LINE_LIMIT, Letter, build_message
from mentoring.pairs import MENTEE_ROLE, MENTOR_ROLE, Person
from mentoring.settings import Smtp
from sync.sender import SendError
from sync.smtp import SmtpSender

USER_ENV, PASSWORD_ENV = "MENTOR_SYNC_SMTP_USER", "MENTOR_SYNC_SMTP_PASSWORD"
LOGIN = {USER_ENV: "committee", PASSWORD_ENV: "s3cret"}


class Inbox:
    """An aiosmtpd handler that keeps what it receives and how the client came."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.goodbyes = 0

    async def handle_DATA(self, server, session, envelope):
        self.received.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "message": email.message_from_bytes(
                    envelope.original_content.replace(b"\r\n", b"\n"), policy=policy.default
                ),
                "tls": session.ssl is not None,
                "authenticated": bool(session.authenticated),
                "options": list(envelope.mail_options),
                "bytes": envelope.original_content,
            }
        )
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):
        self.goodbyes += 1
        return "221 Bye"


class No8BitMime(Inbox):
    """A server that does not offer 8BITMIME: it takes 7-bit messages only."""

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return [reply for reply in responses if reply[4:] != "8BITMIME"]


class HangupBeforeData(Inbox):
    """Drops the connection at the first RCPT, before any message is handed over."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        server.transport.close()
        return "250 OK"


class NoSuchUser(Inbox):
    """Refuses every recipient whose address starts with "nobody"."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody"):
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class Rejecting:
    """Takes the whole message, then refuses it with the given reply."""

    def __init__(self, reply: str) -> None:
        self.reply = reply

    async def handle_DATA(self, server, session, envelope):
        return self.reply


class Hangup:
    """Takes the whole message, then drops the connection instead of answering."""

    async def handle_DATA(self, server, session, envelope):
        server.transport.close()
        return "250 OK"


def committee_login(server, session, envelope, mechanism, auth_data):
    ok = auth_data == LoginPassword(b"committee", b"s3cret")
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(handler, **options) -> Iterator[int]:
    """Run aiosmtpd on a free port of 127.0.0.1 for the block; yields the port."""
    controller = Controller(
        handler, hostname="127.0.0.1", port=free_port(), server_hostname="mail.test", **options
    )
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


def smtp(port: int, security: str = "none") -> Smtp:
    return Smtp("127.0.0.1", port, security, USER_ENV, PASSWORD_ENV, timeout=5.0)


def deliver(settings: Smtp, environ=None, context=None, message=None) -> str:
    with SmtpSender(settings, environ or {}, ssl_context=context) as sender:
        return sender.send(message or letter(), "introduction:ana@m.org")


def letter(to: str = "ana@m.org, Tom Ng <tom@t.org>") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Mentoring Committee <committee@c.org>"
    message["To"] = to
    message["Cc"] = "chair@c.org"
    message["Subject"] = "Café: meet your mentor"
    message["Message-ID"] = "<intro-ana@mentor-sync.test>"
    message.set_content("Dear Ana, meet Tom at the café.\n")
    message.add_alternative("<p>Dear Ana, meet <b>Tom</b> at the café.</p>\n", subtype="html")
    return message


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> Path:
    """A self-signed certificate for 127.0.0.1; its key is beside it as key.pem."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-nodes", "-days", "1", "-subj", "/CN=mail.test"),
            *("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-addext", "subjectAltName=DNS:mail.test,IP:127.0.0.1"),
            *("-keyout", folder / "key.pem", "-out", folder / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    return folder / "cert.pem"


@pytest.fixture
def server_tls(certificate) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, certificate.with_name("key.pem"))
    return context


@pytest.fixture
def trusting(certificate) -> ssl.SSLContext:
    """A client context that trusts the test certificate (and checks it)."""
    return ssl.create_default_context(cafile=str(certificate))


def test_delivers_to_every_recipient_with_headers_and_both_parts():
    inbox = Inbox()
    with smtp_server(inbox) as port:
        deliver(smtp(port))
    [received] = inbox.received
    assert received["from"] == "committee@c.org"
    assert sorted(received["to"]) == ["ana@m.org", "chair@c.org", "tom@t.org"]
    message = received["message"]
    assert message["Message-ID"] == "<intro-ana@mentor-sync.test>"
    assert message["Subject"] == "Café: meet your mentor"
    assert message.get_body(("plain",)).get_content() == "Dear Ana, meet Tom at the café.\n"
    assert message.get_body(("html",)).get_content() == (
        "<p>Dear Ana, meet <b>Tom</b> at the café.</p>\n"
    )
    assert not received["tls"]
    assert inbox.goodbyes == 1


def test_sends_several_messages_on_one_connection():
    inbox = Inbox()
    with smtp_server(inbox) as port, SmtpSender(smtp(port), {}) as sender:
        sender.send(letter("ana@m.org"), "a")
        sender.send(letter("bo@m.org"), "b")
    assert [r["to"][0] for r in inbox.received] == ["ana@m.org", "bo@m.org"]


def test_starttls_is_used_when_the_server_requires_it(server_tls, trusting):
    inbox = Inbox()
    with smtp_server(inbox, tls_context=server_tls, require_starttls=True) as port:
        deliver(smtp(port, "starttls"), context=trusting)
    assert [r["tls"] for r in inbox.received] == [True]


def test_starttls_checks_the_certificate_by_default(server_tls):
    with (
        smtp_server(Inbox(), tls_context=server_tls, require_starttls=True) as port,
        pytest.raises(SendError) as error,
    ):
        deliver(smtp(port, "starttls"))
    assert error.value.fatal and not error.value.maybe_sent
    assert "certificate verify failed" in str(error.value)
    assert f"cannot connect to the SMTP server 127.0.0.1:{port}" in str(error.value)


def test_starttls_refused_by_a_server_without_it():
    with smtp_server(Inbox()) as port, pytest.raises(SendError) as error:
        deliver(smtp(port, "starttls"))
    assert error.value.fatal
    assert str(error.value) == (
        f"the SMTP server 127.0.0.1:{port} cannot do what the settings ask (STARTTLS extension"
        " not supported by server.); check email.smtp.security and port"
    )


def test_logs_in_with_the_username_and_password_from_the_environment(server_tls, trusting):
    inbox = Inbox()
    with smtp_server(
        inbox,
        tls_context=server_tls,
        require_starttls=True,
        authenticator=committee_login,
        auth_require_tls=True,
        auth_required=True,
    ) as port:
        deliver(smtp(port, "starttls"), LOGIN, trusting)
    assert [r["authenticated"] for r in inbox.received] == [True]


def test_a_wrong_password_is_fatal_and_never_shown(server_tls, trusting):
    environ = {USER_ENV: "committee", PASSWORD_ENV: "wrong-pa55word"}
    with (
        smtp_server(
            Inbox(), tls_context=server_tls, require_starttls=True, authenticator=committee_login
        ) as port,
        pytest.raises(SendError) as error,
    ):
        deliver(smtp(port, "starttls"), environ, trusting)
    assert error.value.fatal
    assert str(error.value) == (
        f"the SMTP server 127.0.0.1:{port} refused the login of committee"
        " (535 5.7.8 Authentication credentials invalid); check the environment variables"
        f" {USER_ENV} and {PASSWORD_ENV}"
    )
    assert "pa55word" not in repr(error.value.__cause__)


def test_a_username_without_a_password_is_a_config_error():
    sender = SmtpSender(smtp(free_port()), {USER_ENV: "committee"})
    with pytest.raises(ConfigError) as error, sender:
        pass
    assert str(error.value) == (
        f"the environment variable {PASSWORD_ENV} is not set; it must hold the SMTP password"
        f" of committee (named by {USER_ENV})"
    )


def test_implicit_tls(server_tls, trusting):
    inbox = Inbox()
    with smtp_server(inbox, ssl_context=server_tls) as port:
        deliver(smtp(port, "ssl"), context=trusting)
    assert len(inbox.received) == 1


def test_nothing_listening_is_fatal_and_names_the_server():
    with socket.socket() as bound:  # bound but not listening: connections are refused
        bound.bind(("127.0.0.1", 0))
        port = bound.getsockname()[1]
        with pytest.raises(SendError) as error:
            deliver(smtp(port))
    assert error.value.fatal and not error.value.maybe_sent
    assert str(error.value) == (
        f"cannot connect to the SMTP server 127.0.0.1:{port} (Connection refused);"
        " check email.smtp.host, port and security"
    )


def test_a_refused_recipient_is_not_sent():
    inbox = NoSuchUser()
    with smtp_server(inbox) as port, SmtpSender(smtp(port), {}) as sender:
        message = letter("nobody@m.org")
        del message["Cc"]
        with pytest.raises(SendError) as error:
            sender.send(message, "intro:nobody")
        sender.send(letter("ana@m.org"), "intro:ana")  # the connection still works
    assert not error.value.maybe_sent and not error.value.fatal
    assert str(error.value) == (
        f"the SMTP server 127.0.0.1:{port} refused intro:nobody (nobody@m.org: 550 no such user)"
    )
    assert [r["to"] for r in inbox.received] == [["ana@m.org", "chair@c.org"]]
    assert inbox.goodbyes == 1


def test_some_refused_recipients_are_logged_and_the_rest_delivered(caplog):
    inbox = NoSuchUser()
    with caplog.at_level(logging.WARNING, logger="sync.smtp"), smtp_server(inbox) as port:
        note = deliver(smtp(port), message=letter("ana@m.org, nobody@m.org"))
    assert [r["to"] for r in inbox.received] == [["ana@m.org", "chair@c.org"]]
    # The note goes into the Email Log's Error column beside "sent".
    assert note == "went to the others; the server refused nobody@m.org: 550 no such user"
    assert [r.getMessage() for r in caplog.records if r.name == "sync.smtp"] == [
        f"the SMTP server 127.0.0.1:{port} refused some recipients of introduction:ana@m.org"
        " (nobody@m.org: 550 no such user); it went to the others"
    ]


@pytest.mark.parametrize(
    ("reply", "fatal"), [("554 5.7.1 looks like spam", False), ("421 4.3.2 shutting down", True)]
)
def test_a_refused_message_is_not_sent_and_a_closing_server_ends_the_run(reply, fatal):
    with smtp_server(Rejecting(reply)) as port, pytest.raises(SendError) as error:
        deliver(smtp(port))
    assert not error.value.maybe_sent
    assert error.value.fatal is fatal
    assert str(error.value) == (
        f"the SMTP server 127.0.0.1:{port} refused introduction:ana@m.org ({reply})"
    )


def test_a_connection_dropped_after_the_message_may_have_sent_it():
    with smtp_server(Hangup()) as port, SmtpSender(smtp(port), {}) as sender:
        with pytest.raises(SendError) as error:
            sender.send(letter(), "intro:ana")
        with pytest.raises(SendError) as after:
            sender.send(letter(), "intro:bo")
    assert error.value.maybe_sent and error.value.fatal
    assert str(error.value).startswith(
        f"the connection to the SMTP server 127.0.0.1:{port} broke while sending intro:ana"
    )
    assert not after.value.maybe_sent and after.value.fatal


def test_confirm_cannot_tell():
    assert SmtpSender(smtp(25), {}).confirm("intro:ana", "<intro-ana@mentor-sync.test>") is None


def test_an_8bit_message_asks_for_8bitmime_when_the_server_offers_it():
    inbox = Inbox()
    with smtp_server(inbox) as port:
        deliver(smtp(port))
    [received] = inbox.received
    assert "BODY=8BITMIME" in received["options"]
    assert "Dear Ana, meet Tom at the café.".encode() in received["bytes"]
    assert received["message"].get_body(("plain",)).get_content() == (
        "Dear Ana, meet Tom at the café.\n"
    )


def test_without_8bitmime_an_8bit_message_goes_in_7_bits():
    inbox = No8BitMime()
    with smtp_server(inbox) as port:
        deliver(smtp(port))
    [received] = inbox.received
    assert "BODY=8BITMIME" not in received["options"]
    assert received["bytes"].isascii()
    message = received["message"]
    assert message["Subject"] == "Café: meet your mentor"
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain.get_content() == "Dear Ana, meet Tom at the café.\n"
    assert html.get_content() == "<p>Dear Ana, meet <b>Tom</b> at the café.</p>\n"
    assert {plain["Content-Transfer-Encoding"], html["Content-Transfer-Encoding"]} == {"base64"}


def test_a_7bit_message_needs_no_body_option():
    inbox = Inbox()
    message = letter()
    message.clear_content()
    message.set_content("Dear Ana, meet Tom.\n")
    with smtp_server(inbox) as port:
        deliver(smtp(port), message=message)
    [received] = inbox.received
    assert "BODY=8BITMIME" not in received["options"]
    assert received["bytes"].isascii()


NAMES = {"ascii": "A" * 32_000, "accented": "é" * 32_000, "words": "Ana Ruiz " * 4_000}


@pytest.mark.parametrize("offers_8bitmime", [True, False], ids=["8bitmime", "7bit"])
@pytest.mark.parametrize("name", list(NAMES))
def test_a_32000_character_name_makes_no_line_a_server_refuses(name, offers_8bitmime):
    """aiosmtpd answers "500 Line too long" to a line over SMTP's limit."""
    long = NAMES[name]
    message = build_message(
        Letter(f"Hello {long}", f"Dear {long},\nwelcome.\n", f"<p>Dear {long},</p>\n"),
        sender=Person("committee@c.org", long, ""),
        to=[Person("ana@m.org", long, MENTEE_ROLE), Person("tom@t.org", "Tom", MENTOR_ROLE)],
        msgid="<long@c.org>",
        when=datetime(2026, 1, 12, 9),
    )
    inbox = Inbox() if offers_8bitmime else No8BitMime()
    with smtp_server(inbox) as port:
        deliver(smtp(port), message=message)
    [received] = inbox.received
    assert max(map(len, received["bytes"].split(b"\r\n"))) <= SMTP_LINE_LIMIT
    body = received["message"].get_body(("plain",)).get_content()
    assert body == f"Dear {long},\nwelcome.\n"


def test_an_idn_address_goes_punycoded_in_the_envelope_and_the_headers():
    message = build_message(
        Letter("Hi", "Hi\n"),
        sender=Person("committee@c.org", "Committee", ""),
        to=[Person("ana@bücher.example.org", "Ana", MENTEE_ROLE)],
        msgid="<idn@c.org>",
        when=datetime(2026, 1, 12, 9),
    )
    inbox = Inbox()
    with smtp_server(inbox) as port:
        deliver(smtp(port), message=message)
    [received] = inbox.received
    assert received["to"] == ["ana@xn--bcher-kva.example.org"]
    assert b"To: Ana <ana@xn--bcher-kva.example.org>\r\n" in received["bytes"]


def test_an_address_beyond_ascii_in_a_header_goes_punycoded_or_not_at_all():
    inbox = Inbox()
    with smtp_server(inbox) as port, SmtpSender(smtp(port), {}) as sender:
        sender.send(letter("ana@bücher.example.org"), "intro:ana")
        with pytest.raises(SendError) as error:
            sender.send(letter("josé@m.org"), "intro:jose")
    assert sorted(inbox.received[0]["to"]) == ["ana@xn--bcher-kva.example.org", "chair@c.org"]
    assert not error.value.maybe_sent and not error.value.fatal
    assert str(error.value).startswith(
        f"cannot send intro:jose through 127.0.0.1:{port}: the address 'josé@m.org' cannot go"
        " in ASCII (it has characters beyond plain ASCII before the @"
    )
    assert len(inbox.received) == 1


def test_a_connection_lost_before_data_sent_nothing_and_ends_the_run():
    with (
        smtp_server(HangupBeforeData()) as port,
        SmtpSender(smtp(port), {}) as sender,
        pytest.raises(SendError) as error,
    ):
        sender.send(letter(), "intro:ana")
    assert not error.value.maybe_sent and error.value.fatal
    assert str(error.value).startswith(
        f"the connection to the SMTP server 127.0.0.1:{port} broke before intro:ana was handed"
        " over ("
    )
    assert str(error.value).endswith("); it was not sent, and the next run sends it")
