"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import email
import socket
import threading
from email import policy


class Inbox:
    """An aiosmtpd handler that keeps what it receives. `drop_after` breaks the connection
    after that many messages were taken, as a server that dies mid-batch would;
    `drop_before_data` breaks it at the first RCPT once that many were taken, before the
    next message is handed over; `gate`, when set, holds every message until it opens
    (`arrived` says one is waiting). `offers_8bitmime` False takes 8BITMIME out of the
    EHLO reply; `raw` keeps each message's MAIL options and bytes as they came; `refuse`
    names mailboxes the server says do not exist (550 at RCPT)."""

    def __init__(self):
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []
        self.raw: list[tuple[list[str], bytes]] = []
        self.drop_after: int | None = None
        self.drop_before_data: int | None = None
        self.offers_8bitmime = True
        self.gate: threading.Event | None = None
        self.arrived = threading.Event()
        self.refuse: set[str] = set()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return [r for r in responses if self.offers_8bitmime or r[4:] != "8BITMIME"]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.drop_before_data is not None and len(self.received) >= self.drop_before_data:
            server.transport.close()  # the message was never handed over
            return "250 OK"
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.gate is not None:
            self.arrived.set()
            self.gate.wait(timeout=30)  # holds the server's loop: one client at a time here
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        self.raw.append((list(envelope.mail_options), envelope.original_content))
        if self.drop_after is not None and len(self.received) >= self.drop_after:
            server.transport.close()  # taken, but the client never hears "250"
            return None
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
