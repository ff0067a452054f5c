"""A network that fails, on loopback: an address where a connection never opens, one the
system refuses to connect to, and a server that hangs up once it has read the request."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

# An address the system refuses to connect to before anything is sent: a link-local
# address with no network interface named (EINVAL; EAFNOSUPPORT where IPv6 is off), as
# "no route to host" is refused when there is no network.
NO_ROUTE = "[fe80::1]:81"


@contextmanager
def silent_port() -> Iterator[int]:
    """A loopback port where a connection never opens, until the client's connect timeout:
    its server never accepts, and once its queue of connections waiting to be accepted is
    full the system drops every new one unanswered, as a firewall that drops packets (or
    no network at all) does."""
    server = socket.create_server(("127.0.0.1", 0), backlog=0)
    waiting: list[socket.socket] = []
    try:
        for _ in range(4):  # more than the queue holds
            client = socket.socket()
            client.setblocking(False)
            with suppress(BlockingIOError):
                client.connect(server.getsockname())
            waiting.append(client)
        yield server.getsockname()[1]
    finally:
        for client in waiting:
            client.close()
        server.close()


@contextmanager
def hangs_up() -> Iterator[tuple[str, list[bytes]]]:
    """A loopback server that reads each request, then closes the connection without a word
    (a connection lost mid-answer): its URL, and the request lines it read."""
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
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}", seen
    finally:
        server.close()
