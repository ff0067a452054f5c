"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import email
import socket
import threading
from email import policy


class Inbox:
    """An aiosmtpd handler that keeps what it receives. `drop_after` breaks the connection
    after that many messages were taken, as a server that dies mid-batch would; `gate`, when
    set, holds every message until it opens (`arrived` says one is waiting)."""

    def __init__(self):
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []
        self.drop_after: int | None = None
        self.gate: threading.Event | None = None
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if self.gate is not None:
            self.arrived.set()
            self.gate.wait(timeout=30)  # holds the server's loop: one client at a time here
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        if self.drop_after is not None and len(self.received) >= self.drop_after:
            server.transport.close()  # taken, but the client never hears "250"
            return None
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
