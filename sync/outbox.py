"""The outbox sender: each email becomes a standard .eml file in a folder.

Any mail program opens a .eml file, so a committee can read exactly what would
have been sent. A file is written beside its final name and then renamed, so
a file that is there is whole: that is how `confirm` can tell.
"""

from __future__ import annotations

import hashlib
import re
from email.message import EmailMessage
from pathlib import Path

from sync.files import replace_file
from sync.sender import SendError

_UNSAFE = re.compile(r"[^A-Za-z0-9@._+-]+")


class OutboxSender:
    name = "outbox"

    def __init__(self, folder: Path):
        self.folder = folder

    def __enter__(self) -> OutboxSender:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SendError(
                f"cannot make the outbox folder {self.folder} ({exc}); check email.outbox",
                fatal=True,
            ) from exc
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def path_for(self, key: str) -> Path:
        """The file of the email with this key: readable, and unique to the key."""
        digest = hashlib.sha256(key.encode()).hexdigest()[:8]
        return self.folder / f"{_UNSAFE.sub('_', key).strip('_')[:150]}-{digest}.eml"

    def send(self, message: EmailMessage, key: str) -> str:
        """Write the message to its file; raises SendError (fatal) when the disk refuses."""
        target = self.path_for(key)
        try:
            replace_file(target, message.as_bytes())
        except OSError as exc:
            raise SendError(f"cannot write {target} ({exc})", fatal=True) from exc
        return ""

    def confirm(self, key: str, message_id: str) -> bool | None:
        """True when the email's file is there with this Message-ID, False when it is not."""
        path = self.path_for(key)
        if not path.is_file():
            return False
        with path.open("rb") as file:
            for line in file:
                if not line.strip():
                    break  # the end of the headers
                if line.lower().startswith(b"message-id:"):
                    return line.split(b":", 1)[1].strip().decode() == message_id
        return False
